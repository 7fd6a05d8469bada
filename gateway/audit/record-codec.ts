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

export function encodeRecord(seq: number, prev: string, time: string, body: AuditRecordBody): { line: string; hash: string } {
  const prefix = `{"seq":${seq},"prev":"${prev}","time":${JSON.stringify(time)},"body":${JSON.stringify(body)}`;
  const hash = oneShotHash('sha256', prefix, 'hex');
  return { line: `${prefix}${HASH_MARKER}${hash}"}\n`, hash };
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
