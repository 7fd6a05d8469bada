import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { verifyEvent, type LoadedIdentity } from '../../trust/index.js';
import type { CloudEvent } from '../../gateway/events/cloud-event.js';
import { startDemoEnvironment, type DemoEnvironment } from '../../trust/testing/demo-environment.js';
import { postGraphQL, startTestGateway, testPki } from '../support/gateway-harness.js';
import { signerOf } from '../support/gateway-trust.js';
import { until } from '../support/until.js';
import { EMPLOYMENT_CHANGES_PATH } from '../../adapters/mawared/sandbox/mawared-sandbox.js';
import { publish, readEvents, signedEmploymentEnded, subscribeToEvents, type EventSubscriber } from './events-client.js';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

/**
 * The events API of one gateway on the embedded transport, through its real HTTP and WebSocket
 * listener: a member system (the demo client GCC:QA:GOV:CSGDB:hr-portal) signs and publishes with
 * `publishEvent`, catches up with `events(after:)`, and receives with `eventReceived` over
 * graphql-ws; the built-in adapters publish through the gateway's sink.
 */
describe('the events API on the embedded transport', () => {
  let env: DemoEnvironment;
  let dir: string;
  let gateway: Gateway;
  let qa: LoadedIdentity;
  let revoked: LoadedIdentity;
  const at = (): Date => env.clock.now();

  beforeAll(async () => {
    // The gateway's own demo PKI, on the real clock: events are signed by identities its trust list knows.
    env = await startDemoEnvironment({ manifest: await testPki(), now: new Date() });
    qa = env.pki.states.QA.agencies.find((a) => !a.revoked)!.signing;
    revoked = env.pki.states.QA.agencies.find((a) => a.revoked)!.signing;
    dir = mkdtempSync(join(tmpdir(), 'gccgw-events-api-'));
    gateway = await startTestGateway(
      { events: { embedded: { dir: join(dir, 'log') }, outbox: { dir: join(dir, 'outbox') }, received: { dir: join(dir, 'received') } } },
    );
  }, 60_000);
  afterAll(async () => {
    await gateway.stop();
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the demo client publishing: a signed event is accepted, and a WebSocket subscriber receives it verified', async () => {
    expect(qa.clientId).toBe('GCC:QA:GOV:CSGDB:hr-portal');
    const subscriber = subscribeToEvents(gateway.urls.insecureDemo!.subscriptions, ['gcc.hr.employment.ended.v1']);
    try {
      await until(() => gateway.events!.subscriberCount === 1);
      const event = await signedEmploymentEnded(qa.clientId, signerOf(env, qa), at());
      const response = await publish(gateway.graphqlUrl, event, 'QA');
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.['publishEvent']).toEqual({ eventId: event.id, topic: 'gcc.qa.hr' });
      await until(() => subscriber.received.length >= 1);
      const received = subscriber.received[0]!;
      expect(received).toMatchObject({ id: event.id, type: 'gcc.hr.employment.ended.v1', source: qa.clientId, subject: event.subject, topic: 'gcc.qa.hr', dataSensitivity: 'PERSONAL', signature: event.jws, signatureProof: null });
      expect(received.data).toEqual(event.data);
      // The subscriber can check the producer's signature itself: it is over exactly what it got.
      const { signature, data, id, source, type, subject } = received;
      const verified = await verifyEvent({ event: { specversion: '1.0', id, source, type, subject, time: event.time, datacontenttype: 'application/json', data }, signature, trust: env.trust });
      expect(verified.identity.clientId).toBe(qa.clientId);
      expect(subscriber.errors).toEqual([]);
    } finally {
      await subscriber.dispose();
    }
    // The client went away: its subscription is gone from the gateway too.
    await until(() => gateway.events!.subscriberCount === 0);
  });

  it('catches up with events(after:), page by page, with cursors that continue exactly', async () => {
    const published: CloudEvent[] = [];
    for (let i = 0; i < 3; i++) {
      const event = await signedEmploymentEnded(qa.clientId, signerOf(env, qa), at());
      expect((await publish(gateway.graphqlUrl, event, i === 2 ? 'ALL' : 'QA')).body.errors).toBeUndefined();
      published.push(event);
    }
    await gateway.events!.drained();
    await until(async () => (await readEvents(gateway.graphqlUrl, { first: 500 })).edges.some((e) => e.node.id === published[2]!.id), 20_000, 250);
    const all = await readEvents(gateway.graphqlUrl, { first: 500 });
    const ids = all.edges.map((e) => e.node.id);
    for (const event of published) expect(ids).toContain(event.id);
    expect(all.edges.find((e) => e.node.id === published[2]!.id)?.node.topic).toBe('gcc.all.hr');
    expect(all.pageInfo.hasNextPage).toBe(false);

    // Page by page, one at a time: the same events in the same order, none twice.
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await readEvents(gateway.graphqlUrl, { first: 1, ...(after !== undefined ? { after } : {}) });
      paged.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? undefined;
    }
    expect(paged).toEqual(ids);
    // An edge's cursor continues right after that edge.
    const second = await readEvents(gateway.graphqlUrl, { after: all.edges[0]!.cursor, first: 500 });
    expect(second.edges.map((e) => e.node.id)).toEqual(ids.slice(1));
    // Polling with the last endCursor returns nothing until something new arrives.
    const nothing = await readEvents(gateway.graphqlUrl, { after: all.pageInfo.endCursor });
    expect(nothing.edges).toEqual([]);
    // Filtering by type.
    expect((await readEvents(gateway.graphqlUrl, { types: ['gcc.trust.list.published.v1'] })).edges).toEqual([]);
  });

  it('does not show a QA caller events for another state', async () => {
    const event = await signedEmploymentEnded(qa.clientId, signerOf(env, qa), at(), { nationality: 'SA' });
    const response = await publish(gateway.graphqlUrl, event, 'SA');
    expect(response.body.data?.['publishEvent']).toEqual({ eventId: event.id, topic: 'gcc.sa.hr' });
    await gateway.events!.drained();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const page = await readEvents(gateway.graphqlUrl, { first: 500 });
    expect(page.edges.map((e) => e.node.id)).not.toContain(event.id);
    expect(page.edges.length).toBeGreaterThan(0);
    expect(page.edges.filter((e) => !/^gcc\.(qa|all)\./.test(e.node.topic))).toEqual([]);
  });

  it.each([
    ['a source that is not the caller', async () => signedEmploymentEnded(env.pki.states.SA.agencies[0]!.signing.clientId, signerOf(env, env.pki.states.SA.agencies[0]!.signing), at()), 'ERR_EVENT_SOURCE_NOT_CALLER', undefined],
    ['data changed after signing', async () => ({ ...(await signedEmploymentEnded(qa.clientId, signerOf(env, qa), at())), data: { changed: true } }), 'ERR_EVENT_SIGNATURE_INVALID', /^ERR_TRUST_/],
    ['a signer other than the source', async () => ({ ...(await signedEmploymentEnded(qa.clientId, signerOf(env, env.pki.states.SA.agencies[0]!.signing), at())) }), 'ERR_EVENT_SIGNATURE_INVALID', /^ERR_TRUST_JWS_BINDING_MISMATCH$/],
    ['a revoked signing certificate', async () => signedEmploymentEnded(qa.clientId, signerOf(env, revoked), at()), 'ERR_EVENT_SIGNATURE_INVALID', /^ERR_TRUST_(CERT_REVOKED|JWS_BINDING_MISMATCH)$/],
    ['data that violates the schema', async () => signedEmploymentEnded(qa.clientId, signerOf(env, qa), at(), { reason: 'BORED' }), 'ERR_EVENT_SCHEMA_INVALID', undefined],
    ['an unknown type', async () => ({ ...(await signedEmploymentEnded(qa.clientId, signerOf(env, qa), at())), type: 'gcc.hr.employment.paused.v1' }), 'ERR_EVENT_TYPE_UNKNOWN', undefined],
    ['a time that is not RFC 3339', async () => ({ ...(await signedEmploymentEnded(qa.clientId, signerOf(env, qa), at())), time: 'yesterday' }), 'ERR_EVENT_INVALID', undefined],
  ])('refuses %s with its code and publishes nothing', async (_name, make, code, trustCode) => {
    const event = await make();
    const response = await publish(gateway.graphqlUrl, event, 'QA');
    expect(response.body.data?.['publishEvent'] ?? null).toBeNull();
    const error = response.body.errors?.[0];
    expect(error?.extensions?.['code']).toBe(code);
    expect(typeof error?.extensions?.['correlationId']).toBe('string');
    if (trustCode !== undefined) expect(String(error?.extensions?.['trustCode'])).toMatch(trustCode);
    await gateway.events!.drained();
    const page = await readEvents(gateway.graphqlUrl, { first: 500 });
    expect(page.edges.map((e) => e.node.id)).not.toContain(event.id);
  });

  it('refuses a cursor it did not issue', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: 'query { events(after: "not-a-cursor") { edges { cursor } } }' });
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('ERR_EVENT_CURSOR_INVALID');
  });

  it('runs only subscriptions over WebSocket', async () => {
    const client = createClient({ url: gateway.urls.insecureDemo!.subscriptions, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const errors = await new Promise<unknown[]>((resolve) => {
        client.subscribe({ query: 'query { events { edges { cursor } } }' }, { next: () => undefined, error: (e) => resolve(e as unknown[]), complete: () => resolve([]) });
      });
      expect((errors[0] as { extensions?: { code?: string } }).extensions?.code).toBe('ERR_BAD_REQUEST');
    } finally {
      await client.dispose();
    }
  });

  it('publishes what the built-in adapters report: a completed provisioning request and an ended employment', async () => {
    const provisioning = await postGraphQL(gateway.graphqlUrl, {
      query: 'mutation P($input: ProvisioningInput!) { requestProvisioning(input: $input, idempotencyKey: "events-e2e-1") { id } }',
      variables: { input: { tenantId: 'tnt-qa-mof-prod', resourceGroup: await firstGroup(gateway, 'tnt-qa-mof-prod'), name: 'st-events-01', kind: 'STORAGE', sku: 'STD-1T', region: 'qa-central-1' } },
    });
    expect(provisioning.body.errors).toBeUndefined();
    const requestId = (provisioning.body.data?.['requestProvisioning'] as { id: string }).id;

    // A Qatari national's employment ends in Mawared (the sandbox's HR staff).
    const employees = await postGraphQL(gateway.graphqlUrl, { query: 'query { employees(filter: { nationality: "QA", status: ACTIVE }, first: 1) { edges { node { employeeNumber } } } }' });
    const employeeNumber = (employees.body.data?.['employees'] as { edges: Array<{ node: { employeeNumber: string } }> }).edges[0]!.node.employeeNumber;
    const changed = await fetch(new URL(EMPLOYMENT_CHANGES_PATH, gateway.urls.sandboxes['mawared']), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ employeeNumber, kind: 'Ended', date: '2026-11-30', reason: 'Resignation' }) });
    expect(changed.status).toBe(201);

    const find = async (type: string, subject: string) => (await readEvents(gateway.graphqlUrl, { types: [type], first: 500 })).edges.find((e) => e.node.subject === subject)?.node;
    // Polled over HTTP as the demo client: a few times a second, well inside its rate limit (20/s).
    await until(async () => (await find('gcc.hr.employment.ended.v1', employeeNumber)) !== undefined, 30_000, 250);
    await until(async () => (await find('gcc.cloud.provisioning.completed.v1', requestId)) !== undefined, 45_000, 250);
    const ended = await find('gcc.hr.employment.ended.v1', employeeNumber);
    const completed = await find('gcc.cloud.provisioning.completed.v1', requestId);
    const gatewayClientId = env.pki.states.QA.gateway!.signing.clientId;
    expect(ended).toMatchObject({ source: gatewayClientId, topic: 'gcc.qa.hr', data: { employeeNumber, nationality: 'QA', reason: 'RESIGNATION', endDate: '2026-11-30' } });
    expect(completed).toMatchObject({ source: gatewayClientId, topic: 'gcc.qa.cloud', dataSensitivity: 'INTERNAL', data: { requestId, tenantId: 'tnt-qa-mof-prod', state: 'SUCCEEDED' } });
  }, 90_000);

  it('closes subscriber sockets cleanly (1001 Going Away) when the gateway stops', async () => {
    const subscriber: EventSubscriber = subscribeToEvents(gateway.urls.insecureDemo!.subscriptions);
    await until(() => gateway.events!.subscriberCount === 1);
    await gateway.stop();
    await until(() => subscriber.closed !== undefined);
    expect(subscriber.closed?.code).toBe(1001);
    expect(gateway.status).toBe('stopped');
    await subscriber.dispose();
  });
});

describe('the events API with events turned off', () => {
  it('answers ERR_EVENTS_DISABLED, with the same schema', async () => {
    const gateway = await startTestGateway({ adapters: [], events: { enabled: false } });
    try {
      const response = await postGraphQL(gateway.graphqlUrl, { query: 'query { events { edges { cursor } } }' });
      expect(response.body.errors?.[0]?.extensions?.['code']).toBe('ERR_EVENTS_DISABLED');
      expect(gateway.events).toBeUndefined();
    } finally {
      await gateway.stop();
    }
  });
});

async function firstGroup(gateway: Gateway, tenantId: string): Promise<string> {
  const response = await postGraphQL(gateway.graphqlUrl, { query: 'query G($id: ID!) { cloudTenant(id: $id) { subscriptions { resourceGroups { name } } } }', variables: { id: tenantId } });
  const tenant = response.body.data?.['cloudTenant'] as { subscriptions: Array<{ resourceGroups: Array<{ name: string }> }> };
  return tenant.subscriptions[0]!.resourceGroups[0]!.name;
}
