/**
 * kafkajs 2.2.4 against the test broker over real TCP: admin, an idempotent producer with
 * acks=-1, consumer groups with manual commits, rebalancing, seek, and replay by time.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, ConsumerConfig, EachMessagePayload, Kafka as KafkaClient, Producer } from 'kafkajs';
import { RawKafkaClient } from './raw-client.js';
import { startKafkaTestBroker, type KafkaTestBroker } from './index.js';
import { eventually, quietKafka } from './test-helpers.js';

const { CompressionTypes, Partitioners } = kafkajs;

let broker: KafkaTestBroker;
const brokerErrors: unknown[] = [];
let kafka: KafkaClient;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];

function newConsumer(groupId: string, overrides: Partial<ConsumerConfig> = {}): Consumer {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 6000,
    rebalanceTimeout: 3000,
    heartbeatInterval: 100,
    maxWaitTimeInMs: 100,
    retry: { retries: 2, initialRetryTime: 50, maxRetryTime: 200 },
    ...overrides,
  });
  consumers.push(consumer);
  return consumer;
}

async function stopConsumer(consumer: Consumer): Promise<void> {
  await consumer.disconnect();
  consumers.splice(consumers.indexOf(consumer), 1);
}

beforeAll(async () => {
  const ignore = () => undefined;
  broker = await startKafkaTestBroker({
    defaultPartitions: 1,
    logger: { debug: ignore, info: ignore, warn: ignore, error: (context) => void brokerErrors.push(context) },
  });
  kafka = quietKafka(broker.brokers);
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.close();
});

describe('the Kafka test broker with kafkajs', () => {
  it('lets admin create, list, describe and delete topics', async () => {
    await expect(
      admin.createTopics({ topics: [{ topic: 'admin-topic', numPartitions: 3 }, { topic: 'doomed', numPartitions: 1 }] }),
    ).resolves.toBe(true);
    await expect(admin.createTopics({ topics: [{ topic: 'admin-topic', numPartitions: 3 }] })).resolves.toBe(false);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['admin-topic', 'doomed']));
    const metadata = await admin.fetchTopicMetadata({ topics: ['admin-topic'] });
    expect(metadata.topics[0]?.partitions.map((partition) => partition.partitionId).sort()).toEqual([0, 1, 2]);
    expect(metadata.topics[0]?.partitions[0]?.leader).toBe(broker.brokerId);
    await admin.deleteTopics({ topics: ['doomed'] });
    expect(broker.topics()).not.toContain('doomed');
    expect(broker.partitionCount('admin-topic')).toBe(3);
  });

  it('stores keyed records with headers from an idempotent acks=-1 producer, partitioned by key', async () => {
    await admin.createTopics({ topics: [{ topic: 'keyed', numPartitions: 3 }] });
    const messages = Array.from({ length: 30 }, (_, index) => ({
      key: `subject-${index % 6}`,
      value: JSON.stringify({ index }),
      headers: { ce_id: `event-${index}`, ce_type: 'gcc.hr.employment.ended.v1' },
    }));
    const results = await producer.send({ topic: 'keyed', acks: -1, messages });
    expect(results.every((result) => result.errorCode === 0)).toBe(true);

    const stored = [0, 1, 2].flatMap((partition) =>
      broker.records('keyed', partition).map((record) => ({ partition, record })),
    );
    expect(stored).toHaveLength(30);
    const partitionsByKey = new Map<string, Set<number>>();
    for (const { partition, record } of stored) {
      const key = record.key?.toString() ?? '';
      partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(partition));
      const index = (JSON.parse(record.value?.toString() ?? '{}') as { index: number }).index;
      expect(record.headers).toEqual([
        { key: 'ce_id', value: Buffer.from(`event-${index}`) },
        { key: 'ce_type', value: Buffer.from('gcc.hr.employment.ended.v1') },
      ]);
    }
    expect([...partitionsByKey.values()].every((partitions) => partitions.size === 1)).toBe(true);
    expect(new Set(stored.map(({ partition }) => partition)).size).toBeGreaterThan(1);
  });

  it('delivers every record to a consumer group with its key, headers, partition and offset', async () => {
    const consumer = newConsumer('keyed-readers');
    await consumer.connect();
    await consumer.subscribe({ topics: ['keyed'], fromBeginning: true });
    const seen: EachMessagePayload[] = [];
    await consumer.run({ eachMessage: async (payload) => void seen.push(payload) });
    await eventually(() => seen.length >= 30, 15_000, '30 records');

    const stored = [0, 1, 2].flatMap((partition) =>
      broker.records('keyed', partition).map((record) => ({
        partition,
        offset: String(record.offset),
        key: record.key?.toString(),
        value: record.value?.toString(),
        ceId: record.headers[0]?.value?.toString(),
      })),
    );
    const received = seen.map(({ partition, message }) => ({
      partition,
      offset: message.offset,
      key: message.key?.toString(),
      value: message.value?.toString(),
      ceId: message.headers?.ce_id?.toString(),
    }));
    const order = (left: { partition: number; offset: string }, right: { partition: number; offset: string }) =>
      left.partition - right.partition || Number(left.offset) - Number(right.offset);
    expect(received.sort(order)).toEqual(stored.sort(order));
    await stopConsumer(consumer);
  });

  it('resumes a restarted consumer after the offset it committed by hand', async () => {
    await admin.createTopics({ topics: [{ topic: 'manual-commits', numPartitions: 1 }] });
    await producer.send({
      topic: 'manual-commits',
      messages: Array.from({ length: 10 }, (_, index) => ({ key: 'k', value: `m${index}` })),
    });

    const first = newConsumer('manual-group');
    await first.connect();
    await first.subscribe({ topics: ['manual-commits'], fromBeginning: true });
    const firstSeen: string[] = [];
    await first.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        firstSeen.push(message.offset);
        if (message.offset === '3') await first.commitOffsets([{ topic, partition, offset: '4' }]);
      },
    });
    await eventually(() => firstSeen.length === 10, 10_000, 'the first consumer');
    await stopConsumer(first);
    expect(await admin.fetchOffsets({ groupId: 'manual-group', topics: ['manual-commits'] })).toEqual([
      { topic: 'manual-commits', partitions: [{ partition: 0, offset: '4', metadata: null }] },
    ]);

    const second = newConsumer('manual-group');
    await second.connect();
    await second.subscribe({ topics: ['manual-commits'], fromBeginning: true });
    const secondSeen: string[] = [];
    await second.run({ autoCommit: false, eachMessage: async ({ message }) => void secondSeen.push(message.offset) });
    await eventually(() => secondSeen.length === 6, 10_000, 'the restarted consumer');
    expect(secondSeen).toEqual(['4', '5', '6', '7', '8', '9']);
    await stopConsumer(second);
  });

  it('splits the partitions between two consumers of one group after a rebalance', async () => {
    await admin.createTopics({ topics: [{ topic: 'shared-work', numPartitions: 4 }] });
    const assignments = new Map<string, number[]>();
    const joins = new Map<string, number>();
    const received = new Map<string, number[]>();
    const start = async (name: string) => {
      const consumer = newConsumer('sharing-group');
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        assignments.set(name, event.payload.memberAssignment['shared-work'] ?? []);
        joins.set(name, (joins.get(name) ?? 0) + 1);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: ['shared-work'], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition }) => void received.set(name, [...(received.get(name) ?? []), partition]),
      });
      return consumer;
    };

    const first = await start('first');
    await eventually(() => assignments.get('first')?.length === 4, 10_000, 'the first assignment');
    const second = await start('second');
    await eventually(
      () => (assignments.get('first')?.length ?? 0) === 2 && (assignments.get('second')?.length ?? 0) === 2,
      15_000,
      'the rebalance',
    );
    const firstPartitions = assignments.get('first') ?? [];
    const secondPartitions = assignments.get('second') ?? [];
    expect([...firstPartitions, ...secondPartitions].sort()).toEqual([0, 1, 2, 3]);
    // The first consumer learned of the rebalance (REBALANCE_IN_PROGRESS) and joined again.
    expect(joins.get('first')).toBe(2);

    const description = await admin.describeGroups(['sharing-group']);
    expect(description.groups[0]?.state).toBe('Stable');
    expect(description.groups[0]?.members).toHaveLength(2);
    expect((await admin.listGroups()).groups.map((group) => group.groupId)).toContain('sharing-group');

    await producer.send({
      topic: 'shared-work',
      messages: [0, 1, 2, 3].flatMap((partition) => [
        { partition, value: 'a' },
        { partition, value: 'b' },
      ]),
    });
    await eventually(
      () => (received.get('first')?.length ?? 0) + (received.get('second')?.length ?? 0) === 8,
      10_000,
      'eight records',
    );
    expect(new Set(received.get('first'))).toEqual(new Set(firstPartitions));
    expect(new Set(received.get('second'))).toEqual(new Set(secondPartitions));
    await stopConsumer(second);
    await stopConsumer(first);
  });

  it('replays a partition from an earlier offset after consumer.seek', async () => {
    await admin.createTopics({ topics: [{ topic: 'replayable', numPartitions: 1 }] });
    await producer.send({
      topic: 'replayable',
      messages: Array.from({ length: 10 }, (_, index) => ({ value: `r${index}` })),
    });
    const consumer = newConsumer('replayers');
    await consumer.connect();
    await consumer.subscribe({ topics: ['replayable'], fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.offset) });
    await eventually(() => seen.length === 10, 10_000, 'the first pass');
    consumer.seek({ topic: 'replayable', partition: 0, offset: '6' });
    await eventually(() => seen.length === 14, 10_000, 'the replay');
    expect(seen.slice(10)).toEqual(['6', '7', '8', '9']);
    await stopConsumer(consumer);
  });

  it('finds the first offset at or after a time with fetchTopicOffsetsByTimestamp', async () => {
    await admin.createTopics({ topics: [{ topic: 'timeline', numPartitions: 1 }] });
    const base = Date.UTC(2026, 0, 1);
    for (let batch = 0; batch < 2; batch += 1) {
      await producer.send({
        topic: 'timeline',
        messages: Array.from({ length: 5 }, (_, index) => ({
          value: `t${batch * 5 + index}`,
          timestamp: String(base + (batch * 5 + index) * 1000),
        })),
      });
    }
    const at = (timestamp: number) => admin.fetchTopicOffsetsByTimestamp('timeline', timestamp);
    await expect(at(base + 6500)).resolves.toEqual([{ partition: 0, offset: '7' }]);
    await expect(at(base + 2000)).resolves.toEqual([{ partition: 0, offset: '2' }]);
    await expect(at(base - 1)).resolves.toEqual([{ partition: 0, offset: '0' }]);
    // Later than every record: kafkajs falls back to the end of the log.
    await expect(at(base + 60_000)).resolves.toEqual([{ partition: 0, offset: '10' }]);
    await expect(admin.fetchTopicOffsets('timeline')).resolves.toEqual([
      expect.objectContaining({ partition: 0, offset: '10', high: '10', low: '0' }),
    ]);
  });

  it('stores gzip batches from kafkajs as sent and serves them back to a consumer', async () => {
    await admin.createTopics({ topics: [{ topic: 'compressed', numPartitions: 1 }] });
    const values = Array.from({ length: 20 }, (_, index) => `compressible payload ${index} `.repeat(20));
    await producer.send({ topic: 'compressed', compression: CompressionTypes.GZIP, messages: values.map((value) => ({ value })) });
    expect(broker.records('compressed', 0).map((record) => record.value?.toString())).toEqual(values);

    const consumer = newConsumer('decompressors');
    await consumer.connect();
    await consumer.subscribe({ topics: ['compressed'], fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    await eventually(() => seen.length === 20, 10_000, 'the compressed records');
    expect(seen).toEqual(values);
    await stopConsumer(consumer);
  });

  it('closes only the connection that sent a garbage frame while other clients keep working', async () => {
    const raw = await RawKafkaClient.open(broker.port);
    raw.writeRaw(Buffer.from('GET / HTTP/1.1\r\nHost: kafka\r\n\r\n'));
    await raw.closed;
    const results = await producer.send({ topic: 'keyed', messages: [{ key: 'after-garbage', value: 'still here' }] });
    expect(results[0]?.errorCode).toBe(0);
  });

  it('never hit an internal error while serving kafkajs', () => {
    expect(brokerErrors).toEqual([]);
  });
});
