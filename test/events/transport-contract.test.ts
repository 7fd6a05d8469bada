import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCloudEvent, fromTransportRecord, toTransportRecord, type TransportRecord } from '../../gateway/events/cloud-event.js';
import { EmbeddedEventTransport } from '../../gateway/events/embedded-event-transport.js';
import { EventOutbox } from '../../gateway/events/event-outbox.js';
import type { DeliveredRecord, EventSubscription, EventTransport } from '../../gateway/events/event-transport.js';
import { KafkaEventTransport } from '../../gateway/events/kafka-event-transport.js';
import { startKafkaTestBroker } from '../kafka-broker/index.js';
import { until } from '../support/until.js';

type Broker = Awaited<ReturnType<typeof startKafkaTestBroker>>;

let sequence = 0;
function events(count: number, topic: string, subjects = 5): TransportRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const n = ++sequence;
    const event = createCloudEvent({
      source: 'GCC:QA:GOV:MOF:payroll',
      type: 'gcc.cloud.provisioning.completed.v1',
      subject: `req-${i % subjects}`,
      data: { requestId: `req-${i % subjects}`, tenantId: 'tnt-qa-mof-prod', state: 'SUCCEEDED', n },
    });
    return toTransportRecord(event, topic);
  });
}


interface Harness {
  readonly transport: () => EventTransport;
  readonly fresh: () => Promise<EventTransport>;
}

/** The same behaviour is required of every transport (issue: "the same suite runs on the embedded transport"). */
function describeTransport(name: string, setup: () => Promise<Harness>, teardown: () => Promise<void>): void {
  describe(`${name} event transport`, () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await setup();
    });
    afterAll(teardown);

    it('delivers every record of a topic to a group, in order per subject, and resumes after the last handled', async () => {
      const topic = `gcc.qa.cloud.${name}.order`;
      const published = events(30, topic);
      await harness.transport().publish(published);
      const seen: DeliveredRecord[] = [];
      const first = await harness.transport().subscribe({ groupId: `${name}-order`, topics: [topic], handle: async (r) => void seen.push(r) });
      await until(() => seen.length >= 30);
      await first.close();
      for (let s = 0; s < 5; s++) {
        const ns = seen.filter((r) => r.key === `req-${s}`).map((r) => (fromTransportRecord(r).data as { n: number }).n);
        expect(ns).toEqual([...ns].sort((a, b) => a - b));
      }
      expect(new Set(seen.map((r) => r.headers['ce_id'])).size).toBe(30);
      // The same group continues after what it committed: only the new records arrive.
      await harness.transport().publish(events(3, topic));
      const later: DeliveredRecord[] = [];
      const second = await harness.transport().subscribe({ groupId: `${name}-order`, topics: [topic], handle: async (r) => void later.push(r) });
      await until(() => later.length >= 3);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await second.close();
      expect(later).toHaveLength(3);
    });

    it('replays from an offset and from a time', async () => {
      const topic = `gcc.qa.cloud.${name}.replay`;
      await harness.transport().publish(events(10, topic, 1));
      const marker = new Date(Date.now() + 5);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await harness.transport().publish(events(4, topic, 1));
      const seen: DeliveredRecord[] = [];
      let subscription: EventSubscription | undefined;
      subscription = await harness.transport().subscribe({ groupId: `${name}-replay`, topics: [topic], handle: async (r) => void seen.push(r) });
      await until(() => seen.length >= 14);
      const partition = seen[0]!.partition;
      seen.length = 0;
      await subscription.seek(topic, partition, 12);
      await until(() => seen.length >= 2);
      expect(seen.map((r) => r.offset)).toEqual([12, 13]);
      seen.length = 0;
      await subscription.seekToTime(topic, marker);
      await until(() => seen.length >= 4);
      expect(seen.map((r) => r.offset)).toEqual([10, 11, 12, 13]);
      await subscription.close();
      subscription = undefined;
    });

    it('redelivers a record whose handler failed', async () => {
      const topic = `gcc.qa.cloud.${name}.retry`;
      await harness.transport().publish(events(1, topic));
      let attempts = 0;
      const subscription = await harness.transport().subscribe({
        groupId: `${name}-retry`,
        topics: [topic],
        handle: async () => {
          attempts += 1;
          if (attempts === 1) throw new Error('transient');
        },
      });
      await until(() => attempts >= 2);
      await subscription.close();
    });

    it('hands a batch consumer consecutive records of one partition, again after a failed batch, and commits after the batch', async () => {
      const topic = `gcc.qa.cloud.${name}.batch`;
      const published = events(40, topic, 7);
      await harness.transport().publish(published);
      const batches: DeliveredRecord[][] = [];
      let failures = 0;
      const handleBatch = async (records: readonly DeliveredRecord[]): Promise<void> => {
        if (failures === 0) {
          failures += 1;
          throw new Error('transient');
        }
        batches.push([...records]);
      };
      const first = await harness.transport().subscribe({ groupId: `${name}-batch`, topics: [topic], handle: async () => Promise.reject(new Error('handle is not used when handleBatch is given')), handleBatch });
      await until(() => new Set(batches.flat().map((r) => r.headers['ce_id'])).size >= 40, 30_000);
      await first.close();
      expect(failures).toBe(1);
      for (const batch of batches) {
        expect(new Set(batch.map((r) => `${r.topic}:${r.partition}`)).size).toBe(1);
        expect(batch.map((r) => r.offset)).toEqual(batch.map((_, i) => (batch[0] as DeliveredRecord).offset + i));
      }
      expect(new Set(batches.flat().map((r) => r.headers['ce_id']))).toEqual(new Set(published.map((r) => r.headers['ce_id'])));
      // Committed after each batch: the group goes on with only what is new.
      await harness.transport().publish(events(2, topic));
      const later: DeliveredRecord[] = [];
      const second = await harness.transport().subscribe({ groupId: `${name}-batch`, topics: [topic], handle: async (r) => void later.push(r), handleBatch: async (records) => void later.push(...records) });
      await until(() => later.length >= 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await second.close();
      expect(later).toHaveLength(2);
    });

    it('shares partitions between two members of a group without losing a record', async () => {
      const topic = `gcc.all.cloud.${name}.group`;
      const a: DeliveredRecord[] = [];
      const b: DeliveredRecord[] = [];
      const first = await harness.transport().subscribe({ groupId: `${name}-shared`, topics: [topic], handle: async (r) => void a.push(r) });
      const second = await harness.transport().subscribe({ groupId: `${name}-shared`, topics: [topic], handle: async (r) => void b.push(r) });
      const published = events(60, topic, 30);
      await harness.transport().publish(published);
      await until(() => new Set([...a, ...b].map((r) => r.headers['ce_id'])).size >= 60, 30_000);
      await Promise.all([first.close(), second.close()]);
      expect(new Set([...a, ...b].map((r) => r.headers['ce_id']))).toEqual(new Set(published.map((r) => r.headers['ce_id'])));
    });
  });
}

let embeddedDir: string;
let embedded: EmbeddedEventTransport;
describeTransport(
  'embedded',
  async () => {
    embeddedDir = mkdtempSync(join(tmpdir(), 'gccgw-events-'));
    embedded = new EmbeddedEventTransport({ dir: embeddedDir });
    return { transport: () => embedded, fresh: async () => new EmbeddedEventTransport({ dir: embeddedDir }) };
  },
  async () => {
    await embedded.close();
    rmSync(embeddedDir, { recursive: true, force: true });
  },
);

let broker: Broker;
let kafka: KafkaEventTransport;
describeTransport(
  'kafka',
  async () => {
    broker = await startKafkaTestBroker();
    kafka = new KafkaEventTransport({ brokers: broker.brokers, clientId: 'gccgw-test' });
    return { transport: () => kafka, fresh: async () => new KafkaEventTransport({ brokers: broker.brokers, clientId: 'gccgw-test-2' }) };
  },
  async () => {
    await kafka.close();
    await broker.close();
  },
);

describe('the outbox relay', () => {
  it('loses no event while the Kafka broker is down for seconds, and resumes after a restart of the gateway', async () => {
    const testBroker = await startKafkaTestBroker();
    const dir = mkdtempSync(join(tmpdir(), 'gccgw-outbox-'));
    const topic = 'gcc.sa.hr.outbox';
    let transport = new KafkaEventTransport({ brokers: testBroker.brokers, clientId: 'outbox-a', retries: 1, requestTimeoutMillis: 1_000 });
    let outbox = new EventOutbox({ dir, transport, retryMillis: 50 });
    outbox.start();
    const all: TransportRecord[] = [];
    try {
      const first = events(20, topic);
      all.push(...first);
      await outbox.add(first);
      await outbox.drained();
      await testBroker.kill();
      const second = events(20, topic);
      all.push(...second);
      await outbox.add(second);
      // The gateway stops while the broker is down: what was added is on disk, not yet sent.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await outbox.close();
      await transport.close();
      await testBroker.restart({ keepData: true });
      // A new gateway process opens the same outbox and finishes the job.
      transport = new KafkaEventTransport({ brokers: testBroker.brokers, clientId: 'outbox-b' });
      outbox = new EventOutbox({ dir, transport, retryMillis: 50 });
      expect(outbox.pending).toBeGreaterThan(0);
      outbox.start();
      await outbox.drained();
      const seen = new Set<string>();
      const subscription = await transport.subscribe({ groupId: 'outbox-check', topics: [topic], handle: async (r) => void seen.add(r.headers['ce_id'] ?? '') });
      await until(() => seen.size >= all.length, 30_000);
      await subscription.close();
      expect(seen).toEqual(new Set(all.map((r) => r.headers['ce_id'])));
    } finally {
      await outbox.close().catch(() => undefined);
      await transport.close();
      await testBroker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
