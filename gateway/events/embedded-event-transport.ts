import { closeSync, existsSync, fdatasync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { open, rename, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { parseJsonLine, recoverJsonLines } from '../util/json-lines-file.js';
import { writeFully } from '../util/write-fully.js';
import type { TransportRecord } from './cloud-event.js';
import { appendWithMember, JsonLineBytes, RepeatedStringJson } from './repeated-string-json.js';
import { partitionForKey, type DeliveredRecord, type EventSubscription, type EventTransport, type SubscribeOptions } from './event-transport.js';

export interface EmbeddedEventTransportOptions {
  /** Directory of the log: `<dir>/topics/<topic>/<partition>.jsonl`, `<dir>/groups/<group>.json`. */
  readonly dir: string;
  /** Partitions of a topic created by this transport. @default 3 */
  readonly partitions?: number;
  /** How often committed group positions are written to disk. @default 50 */
  readonly positionFlushMillis?: number;
  readonly logger?: Logger;
}

interface StoredRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: string;
}

interface Partition {
  readonly fd: number;
  readonly records: StoredRecord[];
  readonly waiters: Set<() => void>;
}

interface Member {
  readonly id: number;
  readonly options: SubscribeOptions;
  closed: boolean;
  wake: (() => void) | undefined;
}

interface Group {
  readonly id: string;
  readonly members: Member[];
  readonly positions: Map<string, number>;
  dirty: boolean;
}

const TOPIC = /^[a-z0-9][a-z0-9._-]{0,200}$/;
/** Records handed to a `handleBatch` consumer at once. */
const MAX_BATCH_RECORDS = 500;
const fdatasyncAsync = promisify(fdatasync);
const tp = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * The embedded event transport: a durable log on local disk with Kafka's semantics — topics split
 * into partitions by key, offsets, consumer groups whose members share partitions, positions that
 * survive a restart, replay by offset or time. One process owns a log directory. Positions are
 * flushed every `positionFlushMillis`, so after a crash a record may be delivered again
 * (at-least-once; consumers deduplicate by event id).
 */
export class EmbeddedEventTransport implements EventTransport {
  readonly kind = 'embedded' as const;
  readonly #options: Required<Omit<EmbeddedEventTransportOptions, 'logger'>> & { logger: Logger | undefined };
  readonly #topics = new Map<string, Partition[]>();
  readonly #groups = new Map<string, Group>();
  #nextMemberId = 1;
  #flushTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** The periodic position flush in progress, if any (close waits for it). */
  #flushInFlight: Promise<void> | undefined;
  /** The write in progress; publishes are written one after the other, so offsets follow call order. */
  #writing: Promise<void> = Promise.resolve();
  readonly #jwsJson = new RepeatedStringJson();

  constructor(options: EmbeddedEventTransportOptions) {
    this.#options = { dir: options.dir, partitions: options.partitions ?? 3, positionFlushMillis: options.positionFlushMillis ?? 50, logger: options.logger };
    if (!Number.isInteger(this.#options.partitions) || this.#options.partitions < 1 || this.#options.partitions > 64) throw new TypeError('partitions must be 1..64');
    mkdirSync(join(options.dir, 'topics'), { recursive: true });
    mkdirSync(join(options.dir, 'groups'), { recursive: true });
  }

  publish(records: readonly TransportRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the event transport is closed'));
    const written = this.#writing.then(() => this.#write(records));
    this.#writing = written.catch(() => undefined);
    return written;
  }

  async #write(records: readonly TransportRecord[]): Promise<void> {
    if (this.#closed) throw new Error('the event transport is closed');
    const byPartition = new Map<Partition, StoredRecord[]>();
    const now = Date.now();
    for (const record of records) {
      const partitions = this.#topic(record.topic);
      const partition = partitions[partitionForKey(record.key, partitions.length)] as Partition;
      const pending = byPartition.get(partition) ?? [];
      const offset = partition.records.length + pending.length;
      pending.push({ offset, timestamp: record.timestamp ?? now, key: record.key, headers: { ...record.headers }, value: record.value });
      byPartition.set(partition, pending);
    }
    // Durable before acknowledged: write and fdatasync every touched partition (in parallel, off
    // the event loop), then make visible. A failed write leaves the records invisible; a torn tail
    // is dropped at the next open (recoverJsonLines), so offsets stay dense.
    await Promise.all(
      [...byPartition].map(async ([partition, pending]) => {
        // The same as JSON.stringify(r) per record, with a batch's shared `ce_jws` escaped and
        // encoded once (copied into each line as bytes).
        const lines = new JsonLineBytes();
        for (const r of pending) {
          lines.text(`{"offset":${JSON.stringify(r.offset)},"timestamp":${JSON.stringify(r.timestamp)},"key":${JSON.stringify(r.key)},"value":${JSON.stringify(r.value)},"headers":`);
          appendWithMember(lines, r.headers, 'ce_jws', this.#jwsJson);
          lines.text('}\n');
        }
        const bytes = lines.take();
        await writeFully(partition.fd, bytes);
        await fdatasyncAsync(partition.fd);
      }),
    );
    for (const [partition, pending] of byPartition) {
      partition.records.push(...pending);
      for (const wake of partition.waiters) wake();
      partition.waiters.clear();
    }
  }

  async subscribe(options: SubscribeOptions): Promise<EventSubscription> {
    if (this.#closed) throw new Error('the event transport is closed');
    for (const topic of options.topics) this.#topic(topic);
    const group = this.#group(options.groupId);
    const member: Member = { id: this.#nextMemberId++, options, closed: false, wake: undefined };
    group.members.push(member);
    this.#wakeGroup(group);
    void this.#run(group, member);
    return {
      seek: async (topic, partition, offset) => {
        group.positions.set(tp(topic, partition), Math.max(0, offset));
        group.dirty = true;
        this.#wakeGroup(group);
      },
      seekToTime: async (topic, time) => {
        const at = time.getTime();
        this.#topic(topic).forEach((partition, index) => {
          const first = partition.records.find((r) => r.timestamp >= at);
          group.positions.set(tp(topic, index), first?.offset ?? partition.records.length);
        });
        group.dirty = true;
        this.#wakeGroup(group);
      },
      close: async () => {
        member.closed = true;
        member.wake?.();
        const index = group.members.indexOf(member);
        if (index >= 0) group.members.splice(index, 1);
        this.#wakeGroup(group);
        this.#flushPositions();
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writing;
    for (const group of this.#groups.values()) for (const member of group.members) {
      member.closed = true;
      member.wake?.();
    }
    clearInterval(this.#flushTimer);
    // A periodic flush still writing would otherwise create its temporary file after close()
    // returned (in a directory the caller may already be removing); it gives way to the flush here.
    await this.#flushInFlight;
    this.#flushPositions();
    for (const partitions of this.#topics.values()) for (const partition of partitions) closeSync(partition.fd);
    this.#topics.clear();
  }

  /** The partitions of this group assigned to a member: round robin in join order. */
  #assignment(group: Group, member: Member): Array<{ topic: string; partition: number }> {
    const all: Array<{ topic: string; partition: number }> = [];
    const topics = [...new Set(group.members.flatMap((m) => m.options.topics))].sort();
    for (const topic of topics) this.#topic(topic).forEach((_, partition) => all.push({ topic, partition }));
    const index = group.members.indexOf(member);
    if (index < 0) return [];
    return all.filter((_, i) => i % group.members.length === index && member.options.topics.includes(all[i]!.topic));
  }

  async #run(group: Group, member: Member): Promise<void> {
    const fromBeginning = member.options.fromBeginning ?? true;
    while (!member.closed && !this.#closed) {
      let progressed = false;
      const assigned = this.#assignment(group, member);
      for (const { topic, partition: index } of assigned) {
        const partition = this.#topic(topic)[index] as Partition;
        const key = tp(topic, index);
        if (!group.positions.has(key)) group.positions.set(key, fromBeginning ? 0 : partition.records.length);
        const { handle, handleBatch } = member.options;
        while (!member.closed && (group.positions.get(key) ?? 0) < partition.records.length) {
          if (!this.#assignment(group, member).some((a) => a.topic === topic && a.partition === index)) break;
          const position = group.positions.get(key) ?? 0;
          const end = Math.min(partition.records.length, position + (handleBatch !== undefined ? MAX_BATCH_RECORDS : 1));
          const batch: DeliveredRecord[] = [];
          for (let offset = position; offset < end; offset++) {
            const record = partition.records[offset] as StoredRecord;
            batch.push({ topic, partition: index, offset: record.offset, timestamp: record.timestamp, key: record.key, headers: record.headers, value: record.value });
          }
          try {
            if (handleBatch !== undefined) await handleBatch(batch);
            else await handle(batch[0] as DeliveredRecord);
          } catch (error) {
            this.#options.logger?.warn({ err: error, topic, partition: index, offset: position, records: batch.length }, 'event handler failed; the records will be delivered again');
            await new Promise((resolve) => setTimeout(resolve, 100));
            break;
          }
          // Move on only if nobody moved the position meanwhile (a seek wins).
          if (group.positions.get(key) === position) group.positions.set(key, end);
          group.dirty = true;
          progressed = true;
        }
      }
      if (!progressed && !member.closed) await this.#waitForData(member, assigned, 250);
    }
  }

  #waitForData(member: Member, assigned: ReadonlyArray<{ topic: string; partition: number }>, millis: number): Promise<void> {
    return new Promise((resolve) => {
      const partitions = assigned.map(({ topic, partition }) => this.#topic(topic)[partition] as Partition);
      const done = (): void => {
        clearTimeout(timer);
        for (const p of partitions) p.waiters.delete(done);
        member.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, millis);
      for (const p of partitions) p.waiters.add(done);
      member.wake = done;
    });
  }

  #wakeGroup(group: Group): void {
    for (const member of group.members) member.wake?.();
  }

  #topic(name: string): Partition[] {
    const existing = this.#topics.get(name);
    if (existing !== undefined) return existing;
    if (!TOPIC.test(name)) throw new TypeError(`invalid topic name: ${name}`);
    const dir = join(this.#options.dir, 'topics', name);
    mkdirSync(dir, { recursive: true });
    const files = readdirSync(dir).filter((f) => /^\d+\.jsonl$/.test(f));
    const count = files.length > 0 ? files.length : this.#options.partitions;
    const partitions = Array.from({ length: count }, (_, index) => this.#openPartition(join(dir, `${index}.jsonl`)));
    this.#topics.set(name, partitions);
    return partitions;
  }

  #openPartition(path: string): Partition {
    const records: StoredRecord[] = [];
    // Whole records in offset order; a torn tail from a crash was never acknowledged.
    recoverJsonLines(path, (line, index) => {
      const record = parseJsonLine<StoredRecord>(line);
      if (record?.offset !== index) return false;
      records.push(record);
      return true;
    });
    return { fd: openSync(path, 'a'), records, waiters: new Set() };
  }

  #group(id: string): Group {
    const existing = this.#groups.get(id);
    if (existing !== undefined) return existing;
    if (!/^[A-Za-z0-9._:-]{1,200}$/.test(id)) throw new TypeError(`invalid group id: ${id}`);
    const file = join(this.#options.dir, 'groups', `${encodeURIComponent(id)}.json`);
    const positions = new Map<string, number>(existsSync(file) ? Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : []);
    const group: Group = { id, members: [], positions, dirty: false };
    this.#groups.set(id, group);
    if (this.#flushTimer === undefined) {
      this.#flushTimer = setInterval(() => {
        this.#flushInFlight ??= this.#flushPositionsAsync().finally(() => {
          this.#flushInFlight = undefined;
        });
      }, this.#options.positionFlushMillis);
      this.#flushTimer.unref();
    }
    return group;
  }

  /**
   * The periodic flush: like #flushPositions, but the disk work off the event loop (one at a time).
   * A crash loses at most the positions since the last flush: those records are delivered again.
   */
  async #flushPositionsAsync(): Promise<void> {
    try {
      for (const group of this.#groups.values()) {
        if (!group.dirty || this.#closed) continue;
        group.dirty = false;
        const file = join(this.#options.dir, 'groups', `${encodeURIComponent(group.id)}.json`);
        // Its own temp file: a synchronous flush (a member closing) may run meanwhile. If it does,
        // this older snapshot may land after it: positions then step back a little, and those
        // records are delivered again (at-least-once), never skipped.
        const temp = `${file}.flush.tmp`;
        const handle = await open(temp, 'w');
        try {
          await handle.writeFile(JSON.stringify(Object.fromEntries(group.positions)));
          await handle.sync();
        } finally {
          await handle.close();
        }
        // Closing meanwhile: close() writes the positions itself once this has returned (and its
        // file must not be replaced by this older snapshot), so leave the group to it.
        if (this.#closed) {
          group.dirty = true;
          await unlink(temp);
          return;
        }
        await rename(temp, file);
      }
    } catch (error) {
      this.#options.logger?.warn({ err: error }, 'could not write consumer positions; will retry');
      for (const group of this.#groups.values()) group.dirty = true;
    }
  }

  /** Writes committed positions atomically (temp file, fsync, rename). */
  #flushPositions(): void {
    for (const group of this.#groups.values()) {
      if (!group.dirty) continue;
      group.dirty = false;
      const file = join(this.#options.dir, 'groups', `${encodeURIComponent(group.id)}.json`);
      const temp = `${file}.tmp`;
      const fd = openSync(temp, 'w');
      writeSync(fd, JSON.stringify(Object.fromEntries(group.positions)));
      fsyncSync(fd);
      closeSync(fd);
      renameSync(temp, file);
    }
  }
}
