import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

import { GENESIS_HASH, type CheckpointBody } from './audit-record.js';
import { listSegments } from './evidence-log.js';
import { scanRecordLine, type RecordScan } from './record-codec.js';
import { explainingRetention, isRetentionBody, RETENTION_MARKER, RETENTION_MARKER_WITHIN_BYTES, type RetentionSeen } from './retention-record.js';

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

/** A segment file, read a window at a time. */
interface SegmentFile {
  readonly name: string;
  readonly number: number;
  readonly path: string;
}

type SegmentSource = SegmentBytes | SegmentFile;

/**
 * A checkpoint record met in the chain (`proveLog` with `checkpoints`), for `verifySeenCheckpoints`
 * (checkpoint.ts) to check its signature and timestamp.
 */
export interface CheckpointSeen {
  readonly seq: number;
  /** As parsed from the record: its shape is checked with the signature. */
  readonly body: CheckpointBody;
  /** The chain's hash of record `body.upToSeq`, when that record is in the segments walked (not when retention removed it). */
  readonly chainHash: string | undefined;
}

interface SegmentSpan {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly lastHash: string;
}

/** Where segments are missing: after `afterSegment` (0: at the start) comes `next`, starting with `nextSeq`. */
interface Hole {
  readonly afterSegment: number;
  readonly next: SegmentSource;
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
  readonly checkpoints: CheckpointSeen[];
  /** The first record of the first segment, if it is intact. */
  readonly first: { readonly seq: number; readonly prev: string } | undefined;
}

interface WalkOptions {
  /** `collect`: whole-log mode, where missing segments (and a start after the genesis) are collected for the caller to explain by retention records instead of failing at once. */
  readonly holes: false | 'collect';
  /** Also collect the checkpoint records met, with the chain's hash of the record each vouches for. */
  readonly checkpoints: boolean;
}

/**
 * Bytes read per window. Segments are read a window at a time rather than whole: memory stays flat
 * however long the log (a 64 MiB segment is not held, let alone all of them), and reading into one
 * buffer reused for the whole walk spares the page faults of a fresh 64 MiB allocation per segment.
 */
export const READ_WINDOW_BYTES = 4 * 1024 * 1024;
/** A checkpoint record's line contains these bytes (the body's `type`); the parsed body decides. */
const CHECKPOINT_MARKER = Buffer.from('"type":"checkpoint"', 'latin1');
const HEX64 = /^[0-9a-f]{64}$/;

/** The one buffer a walk reads into; grows only for a line longer than it. */
class WindowBuffer {
  buffer: Buffer = Buffer.alloc(0);

  /** At least `size` bytes (keeping none of the old content). */
  reserve(size: number): Buffer {
    if (this.buffer.length < size) this.buffer = Buffer.allocUnsafe(size);
    return this.buffer;
  }
}

/**
 * A segment's bytes, a window at a time: `bytes` starts at a line boundary; `refill(from)` drops
 * what is before `from` and reads on. A segment given as bytes (an archive's) is one window.
 */
class SegmentWindow {
  /** The bytes at hand; offsets into them are valid until the next `refill`. */
  bytes: Buffer;
  /** Nothing more to read. */
  done: boolean;
  readonly #fd: number | undefined;
  readonly #pool: WindowBuffer | undefined;
  /** Bytes of the file still to read: the size when it was opened, so a segment still being appended to ends where it ended then. */
  #left: number;

  private constructor(bytes: Buffer, fd: number | undefined, pool: WindowBuffer | undefined, left: number) {
    this.bytes = bytes;
    this.#fd = fd;
    this.#pool = pool;
    this.#left = left;
    this.done = left === 0;
  }

  /** A window over a segment; a reason instead if the segment is not a regular file (a device would never end). */
  static open(source: SegmentSource, pool: WindowBuffer): SegmentWindow | string {
    if (!('path' in source)) return new SegmentWindow(Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength), undefined, undefined, 0);
    const fd = openSync(source.path, 'r');
    let window: SegmentWindow | undefined;
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) return 'the segment is not a regular file';
      pool.reserve(Math.min(READ_WINDOW_BYTES, Math.max(64 * 1024, stat.size)));
      const opened = new SegmentWindow(pool.buffer.subarray(0, 0), fd, pool, stat.size);
      opened.refill(0);
      window = opened;
      return window;
    } finally {
      // The caller closes the window it gets; nothing else keeps the descriptor.
      if (window === undefined) closeSync(fd);
    }
  }

  refill(from: number): void {
    const fd = this.#fd;
    const pool = this.#pool;
    if (this.done || fd === undefined || pool === undefined) return;
    const keep = this.bytes.length - from;
    let buffer = pool.buffer;
    if (keep === buffer.length) {
      // One line longer than the window: grow it.
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, from, this.bytes.length);
      pool.buffer = bigger;
      buffer = bigger;
    } else if (keep > 0) buffer.copyWithin(0, from, this.bytes.length);
    let filled = keep;
    while (filled < buffer.length && this.#left > 0) {
      const read = readSync(fd, buffer, filled, Math.min(buffer.length - filled, this.#left), null);
      if (read === 0) this.#left = 0;
      filled += read;
      this.#left -= read;
    }
    this.done = this.#left <= 0;
    this.bytes = buffer.subarray(0, filled);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
  }
}

/** Whether the 64 bytes at `a[aAt]` and `b[bAt]` are the same. */
function same64(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): boolean {
  for (let k = 0; k < 64; k++) if (a[aAt + k] !== b[bAt + k]) return false;
  return true;
}

/** A record line parsed (rare: retention and checkpoint records only); `undefined` if it is not a JSON object. */
function parseRecord(bytes: Buffer, start: number, end: number): { readonly time?: unknown; readonly body?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8', start, end));
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The first record of a segment's bytes, if it is intact. */
function firstRecord(bytes: Buffer, scan: RecordScan): { seq: number; prev: string } | undefined {
  const end = bytes.indexOf(0x0a);
  if (end < 0 || scanRecordLine(bytes, 0, end, scan) !== undefined) return undefined;
  return { seq: scan.seq, prev: bytes.toString('latin1', scan.prevAt, scan.prevAt + 64) };
}

function missingText(fromSegment: number, toSegment: number, fromSeq: number, toSeq: number): string {
  const segments = fromSegment === toSegment ? `segment ${fromSegment} is` : `segments ${fromSegment} to ${toSegment} are`;
  const records = toSeq >= fromSeq ? ` (records #${fromSeq} to #${toSeq})` : '';
  return fromSegment <= toSegment ? `${segments} missing${records}` : `records #${fromSeq} to #${toSeq} are missing`;
}

/**
 * Walks segments in order, line by line over raw bytes: each line's layout and hash
 * (`scanRecordLine`), its sequence number, and its `prev` against the previous record's hash,
 * compared as bytes where they lie in the window (no string per record).
 */
function walk(segments: readonly SegmentSource[], start: { readonly seq: number; readonly hash: string }, options: WalkOptions): Walk {
  const { holes } = options;
  let seq = start.seq;
  let records = 0;
  const spans = new Map<number, SegmentSpan>();
  const retentions: RetentionSeen[] = [];
  const found: Hole[] = [];
  const checkpoints: CheckpointSeen[] = [];
  /** Checkpoints whose record lay before the window they were found in: looked up after the walk. */
  const lookUpLater: Array<{ index: number; upToSeq: number }> = [];
  let first: Walk['first'];
  const scan: RecordScan = { seq: 0, prevAt: 0, hashAt: 0 };
  const pool = new WindowBuffer();
  // The head (hash of record `seq`) is the 64 hex digits at `headIn[headAt]`: in the window where
  // that record was read, or copied to `side` before the window moves on (and at segment starts).
  const side = Buffer.alloc(64);
  let headIn: Buffer = side;
  let headAt = 0;
  const setHead = (hash: string): void => {
    // A head that is not 64 lower-case hex digits (an archive's stated predecessor, say) can be linked to by no record.
    if (HEX64.test(hash)) side.write(hash, 0, 64, 'latin1');
    else side.fill(0);
    headIn = side;
    headAt = 0;
  };
  const head = (): string => headIn.toString('latin1', headAt, headAt + 64);
  setHead(start.hash);
  const result = (report: VerifyReport): Walk => {
    for (const { index, upToSeq } of lookUpLater) {
      const seen = checkpoints[index]!;
      checkpoints[index] = { ...seen, chainHash: hashAt(segments, spans, upToSeq) };
    }
    return { report, spans, retentions, holes: found, checkpoints, first };
  };
  for (const [index, segment] of segments.entries()) {
    const fail = (line: number, reason: string): Walk =>
      result({ ok: false, segments: segments.length, records, head: { seq, hash: head() }, problem: { segment: segment.name, line, expectedSeq: seq + 1, reason } });
    const window = SegmentWindow.open(segment, pool);
    if (typeof window === 'string') return fail(1, window);
    try {
      let bytes = window.bytes;
      while (bytes.indexOf(0x0a) < 0 && !window.done) {
        window.refill(0);
        bytes = window.bytes;
      }
      const afterSegment = index === 0 ? 0 : segments[index - 1]!.number;
      const next = firstRecord(bytes, scan);
      if (index === 0) first = next;
      const gap = index > 0 && segment.number !== afterSegment + 1;
      // A whole log starts at segment 1 with the genesis; anything else means its oldest part is gone.
      const startsLate = index === 0 && holes !== false && (segment.number !== 1 || (next !== undefined && (next.seq !== seq + 1 || next.prev !== head())));
      if (gap || startsLate) {
        if (holes === false || next === undefined || next.seq <= seq) {
          const until = next !== undefined && next.seq > seq + 1 ? next.seq - 1 : seq;
          return fail(1, `${missingText(afterSegment + 1, segment.number - 1, seq + 1, until)}${index > 0 ? `: between segment ${afterSegment} and segment ${segment.number}` : ''}`);
        }
        found.push({ afterSegment, next: segment, nextSeq: next.seq, nextPrev: next.prev, expectedSeq: seq + 1 });
        // Go on from the record after the hole; whether the hole is allowed is decided by the caller.
        seq = next.seq - 1;
        setHead(next.prev);
      }
      const firstSeq = seq + 1;
      let lineNumber = 0;
      let position = 0;
      // Where the next retention or checkpoint marker is in the window (-1: not searched yet;
      // the window's length: none): one search per marker met, not one per line.
      let retentionAt = -1;
      let checkpointAt = -1;
      // The first record read in this window: records from it on are still in `bytes`.
      let windowFirstSeq = seq + 1;
      for (;;) {
        const end = bytes.indexOf(0x0a, position);
        if (end < 0) {
          if (window.done) {
            if (position < bytes.length) return fail(lineNumber + 1, 'the last line is incomplete (no newline)');
            break;
          }
          if (headIn !== side) setHead(head());
          window.refill(position);
          bytes = window.bytes;
          position = 0;
          retentionAt = -1;
          checkpointAt = -1;
          windowFirstSeq = seq + 1;
          continue;
        }
        lineNumber += 1;
        const reason = scanRecordLine(bytes, position, end, scan);
        if (reason !== undefined) return fail(lineNumber, reason);
        if (scan.seq !== seq + 1) {
          return fail(lineNumber, scan.seq > seq + 1 ? `expected record ${seq + 1} here but found record ${scan.seq}: records are missing or out of order` : `record ${scan.seq} is repeated or out of order`);
        }
        if (!same64(bytes, scan.prevAt, headIn, headAt)) return fail(lineNumber, 'the record does not link to the one before it (inserted, reordered, or its predecessor was changed)');
        if (holes !== false) {
          if (retentionAt < position) {
            retentionAt = bytes.indexOf(RETENTION_MARKER, position);
            if (retentionAt < 0) retentionAt = bytes.length;
          }
          if (retentionAt + RETENTION_MARKER.length <= Math.min(end, position + RETENTION_MARKER_WITHIN_BYTES)) {
            const record = parseRecord(bytes, position, end);
            if (record === undefined || typeof record.time !== 'string' || !isRetentionBody(record.body) || record.body.removed.lastSeq >= scan.seq) return fail(lineNumber, `record ${scan.seq} is a malformed retention record`);
            retentions.push({ seq: scan.seq, time: record.time, body: record.body });
          }
        }
        if (options.checkpoints) {
          if (checkpointAt < position) {
            checkpointAt = bytes.indexOf(CHECKPOINT_MARKER, position);
            if (checkpointAt < 0) checkpointAt = bytes.length;
          }
          if (checkpointAt + CHECKPOINT_MARKER.length <= end) {
            // A line that is not JSON is kept as a (malformed) checkpoint: its verification refuses it.
            const body = (parseRecord(bytes, position, end)?.body ?? { type: 'checkpoint' }) as CheckpointBody;
            if (typeof body === 'object' && body !== null && body.type === 'checkpoint') {
              // Only a record before the checkpoint can be vouched for; anything else is refused when it is verified.
              const upToSeq = Number.isSafeInteger(body.upToSeq) && body.upToSeq < scan.seq ? body.upToSeq : undefined;
              let chainHash: string | undefined;
              if (upToSeq !== undefined && upToSeq >= windowFirstSeq) {
                // Still in the window: step back line by line to the end of record `upToSeq`; its
                // hash (checked when it was read) is the 64 digits before its closing `"}`.
                let lineEnd = position - 1;
                for (let back = scan.seq - 1; back > upToSeq; back--) lineEnd = bytes.lastIndexOf(0x0a, lineEnd - 1);
                chainHash = bytes.toString('latin1', lineEnd - 66, lineEnd - 2);
              } else if (upToSeq !== undefined) lookUpLater.push({ index: checkpoints.length, upToSeq });
              checkpoints.push({ seq: scan.seq, body, chainHash });
            }
          }
        }
        seq = scan.seq;
        headIn = bytes;
        headAt = scan.hashAt;
        records += 1;
        position = end + 1;
      }
      // The next segment is read into the same buffer.
      if (headIn !== side) setHead(head());
      if (seq >= firstSeq) spans.set(segment.number, { firstSeq, lastSeq: seq, lastHash: head() });
    } finally {
      window.close();
    }
  }
  return result({ ok: true, segments: segments.length, records, head: { seq, hash: head() } });
}

/**
 * Proves a chain: every record's hash matches its bytes, every `prev` is the hash of the record
 * before (across segments), and sequence numbers have no gap or repeat. Names the first bad record:
 * a changed record fails its own hash, a deleted one leaves a gap, an inserted or reordered one
 * breaks the link to its neighbour; a missing segment is named with the records it held.
 * Reads raw bytes line by line without parsing record bodies: each record's hash covers its bytes
 * exactly as written, so a body cannot change without its hash and the next record's link saying so.
 * `start` is the head before the first segment (the genesis for a whole log; an archive's
 * recorded predecessor for a range).
 */
export function verifySegments(segments: readonly SegmentBytes[], start: { readonly seq: number; readonly hash: string } = { seq: 0, hash: GENESIS_HASH }): VerifyReport {
  return proveSegments(segments, start).report;
}

/** `verifySegments`, optionally collecting the checkpoint records on the same pass (an archive's, for `verifySeenCheckpoints`). */
export function proveSegments(segments: readonly SegmentBytes[], start: { readonly seq: number; readonly hash: string }, options: { readonly checkpoints?: boolean } = {}): LogProof {
  const { report, checkpoints } = walk(segments, start, { holes: false, checkpoints: options.checkpoints === true });
  return { report, checkpoints };
}

/** The hash of record `seq` within the walked segments (read again: anchors are rare). */
function hashAt(segments: readonly SegmentSource[], spans: ReadonlyMap<number, SegmentSpan>, seq: number): string | undefined {
  const scan: RecordScan = { seq: 0, prevAt: 0, hashAt: 0 };
  for (const segment of segments) {
    const span = spans.get(segment.number);
    if (span === undefined || seq < span.firstSeq || seq > span.lastSeq) continue;
    if (seq === span.lastSeq) return span.lastHash;
    const bytes = 'path' in segment ? readFileSync(segment.path) : Buffer.from(segment.bytes.buffer, segment.bytes.byteOffset, segment.bytes.byteLength);
    for (let position = 0; position < bytes.length; ) {
      const end = bytes.indexOf(0x0a, position);
      if (end < 0) break;
      if (scanRecordLine(bytes, position, end, scan) === undefined && scan.seq === seq) return bytes.toString('latin1', scan.hashAt, scan.hashAt + 64);
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
  return proveLog(dir).report;
}

/** What `proveLog` found: the report of `verifyLog` and, when asked for, the checkpoint records met. */
export interface LogProof {
  readonly report: VerifyReport;
  /** With `checkpoints`: every checkpoint record in the chain (up to the first bad record), in order. */
  readonly checkpoints: readonly CheckpointSeen[];
}

/**
 * `verifyLog`, optionally collecting the checkpoint records on the same pass, so that proving the
 * chain and then its checkpoints (`gccgw audit verify --checkpoints`) reads and hashes the log once.
 */
export function proveLog(dir: string, options: { readonly checkpoints?: boolean } = {}): LogProof {
  const segments = listSegments(dir).map((s) => ({ name: s.path, number: s.number, path: s.path }));
  const { report, spans, retentions, holes, checkpoints, first: firstRecordOf } = walk(segments, { seq: 0, hash: GENESIS_HASH }, { holes: 'collect', checkpoints: options.checkpoints === true });
  const proof = (verified: VerifyReport): LogProof => ({ report: verified, checkpoints });
  if (!report.ok) return proof({ ...report, retentions });
  const first = segments[0];
  const start = first !== undefined && firstRecordOf !== undefined ? { seq: firstRecordOf.seq, segment: first.number, prev: firstRecordOf.prev } : undefined;
  const removed: RemovedPart[] = [];
  for (const hole of holes) {
    const unexplained = (reason: string): LogProof =>
      proof({
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
  return proof({ ...report, ...(start !== undefined ? { start } : {}), removed, retentions });
}
