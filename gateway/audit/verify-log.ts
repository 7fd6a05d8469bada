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

export interface SegmentBytes {
  /** File name or path, for reports. */
  readonly name: string;
  /** Segment number, to detect a missing segment. */
  readonly number: number;
  readonly bytes: Uint8Array;
}

/**
 * Proves a chain: every record's hash matches its bytes, every `prev` is the hash of the record
 * before (across segments), and sequence numbers have no gap or repeat. Names the first bad record:
 * a changed record fails its own hash, a deleted one leaves a gap, an inserted or reordered one
 * breaks the link to its neighbour. Reads raw bytes line by line without parsing record bodies.
 * `start` is the head before the first segment (the genesis for a whole log; an archive's
 * recorded predecessor for a range).
 */
export function verifySegments(segments: readonly SegmentBytes[], start: { readonly seq: number; readonly hash: string } = { seq: 0, hash: GENESIS_HASH }): VerifyReport {
  let seq = start.seq;
  let head = start.hash;
  let records = 0;
  for (const [index, segment] of segments.entries()) {
    const fail = (line: number, reason: string): VerifyReport => ({
      ok: false,
      segments: segments.length,
      records,
      head: { seq, hash: head },
      problem: { segment: segment.name, line, expectedSeq: seq + 1, reason },
    });
    if (index > 0 && segment.number !== (segments[index - 1]?.number ?? 0) + 1) return fail(1, `segment ${segment.number} follows segment ${segments[index - 1]?.number}: a segment is missing`);
    const bytes = Buffer.from(segment.bytes.buffer, segment.bytes.byteOffset, segment.bytes.byteLength);
    let lineNumber = 0;
    for (let position = 0; position < bytes.length; ) {
      lineNumber += 1;
      const end = bytes.indexOf(0x0a, position);
      if (end < 0) return fail(lineNumber, 'the last line is incomplete (no newline)');
      const check = checkLineBytes(bytes.subarray(position, end));
      if (!check.ok) return fail(lineNumber, check.reason);
      if (check.seq !== seq + 1) {
        return fail(lineNumber, check.seq > seq + 1 ? `expected record ${seq + 1} here but found record ${check.seq}: records are missing or out of order` : `record ${check.seq} is repeated or out of order`);
      }
      if (check.prev !== head) return fail(lineNumber, 'the record does not link to the one before it (inserted, reordered, or its predecessor was changed)');
      seq = check.seq;
      head = check.hash;
      records += 1;
      position = end + 1;
    }
  }
  return { ok: true, segments: segments.length, records, head: { seq, hash: head } };
}

/** Verifies a whole log directory from the genesis. */
export function verifyLog(dir: string): VerifyReport {
  const segments = listSegments(dir);
  if (segments.length > 0 && segments[0]?.number !== 1) {
    return { ok: false, segments: segments.length, records: 0, head: { seq: 0, hash: GENESIS_HASH }, problem: { segment: segments[0]!.path, line: 1, expectedSeq: 1, reason: 'the log does not start with segment 1 (segments were removed; verify from an archive instead)' } };
  }
  const report = verifySegments(segments.map((s) => ({ name: s.path, number: s.number, bytes: readFileSync(s.path) })));
  return report;
}

