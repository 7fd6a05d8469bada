import type { TransportRecord } from './cloud-event.js';

/** A record as delivered to a consumer: where it sits in its topic. */
export interface DeliveredRecord extends TransportRecord {
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
}

export interface SubscribeOptions {
  /** Consumers with the same group share the partitions; each record reaches one member. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group without a committed position starts. @default true */
  readonly fromBeginning?: boolean;
  /**
   * Called for each record, in order within a partition. The group's position moves past the record
   * only after this resolves (at-least-once); if it throws, the record is delivered again.
   */
  readonly handle: (record: DeliveredRecord) => Promise<void>;
  /**
   * When given, used instead of `handle`: consecutive records of one partition, in offset order.
   * The position moves past the last of them only after this resolves; if it throws, all of them
   * are delivered again. Lets a consumer verify, store and fan out a batch at once.
   */
  readonly handleBatch?: (records: readonly DeliveredRecord[]) => Promise<void>;
}

export interface EventSubscription {
  /** Replays a partition from an offset (the next record handled is the one at `offset`). */
  seek(topic: string, partition: number, offset: number): Promise<void>;
  /** Replays every partition of a topic from the first record at or after `time`. */
  seekToTime(topic: string, time: Date): Promise<void>;
  close(): Promise<void>;
}

/**
 * The one port for cross-border events (DESIGN.md, "Cross-border events"): `embedded` (a durable
 * local log, the default) and `kafka` implement it with the same semantics — partitions keyed by
 * subject, offsets, consumer groups with committed positions, replay by offset or time.
 */
export interface EventTransport {
  readonly kind: 'embedded' | 'kafka';
  /** Resolves once every record is durably accepted (fsync, or Kafka acks=all). */
  publish(records: readonly TransportRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<EventSubscription>;
  close(): Promise<void>;
}

/** FNV-1a of the key: the same subject always lands in the same partition. */
export function partitionForKey(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
