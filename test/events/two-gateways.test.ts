import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedIdentity } from '../../trust/index.js';
import { startDemoEnvironment, type DemoEnvironment } from '../../trust/testing/demo-environment.js';
import { toTransportRecord, type CloudEvent } from '../../gateway/events/cloud-event.js';
import type { DeliveredRecord, EventSubscription } from '../../gateway/events/event-transport.js';
import { KafkaEventTransport } from '../../gateway/events/kafka-event-transport.js';
import { startKafkaTestBroker } from '../kafka-broker/index.js';
import { startTestGateway, testPki } from '../support/gateway-harness.js';
import { signerOf } from '../support/gateway-trust.js';
import { until } from '../support/until.js';
import { publish, readEvents, signedEmploymentEnded, subscribeToEvents, type EventSubscriber } from './events-client.js';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;
type Broker = Awaited<ReturnType<typeof startKafkaTestBroker>>;

/**
 * Two gateways, Qatar's (A) and Saudi Arabia's (B), each with its own outbox, store and consumer
 * group, joined by Kafka: our Kafka wire-protocol test broker over real TCP. A member system of
 * Qatar publishes through A's GraphQL API; B verifies and delivers to its WebSocket subscribers;
 * what was tampered with on the way ends in B's dead-letter topic; a revocation event makes both
 * refresh their revocation state at once.
 */
describe('two gateways over Kafka', () => {
  let env: DemoEnvironment;
  let broker: Broker;
  let dir: string;
  let a: Gateway;
  let b: Gateway;
  let qa: LoadedIdentity;
  let subscriber: EventSubscriber;
  /** Writes straight to Kafka, bypassing every gateway (a tampering relay, a replayed record). */
  let intruder: KafkaEventTransport;
  let dlqReader: EventSubscription;
  const deadLetters: DeliveredRecord[] = [];

  /** Each gateway's demo client is a system of its own state (B's reads gcc.sa.* and gcc.all.*). */
  const gatewayConfig = (name: string, demoClientId: string): Record<string, unknown> => ({
    adapters: [],
    server: { insecureDemoPort: { demoClientId } },
    events: {
      transport: 'kafka',
      kafka: { brokers: broker.brokers, clientId: `gccgw-${name}` },
      consumerGroup: `gccgw-${name}`,
      outbox: { dir: join(dir, name, 'outbox'), retryMillis: 50 },
      received: { dir: join(dir, name, 'received') },
      embedded: { dir: join(dir, name, 'log') },
    },
  });

  beforeAll(async () => {
    env = await startDemoEnvironment({ manifest: await testPki(), now: new Date() });
    qa = env.pki.states.QA.agencies.find((x) => !x.revoked)!.signing;
    broker = await startKafkaTestBroker({ defaultPartitions: 3 });
    dir = mkdtempSync(join(tmpdir(), 'gccgw-two-gateways-'));
    a = await startTestGateway(gatewayConfig('qa', qa.clientId));
    b = await startTestGateway({ ...gatewayConfig('sa', env.pki.states.SA.agencies[0]!.signing.clientId), trust: { demoState: 'SA' } });
    intruder = new KafkaEventTransport({ brokers: broker.brokers, clientId: 'intruder' });
    dlqReader = await intruder.subscribe({ groupId: 'dlq-reader', topics: ['gcc.sa.hr.dlq'], handle: async (record) => void deadLetters.push(record) });
    subscriber = subscribeToEvents(b.urls.insecureDemo!.subscriptions);
    await until(() => b.events!.subscriberCount === 1);
  }, 90_000);
  afterAll(async () => {
    await subscriber?.dispose();
    await dlqReader?.close();
    await intruder?.close();
    await a?.stop();
    await b?.stop();
    await broker?.close();
    await env?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gateway A publishes a member system\u2019s event; gateway B\u2019s WebSocket subscriber receives it', async () => {
    const event = await signedEmploymentEnded(qa.clientId, signerOf(env, qa), env.clock.now(), { nationality: 'SA' });
    const response = await publish(a.graphqlUrl, event, 'SA');
    expect(response.body.data?.['publishEvent']).toEqual({ eventId: event.id, topic: 'gcc.sa.hr' });
    await until(() => subscriber.received.some((r) => r.id === event.id), 30_000);
    const received = subscriber.received.find((r) => r.id === event.id)!;
    expect(received).toMatchObject({ source: qa.clientId, topic: 'gcc.sa.hr', signature: event.jws, data: event.data });
    // A, a Qatari gateway, does not consume gcc.sa.*: its catch-up does not have it.
    expect((await readEvents(a.graphqlUrl, { first: 500 })).edges.map((e) => e.node.id)).not.toContain(event.id);
    // B's catch-up has it, for its Saudi caller.
    expect((await readEvents(b.graphqlUrl, { first: 500 })).edges.map((e) => e.node.id)).toContain(event.id);
  });

  it('a tampered event lands in B\u2019s dead-letter topic with the reason, and is never delivered', async () => {
    const event = await signedEmploymentEnded(qa.clientId, signerOf(env, qa), env.clock.now(), { nationality: 'SA' });
    const tampered: CloudEvent = { ...event, data: { ...event.data, reason: 'TERMINATION' } };
    await intruder.publish([toTransportRecord(tampered, 'gcc.sa.hr')]);
    await until(() => deadLetters.some((r) => r.headers['ce_id'] === event.id), 30_000);
    const letter = deadLetters.find((r) => r.headers['ce_id'] === event.id)!;
    expect(letter.headers).toMatchObject({ dlq_reason: 'signature', dlq_origin_topic: 'gcc.sa.hr' });
    expect(letter.headers['dlq_code']).toMatch(/^ERR_TRUST_/);
    expect(letter.headers['dlq_origin_offset']).toMatch(/^\d+$/);
    expect(JSON.parse(letter.value)).toMatchObject({ reason: 'TERMINATION' });
    expect(subscriber.received.map((r) => r.id)).not.toContain(event.id);
  });

  it('replays from an offset: the consumer pipeline sees the records again (dead letters again, no duplicate delivery)', async () => {
    const first = deadLetters.find((r) => r.headers['dlq_reason'] === 'signature')!;
    const partition = Number(first.headers['dlq_origin_partition']);
    const offset = Number(first.headers['dlq_origin_offset']);
    const lettersBefore = deadLetters.filter((r) => r.headers['dlq_origin_offset'] === String(offset) && r.headers['dlq_origin_partition'] === String(partition)).length;
    const deliveredBefore = subscriber.received.length;
    await b.events!.replay('gcc.sa.hr', partition, offset);
    await until(() => deadLetters.filter((r) => r.headers['dlq_origin_offset'] === String(offset) && r.headers['dlq_origin_partition'] === String(partition)).length > lettersBefore, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Valid events after that offset came through the pipeline again, but each id is delivered once.
    expect(subscriber.received.length).toBe(deliveredBefore);
    expect(new Set(subscriber.received.map((r) => r.id)).size).toBe(subscriber.received.length);
    // Catch-up replays by cursor: after the first event's cursor come exactly the later ones.
    const all = await readEvents(b.graphqlUrl, { first: 500 });
    const later = await readEvents(b.graphqlUrl, { after: all.edges[0]!.cursor, first: 500 });
    expect(later.edges.map((e) => e.node.id)).toEqual(all.edges.slice(1).map((e) => e.node.id));
  });

  it('a certificate-revoked event makes both gateways refresh their revocation state at once', async () => {
    // Both gateways have verified qa's chain and cached the answer ("good").
    const before = await signedEmploymentEnded(qa.clientId, signerOf(env, qa), env.clock.now(), { nationality: 'SA' });
    expect((await publish(a.graphqlUrl, before, 'SA')).body.errors).toBeUndefined();
    await until(() => subscriber.received.some((r) => r.id === before.id), 30_000);

    // Qatar's CA revokes qa's signing certificate: OCSP says so from now on ...
    // (each gateway runs its own demo OCSP responder: both learn the revocation)
    for (const gateway of [a, b]) gateway.trust.demoServices!.revoked.set(qa.certificate.serialNumberHex, { revokedAt: new Date(env.clock.now().getTime() - 1_000), reason: 'keyCompromise' });
    // ... but both gateways still hold the cached answer: A accepts, B delivers.
    const stale = await signedEmploymentEnded(qa.clientId, signerOf(env, qa), env.clock.now(), { nationality: 'SA' });
    expect((await publish(a.graphqlUrl, stale, 'SA')).body.errors).toBeUndefined();
    await until(() => subscriber.received.some((r) => r.id === stale.id), 30_000);

    // Qatar's gateway announces the revocation to every state.
    const announced = await a.events!.publishAsGateway({
      type: 'gcc.trust.certificate.revoked.v1',
      subject: qa.certificate.serialNumberHex,
      time: env.clock.now().toISOString(),
      data: { issuer: qa.certificate.issuer, serialNumber: qa.certificate.serialNumberHex, state: 'QA', reason: 'keyCompromise', revokedAt: new Date(env.clock.now().getTime() - 1_000).toISOString() },
    });
    expect(announced.topic).toBe('gcc.all.trust');
    const seen = async (gateway: Gateway): Promise<boolean> => (await readEvents(gateway.graphqlUrl, { types: ['gcc.trust.certificate.revoked.v1'] })).edges.some((e) => e.node.id === announced.eventId);
    await until(async () => (await seen(a)) && (await seen(b)), 30_000);

    // A refreshed: the revoked signer is refused at publishEvent.
    const after = await signedEmploymentEnded(qa.clientId, signerOf(env, qa), env.clock.now(), { nationality: 'SA' });
    const refused = await publish(a.graphqlUrl, after, 'SA');
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'ERR_EVENT_SIGNATURE_INVALID', trustCode: 'ERR_TRUST_CERT_REVOKED' });
    // B refreshed: the same event sent around A straight into Kafka is dead-lettered as revoked.
    await intruder.publish([toTransportRecord(after, 'gcc.sa.hr')]);
    await until(() => deadLetters.some((r) => r.headers['ce_id'] === after.id), 30_000);
    expect(deadLetters.find((r) => r.headers['ce_id'] === after.id)?.headers).toMatchObject({ dlq_reason: 'signature', dlq_code: 'ERR_TRUST_CERT_REVOKED' });
    expect(subscriber.received.map((r) => r.id)).not.toContain(after.id);
  });
});
