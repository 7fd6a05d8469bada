import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { signDetached, type SignatureTrust, type Signer } from '../../trust/index.js';
import { GatewayError } from '../errors/gateway-error.js';
import { GENESIS_HASH, type CheckpointBody } from './audit-record.js';
import { ArchiveIndex, type IndexedArchive } from './archive-index.js';
import { trustCheckpointSigner, type CheckpointSigner } from './checkpoint.js';
import { exportArchive } from './evidence-archive.js';
import { listSegments, SEGMENTS_DIR, type EvidenceLog } from './evidence-log.js';
import { checkLineBytes } from './record-codec.js';
import { RETENTION_PAYLOAD_TYPE, isRetentionBody, looksLikeRetention, retentionPayload, type ArchiveCover, type RemovedRange, type RetentionBody, type RetentionCover } from './retention-record.js';
import { readSegmentEdges, type SegmentEdge } from './segment-edges.js';
import { verifyLog, verifySegments } from './verify-log.js';
import { verifyRetentionBody, verifyRetentionSignatures } from './verify-retention.js';

export interface RetentionPolicy {
  /** Remove closed segments whose newest record is older than this. */
  readonly keepDays?: number | undefined;
  /** Always keep the newest this many segments (the one being written included). */
  readonly keepSegments?: number | undefined;
  /** Remove only segments held by a verified archive in `archiveDir`. @default true */
  readonly requireArchive?: boolean | undefined;
  /** Where archives are looked for, and written by retention itself. */
  readonly archiveDir: string;
  /** Archive due segments that no archive holds yet (needs the signer). @default true */
  readonly writeArchives?: boolean | undefined;
}

export type RetentionProgress =
  | { readonly step: 'archived'; readonly file: string; readonly fromSegment: number; readonly toSegment: number }
  | { readonly step: 'recorded'; readonly seq: number; readonly removed: RemovedRange }
  | { readonly step: 'deleted'; readonly segment: number }
  | { readonly step: 'finished'; readonly seq: number; readonly removed: RemovedRange; readonly interrupted: boolean };

export interface EvidenceRetentionOptions {
  /** The evidence log directory. */
  readonly dir: string;
  readonly policy: RetentionPolicy;
  /** The gateway's signing identity: signs retention records and the archives retention writes. */
  readonly signer: Signer;
  /** Verifies archives (signature, chain, checkpoints) against the trust list. */
  readonly trust: SignatureTrust;
  /** Signs the checkpoint taken when `requireArchive` is false. @default a checkpoint signer over `signer`, without TSA */
  readonly checkpointSigner?: CheckpointSigner;
  /** @default () => new Date() */
  readonly now?: () => Date;
  readonly logger?: Logger;
  /** Most bytes of segments one batch reads, verifies and archives (at least one segment). @default 64 MiB */
  readonly batchMaxBytes?: number;
  /** Called at each durable step (the CLI prints them; the crash test stops there). */
  readonly onProgress?: (event: RetentionProgress) => void;
}

/** What retention decides for one closed segment. */
export interface SegmentVerdict {
  readonly number: number;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
  readonly firstTime?: string;
  readonly lastTime?: string;
  /** `remove`: due and covered; `archive`: due, and retention will archive it first; `keep`: stays. */
  readonly verdict: 'remove' | 'archive' | 'keep';
  readonly reason: string;
  /** The archive file that covers it. */
  readonly archive?: string;
}

export interface RetentionPlan {
  readonly at: string;
  /** A removal a crash interrupted, not finished yet (finished by the next `apply`). */
  readonly interrupted?: RemovedRange;
  /** The oldest segments (of the last batch, for a real pass), up to and including the first one that stays, with the reason. */
  readonly segments: readonly SegmentVerdict[];
  /** Files in the archive directory that did not verify; they are never taken as cover. */
  readonly refusedArchives: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
}

export interface RetentionRemoval {
  /** Sequence number of its retention record. */
  readonly seq: number;
  readonly removed: RemovedRange;
  readonly coveredBy: RetentionCover;
}

export interface RetentionOutcome {
  readonly plan: RetentionPlan;
  /** The removal finished from an interrupted pass, if any. */
  readonly finished?: { readonly seq: number; readonly removed: RemovedRange };
  /** The removals made by this pass (one per batch), oldest first. */
  readonly removals: readonly RetentionRemoval[];
  /** Archives this pass wrote. */
  readonly archived: readonly string[];
}

/** Written before the record (step 1); names the removal and where its record will be. */
interface RetentionIntent {
  readonly afterSeq: number;
  readonly fromSegmentOfRecord: number;
  readonly removed: RemovedRange;
}

/** Written after a removal (step 4): where the latest retention record is, to check the log's start cheaply. */
interface RetentionState {
  readonly recordSeq: number;
  readonly fromSegmentOfRecord: number;
  readonly removed: RemovedRange;
}

export const RETENTION_INTENT_FILE = 'retention-intent.json';
export const RETENTION_STATE_FILE = 'retention-state.json';
/**
 * A batch holds at most this many bytes of segments (and at least one segment), so a large backlog
 * (retention enabled on an old log) is worked off in bounded steps, each with its own archive and
 * retention record, instead of holding it all in memory.
 */
const DEFAULT_BATCH_MAX_BYTES = 64 * 1024 * 1024;

interface PlannedBatch {
  readonly plan: RetentionPlan;
  /** The segments this batch removes (due and covered), oldest first. */
  readonly due: Due[];
  readonly archived: string[];
  /** More segments are due beyond this batch. */
  readonly more: boolean;
}

interface Due {
  readonly candidate: Candidate;
  readonly cover: IndexedArchive | undefined;
}

interface Candidate {
  readonly number: number;
  readonly path: string;
  readonly first: SegmentEdge;
  readonly last: SegmentEdge;
}

/**
 * Retention of the evidence log: removes old closed segments, never silently.
 *
 * - Only closed segments, oldest first, as one contiguous range from the start of the log, and
 *   never the newest closed segment (recovery after a crash continues the chain from its last
 *   record) nor the one being written.
 * - Only segments past the limit: whose newest record is older than `keepDays`, and/or beyond the
 *   newest `keepSegments` segments (both limits given: a segment must be past both).
 * - Only when what removes them is covered: by default (`requireArchive`) a verified, signed archive
 *   (evidence-archive.ts) in `archiveDir` holding exactly those bytes, written by `gccgw audit
 *   archive` or by retention itself (`writeArchives`); with `requireArchive: false` (the operator's
 *   explicit choice to keep only a hash), a signed checkpoint of the head taken right before.
 * - Only after the log states the removal in its own chain: a signed `retention` record
 *   (retention-record.ts) naming the segments, sequence numbers, the last hash removed and the
 *   archive files with their SHA-256. `gccgw audit verify` proves the remaining chain from it.
 *
 * Crash safety, in this order: (1) an intent file naming the removal and the head before it,
 * (2) the retention record, appended and made durable (the commit point), (3) the segment files
 * deleted, newest first, and the directory fsynced, (4) the state file updated and the intent
 * removed. A crash before (2) leaves nothing removed: the intent is dropped on the next pass. A
 * crash after (2) leaves a log that still verifies (the record explains the hole the deletions
 * made so far; newest first means the part not yet deleted stays linked to the start of the log),
 * and the next pass (at gateway start, or `gccgw audit retain`) finds the record and finishes the
 * deletions without writing a second one. The other order (delete, then record) would leave, after
 * a crash, a hole that nothing in the chain explains: indistinguishable from tampering.
 */
export class EvidenceRetention {
  readonly #options: EvidenceRetentionOptions;
  readonly #archives: ArchiveIndex;
  readonly #now: () => Date;

  constructor(options: EvidenceRetentionOptions) {
    const { policy } = options;
    if (policy.keepDays === undefined && policy.keepSegments === undefined) throw new TypeError('retention needs keepDays or keepSegments');
    if (policy.keepDays !== undefined && !(policy.keepDays > 0)) throw new TypeError('keepDays must be positive');
    if (policy.keepSegments !== undefined && !(Number.isInteger(policy.keepSegments) && policy.keepSegments >= 2)) throw new TypeError('keepSegments must be an integer of at least 2 (the segment being written and the newest closed one always stay)');
    this.#options = options;
    this.#archives = new ArchiveIndex({ dir: policy.archiveDir, trust: options.trust });
    this.#now = options.now ?? (() => new Date());
  }

  get #requireArchive(): boolean {
    return this.#options.policy.requireArchive ?? true;
  }

  /** What a pass would do now, changing nothing (`gccgw audit retain --dry-run`). */
  async plan(activeSegment?: number): Promise<RetentionPlan> {
    return (await this.#plan(activeSegment, false)).plan;
  }

  /**
   * One retention pass on an open log (it holds the log's lock, so nobody else appends or removes):
   * finishes an interrupted removal, then, batch by batch (at most `batchMaxBytes` of segments at a
   * time), archives what is due and not yet archived and removes what is due and
   * covered, recording each removal first. `signal` stops it between batches.
   */
  async apply(log: EvidenceLog, options: { readonly signal?: AbortSignal } = {}): Promise<RetentionOutcome> {
    const finished = await this.#finishInterrupted(log);
    const removals: RetentionRemoval[] = [];
    const archived: string[] = [];
    // Only segments closed when the pass began: with tiny segments, the pass's own records could
    // otherwise keep closing new ones for it to remove.
    const activeAtStart = log.segment;
    for (;;) {
      const batch = await this.#plan(activeAtStart, true);
      archived.push(...batch.archived);
      if (batch.due.length > 0) removals.push(await this.#remove(log, batch.due));
      if (batch.due.length === 0 || !batch.more || options.signal?.aborted === true) {
        return { plan: batch.plan, archived, removals, ...(finished !== undefined ? { finished } : {}) };
      }
    }
  }

  /** Records, then removes, one contiguous run of due and covered segments. */
  async #remove(log: EvidenceLog, due: readonly Due[]): Promise<RetentionRemoval> {
    const first = due[0]!;
    const last = due[due.length - 1]!;
    const removed: RemovedRange = {
      fromSegment: first.candidate.number,
      toSegment: last.candidate.number,
      firstSeq: first.candidate.first.seq,
      lastSeq: last.candidate.last.seq,
      lastHash: last.candidate.last.hash,
      firstTime: first.candidate.first.time,
      lastTime: last.candidate.last.time,
    };
    let coveredBy: RetentionCover;
    if (this.#requireArchive) {
      const used: IndexedArchive[] = [];
      for (const { cover } of due) if (cover !== undefined && !used.includes(cover)) used.push(cover);
      coveredBy = { kind: 'archive', archives: used.map((a) => archiveCover(a)) };
    } else {
      // The operator chose to keep only a hash of what goes: a signed checkpoint of the head vouches
      // for every record before it, the removed ones included (their hashes are in the chain).
      let body: CheckpointBody | undefined;
      const signer = this.#options.checkpointSigner ?? trustCheckpointSigner({ signer: this.#options.signer });
      const { checkpointSeq } = await log.checkpoint({ checkpoint: async (seq, hash, at) => (body = await signer.checkpoint(seq, hash, at)) });
      const { type: _type, ...checkpoint } = body!;
      coveredBy = { kind: 'checkpoint', checkpointSeq, checkpoint };
    }
    const at = this.#now();
    const unsigned: Omit<RetentionBody, 'signature'> = {
      type: 'retention',
      decidedAt: at.toISOString(),
      policy: { keepDays: this.#options.policy.keepDays ?? null, keepSegments: this.#options.policy.keepSegments ?? null, requireArchive: this.#requireArchive },
      removed,
      coveredBy,
    };
    const signature = await signDetached({
      payload: retentionPayload(unsigned),
      privateKey: this.#options.signer.privateKey,
      certificates: this.#options.signer.certificates,
      signingTime: at,
      typ: RETENTION_PAYLOAD_TYPE,
    });
    const body: RetentionBody = { ...unsigned, signature };
    // (1) intent, (2) the record (commit point), (3) deletions, (4) state; see the class comment.
    await log.flush();
    const intent: RetentionIntent = { afterSeq: log.head.seq, fromSegmentOfRecord: log.segment, removed };
    writeJsonDurably(join(this.#options.dir, RETENTION_INTENT_FILE), intent);
    const sealed = await log.append(body);
    await log.flush();
    this.#options.onProgress?.({ step: 'recorded', seq: sealed.seq, removed });
    this.#deleteSegments(removed);
    writeJsonDurably(join(this.#options.dir, RETENTION_STATE_FILE), { recordSeq: sealed.seq, fromSegmentOfRecord: intent.fromSegmentOfRecord, removed } satisfies RetentionState);
    removeDurably(join(this.#options.dir, RETENTION_INTENT_FILE));
    this.#options.onProgress?.({ step: 'finished', seq: sealed.seq, removed, interrupted: false });
    this.#options.logger?.info({ retentionSeq: sealed.seq, ...removed, coveredBy: coveredBy.kind === 'archive' ? coveredBy.archives.map((a) => a.file) : `checkpoint #${coveredBy.checkpointSeq}` }, 'evidence log: removed old segments (retention)');
    return { seq: sealed.seq, removed, coveredBy };
  }

  /** Deletes the removed segments, newest first (see the class comment), and makes it durable. */
  #deleteSegments(removed: RemovedRange): void {
    for (let number = removed.toSegment; number >= removed.fromSegment; number--) {
      try {
        unlinkSync(segmentPath(this.#options.dir, number));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        continue;
      }
      this.#options.onProgress?.({ step: 'deleted', segment: number });
    }
    fsyncDir(join(this.#options.dir, SEGMENTS_DIR));
  }

  /**
   * A retention record for exactly `removed`, after `afterSeq` (at `exactSeq` if given), searched
   * from segment `fromSegment` on. Segments that cannot hold it are skipped by their edges.
   */
  async #findRecord(removed: RemovedRange, afterSeq: number, fromSegment: number, exactSeq?: number): Promise<{ seq: number; body: RetentionBody } | undefined> {
    for (const segment of listSegments(this.#options.dir)) {
      if (segment.number < fromSegment) continue;
      const edges = readSegmentEdges(segment.path);
      if (edges.ok && (edges.last.seq <= afterSeq || (exactSeq !== undefined && (exactSeq < edges.first.seq || exactSeq > edges.last.seq)))) continue;
      const bytes = await readFile(segment.path);
      for (let position = 0; position < bytes.length; ) {
        const end = bytes.indexOf(0x0a, position);
        if (end < 0) break;
        const line = bytes.subarray(position, end);
        position = end + 1;
        if (!looksLikeRetention(line)) continue;
        const check = checkLineBytes(line);
        if (!check.ok || check.seq <= afterSeq) continue;
        const body = (JSON.parse(line.toString('utf8')) as { body: unknown }).body;
        if (isRetentionBody(body) && sameRange(body.removed, removed)) return { seq: check.seq, body };
      }
    }
    return undefined;
  }

  async #finishInterrupted(log: EvidenceLog): Promise<{ seq: number; removed: RemovedRange } | undefined> {
    const file = join(this.#options.dir, RETENTION_INTENT_FILE);
    const intent = readJson<RetentionIntent>(file);
    if (intent === undefined) return undefined;
    await log.flush();
    const found = await this.#findRecord(intent.removed, intent.afterSeq, intent.fromSegmentOfRecord);
    if (found === undefined) {
      // The crash came before the record was durable: nothing was deleted (deletion follows it).
      this.#options.logger?.warn({ removed: intent.removed }, 'evidence log: a retention pass stopped before its record was written; nothing was removed');
      removeDurably(file);
      return undefined;
    }
    this.#deleteSegments(intent.removed);
    writeJsonDurably(join(this.#options.dir, RETENTION_STATE_FILE), { recordSeq: found.seq, fromSegmentOfRecord: intent.fromSegmentOfRecord, removed: intent.removed } satisfies RetentionState);
    removeDurably(file);
    this.#options.onProgress?.({ step: 'finished', seq: found.seq, removed: intent.removed, interrupted: true });
    this.#options.logger?.info({ retentionSeq: found.seq, ...intent.removed }, 'evidence log: finished a removal interrupted by a crash (retention)');
    return { seq: found.seq, removed: intent.removed };
  }

  /**
   * Whether the log's present start is accounted for: the genesis, or the removal the state file
   * names (confirmed against the signed record in the chain), or, failing those, a full
   * verification. Retention must never extend a hole it did not make: its own signed record would
   * then explain the older hole away.
   */
  async #startIsAccounted(first: { number: number; edge: SegmentEdge }): Promise<string | undefined> {
    if (first.number === 1 && first.edge.seq === 1 && first.edge.prev === GENESIS_HASH) return undefined;
    const state = readJson<RetentionState>(join(this.#options.dir, RETENTION_STATE_FILE));
    if (state !== undefined && state.removed.toSegment + 1 === first.number && state.removed.lastSeq + 1 === first.edge.seq && state.removed.lastHash === first.edge.prev) {
      const record = await this.#findRecord(state.removed, state.removed.lastSeq, state.fromSegmentOfRecord, state.recordSeq);
      if (record?.seq === state.recordSeq && (await verifyRetentionBody(record.body, this.#options.trust).then(() => true, () => false))) return undefined;
    }
    const report = verifyLog(this.#options.dir);
    if (!report.ok) return `the log does not verify: ${report.problem?.reason}`;
    const atStart = report.removed?.find((part) => part.atStart);
    if (atStart === undefined) return `the log starts at segment ${first.number} (record #${first.edge.seq}) and no retention record accounts for the part before it`;
    const signatures = await verifyRetentionSignatures([atStart.retention], this.#options.trust);
    return signatures.ok ? undefined : `retention record #${atStart.retention.seq}: ${signatures.problem?.reason}`;
  }

  async #plan(activeSegment: number | undefined, act: boolean): Promise<PlannedBatch> {
    const now = this.#now();
    const { policy, dir } = this.#options;
    const interrupted = readJson<RetentionIntent>(join(dir, RETENTION_INTENT_FILE))?.removed;
    const segments = listSegments(dir);
    const active = activeSegment ?? segments[segments.length - 1]?.number ?? 1;
    const archived: string[] = [];
    const refusedArchives: Array<{ file: string; reason: string }> = [];
    /** Verdicts of the segments past the limit, then that of the segment that stopped the run. */
    const verdicts: SegmentVerdict[] = [];
    let stop: SegmentVerdict | undefined;
    const done = (due: Due[], more = false): PlannedBatch => ({
      plan: { at: now.toISOString(), ...(interrupted !== undefined ? { interrupted } : {}), segments: [...verdicts, ...(stop !== undefined ? [stop] : [])], refusedArchives },
      due,
      archived,
      more,
    });
    // A dry run only reports an interrupted removal; a real pass has finished it before planning.
    if (interrupted !== undefined && !act) return done([]);

    // Step 1: the segments past the limit, as a contiguous run from the start of the log.
    const closed = segments.filter((s) => s.number < active);
    const keepByCount = policy.keepSegments !== undefined ? Math.max(0, segments.length - policy.keepSegments) : Number.POSITIVE_INFINITY;
    const cutoff = policy.keepDays !== undefined ? new Date(now.getTime() - policy.keepDays * 86_400_000).toISOString() : undefined;
    const pastLimit: Candidate[] = [];
    for (const [index, segment] of closed.entries()) {
      const edges = readSegmentEdges(segment.path);
      const keep = (reason: string): void => {
        stop = { number: segment.number, ...(edges.ok ? spanOf(edges) : {}), verdict: 'keep', reason };
      };
      const previous = pastLimit[pastLimit.length - 1];
      if (!edges.ok) keep(`retention stops: the segment cannot be read (${edges.reason}); run gccgw audit verify`);
      else if (index === closed.length - 1) keep('the newest closed segment always stays (after a crash the chain continues from its last record)');
      else if (index >= keepByCount) keep(`among the newest ${policy.keepSegments} segments`);
      else if (cutoff !== undefined && edges.last.time >= cutoff) keep(`its newest record (${edges.last.time}) is not older than ${policy.keepDays} day(s)`);
      else if (index === 0) {
        const problem = await this.#startIsAccounted({ number: segment.number, edge: edges.first });
        if (problem !== undefined) keep(`retention stops: ${problem}; run gccgw audit verify`);
      } else if (previous === undefined || previous.number + 1 !== segment.number || previous.last.seq + 1 !== edges.first.seq || previous.last.hash !== edges.first.prev) {
        keep(`retention stops: segment ${segment.number} does not continue segment ${previous?.number ?? '?'}; run gccgw audit verify`);
      }
      if (stop !== undefined || !edges.ok) break;
      pastLimit.push({ number: segment.number, path: segment.path, first: edges.first, last: edges.last });
    }
    if (pastLimit.length === 0) return done([]);

    // A real pass takes a bounded batch (at least one segment); the next batch follows at once.
    let more = false;
    if (act) {
      let bytes = 0;
      const limit = this.#options.batchMaxBytes ?? DEFAULT_BATCH_MAX_BYTES;
      const batch = pastLimit.findIndex((c, i) => (bytes += statSync(c.path).size) > limit && i > 0);
      if (batch > 0) {
        pastLimit.splice(batch);
        more = true;
      }
    }

    // Step 2: the chain through the run must be intact before any of it is removed. The links
    // between segments were checked from their edges above; each segment is checked whole here,
    // one at a time, and its SHA-256 taken for the archive cover.
    const sha: string[] = [];
    for (const c of pastLimit) {
      const bytes = await readFile(c.path);
      const chain = verifySegments([{ name: c.path, number: c.number, bytes }], { seq: c.first.seq - 1, hash: c.first.prev });
      if (!chain.ok || chain.head.seq !== c.last.seq || chain.head.hash !== c.last.hash) {
        throw new GatewayError('ERR_AUDIT_CORRUPT', { message: `retention refuses to remove a broken chain: ${chain.problem?.reason ?? 'the segment changed while it was read'} (${c.path} line ${chain.problem?.line ?? '?'}); run gccgw audit verify` });
      }
      sha.push(createHash('sha256').update(bytes).digest('hex'));
    }

    // Step 3: cover. With requireArchive false, a checkpoint taken at removal covers the whole run.
    if (!this.#requireArchive) {
      for (const c of pastLimit) verdicts.push({ number: c.number, ...spanOf(c), verdict: 'remove', reason: 'past the limit; requireArchive is false: a signed checkpoint of the head will vouch for it' });
      return done(pastLimit.map((candidate) => ({ candidate, cover: undefined })), more);
    }
    const [lowest, highest] = [pastLimit[0]!.number, pastLimit[pastLimit.length - 1]!.number];
    const refresh = async (): Promise<void> => {
      refusedArchives.length = 0;
      const read = await this.#archives.refresh((from, to) => from <= highest && to >= lowest);
      for (const a of read) if (!a.ok) refusedArchives.push({ file: a.file, reason: a.problem ?? 'refused' });
    };
    await refresh();
    const coverOf = (i: number): IndexedArchive | undefined => this.#archives.coverFor(pastLimit[i]!.number, sha[i]!);
    const writeArchives = policy.writeArchives ?? true;
    if (writeArchives && act && pastLimit.some((_, i) => coverOf(i) === undefined)) {
      // Archive each run of uncovered segments; they count as cover once the archive verifies.
      let run: number[] = [];
      const flushRun = async (): Promise<void> => {
        if (run.length > 0) archived.push(await this.#writeArchive(pastLimit[run[0]!]!.number, pastLimit[run[run.length - 1]!]!.number, now));
        run = [];
      };
      for (let i = 0; i < pastLimit.length; i++) {
        if (coverOf(i) !== undefined) await flushRun();
        else run.push(i);
      }
      await flushRun();
      await refresh();
    }
    const due: Due[] = [];
    let blocked = false;
    for (const [i, candidate] of pastLimit.entries()) {
      const cover = coverOf(i);
      const verdict = (v: SegmentVerdict['verdict'], reason: string, archive?: string): number =>
        verdicts.push({ number: candidate.number, ...spanOf(candidate), verdict: v, reason, ...(archive !== undefined ? { archive } : {}) });
      if (blocked) verdict('keep', 'past the limit, but an older segment is not covered (removal goes in order, from the oldest)');
      else if (cover !== undefined) {
        due.push({ candidate, cover });
        verdict('remove', 'past the limit and held by a verified archive', cover.file);
      } else if (writeArchives && !act) verdict('archive', `past the limit; no archive in ${this.#archives.dir} holds it yet: retention archives it, then removes it`);
      else {
        blocked = true;
        verdict('keep', `past the limit, but no verified archive in ${this.#archives.dir} holds these bytes${writeArchives ? ' (archiving them failed: see the log)' : '; run gccgw audit archive, or set writeArchives'}`);
      }
    }
    return done(due, more && !blocked);
  }

  async #writeArchive(from: number, to: number, at: Date): Promise<string> {
    const archiveDir = this.#options.policy.archiveDir;
    mkdirSync(archiveDir, { recursive: true, mode: 0o700 });
    const archive = await exportArchive(this.#options.dir, { from, to, signer: this.#options.signer, now: at });
    const base = `evidence-${String(from).padStart(6, '0')}-${String(to).padStart(6, '0')}`;
    let file = `${base}.json`;
    for (let n = 2; existsSync(join(archiveDir, file)); n++) file = `${base}-${n}.json`;
    writeJsonDurably(join(archiveDir, file), archive);
    this.#options.onProgress?.({ step: 'archived', file, fromSegment: from, toSegment: to });
    this.#options.logger?.info({ file, fromSegment: from, toSegment: to }, 'evidence log: archived segments before removing them (retention)');
    return file;
  }
}

function archiveCover(a: IndexedArchive): ArchiveCover {
  const numbers = a.segments.map((s) => s.number);
  return { file: a.file, sha256: a.sha256, fromSegment: Math.min(...numbers), toSegment: Math.max(...numbers), head: a.head!, signer: a.signer! };
}

function spanOf(c: { first: SegmentEdge; last: SegmentEdge }): Pick<SegmentVerdict, 'firstSeq' | 'lastSeq' | 'firstTime' | 'lastTime'> {
  return { firstSeq: c.first.seq, lastSeq: c.last.seq, firstTime: c.first.time, lastTime: c.last.time };
}

function sameRange(a: RemovedRange, b: RemovedRange): boolean {
  return a.fromSegment === b.fromSegment && a.toSegment === b.toSegment && a.firstSeq === b.firstSeq && a.lastSeq === b.lastSeq && a.lastHash === b.lastHash;
}

function segmentPath(dir: string, number: number): string {
  return join(dir, SEGMENTS_DIR, `${String(number).padStart(6, '0')}.jsonl`);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GatewayError('ERR_AUDIT_CORRUPT', { message: `cannot read ${file}: ${(error as Error).message}`, cause: error });
  }
}

/** Write to a temporary file, fsync, rename over the target, fsync the directory: all or nothing. */
function writeJsonDurably(file: string, value: unknown): void {
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeFileSync(fd, `${JSON.stringify(value)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  fsyncDir(join(file, '..'));
}

function removeDurably(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return;
  }
  fsyncDir(join(file, '..'));
}
