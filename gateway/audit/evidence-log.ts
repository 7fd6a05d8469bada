import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { fdatasync as fdatasyncCallback } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { GatewayError } from '../errors/gateway-error.js';
import { acquireDirectoryLock, LOCK_FILE, releaseDirectoryLock } from '../util/directory-lock.js';
import { GENESIS_HASH, type AuditRecordBody, type CheckpointBody, type SealedRecord } from './audit-record.js';
import { recoverJsonLines } from '../util/json-lines-file.js';
import { writeFully } from '../util/write-fully.js';
import { checkLineBytes, encodeRecordBytes } from './record-codec.js';

const fdatasync = promisify(fdatasyncCallback);

export type Durability = 'sync' | 'batch';

export interface EvidenceLogOptions {
  /** Directory of the log; segments live in `<dir>/segments/`. */
  readonly dir: string;
  /**
   * `sync`: `append` resolves only once the record is on disk (fdatasync), so a response released
   * after it can never be missing from the log. `batch`: `append` resolves at once and records reach
   * the disk within `batchMaxDelayMillis` (plus one fsync): a crash may lose that window.
   * @default 'sync'
   */
  readonly durability?: Durability;
  /** Longest a record waits to be grouped with others before the write (0: until the current event-loop turn ends; records that arrive during a write go in the next one). @default 0 (sync), 50 (batch) */
  readonly batchMaxDelayMillis?: number;
  /** A new segment is started beyond this size. @default 64 MiB */
  readonly segmentMaxBytes?: number;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

export const SEGMENTS_DIR = 'segments';
const SEGMENT_NAME = /^(\d{6})\.jsonl$/;

interface Pending {
  /** The record's line as written (newline included). */
  readonly bytes: Buffer;
  readonly sealed: SealedRecord;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Segment files in order, as `{ number, path }`. */
export function listSegments(dir: string): Array<{ readonly number: number; readonly path: string }> {
  let names: string[];
  try {
    names = readdirSync(join(dir, SEGMENTS_DIR));
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, match: SEGMENT_NAME.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ name, match }) => ({ number: Number(match[1]), path: join(dir, SEGMENTS_DIR, name) }))
    .sort((a, b) => a.number - b.number);
}

/**
 * The append-only, hash-chained evidence log (DESIGN.md, "Evidence log"). Appends are sealed into
 * the chain in call order and written by group commit: one write and one fdatasync for every
 * record that arrived while the previous write was in progress. Any write failure makes the log
 * refuse all further appends (fail closed) until it is reopened, which truncates what was never
 * acknowledged.
 */
export class EvidenceLog {
  readonly #options: Required<Omit<EvidenceLogOptions, 'logger'>> & { logger: Logger | undefined };
  #fd = -1;
  #segment = 0;
  #segmentBytes = 0;
  #seq = 0;
  #head = GENESIS_HASH;
  #pending: Pending[] = [];
  readonly #durableListeners = new Set<(records: readonly SealedRecord[]) => void>();
  #flushing: Promise<void> | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failure: Error | undefined;
  #closed = false;

  private constructor(options: EvidenceLogOptions) {
    const durability = options.durability ?? 'sync';
    this.#options = {
      dir: options.dir,
      durability,
      // sync: no window of its own. Records that arrive while a write and fdatasync are under way
      // go together in the next one (group commit), so a window would only add latency.
      batchMaxDelayMillis: options.batchMaxDelayMillis ?? (durability === 'sync' ? 0 : 50),
      segmentMaxBytes: options.segmentMaxBytes ?? 64 * 1024 * 1024,
      now: options.now ?? (() => new Date()),
      logger: options.logger,
    };
    if (!(this.#options.segmentMaxBytes >= 4096)) throw new TypeError('segmentMaxBytes must be at least 4096');
  }

  /** Opens (creating if needed) the log, recovering from a crash: a torn or unhashed tail is cut off. */
  static open(options: EvidenceLogOptions): EvidenceLog {
    const log = new EvidenceLog(options);
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    acquireLock(options.dir);
    try {
      log.#recover();
    } catch (error) {
      releaseLock(options.dir);
      throw error;
    }
    return log;
  }

  get head(): { readonly seq: number; readonly hash: string } {
    return { seq: this.#seq, hash: this.#head };
  }

  /** Number of the segment being written; every lower-numbered segment is closed. */
  get segment(): number {
    return this.#segment;
  }

  get durability(): Durability {
    return this.#options.durability;
  }

  /** Whether the log can take appends (false after a write failure: fail closed). */
  get healthy(): boolean {
    return this.#failure === undefined && !this.#closed;
  }

  /**
   * Seals a record into the chain and writes it. In `sync` mode the promise resolves once the record
   * is durable; it rejects with `ERR_AUDIT_UNAVAILABLE` if it cannot be written.
   */
  append(body: AuditRecordBody): Promise<SealedRecord> {
    if (this.#closed) return Promise.reject(new GatewayError('ERR_AUDIT_UNAVAILABLE', { message: 'the evidence log is closed' }));
    if (this.#failure !== undefined) return Promise.reject(this.#unavailable(this.#failure));
    const seq = this.#seq + 1;
    const time = this.#options.now().toISOString();
    const { bytes, hash } = encodeRecordBytes(seq, this.#head, time, body);
    const sealed: SealedRecord = { seq, prev: this.#head, time, body, hash };
    this.#seq = seq;
    this.#head = hash;
    return new Promise<SealedRecord>((resolve, reject) => {
      this.#pending.push({ bytes, sealed, resolve: () => resolve(sealed), reject });
      if (this.#options.durability === 'batch') resolve(sealed);
      this.#schedule();
    });
  }

  /**
   * Appends a signed checkpoint vouching for the current head (see checkpoint.ts). Resolves once
   * the checkpoint record is durable, with the head it vouches for and its own place in the chain.
   */
  async checkpoint(signer: { checkpoint(upToSeq: number, upToHash: string, at: Date): Promise<CheckpointBody> }): Promise<{ upToSeq: number; checkpointSeq: number }> {
    await this.flush();
    const { seq, hash } = this.head;
    const body = await signer.checkpoint(seq, hash, this.#options.now());
    const sealed = await this.append(body);
    await this.flush();
    return { upToSeq: seq, checkpointSeq: sealed.seq };
  }

  /** Writes everything pending and waits for it to be durable. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearImmediate(this.#immediate);
    this.#immediate = undefined;
    while (this.#pending.length > 0 || this.#flushing !== undefined) {
      if (this.#flushing !== undefined) await this.#flushing.catch(() => undefined);
      else await this.#writePending();
    }
    if (this.#failure !== undefined) throw this.#unavailable(this.#failure);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush().catch(() => undefined);
    this.#closed = true;
    if (this.#fd >= 0) {
      closeSync(this.#fd);
      this.#fd = -1;
    }
    releaseLock(this.#options.dir);
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#immediate !== undefined || this.#flushing !== undefined) return;
    if (this.#options.batchMaxDelayMillis === 0) {
      // After the current turn of the event loop: what this turn appends goes in one write.
      this.#immediate = setImmediate(() => {
        this.#immediate = undefined;
        void this.#writePending();
      });
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#writePending();
    }, this.#options.batchMaxDelayMillis);
  }

  async #writePending(): Promise<void> {
    if (this.#flushing !== undefined || this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    const run = (async () => {
      try {
        if (this.#failure !== undefined) throw this.#failure;
        const data = batch.length === 1 ? (batch[0] as Pending).bytes : Buffer.concat(batch.map((p) => p.bytes));
        if (this.#segmentBytes > 0 && this.#segmentBytes + data.length > this.#options.segmentMaxBytes) this.#rotate();
        await writeFully(this.#fd, data);
        await fdatasync(this.#fd);
        this.#segmentBytes += data.length;
        for (const p of batch) p.resolve();
        this.#notifyDurable(batch);
      } catch (cause) {
        const error = cause instanceof Error ? cause : new Error(String(cause));
        if (this.#failure === undefined) {
          this.#failure = error;
          this.#options.logger?.fatal({ err: error }, 'evidence log write failed: refusing further appends until restart (fail closed)');
        }
        const unavailable = this.#unavailable(error);
        for (const p of [...batch, ...this.#pending.splice(0)]) p.reject(unavailable);
      }
    })();
    this.#flushing = run;
    await run;
    this.#flushing = undefined;
    if (this.#pending.length > 0) this.#schedule();
  }

  /**
   * The seam for shipping records elsewhere (e.g. to an event topic, evidence-log issue item 6):
   * `listener` is told of every record once it is on disk, in chain order, after the appenders were
   * released. A listener must not block or throw; what it ships is a copy, the log stays the
   * evidence. Returns the function that removes the listener.
   */
  onDurable(listener: (records: readonly SealedRecord[]) => void): () => void {
    this.#durableListeners.add(listener);
    return () => this.#durableListeners.delete(listener);
  }

  #notifyDurable(batch: readonly Pending[]): void {
    if (this.#durableListeners.size === 0) return;
    const records = batch.map((p) => p.sealed);
    for (const listener of this.#durableListeners) {
      try {
        listener(records);
      } catch (error) {
        this.#options.logger?.error({ err: error }, 'an evidence-log listener failed; the log itself is unaffected');
      }
    }
  }

  #unavailable(cause: Error): GatewayError {
    return new GatewayError('ERR_AUDIT_UNAVAILABLE', { message: `the evidence log cannot record this exchange: ${(cause as NodeJS.ErrnoException).code ?? cause.message}`, cause });
  }

  #recover(): void {
    const dir = join(this.#options.dir, SEGMENTS_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const segments = listSegments(this.#options.dir);
    const last = segments[segments.length - 1];
    if (last === undefined) {
      this.#openSegment(1);
      return;
    }
    for (const segment of segments.slice(-2)) {
      if (!statSync(segment.path).isFile()) {
        throw new GatewayError('ERR_AUDIT_CORRUPT', { message: `evidence log segment ${segment.path} is not a regular file` });
      }
    }
    let prev = this.#previousSegmentHead(segments);
    let seq = prev.seq;
    let head = prev.hash;
    // Keep the whole records that continue the chain; a torn or unlinked tail was never acknowledged.
    const { validBytes, droppedBytes } = recoverJsonLines(last.path, (line) => {
      const check = checkLineBytes(line);
      if (!check.ok || check.prev !== head || check.seq !== seq + 1) return false;
      seq = check.seq;
      head = check.hash;
      return true;
    });
    if (droppedBytes > 0) {
      this.#options.logger?.warn({ segment: last.path, keptBytes: validBytes, droppedBytes }, 'evidence log: cut an unacknowledged tail left by a crash');
    }
    prev = { seq, hash: head };
    this.#seq = prev.seq;
    this.#head = prev.hash;
    if (validBytes === 0 && segments.length > 1) {
      // An empty last segment (crash right after rotation): reuse it.
      unlinkSync(last.path);
      this.#openSegment(last.number);
      return;
    }
    this.#fd = openSync(last.path, 'a', 0o600);
    this.#segment = last.number;
    this.#segmentBytes = validBytes;
  }

  /** Head of the chain at the end of the second-to-last segment (read only for its last line). */
  #previousSegmentHead(segments: ReadonlyArray<{ number: number; path: string }>): { seq: number; hash: string } {
    const previous = segments[segments.length - 2];
    const only = segments[0];
    if (previous === undefined && only !== undefined && only.number > 1) {
      // The only segment left is not the first one (retention never does this: it keeps the newest
      // closed segment; the rest was removed by hand). Continue from its own first record rather
      // than cutting the whole segment as an unlinked tail: it is evidence; verify reports the hole.
      const bytes = readFileSync(only.path);
      const check = checkLineBytes(bytes.subarray(0, Math.max(0, bytes.indexOf(0x0a))));
      if (!check.ok) throw new GatewayError('ERR_AUDIT_CORRUPT', { message: `segment ${only.path} is the only segment left and its first record is damaged: ${check.reason}; run gccgw audit verify` });
      this.#options.logger?.warn({ segment: only.path, firstSeq: check.seq }, 'evidence log: the oldest segments are missing; continuing from the first record present (gccgw audit verify says whether retention accounts for them)');
      return { seq: check.seq - 1, hash: check.prev };
    }
    if (previous === undefined) return { seq: 0, hash: GENESIS_HASH };
    const bytes = readFileSync(previous.path);
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0a ? bytes.length - 1 : bytes.length;
    const check = checkLineBytes(bytes.subarray(bytes.lastIndexOf(0x0a, end - 1) + 1, end));
    if (!check.ok) throw new GatewayError('ERR_AUDIT_CORRUPT', { message: `segment ${previous.path} ends with a damaged record: ${check.reason}; run gccgw audit verify` });
    return { seq: check.seq, hash: check.hash };
  }

  #rotate(): void {
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#openSegment(this.#segment + 1);
  }

  #openSegment(number: number): void {
    const path = join(this.#options.dir, SEGMENTS_DIR, `${String(number).padStart(6, '0')}.jsonl`);
    this.#fd = openSync(path, 'a', 0o600);
    this.#segment = number;
    this.#segmentBytes = 0;
    // Make the new file's directory entry durable too.
    const dirFd = openSync(join(this.#options.dir, SEGMENTS_DIR), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}


export { LOCK_FILE };

/**
 * One writer per log: a second process appending to the same segments would fork the chain. The
 * lock file holds the owner's pid; a lock whose owner is no longer alive (a crash) is taken over.
 */
function acquireLock(dir: string): void {
  acquireDirectoryLock(dir, {
    sameProcess: 'take-over',
    refuse: (refusal) =>
      new GatewayError('ERR_AUDIT_UNAVAILABLE', {
        message: refusal.kind === 'in-use' ? `the evidence log at ${dir} is in use by process ${refusal.owner}` : `cannot lock the evidence log at ${dir}${refusal.kind === 'io' ? `: ${refusal.cause.message}` : ''}`,
        ...(refusal.kind === 'io' ? { cause: refusal.cause } : {}),
      }),
  });
}

const releaseLock = releaseDirectoryLock;
