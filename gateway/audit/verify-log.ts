import { readFileSync } from 'node:fs';

import { GENESIS_HASH } from './audit-record.js';
import { listSegments } from './evidence-log.js';
import { checkLineBytes } from './record-codec.js';
import { explainingRetention, isRetentionBody, looksLikeRetention, type RetentionSeen } from './retention-record.js';

export interface VerifyProblem {
  readonly segment: string;
  /** 1-based line within the segment. */
  readonly line: number;
  /** The sequence number expected at that place. */
  readonly expectedSeq: number;
  readonly reason: string;
}

/**
 * A part of the log removed by retention: segments `fromSegment` to `toSegment`, records `fromSeq`
 * to `toSeq`, explained by the retention record in the chain that states it (and signed it).
 * `atStart`: the log now begins after it. Otherwise the removal was interrupted by a crash after the
 * record was written (segments are deleted newest first, so older ones of the range are still here)
 * and the next retention pass finishes it.
 */
export interface RemovedPart {
  readonly fromSegment: number;
  readonly toSegment: number;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly atStart: boolean;
  readonly retention: RetentionSeen;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly segments: number;
  readonly records: number;
  readonly head: { readonly seq: number; readonly hash: string };
  /** The first record in the log (whole logs only, not archives): seq 1 unless retention removed the oldest segments. */
  readonly start?: { readonly seq: number; readonly segment: number; readonly prev: string };
  /** The parts removed by retention, each explained by its retention record (whole logs only). */
  readonly removed?: readonly RemovedPart[];
  /** Every retention record found, in chain order (whole logs only). */
  readonly retentions?: readonly RetentionSeen[];
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

interface SegmentSpan {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly lastHash: string;
}

/** Where segments are missing: after `afterSegment` (0: at the start) comes `next`, starting with `nextSeq`. */
interface Hole {
  readonly afterSegment: number;
  readonly next: SegmentBytes;
  readonly nextSeq: number;
  readonly nextPrev: string;
  /** The sequence number the chain expected at the hole. */
  readonly expectedSeq: number;
}

interface Walk {
  readonly report: VerifyReport;
  readonly spans: ReadonlyMap<number, SegmentSpan>;
  readonly retentions: RetentionSeen[];
  readonly holes: Hole[];
}

/** The first record of a segment's bytes, if it is intact. */
function firstRecord(bytes: Buffer): { seq: number; prev: string } | undefined {
  const end = bytes.indexOf(0x0a);
  if (end < 0) return undefined;
  const check = checkLineBytes(bytes.subarray(0, end));
  return check.ok ? { seq: check.seq, prev: check.prev } : undefined;
}

function missingText(fromSegment: number, toSegment: number, fromSeq: number, toSeq: number): string {
  const segments = fromSegment === toSegment ? `segment ${fromSegment} is` : `segments ${fromSegment} to ${toSegment} are`;
  const records = toSeq >= fromSeq ? ` (records #${fromSeq} to #${toSeq})` : '';
  return fromSegment <= toSegment ? `${segments} missing${records}` : `records #${fromSeq} to #${toSeq} are missing`;
}

/**
 * Walks segments in order. `holes`: whole-log mode, where missing segments (and a start after the
 * genesis) are collected for the caller to explain by retention records instead of failing at once.
 */
function walk(segments: readonly SegmentBytes[], start: { readonly seq: number; readonly hash: string }, holes: false | 'collect'): Walk {
  let seq = start.seq;
  let head = start.hash;
  let records = 0;
  const spans = new Map<number, SegmentSpan>();
  const retentions: RetentionSeen[] = [];
  const found: Hole[] = [];
  for (const [index, segment] of segments.entries()) {
    const fail = (line: number, reason: string): Walk => ({
      report: { ok: false, segments: segments.length, records, head: { seq, hash: head }, problem: { segment: segment.name, line, expectedSeq: seq + 1, reason } },
      spans,
      retentions,
      holes: found,
    });
    const bytes = Buffer.from(segment.bytes.buffer, segment.bytes.byteOffset, segment.bytes.byteLength);
    const afterSegment = index === 0 ? 0 : segments[index - 1]!.number;
    const next = firstRecord(bytes);
    const gap = index > 0 && segment.number !== afterSegment + 1;
    // A whole log starts at segment 1 with the genesis; anything else means its oldest part is gone.
    const startsLate = index === 0 && holes !== false && (segment.number !== 1 || (next !== undefined && (next.seq !== seq + 1 || next.prev !== head)));
    if (gap || startsLate) {
      if (holes === false || next === undefined || next.seq <= seq) {
        const until = next !== undefined && next.seq > seq + 1 ? next.seq - 1 : seq;
        return fail(1, `${missingText(afterSegment + 1, segment.number - 1, seq + 1, until)}${index > 0 ? `: between segment ${afterSegment} and segment ${segment.number}` : ''}`);
      }
      found.push({ afterSegment, next: segment, nextSeq: next.seq, nextPrev: next.prev, expectedSeq: seq + 1 });
      // Go on from the record after the hole; whether the hole is allowed is decided by the caller.
      seq = next.seq - 1;
      head = next.prev;
    }
    const firstSeq = seq + 1;
    let lineNumber = 0;
    for (let position = 0; position < bytes.length; ) {
      lineNumber += 1;
      const end = bytes.indexOf(0x0a, position);
      if (end < 0) return fail(lineNumber, 'the last line is incomplete (no newline)');
      const line = bytes.subarray(position, end);
      const check = checkLineBytes(line);
      if (!check.ok) return fail(lineNumber, check.reason);
      if (check.seq !== seq + 1) {
        return fail(lineNumber, check.seq > seq + 1 ? `expected record ${seq + 1} here but found record ${check.seq}: records are missing or out of order` : `record ${check.seq} is repeated or out of order`);
      }
      if (check.prev !== head) return fail(lineNumber, 'the record does not link to the one before it (inserted, reordered, or its predecessor was changed)');
      if (holes !== false && looksLikeRetention(line)) {
        const record = JSON.parse(line.toString('utf8')) as { time: string; body: unknown };
        if (!isRetentionBody(record.body) || record.body.removed.lastSeq >= check.seq) return fail(lineNumber, `record ${check.seq} is a malformed retention record`);
        retentions.push({ seq: check.seq, time: record.time, body: record.body });
      }
      seq = check.seq;
      head = check.hash;
      records += 1;
      position = end + 1;
    }
    if (seq >= firstSeq) spans.set(segment.number, { firstSeq, lastSeq: seq, lastHash: head });
  }
  return { report: { ok: true, segments: segments.length, records, head: { seq, hash: head } }, spans, retentions, holes: found };
}

/**
 * Proves a chain: every record's hash matches its bytes, every `prev` is the hash of the record
 * before (across segments), and sequence numbers have no gap or repeat. Names the first bad record:
 * a changed record fails its own hash, a deleted one leaves a gap, an inserted or reordered one
 * breaks the link to its neighbour; a missing segment is named with the records it held.
 * Reads raw bytes line by line without parsing record bodies.
 * `start` is the head before the first segment (the genesis for a whole log; an archive's
 * recorded predecessor for a range).
 */
export function verifySegments(segments: readonly SegmentBytes[], start: { readonly seq: number; readonly hash: string } = { seq: 0, hash: GENESIS_HASH }): VerifyReport {
  return walk(segments, start, false).report;
}

/** The hash of record `seq` within the walked segments (read again: anchors are rare). */
function hashAt(segments: readonly SegmentBytes[], spans: ReadonlyMap<number, SegmentSpan>, seq: number): string | undefined {
  for (const segment of segments) {
    const span = spans.get(segment.number);
    if (span === undefined || seq < span.firstSeq || seq > span.lastSeq) continue;
    if (seq === span.lastSeq) return span.lastHash;
    const bytes = Buffer.from(segment.bytes.buffer, segment.bytes.byteOffset, segment.bytes.byteLength);
    for (let position = 0; position < bytes.length; ) {
      const end = bytes.indexOf(0x0a, position);
      const check = checkLineBytes(bytes.subarray(position, end));
      if (check.ok && check.seq === seq) return check.hash;
      position = end + 1;
    }
  }
  return undefined;
}

/**
 * Verifies a whole log directory. Where retention removed segments, the chain is proved around the
 * cut: everything present must be intact and linked, and each hole (at the start, or in the middle
 * while a removal interrupted by a crash is unfinished) must be explained by a retention record in
 * the chain that ends exactly before the record after the hole, states that record's `prev` as the
 * hash of the last record removed, and names a cover (archive head or checkpoint) consistent with
 * the chain. A hole nothing explains (a segment deleted by hand) fails, naming the missing range.
 * The retention records' signatures (and their checkpoints') are checked by
 * `verifyRetentionSignatures`, which needs the trust list.
 */
export function verifyLog(dir: string): VerifyReport {
  const segments = listSegments(dir).map((s) => ({ name: s.path, number: s.number, bytes: readFileSync(s.path) }));
  const { report, spans, retentions, holes } = walk(segments, { seq: 0, hash: GENESIS_HASH }, 'collect');
  if (!report.ok) return { ...report, retentions };
  const first = segments[0];
  const firstRecordOf = first !== undefined ? firstRecord(first.bytes) : undefined;
  const start = first !== undefined && firstRecordOf !== undefined ? { seq: firstRecordOf.seq, segment: first.number, prev: firstRecordOf.prev } : undefined;
  const removed: RemovedPart[] = [];
  for (const hole of holes) {
    const unexplained = (reason: string): VerifyReport => ({
      ...report,
      ok: false,
      retentions,
      problem: { segment: hole.next.name, line: 1, expectedSeq: hole.expectedSeq, reason },
    });
    const missing = missingText(hole.afterSegment + 1, hole.next.number - 1, hole.expectedSeq, hole.nextSeq - 1);
    const between = hole.afterSegment > 0 ? ` between segment ${hole.afterSegment} and segment ${hole.next.number}` : ' at the start of the log';
    const record = hole.afterSegment + 1 <= hole.next.number - 1 ? explainingRetention(retentions, { afterSegment: hole.afterSegment, nextSegment: hole.next.number, nextSeq: hole.nextSeq }) : undefined;
    if (record === undefined) return unexplained(`${missing}${between}, and no retention record accounts for them (removed by hand?)`);
    const where = `retention record #${record.seq}`;
    const { body } = record;
    if (body.removed.lastHash !== hole.nextPrev) {
      return unexplained(`${missing}${between}: ${where} states the removed part ended with hash ${body.removed.lastHash.slice(0, 12)}…, but the next record links to ${hole.nextPrev.slice(0, 12)}…: the retention record or the record after the hole was forged`);
    }
    // What covers the removed part must vouch for a head at or after its end, consistent with the chain.
    const anchored = (seq: number, hash: string, what: string): string | undefined => {
      if (seq < body.removed.lastSeq) return `${what} stops at record #${seq}, before the end of the removed part (#${body.removed.lastSeq})`;
      if (seq > report.head.seq) return `${what} names record #${seq}, beyond the head of the log`;
      const here = seq === body.removed.lastSeq ? body.removed.lastHash : hashAt(segments, spans, seq);
      if (here !== undefined && here !== hash) return `${what} vouches for record #${seq} with a hash the log does not have`;
      return undefined;
    };
    let problem: string | undefined;
    if (body.coveredBy.kind === 'archive') {
      const archives = body.coveredBy.archives;
      for (let segment = body.removed.fromSegment; segment <= body.removed.toSegment && problem === undefined; segment++) {
        if (!archives.some((a) => a.fromSegment <= segment && segment <= a.toSegment)) problem = `it names no archive for removed segment ${segment}`;
      }
      const last = archives.find((a) => a.fromSegment <= body.removed.toSegment && body.removed.toSegment <= a.toSegment);
      if (problem === undefined && last !== undefined) problem = anchored(last.head.seq, last.head.hash, `archive ${last.file}`);
    } else {
      problem = anchored(body.coveredBy.checkpoint.upToSeq, body.coveredBy.checkpoint.upToHash, 'its checkpoint');
    }
    if (problem !== undefined) return unexplained(`${missing}${between}: ${where}: ${problem}`);
    removed.push({ fromSegment: hole.afterSegment + 1, toSegment: hole.next.number - 1, fromSeq: hole.expectedSeq, toSeq: hole.nextSeq - 1, atStart: hole.afterSegment === 0, retention: record });
  }
  return { ...report, ...(start !== undefined ? { start } : {}), removed, retentions };
}
