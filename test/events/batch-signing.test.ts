import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { verifyBatchedEvent, type SignatureTrust } from '../../trust/index.js';
import { startDemoEnvironment, type DemoEnvironment } from '../../trust/testing/demo-environment.js';
import type { GatewayTrust } from '../../gateway/access/gateway-trust.js';
import { gatewayConfigSchema } from '../../gateway/config/gateway-config.js';
import { signable } from '../../gateway/events/event-processor.js';
import { startGatewayEvents, type EventDelivery, type GatewayEvents } from '../../gateway/events/gateway-events.js';
import { startKafkaTestBroker } from '../kafka-broker/index.js';

type Broker = Awaited<ReturnType<typeof startKafkaTestBroker>>;

/**
 * Batch signing end to end (events.signing.mode: batch), inside one gateway's events machinery over
 * each transport: the adapters' events go into the outbox unsigned, the relay signs each batch it
 * publishes once over the batch's Merkle root, the consumer verifies every event on its own (proof
 * + the batch JWS, cached per batch) and delivers it. A member system verifies a delivered event
 * again with the trust library alone.
 */
describe.each(['embedded', 'kafka'] as const)('batch-signed events over the %s transport', (transport) => {
  let env: DemoEnvironment;
  let broker: Broker | undefined;
  let dir: string;
  let events: GatewayEvents;
  let trust: GatewayTrust;

  const provisioning = (n: number) => ({
    type: 'gcc.cloud.provisioning.completed.v1',
    subject: `op-batch-${transport}-${n}`,
    time: env.clock.now().toISOString(),
    data: { requestId: `op-batch-${transport}-${n}`, tenantId: 'tnt-qa-mof-prod', state: 'SUCCEEDED' },
  });

  const collect = async (count: number): Promise<EventDelivery[]> => {
    const seen: EventDelivery[] = [];
    for await (const delivery of events.subscribe({ state: 'QA' })) {
      seen.push(delivery);
      if (seen.length >= count) break;
    }
    return seen;
  };

  beforeAll(async () => {
    env = await startDemoEnvironment();
    dir = mkdtempSync(join(tmpdir(), `gccgw-batch-signing-${transport}-`));
    if (transport === 'kafka') broker = await startKafkaTestBroker({ defaultPartitions: 3 });
    const gateway = env.pki.states.QA.gateway!.signing;
    const signatureTrust: SignatureTrust = env.trust;
    trust = {
      holder: env.holder,
      revocation: env.revocation,
      signatureTrust,
      signer: { privateKey: gateway.key.privateKey, certificates: gateway.chain, clock: env.clock },
      gatewayClientId: gateway.clientId,
      refreshRevocation: () => {
        env.revocation.clearCaches();
        env.trust.chainCache?.clear();
      },
    };
    const config = gatewayConfigSchema.parse({
      events: {
        transport,
        ...(broker !== undefined ? { kafka: { brokers: broker.brokers, clientId: 'gccgw-batch' } } : {}),
        embedded: { dir: join(dir, 'log') },
        outbox: { dir: join(dir, 'outbox'), retryMillis: 50 },
        received: { dir: join(dir, 'received') },
        consumerGroup: `batch-${transport}`,
        signing: { mode: 'batch' },
      },
    }).events;
    expect(config.signing.mode).toBe('batch');
    events = await startGatewayEvents({ config, trust, logger: pino({ level: 'silent' }) });
  }, 60_000);
  afterAll(async () => {
    await events?.close();
    await broker?.close();
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs each relayed batch once and delivers every event verified on its own', async () => {
    const count = 60;
    const received = collect(count);
    await Promise.all(Array.from({ length: count }, (_, n) => events.publishAsGateway(provisioning(n))));
    const deliveries = await received;
    expect(new Set(deliveries.map((d) => d.entry.event.subject)).size).toBe(count);
    // Fewer signatures than events: batches share one JWS; each event has its own proof.
    const signatures = new Set(deliveries.map((d) => d.entry.event.jws));
    expect(signatures.size).toBeLessThan(count);
    expect(new Set(deliveries.map((d) => `${d.entry.event.jws}|${d.entry.event.jwsproof}`)).size).toBe(count);
    for (const { entry } of deliveries) {
      expect(entry.event.source).toBe(trust.gatewayClientId);
      expect(entry.event.jwsproof).toMatch(/^\d+\.\d+\./);
    }
    // A member system verifies one event again, with nothing but the event and the trust library.
    const one = deliveries[Math.floor(count / 2)]!.entry.event;
    const verified = await verifyBatchedEvent({ event: signable(one), signature: one.jws!, proof: one.jwsproof!, trust: env.trust });
    expect(verified.identity.clientId).toBe(trust.gatewayClientId);
    const tampered = { ...signable(one), subject: 'op-someone-else' };
    await expect(verifyBatchedEvent({ event: tampered, signature: one.jws!, proof: one.jwsproof!, trust: env.trust })).rejects.toMatchObject({ code: 'ERR_TRUST_JWS_BINDING_MISMATCH' });
  }, 60_000);
});
