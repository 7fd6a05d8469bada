import { closeSync, mkdirSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { GatewayError } from '../errors/gateway-error.js';
import { parseJsonLine, recoverJsonLines } from '../util/json-lines-file.js';
import { writeFully } from '../util/write-fully.js';
import type { CloudEvent } from './cloud-event.js';
import { appendWithMember, JsonLineBytes, RepeatedStringJson } from './repeated-string-json.js';

/** A verified, delivered event as this gateway keeps it for catch-up. */
export interface ReceivedEvent {
  /** Order of delivery in this gateway (the catch-up order). */
  readonly seq: number;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The CloudEvent with its signature (`jws`). */
  readonly event: CloudEvent;
}

/**
 * Positions in the topics' partitions: `topic:partition` -> the offset of the last event consumed
 * there. A catch-up cursor is such a map: reading "after" it continues each partition after its
 * offset, so a cursor stays exact across partitions and across gateways reading the same topics.
 */
export type EventPositions = Map<string, number>;

/** Where a record sits: topic, partition, offset. */
export interface EventPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

const CURSOR_VERSION = 'v1';
const TOPIC = /^[a-z0-9][a-z0-9._-]{0,200}$/;
const MAX_CURSOR_CHARS = 8_192;

const positionKey = (topic: string, partition: number): string => `${topic}:${partition}`;
const topicOfKey = (key: string): string => key.slice(0, key.lastIndexOf(':'));

/** An opaque cursor: base64url of `v1;topic:partition:offset,...` (sorted, so equal positions give equal cursors). */
export function encodeEventCursor(positions: ReadonlyMap<string, number>): string {
  const parts = [...positions.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, offset]) => `${key}:${offset}`);
  return Buffer.from(`${CURSOR_VERSION};${parts.join(',')}`, 'utf8').toString('base64url');
}

/** Throws `ERR_EVENT_CURSOR_INVALID` for anything `encodeEventCursor` did not make. */
export function decodeEventCursor(cursor: string): EventPositions {
  const invalid = (): never => {
    throw new GatewayError('ERR_EVENT_CURSOR_INVALID', { message: 'The events cursor is not one this gateway issued; pass an edge cursor or pageInfo.endCursor unchanged.' });
  };
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) invalid();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [version, body, ...rest] = text.split(';');
  if (version !== CURSOR_VERSION || body === undefined || rest.length > 0) invalid();
  const positions: EventPositions = new Map();
  if (body === '') return positions;
  for (const part of (body as string).split(',')) {
    const match = /^(.+):(\d{1,6}):(\d{1,16})$/.exec(part);
    if (match === null || !TOPIC.test(match[1] as string)) invalid();
    const [, topic, partition, offset] = match as RegExpExecArray;
    positions.set(positionKey(topic as string, Number(partition)), Number(offset));
  }
  return positions;
}

export interface ReceivedEventStoreOptions {
  readonly dir: string;
  /** Events kept; the oldest are dropped beyond this. */
  readonly maxEvents: number;
  readonly logger?: Logger;
}

export interface ReadEventsOptions {
  /** Continue after these positions; from the oldest kept event when absent. */
  readonly after?: EventPositions;
  /** Which topics the reader may see. */
  readonly readable: (topic: string) => boolean;
  /** Only these types (all when absent). */
  readonly types?: ReadonlySet<string>;
  readonly first: number;
}

export interface ReadEventsPage {
  readonly edges: ReadonlyArray<{ readonly entry: ReceivedEvent; readonly cursor: string }>;
  readonly hasNextPage: boolean;
  /** Positions after everything looked at (also when nothing matched): poll again with it. */
  readonly endCursor: string;
}

/** One file of the store: the events from `firstSeq` on, `count` of them. */
interface Segment {
  readonly path: string;
  readonly firstSeq: number;
  count: number;
}

const LEGACY_FILE = 'received.jsonl';
const SEGMENT_FILE = /^received-(\d{1,16})\.jsonl$/;
const segmentFileName = (firstSeq: number): string => `received-${String(firstSeq).padStart(12, '0')}.jsonl`;

interface PartitionEntries {
  readonly entries: ReceivedEvent[];
  /** Highest offset dropped by retention (-1: none): a cursor before it would miss events. */
  droppedUpTo: number;
}

/**
 * The events this gateway verified and delivered, for `events(after:)` catch-up: JSON lines in
 * delivery order, in files of `maxEvents / 2` events each (`received-<first seq>.jsonl`; a
 * `received.jsonl` of an earlier version is read as the oldest), kept to `maxEvents` by dropping
 * whole files. Only what the consumer pipeline delivered is here
 * (signature, schema and duplicates already checked). Written without fsync: it survives a crash
 * of the process (the page cache holds it), not a power loss; the topics stay the source of truth
 * and can be replayed into it.
 */
export class ReceivedEventStore {
  readonly #options: ReceivedEventStoreOptions;
  /** The files, oldest first; the last one is written. */
  readonly #segments: Segment[] = [];
  /** Events per file before the next one is started. */
  readonly #segmentEvents: number;
  readonly #byPartition = new Map<string, PartitionEntries>();
  readonly #latest: EventPositions = new Map();
  #all: ReceivedEvent[] = [];
  #fd: number;
  #nextSeq = 1;
  readonly #jwsJson = new RepeatedStringJson();
  /** The append in progress (appends run one after another). */
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: ReceivedEventStoreOptions) {
    this.#options = options;
    this.#segmentEvents = Math.max(1, Math.floor(options.maxEvents / 2));
    mkdirSync(options.dir, { recursive: true });
    // received.jsonl: the single file of earlier versions, older than any segment.
    const names = readdirSync(options.dir)
      .map((name) => (name === LEGACY_FILE ? { name, first: -1 } : { name, first: Number(SEGMENT_FILE.exec(name)?.[1] ?? Number.NaN) }))
      .filter(({ first }) => !Number.isNaN(first))
      .sort((a, b) => a.first - b.first);
    for (const { name } of names) {
      const path = join(options.dir, name);
      let firstSeq: number | undefined;
      let count = 0;
      recoverJsonLines(path, (line) => {
        const entry = parseJsonLine<ReceivedEvent>(line);
        if (entry === undefined || typeof entry.seq !== 'number' || entry.seq < this.#nextSeq) return false;
        firstSeq ??= entry.seq;
        count += 1;
        this.#index(entry);
        this.#nextSeq = entry.seq + 1;
        return true;
      });
      if (firstSeq === undefined) unlinkSync(path);
      else this.#segments.push({ path, firstSeq, count });
    }
    const last = this.#segments.at(-1);
    if (last === undefined || last.count >= this.#segmentEvents) this.#segments.push({ path: join(options.dir, segmentFileName(this.#nextSeq)), firstSeq: this.#nextSeq, count: 0 });
    this.#fd = openSync((this.#segments.at(-1) as Segment).path, 'a');
    this.#retain(true);
  }

  static open(options: ReceivedEventStoreOptions): ReceivedEventStore {
    return new ReceivedEventStore(options);
  }

  get size(): number {
    return this.#all.length;
  }

  /** Ids of the newest events, to seed duplicate detection after a restart. */
  recentIds(count: number): string[] {
    return this.#all.slice(-count).map((e) => e.event.id);
  }

  /** Keeps a delivered event; undefined when its position is already kept (a replayed record). */
  async append(position: EventPosition, event: CloudEvent): Promise<ReceivedEvent | undefined> {
    return (await this.appendMany([{ position, event }]))[0];
  }

  /**
   * Keeps delivered events, in order, with one write; for each, its entry, or undefined when its
   * position is already kept (a replayed record). Calls take effect one after another, in call
   * order. The write runs on libuv's thread pool (the copy into the page cache was ~5 µs of
   * event-loop time per ~4 KB event); the events are indexed, so readers see them, only once it is
   * done, and a failed write indexes nothing (the consumer delivers the batch again).
   */
  async appendMany(items: ReadonlyArray<{ readonly position: EventPosition; readonly event: CloudEvent }>): Promise<Array<ReceivedEvent | undefined>> {
    return (await this.appendBatch(items)).entries;
  }

  /** As `appendMany`, with the positions just after the latest kept event before this batch (see `BatchCursors`). */
  appendBatch(items: ReadonlyArray<{ readonly position: EventPosition; readonly event: CloudEvent }>): Promise<{ readonly before: EventPositions; readonly entries: Array<ReceivedEvent | undefined> }> {
    if (this.#closed) return Promise.reject(new Error('the received-event store is closed'));
    const appended = this.#tail.then(() => this.#appendNow(items));
    this.#tail = appended.then(
      () => undefined,
      () => undefined,
    );
    return appended;
  }

  async #appendNow(items: ReadonlyArray<{ readonly position: EventPosition; readonly event: CloudEvent }>): Promise<{ readonly before: EventPositions; readonly entries: Array<ReceivedEvent | undefined> }> {
    const before = new Map(this.#latest);
    const entries: Array<ReceivedEvent | undefined> = [];
    const lastOffsets = new Map<string, number>();
    const lines = new JsonLineBytes();
    let seq = this.#nextSeq;
    for (const { position, event } of items) {
      const key = positionKey(position.topic, position.partition);
      const last = lastOffsets.get(key) ?? this.#byPartition.get(key)?.entries.at(-1)?.offset;
      if (last !== undefined && position.offset <= last) {
        entries.push(undefined);
        continue;
      }
      lastOffsets.set(key, position.offset);
      const entry: ReceivedEvent = { seq: seq++, topic: position.topic, partition: position.partition, offset: position.offset, event };
      // The same as JSON.stringify(entry), with a batch's shared `jws` escaped and encoded once (see RepeatedStringJson).
      lines.text(`{"seq":${JSON.stringify(entry.seq)},"topic":${JSON.stringify(entry.topic)},"partition":${JSON.stringify(entry.partition)},"offset":${JSON.stringify(entry.offset)},"event":`);
      appendWithMember(lines, event as unknown as Record<string, unknown>, 'jws', this.#jwsJson);
      lines.text('}\n');
      entries.push(entry);
    }
    if (seq === this.#nextSeq) return { before, entries };
    // Written before it is indexed: what readers see is in the file.
    const bytes = lines.take();
    await writeFully(this.#fd, bytes);
    const current = this.#segments.at(-1) as Segment;
    current.count += seq - this.#nextSeq;
    this.#nextSeq = seq;
    for (const entry of entries) if (entry !== undefined) this.#index(entry);
    if (current.count >= this.#segmentEvents) {
      closeSync(this.#fd);
      const next: Segment = { path: join(this.#options.dir, segmentFileName(this.#nextSeq)), firstSeq: this.#nextSeq, count: 0 };
      this.#segments.push(next);
      this.#fd = openSync(next.path, 'a');
    }
    this.#retain(false);
    return { before, entries };
  }

  /** A copy of the positions just after the latest kept event (see `BatchCursors`). */
  latestPositions(): EventPositions {
    return new Map(this.#latest);
  }

  /** The cursor just after `entry` as delivered now, limited to the topics a reader may see. */
  cursorAfterLatest(readable: (topic: string) => boolean): string {
    return encodeEventCursor(new Map([...this.#latest].filter(([key]) => readable(topicOfKey(key)))));
  }

  /** One page of events after `after`, in delivery order. */
  read(options: ReadEventsOptions): ReadEventsPage {
    const positions: EventPositions = new Map([...(options.after ?? new Map<string, number>())].filter(([key]) => options.readable(topicOfKey(key))));
    // Per readable partition, the index of the first entry after the cursor's offset.
    const heads: Array<{ key: string; entries: ReceivedEvent[]; index: number }> = [];
    for (const [key, partition] of this.#byPartition) {
      if (!options.readable(topicOfKey(key))) continue;
      const after = positions.get(key);
      if (after !== undefined && after < partition.droppedUpTo) {
        throw new GatewayError('ERR_EVENT_CURSOR_INVALID', { message: `The cursor points before the oldest event this gateway still keeps for ${key}; read from the start (no "after") or replay.` });
      }
      heads.push({ key, entries: partition.entries, index: after === undefined ? 0 : firstAfter(partition.entries, after) });
    }
    const edges: Array<{ entry: ReceivedEvent; cursor: string }> = [];
    let hasNextPage = false;
    for (;;) {
      // k-way merge by delivery order (partitions are few: domains x audiences x partitions).
      let best: (typeof heads)[number] | undefined;
      for (const head of heads) {
        const candidate = head.entries[head.index];
        if (candidate !== undefined && (best === undefined || candidate.seq < (best.entries[best.index] as ReceivedEvent).seq)) best = head;
      }
      if (best === undefined) break;
      const entry = best.entries[best.index] as ReceivedEvent;
      if (options.types !== undefined && !options.types.has(entry.event.type)) {
        best.index += 1;
        positions.set(best.key, entry.offset);
        continue;
      }
      if (edges.length === options.first) {
        hasNextPage = true;
        break;
      }
      best.index += 1;
      positions.set(best.key, entry.offset);
      edges.push({ entry, cursor: encodeEventCursor(positions) });
    }
    return { edges, hasNextPage, endCursor: hasNextPage ? (edges.at(-1)?.cursor ?? encodeEventCursor(positions)) : encodeEventCursor(positions) };
  }

  /** Closes the file once the appends already called are done. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    closeSync(this.#fd);
  }

  #index(entry: ReceivedEvent): void {
    const key = positionKey(entry.topic, entry.partition);
    let partition = this.#byPartition.get(key);
    if (partition === undefined) {
      partition = { entries: [], droppedUpTo: -1 };
      this.#byPartition.set(key, partition);
    }
    // A replayed record (seek) can arrive again with an offset already kept: keep the first copy.
    const last = partition.entries.at(-1);
    if (last !== undefined && entry.offset <= last.offset) return;
    partition.entries.push(entry);
    this.#all.push(entry);
    this.#latest.set(key, Math.max(this.#latest.get(key) ?? -1, entry.offset));
  }

  /**
   * Drops the oldest events beyond `maxEvents` by whole files: a file goes (unlinked) once the
   * newer files hold `maxEvents` events, so between `maxEvents` and `maxEvents` plus one file's
   * worth are kept and nothing kept is ever rewritten. (An earlier version rewrote everything it
   * kept, serialising it again on the event loop: a stall of seconds every `maxEvents / 2` events.)
   * At open the oldest events beyond `maxEvents` are also dropped from memory.
   */
  #retain(atOpen: boolean): void {
    if (this.#all.length <= this.#options.maxEvents) return;
    let cut = atOpen ? this.#all.length - this.#options.maxEvents : 0;
    while (this.#segments.length > 1) {
      // Events (still in memory) of the oldest file: all those before the next file's first.
      const inOldest = firstWithSeqAtLeast(this.#all, (this.#segments[1] as Segment).firstSeq);
      if (this.#all.length - inOldest < this.#options.maxEvents) break;
      unlinkSync((this.#segments.shift() as Segment).path);
      cut = Math.max(cut, inOldest);
    }
    if (cut === 0) return;
    const dropped = this.#all.slice(0, cut);
    this.#all = this.#all.slice(cut);
    const droppedPerPartition = new Map<string, number>();
    for (const entry of dropped) {
      const key = positionKey(entry.topic, entry.partition);
      droppedPerPartition.set(key, (droppedPerPartition.get(key) ?? 0) + 1);
      const partition = this.#byPartition.get(key);
      if (partition !== undefined) partition.droppedUpTo = Math.max(partition.droppedUpTo, entry.offset);
    }
    // Each partition's entries are in delivery order too, so its dropped ones are at its start.
    for (const [key, count] of droppedPerPartition) this.#byPartition.get(key)?.entries.splice(0, count);
    this.#options.logger?.debug({ dropped: dropped.length, kept: this.#all.length }, 'received events: oldest dropped');
  }
}

/** Index of the first entry whose seq is at least `seq` (entries are in seq order). */
function firstWithSeqAtLeast(entries: readonly ReceivedEvent[], seq: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((entries[middle] as ReceivedEvent).seq < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The catch-up cursors of the events of one delivered batch, each just after its own event (not
 * after the batch's last one, which would make a reader resuming from it skip the rest of the
 * batch). Made only when read, so a live subscriber that never reads cursors costs nothing, and in
 * one pass over the batch when read in order.
 */
export class BatchCursors {
  #positions: EventPositions;
  /** Entries of the batch already applied to #positions. */
  #applied = 0;

  constructor(
    /** The store's positions before the batch was appended (`latestPositions()`). */
    private readonly before: ReadonlyMap<string, number>,
    /** What `appendMany` returned for the batch (undefined: a replayed record, not kept). */
    private readonly entries: ReadonlyArray<ReceivedEvent | undefined>,
  ) {
    this.#positions = new Map(before);
  }

  /** The cursor just after the batch's `index`-th entry, limited to the topics a reader may see. */
  after(index: number, readable: (topic: string) => boolean): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.entries.length) throw new RangeError(`no entry ${index} in a batch of ${this.entries.length}`);
    if (index < this.#applied - 1) {
      this.#positions = new Map(this.before);
      this.#applied = 0;
    }
    for (; this.#applied <= index; this.#applied++) {
      const entry = this.entries[this.#applied];
      if (entry === undefined) continue;
      const key = positionKey(entry.topic, entry.partition);
      this.#positions.set(key, Math.max(this.#positions.get(key) ?? -1, entry.offset));
    }
    return encodeEventCursor(new Map([...this.#positions].filter(([key]) => readable(topicOfKey(key)))));
  }
}

/** Index of the first entry whose offset is greater than `offset` (entries are in offset order). */
function firstAfter(entries: readonly ReceivedEvent[], offset: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((entries[middle] as ReceivedEvent).offset <= offset) low = middle + 1;
    else high = middle;
  }
  return low;
}
