import { closeSync, existsSync, fdatasync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { parseJsonLine, recoverJsonLines } from '../util/json-lines-file.js';
import { writeFully } from '../util/write-fully.js';
import type { TransportRecord } from './cloud-event.js';
import type { EventTransport } from './event-transport.js';
import { appendWithMember, JsonLineBytes, RepeatedStringJson } from './repeated-string-json.js';

export interface EventOutboxOptions {
  readonly dir: string;
  readonly transport: EventTransport;
  /** Records published per transport call. @default 200 */
  readonly batchSize?: number;
  /** First wait after a failed publish; doubles up to 5 s. @default 200 */
  readonly retryMillis?: number;
  /**
   * Called by the relay with each batch just before it is published (batch signing): returns the
   * records to publish, one per entry, in the same order. A failure is retried like a failed publish.
   */
  readonly prepare?: (entries: readonly OutboxEntry[]) => Promise<readonly TransportRecord[]> | readonly TransportRecord[];
  readonly logger?: Logger;
}

/** One queued record, as the outbox keeps it. */
export interface OutboxEntry {
  readonly key: string;
  readonly record: TransportRecord;
  /** For batch signing: the event's Merkle leaf hash (base64url); present when the relay must sign it. */
  readonly leaf?: string;
}

/** What `add` takes: a record, and for a record the relay signs in a batch, its leaf hash. */
export interface OutboxItem {
  readonly record: TransportRecord;
  readonly leaf?: string;
}

type Entry = OutboxEntry;

const keyOf = (record: TransportRecord): string => `${record.topic}|${record.headers['ce_id'] ?? ''}`;
const fdatasyncAsync = promisify(fdatasync);

/** Writes all of `data` at the file's end (append mode), then fdatasync, off the event loop. */
async function appendDurably(fd: number, data: string | Buffer): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  await writeFully(fd, bytes);
  await fdatasyncAsync(fd);
}

interface Commit {
  readonly entries: readonly Entry[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Transactional outbox for produced events (DESIGN.md: "Producers write to a durable outbox first").
 * `add` returns once the records are on disk; a relay publishes them in order and marks them sent.
 * A crash after publishing but before marking re-sends (never loses): consumers deduplicate by
 * event id. Marks are keyed by `topic|event id`, so compaction can never make a new record look sent.
 * Adds are group-committed: the adds that arrive while one write + fdatasync is in flight share
 * the next one, and the disk wait happens off the event loop, so many concurrent producers cost
 * one sync per batch instead of one each (and never block the process).
 *
 *   <dir>/outbox.jsonl   one {"key","record"} per line, in the order added
 *   <dir>/sent.txt       one key per line, for each record the transport acknowledged
 */
export class EventOutbox {
  readonly #options: EventOutboxOptions;
  readonly #pending: Entry[] = [];
  readonly #outboxFd: number;
  readonly #sentFd: number;
  #running = false;
  #closed = false;
  #wake: (() => void) | undefined;
  #relay: Promise<void> | undefined;
  #drainWaiters: Array<() => void> = [];
  readonly #commits: Commit[] = [];
  #committing: Promise<void> | undefined;
  readonly #jwsJson = new RepeatedStringJson();

  constructor(options: EventOutboxOptions) {
    this.#options = options;
    mkdirSync(options.dir, { recursive: true });
    const outboxPath = join(options.dir, 'outbox.jsonl');
    const sentPath = join(options.dir, 'sent.txt');
    const sent = new Set(existsSync(sentPath) ? readFileSync(sentPath, 'utf8').split('\n').filter((l) => l !== '') : []);
    recoverJsonLines(outboxPath, (line) => {
      const entry = parseJsonLine<Entry>(line);
      if (entry === undefined) return false;
      if (!sent.has(entry.key)) this.#pending.push(entry);
      return true;
    });
    this.#outboxFd = openSync(outboxPath, 'a');
    this.#sentFd = openSync(sentPath, 'a');
    if (this.#pending.length > 0) options.logger?.info({ pending: this.#pending.length }, 'outbox: re-sending events not acknowledged before the last stop');
  }

  /** Records not yet acknowledged by the transport. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Durably queues records for publication (on disk, fdatasync'd, before it resolves). */
  add(items: readonly (TransportRecord | OutboxItem)[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the outbox is closed'));
    const entries = items.map((item): Entry => {
      if ('topic' in item) return { key: keyOf(item), record: item };
      return item.leaf !== undefined ? { key: keyOf(item.record), record: item.record, leaf: item.leaf } : { key: keyOf(item.record), record: item.record };
    });
    return new Promise<void>((resolve, reject) => {
      this.#commits.push({ entries, resolve, reject });
      this.#committing ??= this.#commitLoop();
    });
  }

  /**
   * Appends `JSON.stringify(entry)` and a newline (the members of TransportRecord and Entry; parses
   * back to the same entry), with the record's `ce_jws` escaped and encoded through `#jwsJson` (see
   * RepeatedStringJson).
   */
  #appendLine(lines: JsonLineBytes, entry: Entry): void {
    const { record } = entry;
    const timestamp = record.timestamp !== undefined ? `,"timestamp":${JSON.stringify(record.timestamp)}` : '';
    const leaf = entry.leaf !== undefined ? `,"leaf":${JSON.stringify(entry.leaf)}` : '';
    lines.text(`{"key":${JSON.stringify(entry.key)},"record":{"topic":${JSON.stringify(record.topic)},"key":${JSON.stringify(record.key)},"headers":`);
    appendWithMember(lines, record.headers, 'ce_jws', this.#jwsJson);
    lines.text(`,"value":${JSON.stringify(record.value)}${timestamp}}${leaf}}\n`);
  }

  /** Writes every queued add in one write + fdatasync, again while more arrived meanwhile. */
  async #commitLoop(): Promise<void> {
    while (this.#commits.length > 0) {
      const batch = this.#commits.splice(0);
      const entries = batch.flatMap((commit) => commit.entries);
      try {
        const lines = new JsonLineBytes();
        for (const entry of entries) this.#appendLine(lines, entry);
        await appendDurably(this.#outboxFd, lines.take());
      } catch (error) {
        for (const commit of batch) commit.reject(error);
        continue;
      }
      this.#pending.push(...entries);
      this.#wake?.();
      for (const commit of batch) commit.resolve();
    }
    this.#committing = undefined;
  }

  /** Starts the relay loop. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#relay = this.#loop();
  }

  /** Resolves when everything added so far has been published. */
  drained(): Promise<void> {
    if (this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#committing;
    this.#wake?.();
    await this.#relay;
    closeSync(this.#outboxFd);
    closeSync(this.#sentFd);
  }

  async #loop(): Promise<void> {
    let backoff = this.#options.retryMillis ?? 200;
    // The mark of the batch published last, written while the next batch is prepared and published.
    let marking: Promise<void> | undefined;
    while (!this.#closed) {
      if (this.#pending.length === 0) {
        await marking;
        marking = undefined;
        this.#compact();
        for (const resolve of this.#drainWaiters.splice(0)) resolve();
        // Something may have been added while the mark was written.
        if (this.#pending.length > 0 || this.#closed) continue;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      const batch = this.#pending.slice(0, this.#options.batchSize ?? 200);
      try {
        const records = this.#options.prepare !== undefined ? await this.#options.prepare(batch) : batch.map((e) => e.record);
        if (records.length !== batch.length) throw new Error('outbox: prepare must return one record per entry');
        await this.#options.transport.publish(records);
      } catch (error) {
        this.#options.logger?.warn({ err: error, pending: this.#pending.length, retryInMillis: backoff }, 'outbox: publish failed; will retry');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoff);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
        backoff = Math.min(backoff * 2, 5_000);
        continue;
      }
      backoff = this.#options.retryMillis ?? 200;
      this.#pending.splice(0, batch.length);
      // Marked sent off the event loop while the next batch is published, one mark at a time:
      // its write and fdatasync queue on the libuv pool behind the signature jobs (~12 ms under
      // load, a third of a relay cycle; bench/events/README.md), and a relay that waited for them
      // published one batch per publish + mark. A crash before a mark is on disk re-sends its
      // batch (consumers deduplicate by event id), as a crash before the mark always did.
      await marking;
      marking = this.#markSent(batch.map((e) => `${e.key}\n`).join(''));
    }
    await marking;
  }

  /** Appends the keys to sent.txt durably; a failure only means the records may be sent again. */
  async #markSent(keys: string): Promise<void> {
    try {
      await appendDurably(this.#sentFd, keys);
    } catch (error) {
      this.#options.logger?.warn({ err: error }, 'outbox: could not mark records sent; they may be sent again after a restart');
    }
  }

  /** With nothing pending, both files can start over (outbox first: a stale sent key is harmless). */
  #compact(): void {
    // Never while an add is being written: truncating would drop it.
    if (this.#committing !== undefined) return;
    if (statSync(join(this.#options.dir, 'outbox.jsonl')).size < 1024 * 1024) return;
    ftruncateSync(this.#outboxFd, 0);
    fsyncSync(this.#outboxFd);
    ftruncateSync(this.#sentFd, 0);
    fsyncSync(this.#sentFd);
  }
}
