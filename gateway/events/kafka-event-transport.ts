// First: it swaps kafkajs's produce encoding modules (Encoder, Record, CRC-32C) for faster ones with
// the same bytes, before kafkajs loads them.
import { kafkajsFastEncoding } from './kafkajs-fast-encoding.js';
import { Kafka, logLevel, type Admin, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { TransportRecord } from './cloud-event.js';
import { partitionForKey, type DeliveredRecord, type EventSubscription, type EventTransport, type SubscribeOptions } from './event-transport.js';

export interface KafkaEventTransportOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Partitions of topics this transport creates. @default 3 */
  readonly partitions?: number;
  /** @default 10_000 */
  readonly requestTimeoutMillis?: number;
  /** Retries of one produce call before `publish` rejects (the outbox relay retries after that). @default 5 */
  readonly retries?: number;
  /** TLS to the brokers, verified against the system's CAs. @default false */
  readonly ssl?: boolean;
  readonly logger?: Logger;
}

/**
 * The Kafka event transport (kafkajs). Producing: idempotent producer, `acks=-1`, one partition per
 * send with the partition chosen here from the subject (the same choice as the embedded transport),
 * and each send's answer checked to cover its partition: kafkajs 2.2.4 can report success for a
 * multi-partition send when a broker died mid-request (kafkajs#1303), so we never rely on that.
 * Consuming: consumer groups, manual commits after the handler resolved.
 */
export class KafkaEventTransport implements EventTransport {
  readonly kind = 'kafka' as const;
  readonly #options: KafkaEventTransportOptions;
  readonly #kafka: Kafka;
  readonly #producer: Producer;
  readonly #admin: Admin;
  readonly #partitions = new Map<string, number>();
  readonly #consumers = new Set<Consumer>();
  #connected: Promise<void> | undefined;

  constructor(options: KafkaEventTransportOptions) {
    if (options.brokers.length === 0) throw new TypeError('at least one Kafka broker is required');
    this.#options = options;
    const logger = options.logger;
    this.#kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      ...(options.ssl === true ? { ssl: true } : {}),
      requestTimeout: options.requestTimeoutMillis ?? 10_000,
      connectionTimeout: 3_000,
      retry: { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: 2_000 },
      logLevel: logLevel.ERROR,
      logCreator: () => (entry) => logger?.warn({ kafka: entry.log, namespace: entry.namespace }, `kafka: ${entry.log.message}`),
    });
    if (!kafkajsFastEncoding.applied) logger?.info({ reason: kafkajsFastEncoding.reason }, 'kafkajs encodes with its own modules (slower, same bytes)');
    this.#producer = this.#kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.#admin = this.#kafka.admin();
  }

  async publish(records: readonly TransportRecord[]): Promise<void> {
    await this.#connect();
    const groups = new Map<string, { topic: string; partition: number; messages: TransportRecord[] }>();
    for (const record of records) {
      const partitions = await this.#ensureTopic(record.topic);
      const partition = partitionForKey(record.key, partitions);
      const id = `${record.topic}:${partition}`;
      const group = groups.get(id) ?? { topic: record.topic, partition, messages: [] };
      group.messages.push(record);
      groups.set(id, group);
    }
    // One send per partition, all in flight together (each partition keeps its order; the
    // idempotent producer numbers each partition's batches on its own). `publish` resolves only
    // when every one was acknowledged; if any failed, the outbox sends the whole batch again and
    // consumers drop the repeats by event id.
    const sends = [...groups.values()].map(async ({ topic, partition, messages }) => {
      const result = await this.#producer.send({
        topic,
        acks: -1,
        messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers }, partition, ...(m.timestamp !== undefined ? { timestamp: String(m.timestamp) } : {}) })),
      });
      const answered = result.find((r) => r.topicName === topic && r.partition === partition);
      if (answered === undefined || answered.errorCode !== 0) {
        throw new Error(`Kafka did not acknowledge ${messages.length} record(s) for ${topic}[${partition}]`);
      }
    });
    const outcomes = await Promise.allSettled(sends);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  async subscribe(options: SubscribeOptions): Promise<EventSubscription> {
    await this.#connect();
    for (const topic of options.topics) await this.#ensureTopic(topic);
    const consumer = this.#kafka.consumer({ groupId: options.groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, retry: { retries: 10 } });
    this.#consumers.add(consumer);
    await consumer.connect();
    for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
    // A batch-signed batch's records all carry the same ~3.4 KB `ce_jws`: decoded once while it
    // repeats (a byte comparison instead of a UTF-8 decode and a new string per record).
    let lastJwsBytes: Buffer | undefined;
    let lastJws = '';
    const headerText = (name: string, value: Buffer | string): string => {
      if (name !== 'ce_jws' || typeof value === 'string') return String(value);
      if (lastJwsBytes === undefined || !lastJwsBytes.equals(value)) {
        lastJws = value.toString('utf8');
        // A copy: the value is a view of the whole fetch response, which it would otherwise keep.
        lastJwsBytes = Buffer.from(value);
      }
      return lastJws;
    };
    const toDelivered = (topic: string, partition: number, message: KafkaMessage): DeliveredRecord => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (value === undefined) continue;
        const first = Array.isArray(value) ? value[0] : value;
        headers[name] = first === undefined ? String(first) : headerText(name, first);
      }
      return {
        topic,
        partition,
        offset: Number(message.offset),
        timestamp: Number(message.timestamp),
        key: message.key?.toString('utf8') ?? '',
        headers,
        value: message.value?.toString('utf8') ?? '',
      };
    };
    const handleBatch = options.handleBatch;
    await consumer.run({
      autoCommit: false,
      ...(handleBatch !== undefined
        ? {
            eachBatchAutoResolve: false,
            eachBatch: async ({ batch, resolveOffset, heartbeat, isStale }) => {
              const last = batch.messages[batch.messages.length - 1];
              if (last === undefined || isStale()) return;
              await handleBatch(batch.messages.map((message) => toDelivered(batch.topic, batch.partition, message)));
              // A seek or a rebalance while handling: the position is no longer ours to move.
              if (isStale()) return;
              resolveOffset(last.offset);
              // Commit only after the handler succeeded: a crash before this re-delivers (at-least-once).
              await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(BigInt(last.offset) + 1n) }]);
              await heartbeat();
            },
          }
        : {
            eachMessage: async ({ topic, partition, message }) => {
              await options.handle(toDelivered(topic, partition, message));
              // Commit only after the handler succeeded: a crash before this re-delivers (at-least-once).
              await consumer.commitOffsets([{ topic, partition, offset: String(BigInt(message.offset) + 1n) }]);
            },
          }),
    });
    return {
      seek: async (topic, partition, offset) => {
        consumer.seek({ topic, partition, offset: String(offset) });
      },
      seekToTime: async (topic, time) => {
        const offsets = await this.#admin.fetchTopicOffsetsByTimestamp(topic, time.getTime());
        for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset });
      },
      close: async () => {
        this.#consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#consumers].map((c) => c.disconnect()));
    this.#consumers.clear();
    if (this.#connected !== undefined) await Promise.allSettled([this.#producer.disconnect(), this.#admin.disconnect()]);
  }

  #connect(): Promise<void> {
    this.#connected ??= Promise.all([this.#producer.connect(), this.#admin.connect()]).then(() => undefined);
    return this.#connected;
  }

  async #ensureTopic(topic: string): Promise<number> {
    const known = this.#partitions.get(topic);
    if (known !== undefined) return known;
    await this.#admin.createTopics({ topics: [{ topic, numPartitions: this.#options.partitions ?? 3 }], waitForLeaders: true }).catch(() => false);
    const metadata = await this.#admin.fetchTopicMetadata({ topics: [topic] });
    const count = metadata.topics[0]?.partitions.length ?? 0;
    if (count === 0) throw new Error(`topic ${topic} has no partitions`);
    this.#partitions.set(topic, count);
    return count;
  }
}
