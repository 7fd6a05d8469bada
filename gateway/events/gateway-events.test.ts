import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { canonicalize } from '../../trust/index.js';
import { startDemoEnvironment, type DemoEnvironment } from '../../trust/testing/demo-environment.js';
import { gatewayConfigSchema } from '../config/gateway-config.js';
import { deterministicEventId, startGatewayEvents, type EventDelivery, type GatewayEvents } from './gateway-events.js';

describe('deterministic event ids', () => {
  it('are the same from the data’s canonical form as from the data, and differ when anything differs', () => {
    const data = { b: [1, { d: 'x', c: null }], a: 'z\u20ac' };
    const id = deterministicEventId('gcc.hr.employment.ended.v1', 'emp-1', '2026-11-23T09:00:00Z', data);
    // Stable across versions (a re-sent event must keep its id): SHA-256 of the RFC 8785 form, UUID-shaped.
    const hex = createHash('sha256').update('{"data":{"a":"z\u20ac","b":[1,{"c":null,"d":"x"}]},"subject":"emp-1","time":"2026-11-23T09:00:00Z","type":"gcc.hr.employment.ended.v1"}').digest('hex');
    expect(id).toBe(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`);
    expect(deterministicEventId('gcc.hr.employment.ended.v1', 'emp-1', '2026-11-23T09:00:00Z', data, canonicalize(data, { maxDepth: 31 }))).toBe(id);
    expect(deterministicEventId('gcc.hr.employment.ended.v1', 'emp-2', '2026-11-23T09:00:00Z', data, canonicalize(data))).not.toBe(id);
    expect(deterministicEventId('gcc.hr.employment.started.v1', 'emp-1', '2026-11-23T09:00:00Z', data, canonicalize(data))).not.toBe(id);
    expect(deterministicEventId('gcc.hr.employment.ended.v1', 'emp-1', '2026-11-23T09:00:01Z', data, canonicalize(data))).not.toBe(id);
  });
});

describe('the gateway’s events machinery, embedded and batch-signed', () => {
  let env: DemoEnvironment;
  let dir: string;
  let events: GatewayEvents;

  beforeAll(async () => {
    env = await startDemoEnvironment();
    dir = mkdtempSync(join(tmpdir(), 'gccgw-gateway-events-'));
    const config = gatewayConfigSchema.parse({
      events: { embedded: { dir: join(dir, 'log') }, outbox: { dir: join(dir, 'outbox') }, received: { dir: join(dir, 'received') }, signing: { mode: 'batch' } },
    }).events;
    const gateway = env.pki.states.QA.gateway!.signing;
    events = await startGatewayEvents({
      config,
      logger: pino({ level: 'silent' }),
      trust: {
        holder: env.holder,
        revocation: env.revocation,
        signatureTrust: env.trust,
        signer: { privateKey: gateway.key.privateKey, certificates: gateway.chain, clock: env.clock },
        gatewayClientId: gateway.clientId,
        refreshRevocation: () => env.revocation.clearCaches(),
      },
    });
  }, 60_000);
  afterAll(async () => {
    await events.close();
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives each event a live subscriber receives the cursor just after it, also for events consumed in one batch', async () => {
    const subscription = events.subscribe({ state: 'QA' });
    const count = 12;
    const received: EventDelivery[] = [];
    const all = (async () => {
      for await (const delivery of subscription) {
        received.push(delivery);
        if (received.length === count) return;
      }
    })();
    // Published at once: the relay signs and writes them as one batch, and each partition's consumer
    // takes several of them in one batch.
    const time = env.clock.now().toISOString();
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        events.publishAsGateway({ type: 'gcc.cloud.provisioning.completed.v1', subject: `op-cursor-${i}`, time, data: { requestId: `op-cursor-${i}`, tenantId: 'tnt-qa-mof-prod', state: 'SUCCEEDED' } }),
      ),
    );
    await all;
    await subscription.return?.();
    expect(new Set(received.map((d) => d.entry.event.subject))).toEqual(new Set(Array.from({ length: count }, (_, i) => `op-cursor-${i}`)));
    for (const [i, delivery] of received.entries()) {
      const after = events.catchUp({ state: 'QA', after: delivery.cursor, first: 500 });
      expect(after.edges.map((e) => e.entry.event.id)).toEqual(received.slice(i + 1).map((d) => d.entry.event.id));
    }
  }, 30_000);
});
