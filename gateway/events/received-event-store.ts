import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { GatewayError } from '../errors/gateway-error.js';
import { parseJsonLine, recoverJsonLines } from '../util/json-lines-file.js';
import type { CloudEvent } from './cloud-event.js';

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

interface PartitionEntries {
  readonly entries: ReceivedEvent[];
  /** Highest offset dropped by retention (-1: none): a cursor before it would miss events. */
  droppedUpTo: number;
}

/**
 * The events this gateway verified and delivered, for `events(after:)` catch-up: one JSON-lines
 * file, in delivery order, kept to `maxEvents`. Only what the consumer pipeline delivered is here
 * (signature, schema and duplicates already checked). Written without fsync: it survives a crash
 * of the process (the page cache holds it), not a power loss; the topics stay the source of truth
 * and can be replayed into it.
 */
export class ReceivedEventStore {
  readonly #options: ReceivedEventStoreOptions;
  readonly #path: string;
  readonly #byPartition = new Map<string, PartitionEntries>();
  readonly #latest: EventPositions = new Map();
  #all: ReceivedEvent[] = [];
  #fd: number;
  #nextSeq = 1;

  private constructor(options: ReceivedEventStoreOptions) {
    this.#options = options;
    mkdirSync(options.dir, { recursive: true });
    this.#path = join(options.dir, 'received.jsonl');
    recoverJsonLines(this.#path, (line) => {
      const entry = parseJsonLine<ReceivedEvent>(line);
      if (entry === undefined || typeof entry.seq !== 'number' || entry.seq < this.#nextSeq) return false;
      this.#index(entry);
      this.#nextSeq = entry.seq + 1;
      return true;
    });
    this.#fd = openSync(this.#path, 'a');
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
  append(position: EventPosition, event: CloudEvent): ReceivedEvent | undefined {
    return this.appendMany([{ position, event }])[0];
  }

  /**
   * Keeps delivered events, in order, with one write; for each, its entry, or undefined when its
   * position is already kept (a replayed record).
   */
  appendMany(items: ReadonlyArray<{ readonly position: EventPosition; readonly event: CloudEvent }>): Array<ReceivedEvent | undefined> {
    const entries: Array<ReceivedEvent | undefined> = [];
    const lastOffsets = new Map<string, number>();
    let text = '';
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
      text += `${JSON.stringify(entry)}\n`;
      entries.push(entry);
    }
    if (text === '') return entries;
    // Written before it is indexed: what readers see is in the file.
    writeSync(this.#fd, text);
    this.#nextSeq = seq;
    for (const entry of entries) if (entry !== undefined) this.#index(entry);
    this.#retain(false);
    return entries;
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

  close(): void {
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

  /** Drops the oldest events beyond `maxEvents`; rewrites the file when it holds twice that. */
  #retain(atOpen: boolean): void {
    // At open, trim to the limit; while running, only in steps of half the limit (a rewrite is O(n)).
    const excess = this.#all.length - this.#options.maxEvents;
    if (excess <= 0) return;
    if (!atOpen && excess < Math.max(1, Math.floor(this.#options.maxEvents / 2))) return;
    const dropped = this.#all.slice(0, excess);
    this.#all = this.#all.slice(excess);
    const droppedPerPartition = new Map<string, number>();
    for (const entry of dropped) {
      const key = positionKey(entry.topic, entry.partition);
      droppedPerPartition.set(key, (droppedPerPartition.get(key) ?? 0) + 1);
      const partition = this.#byPartition.get(key);
      if (partition !== undefined) partition.droppedUpTo = Math.max(partition.droppedUpTo, entry.offset);
    }
    // Each partition's entries are in delivery order too, so its dropped ones are at its start.
    for (const [key, count] of droppedPerPartition) this.#byPartition.get(key)?.entries.splice(0, count);
    // Rewrite atomically: temp file, fsync, rename; then continue appending to the new file.
    const temp = `${this.#path}.tmp`;
    const fd = openSync(temp, 'w');
    writeSync(fd, this.#all.map((e) => `${JSON.stringify(e)}\n`).join(''));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, this.#path);
    closeSync(this.#fd);
    this.#fd = openSync(this.#path, 'a');
    this.#options.logger?.debug({ dropped: dropped.length, kept: this.#all.length }, 'received events: oldest dropped');
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
