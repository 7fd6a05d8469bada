import { hash as oneShotHash } from 'node:crypto';
import { GENESIS_HASH, type AuditRecordBody, type SealedRecord } from './audit-record.js';

/**
 * The on-disk form of a record: one JSON object per line (JSON Lines), fields in a fixed order,
 * the chain hash last:
 *
 *   {"seq":N,"prev":"<64 hex>","time":"<RFC 3339>","body":{...},"hash":"<64 hex>"}\n
 *
 * `hash` = SHA-256 over the exact bytes of the line up to (not including) `,"hash":`. Those bytes
 * include `prev`, the hash of the record before, so changing, deleting, inserting or reordering any
 * record breaks every hash after it. Hashing bytes rather than a re-serialisation keeps
 * verification independent of any JSON library's key order or number formatting.
 */
const HASH_MARKER = ',"hash":"';

/** The bytes of one record line (newline included) and its hash, as the log writes them. */
export function encodeRecordBytes(seq: number, prev: string, time: string, body: AuditRecordBody): { bytes: Buffer; hash: string } {
  const prefix = `{"seq":${seq},"prev":"${prev}","time":${JSON.stringify(time)},"body":${bodyJson(body)}`;
  // Encoded once: hashed as bytes and written as they are (hashing the text would encode it too).
  const prefixLength = Buffer.byteLength(prefix, 'utf8');
  const bytes = Buffer.allocUnsafe(prefixLength + TAIL_BYTES + 1);
  bytes.write(prefix, 0, prefixLength, 'utf8');
  const hash = oneShotHash('sha256', bytes.subarray(0, prefixLength), 'hex');
  bytes.write(`${HASH_MARKER}${hash}"}\n`, prefixLength, 'latin1');
  return { bytes, hash };
}

export function encodeRecord(seq: number, prev: string, time: string, body: AuditRecordBody): { line: string; hash: string } {
  const { bytes, hash } = encodeRecordBytes(seq, prev, time, body);
  return { line: bytes.toString('utf8'), hash };
}

/** Text JSON carries as it is: base64url, and the dots of a compact JWS (RFC 7515 §7.1). */
const PLAIN_TEXT = /^[A-Za-z0-9_.-]*$/;

function jsonText(value: unknown): string | undefined {
  return typeof value === 'string' && PLAIN_TEXT.test(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * `JSON.stringify(body)`, except that an exchange's request and response signatures go last. They
 * are most of a signed exchange's record (two compact JWS of ~3.5 KB, the x5c chains), and
 * JSON.stringify examines every character for escaping, measured at about half the cost of
 * encoding such a record; a test for the base64url alphabet is about twice as fast, after which
 * the text goes in between quotes as it is. Readers parse the line as JSON and the chain hash
 * covers the bytes as written, so the member order is free.
 */
function bodyJson(body: AuditRecordBody): string {
  const { requestSignature, responseSignature, ...rest } = body as { readonly requestSignature?: unknown; readonly responseSignature?: unknown };
  if (typeof requestSignature !== 'string' && typeof responseSignature !== 'string') return JSON.stringify(body);
  let json = JSON.stringify(rest).slice(0, -1);
  for (const [name, value] of [
    ['requestSignature', requestSignature],
    ['responseSignature', responseSignature],
  ] as const) {
    // JSON.stringify leaves out members whose value it cannot represent; so does this.
    const text = value === undefined || typeof value === 'function' || typeof value === 'symbol' ? undefined : jsonText(value);
    if (text !== undefined) json += `${json.length > 1 ? ',' : ''}"${name}":${text}`;
  }
  return `${json}}`;
}

export type LineCheck =
  | { readonly ok: true; readonly seq: number; readonly prev: string; readonly hash: string }
  | { readonly ok: false; readonly reason: string };

export function decodeRecord(line: string): SealedRecord {
  return JSON.parse(line) as SealedRecord;
}

export { GENESIS_HASH };

const MARKER_BYTES = Buffer.from(HASH_MARKER, 'latin1');
const HEAD_BYTES = Buffer.from('{"seq":', 'latin1');
const PREV_BYTES = Buffer.from(',"prev":"', 'latin1');
/** Shortest possible record line: head, one digit, prev, an empty time and body, hash and tail. */
const MIN_LINE_BYTES = 160;
/** Bytes from the start of the hash marker to the end of the line: marker, 64 hex digits, `"}`. */
const TAIL_BYTES = MARKER_BYTES.length + 64 + 2;
/** 1 for the bytes of lower-case hex digits, the only form the codec writes. */
const LOWER_HEX = new Uint8Array(256);
for (const digit of '0123456789abcdef') LOWER_HEX[digit.charCodeAt(0)] = 1;

/**
 * Byte offsets of one record line's parts, filled in by `scanRecordLine`. The caller passes one
 * object for a whole walk: verification checks hundreds of thousands of lines a second, and an
 * object (or two strings) per line would be most of its garbage.
 */
export interface RecordScan {
  seq: number;
  /** Offset of the 64 hex digits of `prev`. */
  prevAt: number;
  /** Offset of the 64 hex digits of the stored `hash`. */
  hashAt: number;
}

function startsWithAt(bytes: Uint8Array, at: number, expected: Uint8Array): boolean {
  for (let k = 0; k < expected.length; k++) if (bytes[at + k] !== expected[k]) return false;
  return true;
}

/**
 * Checks the line `bytes[start, end)` (no newline) in place: its fixed layout (`{"seq":` digits
 * `,"prev":"` 64 lower-case hex `"` ... `,"hash":"` 64 hex `"}`) and that SHA-256 over the bytes
 * before `,"hash":` equals the stored hash. Nothing between `prev` and `hash` is parsed: the hash
 * covers those bytes exactly as written, so they cannot change without the hash (and the next
 * record's `prev`) saying so. Returns why the line is refused, or `undefined` with `out` filled in.
 */
export function scanRecordLine(bytes: Uint8Array, start: number, end: number, out: RecordScan): string | undefined {
  if (end - start < MIN_LINE_BYTES || !startsWithAt(bytes, start, HEAD_BYTES)) return 'not a record line';
  const digits = start + HEAD_BYTES.length;
  let i = digits;
  let seq = 0;
  // At most 15 digits: every such number is a safe integer.
  while (i < end && i - digits < 15) {
    const byte = bytes[i]!;
    if (byte < 48 || byte > 57) break;
    seq = seq * 10 + (byte - 48);
    i += 1;
  }
  if (i === digits || !startsWithAt(bytes, i, PREV_BYTES)) return 'not a record line';
  const prevAt = i + PREV_BYTES.length;
  for (let k = prevAt; k < prevAt + 64; k++) if (LOWER_HEX[bytes[k]!] !== 1) return 'not a record line';
  if (bytes[prevAt + 64] !== 0x22) return 'not a record line';
  const at = end - TAIL_BYTES;
  if (at <= start || !startsWithAt(bytes, at, MARKER_BYTES) || bytes[end - 2] !== 0x22 || bytes[end - 1] !== 0x7d) return 'no hash at the end of the line';
  const hashAt = at + MARKER_BYTES.length;
  // One-shot hashing (node:crypto `hash`, Node >= 20.12) of the bytes as stored, compared with the
  // stored hex digits byte by byte: no Hash object, no UTF-8 decoding, no string per record.
  const actual = oneShotHash('sha256', bytes.subarray(start, at), 'hex');
  for (let k = 0; k < 64; k++) if (bytes[hashAt + k] !== actual.charCodeAt(k)) return 'hash does not match the record (the record was changed)';
  out.seq = seq;
  out.prevAt = prevAt;
  out.hashAt = hashAt;
  return undefined;
}

/**
 * Checks one line's own integrity without parsing the body: its shape, and that its hash matches
 * its bytes as stored (no UTF-8 decoding: verification runs at disk speed).
 */
export function checkLineBytes(line: Buffer): LineCheck {
  const scan: RecordScan = { seq: 0, prevAt: 0, hashAt: 0 };
  const reason = scanRecordLine(line, 0, line.length, scan);
  if (reason !== undefined) return { ok: false, reason };
  return { ok: true, seq: scan.seq, prev: line.toString('latin1', scan.prevAt, scan.prevAt + 64), hash: line.toString('latin1', scan.hashAt, scan.hashAt + 64) };
}
