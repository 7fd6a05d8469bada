/**
 * Test controls against kafkajs on one broker: a broker killed and restarted with or without its
 * data, and injected error codes, dropped connections and delays.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, Kafka as KafkaClient, Producer } from 'kafkajs';
import { ErrorCode, startKafkaTestBroker, type KafkaTestBroker } from './index.js';
import { eventually, quietKafka, sleep } from './test-helpers.js';

const { Partitioners } = kafkajs;

let broker: KafkaTestBroker;
let kafka: KafkaClient;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];

beforeAll(async () => {
  broker = await startKafkaTestBroker();
  // Enough retry budget (about 4 s) to ride out a broker that is down for one second.
  kafka = quietKafka(broker.brokers, { retries: 10, initialRetryTime: 100, maxRetryTime: 400 });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.close();
});

const values = (topic: string) => broker.records(topic, 0).map((record) => record.value?.toString());

describe('test controls of the Kafka test broker', () => {
  it('lets an idempotent producer ride out a broker killed for a second, with no record lost or doubled', async () => {
    broker.createTopic('outage', 1);
    await producer.send({ topic: 'outage', acks: -1, messages: [{ value: 'before' }] });
    await broker.kill();
    expect(broker.online).toBe(false);
    const during = producer.send({ topic: 'outage', acks: -1, messages: [{ value: 'during' }] });
    await sleep(1000);
    await broker.restart();
    await during;
    await producer.send({ topic: 'outage', acks: -1, messages: [{ value: 'after' }] });
    expect(values('outage')).toEqual(['before', 'during', 'after']);
  });

  it('forgets topics, records and offsets when restarted without its data', async () => {
    broker.createTopic('ephemeral', 1);
    await broker.restart({ keepData: false });
    expect(broker.topics()).toEqual([]);
    await expect(admin.listTopics()).resolves.toEqual([]);
  });

  it('has kafkajs retry an injected retriable error, and the record lands once', async () => {
    broker.createTopic('flaky', 1);
    broker.injectFault({ api: 'Produce', topic: 'flaky', errorCode: ErrorCode.NOT_LEADER_FOR_PARTITION, times: 2 });
    await producer.send({ topic: 'flaky', acks: -1, messages: [{ value: 'once' }] });
    expect(broker.pendingFaults()).toBe(0);
    expect(values('flaky')).toEqual(['once']);
  });

  it('hands an injected non-retriable error to the caller and appends nothing', async () => {
    broker.createTopic('refused', 1);
    broker.injectFault({ api: 'Produce', topic: 'refused', errorCode: ErrorCode.MESSAGE_TOO_LARGE });
    await expect(producer.send({ topic: 'refused', acks: -1, messages: [{ value: 'nope' }] })).rejects.toThrow(
      'larger than the max message size',
    );
    expect(values('refused')).toEqual([]);
  });

  it('has kafkajs reconnect after an injected dropped connection', async () => {
    broker.createTopic('dropped', 1);
    broker.injectFault({ api: 'Produce', topic: 'dropped', closeConnection: true });
    await producer.send({ topic: 'dropped', acks: -1, messages: [{ value: 'resent' }] });
    expect(values('dropped')).toEqual(['resent']);
  });

  it('delays a request by the injected time', async () => {
    broker.injectFault({ api: 'ListOffsets', topic: 'dropped', delayMs: 300 });
    const started = Date.now();
    await admin.fetchTopicOffsets('dropped');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('makes a consumer rejoin into a new generation after an injected REBALANCE_IN_PROGRESS heartbeat', async () => {
    broker.createTopic('rejoin', 2);
    const consumer = kafka.consumer({ groupId: 'rejoiners', heartbeatInterval: 50, maxWaitTimeInMs: 50 });
    consumers.push(consumer);
    let joins = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => void (joins += 1));
    await consumer.connect();
    await consumer.subscribe({ topics: ['rejoin'] });
    await consumer.run({ eachMessage: async () => undefined });
    await eventually(() => joins === 1, 10_000, 'the first join');
    broker.injectFault({ api: 'Heartbeat', errorCode: ErrorCode.REBALANCE_IN_PROGRESS });
    await eventually(() => joins === 2, 10_000, 'the rejoin');
    const description = await admin.describeGroups(['rejoiners']);
    expect(description.groups[0]).toMatchObject({ state: 'Stable' });
    expect(description.groups[0]?.members).toHaveLength(1);
  });

  it('expires a consumer that stops heartbeating and gives its partitions to the one that remains', async () => {
    broker.createTopic('expiry', 2);
    const crashing = quietKafka(broker.brokers, { retries: 1, initialRetryTime: 50, maxRetryTime: 100 }, 'crashing-consumer');
    const steady = kafka.consumer({ groupId: 'expiring', sessionTimeout: 1500, heartbeatInterval: 100, maxWaitTimeInMs: 50 });
    const doomed = crashing.consumer({ groupId: 'expiring', sessionTimeout: 1500, heartbeatInterval: 100, maxWaitTimeInMs: 50 });
    consumers.push(steady, doomed);
    const assigned = new Map<string, number[]>();
    steady.on(steady.events.GROUP_JOIN, (event) => void assigned.set('steady', event.payload.memberAssignment.expiry ?? []));
    doomed.on(doomed.events.GROUP_JOIN, (event) => void assigned.set('doomed', event.payload.memberAssignment.expiry ?? []));
    for (const consumer of [steady, doomed]) {
      await consumer.connect();
      await consumer.subscribe({ topics: ['expiry'] });
      await consumer.run({ eachMessage: async () => undefined });
    }
    await eventually(
      () => assigned.get('steady')?.length === 1 && assigned.get('doomed')?.length === 1,
      10_000,
      'one partition each',
    );
    // From now on the doomed consumer cannot reach the coordinator: it looks crashed.
    for (const api of ['Heartbeat', 'JoinGroup', 'SyncGroup', 'OffsetCommit', 'LeaveGroup'] as const) {
      broker.injectFault({ api, clientId: 'crashing-consumer', closeConnection: true, times: 10_000 });
    }
    const started = Date.now();
    await eventually(() => assigned.get('steady')?.length === 2, 10_000, 'the session expiry');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const description = await admin.describeGroups(['expiring']);
    expect(description.groups[0]?.members).toHaveLength(1);
    broker.clearFaults();
  });

  it('refuses a fault without an effect', () => {
    expect(() => broker.injectFault({ api: 'Fetch' })).toThrow(TypeError);
  });
});
