import { createHash, hash as oneShotHash } from 'node:crypto';
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
  const hash = createHash('sha256').update(prefix).digest('hex');
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
const HEX = /^[0-9a-f]{64}$/;

/**
 * Checks one line's own integrity without parsing the body: its shape, and that its hash matches
 * its bytes as stored (no UTF-8 decoding: verification runs at disk speed).
 */
export function checkLineBytes(line: Buffer): LineCheck {
  if (line.length < 160 || !line.subarray(0, HEAD_BYTES.length).equals(HEAD_BYTES)) return { ok: false, reason: 'not a record line' };
  let i = HEAD_BYTES.length;
  let seq = 0;
  while (i < line.length && line[i]! >= 48 && line[i]! <= 57 && i - HEAD_BYTES.length < 15) seq = seq * 10 + (line[i++]! - 48);
  if (i === HEAD_BYTES.length || !line.subarray(i, i + PREV_BYTES.length).equals(PREV_BYTES)) return { ok: false, reason: 'not a record line' };
  const prev = line.toString('latin1', i + PREV_BYTES.length, i + PREV_BYTES.length + 64);
  if (!HEX.test(prev) || line[i + PREV_BYTES.length + 64] !== 0x22) return { ok: false, reason: 'not a record line' };
  const at = line.length - (MARKER_BYTES.length + 64 + 2);
  if (at <= 0 || !line.subarray(at, at + MARKER_BYTES.length).equals(MARKER_BYTES) || line[line.length - 2] !== 0x22 || line[line.length - 1] !== 0x7d) {
    return { ok: false, reason: 'no hash at the end of the line' };
  }
  const hash = line.toString('latin1', at + MARKER_BYTES.length, at + MARKER_BYTES.length + 64);
  // One-shot hashing (node:crypto `hash`, Node >= 20.12): no Hash object per record on the verification path.
  const actual = oneShotHash('sha256', line.subarray(0, at), 'hex');
  if (actual !== hash) return { ok: false, reason: 'hash does not match the record (the record was changed)' };
  return { ok: true, seq, prev, hash };
}
