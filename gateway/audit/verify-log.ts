import { readFileSync } from 'node:fs';
import { GENESIS_HASH } from './audit-record.js';
import { listSegments } from './evidence-log.js';
import { checkLineBytes } from './record-codec.js';

export interface VerifyProblem {
  readonly segment: string;
  /** 1-based line within the segment. */
  readonly line: number;
  /** The sequence number expected at that place. */
  readonly expectedSeq: number;
  readonly reason: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly segments: number;
  readonly records: number;
  readonly head: { readonly seq: number; readonly hash: string };
  /** The first place where the chain breaks, if any. */
  readonly problem?: VerifyProblem;
}

/**
 * Proves the chain: every record's hash matches its bytes, every `prev` is the hash of the record
 * before (across segments), and sequence numbers have no gap or repeat. Names the first bad record:
 * a changed record fails its own hash, a deleted one leaves a gap, an inserted or reordered one
 * breaks the link to its neighbour. Reads segments line by line without parsing record bodies.
 */
export function verifyLog(dir: string): VerifyReport {
  const segments = listSegments(dir);
  let seq = 0;
  let head = GENESIS_HASH;
  let records = 0;
  for (const [index, segment] of segments.entries()) {
    if (segment.number !== (segments[0]?.number ?? 1) + index) {
      return { ok: false, segments: segments.length, records, head: { seq, hash: head }, problem: { segment: segment.path, line: 1, expectedSeq: seq + 1, reason: `segment ${segment.number} follows segment ${segment.number - 1} which is missing` } };
    }
    const bytes = readFileSync(segment.path);
    let lineNumber = 0;
    let position = 0;
    while (position < bytes.length) {
      lineNumber += 1;
      const end = bytes.indexOf(0x0a, position);
      const fail = (reason: string): VerifyReport => ({
        ok: false,
        segments: segments.length,
        records,
        head: { seq, hash: head },
        problem: { segment: segment.path, line: lineNumber, expectedSeq: seq + 1, reason },
      });
      if (end < 0) return fail('the last line is incomplete (no newline)');
      const check = checkLineBytes(bytes.subarray(position, end));
      if (!check.ok) return fail(check.reason);
      if (check.seq !== seq + 1) {
        return fail(
          check.seq > seq + 1
            ? `expected record ${seq + 1} here but found record ${check.seq}: records are missing or out of order`
            : `record ${check.seq} is repeated or out of order`,
        );
      }
      if (check.prev !== head) return fail('the record does not link to the one before it (inserted, reordered, or its predecessor was changed)');
      seq = check.seq;
      head = check.hash;
      records += 1;
      position = end + 1;
    }
  }
  return { ok: true, segments: segments.length, records, head: { seq, hash: head } };
}
