import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveSubgraph, startBuiltInAdapter, type RunningServer } from '../../adapters/kit/index.js';
import { createSilentLogger } from '../../gateway/logging/logger.js';
import { composeSupergraph } from '../../gateway/federation/compose-supergraph.js';
import { JOIN_QUERY, postGraphQL, startTestGateway, testPki } from '../support/gateway-harness.js';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;
const VARIABLES = { state: 'QA', code: 'MOF', month: '2026-10' };

function expectJoinedMof(body: Awaited<ReturnType<typeof postGraphQL>>['body']): void {
  expect(body.errors).toBeUndefined();
  const entity = body.data?.['governmentEntity'] as Record<string, unknown>;
  expect(entity['state']).toBe('QA');
  expect(entity['name']).toEqual({ en: 'Ministry of Finance', ar: 'وزارة المالية' });
  expect(entity['headcount']).toEqual(expect.any(Number));
  expect((entity['cloudTenants'] as unknown[]).length).toBeGreaterThan(0);
  const spend = entity['cloudSpend'] as { month: string; totalQar: number; totalUsd: number };
  expect(spend.month).toBe('2026-10');
  expect(spend.totalQar).toBeGreaterThan(0);
  // QAR is pegged at 3.64 per USD.
  expect(spend.totalUsd).toBeCloseTo(spend.totalQar / 3.64, 0);
}

describe('the embedded gateway', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('joins an entity from Mawared with its cloud tenants and spend from the government cloud', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: JOIN_QUERY, variables: VARIABLES });
    expect(response.status).toBe(200);
    expectJoinedMof(response.body);
  });

  it('resolves the entity owning a cloud tenant back through Mawared', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: '{ cloudTenants(state: QA) { id entity { code name { en } } } }' });
    expect(response.body.errors).toBeUndefined();
    const tenants = response.body.data?.['cloudTenants'] as Array<{ id: string; entity: { code: string; name: { en: string } } }>;
    expect(tenants.length).toBeGreaterThan(2);
    expect(tenants.find((t) => t.id === 'tnt-qa-mof-prod')?.entity.name.en).toBe('Ministry of Finance');
  });

  it('answers null for an entity that does not exist, without an error', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: JOIN_QUERY, variables: { ...VARIABLES, code: 'NOPE' } });
    expect(response.body).toEqual({ data: { governmentEntity: null } });
  });

  it('reports itself ready with every subgraph answering', async () => {
    const response = await fetch(`${gateway.baseUrl}/readyz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { subgraphs: Array<{ name: string; ok: boolean; mode: string }> };
    expect(body.subgraphs.map((s) => [s.name, s.ok, s.mode])).toEqual([
      // The events API is a subgraph the gateway serves itself, in every mode.
      ['events', true, 'in-process'],
      ['gov-cloud', true, 'in-process'],
      ['mawared', true, 'in-process'],
      // Gateway-owned (service-quality feedback), always in-process.
      ['quality', true, 'in-process'],
    ]);
  });

  it('counts operations and subgraph calls in Prometheus metrics', async () => {
    await postGraphQL(gateway.graphqlUrl, { query: JOIN_QUERY, variables: VARIABLES, operationName: 'EntityWithCloudSpend' });
    const text = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    expect(text).toMatch(/gccgw_graphql_operations_total\{operation="EntityWithCloudSpend",type="query",outcome="success"\} [1-9]/);
    expect(text).toMatch(/gccgw_subgraph_requests_total\{subgraph="mawared",outcome="success"\} [1-9]/);
    expect(text).toMatch(/gccgw_subgraph_request_duration_seconds_bucket\{le="[0-9.+Inf]+",subgraph="gov-cloud"\}/);
    expect(text).toMatch(/gccgw_graphql_operation_duration_seconds_count\{operation="EntityWithCloudSpend",type="query"\} [1-9]/);
  });
});

describe('the gateway started from a composed supergraph with remote subgraphs', () => {
  const servers: RunningServer[] = [];
  const remote: Record<string, RunningServer> = {};
  let dir: string;
  let gateway: Gateway;

  beforeAll(async () => {
    const definitions = [];
    // The subgraphs believe only the gateway's signed context (x-gccgw-context), from its signing certificate.
    const gatewayCertificatesPem = [readFileSync((await testPki()).states.QA.gateway!.signingCert, 'utf8')];
    for (const name of ['mawared', 'gov-cloud']) {
      const started = await startBuiltInAdapter({ name, upstreamTimeoutMillis: 2_000, logger: createSilentLogger() });
      servers.push({ url: started.upstreamUrl, close: () => started.close() });
      const { subgraph } = started;
      const server = await serveSubgraph(subgraph, { gatewayCertificatesPem });
      remote[name] = server;
      servers.push(server);
      definitions.push({ name, typeDefs: subgraph.typeDefs, url: `${server.url}/graphql` });
    }
    dir = mkdtempSync(join(tmpdir(), 'gccgw-remote-'));
    const file = join(dir, 'supergraph.graphql');
    writeFileSync(file, composeSupergraph(definitions));
    gateway = await startTestGateway({
      supergraph: { source: 'file', file, watch: false },
      subgraphs: { defaults: { timeoutMillis: 1_000, retry: { maxAttempts: 2, backoffMillis: 10 }, circuitBreaker: { enabled: false } } },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('joins the same data over HTTP', async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: JOIN_QUERY, variables: VARIABLES });
    expectJoinedMof(response.body);
    const ready = (await (await fetch(`${gateway.baseUrl}/readyz`)).json()) as { subgraphs: Array<{ mode: string }> };
    expect(ready.subgraphs.every((s) => s.mode === 'remote')).toBe(true);
  });

  it('refuses a direct call to a subgraph that claims an identity without the gateway-signed context', async () => {
    const response = await fetch(`${remote['mawared']?.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gccgw-client-id': 'GCC:QA:GOV:CSGDB:hr-portal', 'x-gccgw-purpose': 'AUDIT_OVERSIGHT' },
      body: JSON.stringify({ query: '{ governmentEntity(state: QA, code: "MOF") { code } }' }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('ERR_GATEWAY_CONTEXT_INVALID');
  });

  it("keeps the caller's request id as the correlation id", async () => {
    const response = await postGraphQL(gateway.graphqlUrl, { query: '{ cloudTenant(id: "tnt-qa-mof-prod") { id } }' }, { 'x-request-id': 'test-request-0001' });
    expect(response.headers.get('x-request-id')).toBe('test-request-0001');
    expect(response.body.data).toEqual({ cloudTenant: { id: 'tnt-qa-mof-prod' } });
  });

  it('returns the data it could fetch plus an error naming the subgraph that is down', async () => {
    await remote['gov-cloud']?.close();
    // `cloudSpend` is nullable, so the gap stays on that field (a non-null field would null its parent, per the GraphQL spec §6.4.4).
    const query = '{ governmentEntity(state: QA, code: "MOF") { name { en ar } headcount cloudSpend(month: "2026-10") { totalQar } } }';
    const response = await postGraphQL(gateway.graphqlUrl, { query }, { 'x-request-id': 'partial-data-0001' });
    expect(response.status).toBe(200);
    const entity = response.body.data?.['governmentEntity'] as Record<string, unknown> | null;
    expect(entity).toEqual({ name: { en: 'Ministry of Finance', ar: 'وزارة المالية' }, headcount: expect.any(Number), cloudSpend: null });
    const errors = response.body.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.message).toContain('gov-cloud');
      expect(error.extensions?.['code']).toBe('ERR_SUBGRAPH_UNAVAILABLE');
      expect(error.extensions?.['subgraph']).toBe('gov-cloud');
      expect(error.extensions?.['correlationId']).toBe('partial-data-0001');
      expect(JSON.stringify(error)).not.toMatch(/ECONNREFUSED|stack|127\.0\.0\.1/);
    }
    const ready = await fetch(`${gateway.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
  });
});
