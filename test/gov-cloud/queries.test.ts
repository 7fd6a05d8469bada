import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { THROTTLE_PATH } from '../../adapters/gov-cloud/sandbox/gov-cloud-sandbox.js';
import { startGovCloudHarness, type GovCloudHarness, type GraphQLResult } from './gov-cloud-harness.js';

function data<T>(result: GraphQLResult, field: string): T {
  if (result.errors !== undefined) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.data?.[field] as T;
}

interface Page<T> {
  totalCount: number;
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe('gov-cloud queries against the sandbox', () => {
  let h: GovCloudHarness;
  const throttle = async (requests: number, retryAfterMillis: number, methods?: string[]): Promise<void> => {
    const response = await h.sandboxFetch(THROTTLE_PATH, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests, retryAfterMillis, methods }) });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    // A small upstream page size, so that every GraphQL page spans several nextLink pages.
    h = await startGovCloudHarness({ sandbox: { maxPageSize: 7 } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('reads a 100-item page across upstream nextLink pages and the whole list page by page', async () => {
    const query = `query R($after: String) { resources(filter: { tenantId: "tnt-qa-moph-prod" }, first: 100, after: $after) { totalCount edges { cursor node { id name kind sku region status tenant { id } } } pageInfo { hasNextPage endCursor } } }`;
    const seen = new Set<string>();
    let after: string | null = null;
    let total = 0;
    for (let i = 0; i < 10; i++) {
      const page: Page<{ id: string; tenant: { id: string } }> = data(await h.gql(query, { after }), 'resources');
      total = page.totalCount;
      for (const edge of page.edges) {
        expect(edge.node.tenant.id).toBe('tnt-qa-moph-prod');
        seen.add(edge.node.id);
      }
      if (!page.pageInfo.hasNextPage) break;
      expect(page.edges).toHaveLength(100);
      after = page.pageInfo.endCursor;
    }
    expect(total).toBeGreaterThan(7);
    expect(seen.size).toBe(total);
  });

  it('filters tenants by state and lists all of an entity through the kept first-cut fields', async () => {
    const byState = data<Page<{ entity: { state: string } }>>(await h.gql(`{ tenants(filter: { state: KW }, first: 100) { totalCount edges { node { entity { state code } } } } }`), 'tenants');
    expect(byState.totalCount).toBeGreaterThanOrEqual(12);
    expect(byState.edges.every((e) => e.node.entity.state === 'KW')).toBe(true);
    const list = data<Array<{ id: string }>>(await h.gql(`{ cloudTenants(state: QA) { id displayName region status } }`), 'cloudTenants');
    expect(list.length).toBeGreaterThanOrEqual(70);
    expect(list.map((t) => t.id)).toContain('tnt-qa-mof-prod');
    const one = data<Record<string, unknown>>(await h.gql(`{ cloudTenant(id: "tnt-qa-mof-prod") { id displayName entity { state code } region status subscriptions { state resourceGroups { name } } quotas { kind unit limit used available } } }`), 'cloudTenant');
    expect(one).toMatchObject({ displayName: 'MOF Production', entity: { state: 'QA', code: 'MOF' }, status: 'ACTIVE' });
    expect(one['quotas']).toHaveLength(5);
  });

  it('reports monthly costs in QAR and USD, daily usage and service health', async () => {
    const costs = data<Page<{ month: string; totalQar: number; totalUsd: number; byServiceKind: Array<{ amountQar: number }> }>>(
      await h.gql(`{ costs(filter: { tenantId: "tnt-qa-mof-prod", from: "2024-11", to: "2026-10" }, first: 100) { totalCount edges { node { month totalQar totalUsd byServiceKind { serviceKind amountQar amountUsd } } } } }`),
      'costs',
    );
    expect(costs.totalCount).toBe(24);
    const latest = costs.edges[0]?.node;
    expect(latest?.month).toBe('2026-10');
    expect(latest?.totalUsd).toBeCloseTo((latest?.totalQar ?? 0) / 3.64, 1);
    const usage = data<Page<{ date: string; quantity: number; unit: string }>>(
      await h.gql(`{ usage(filter: { tenantId: "tnt-qa-mof-prod", serviceKind: VIRTUAL_MACHINE, from: "2026-10-01", to: "2026-10-31" }, first: 31) { totalCount edges { node { date quantity unit costQar } } } }`),
      'usage',
    );
    expect(usage.totalCount).toBe(31);
    expect(usage.edges[0]?.node).toMatchObject({ date: '2026-10-31', unit: 'vCPU-hour' });
    const health = data<Page<{ status: string; title: { en: string; ar: string } }>>(await h.gql(`{ serviceHealthEvents(filter: { status: ACTIVE }) { totalCount edges { node { region serviceKind severity status title { en ar } } } } }`), 'serviceHealthEvents');
    expect(health.totalCount).toBeGreaterThan(0);
    expect(health.edges[0]?.node.title.ar).toMatch(/[\u0600-\u06FF]/);
  });

  it('refuses a bad month or date with ERR_BAD_USER_INPUT', async () => {
    const result = await h.gql(`{ costs(filter: { from: "2026-13" }) { totalCount } }`);
    expect(result.errors?.[0]?.extensions?.code).toBe('ERR_BAD_USER_INPUT');
    const usage = await h.gql(`{ usage(filter: { from: "yesterday" }) { totalCount } }`);
    expect(usage.errors?.[0]?.extensions?.code).toBe('ERR_BAD_USER_INPUT');
  });

  it('retries a throttled read after Retry-After and gives up when throttling goes on', async () => {
    await throttle(2, 30);
    const ok = await h.gql(`{ tenants(first: 1) { totalCount } }`);
    expect(ok.errors).toBeUndefined();
    await throttle(50, 30);
    const throttled = await h.gql(`{ tenants(first: 1) { totalCount } }`);
    expect(throttled.errors?.[0]?.extensions).toMatchObject({ code: 'ERR_UPSTREAM_UNAVAILABLE', reason: 'TooManyRequests' });
    await throttle(0, 0);
  });

  it('does not wait out a Retry-After longer than it is willing to', async () => {
    await throttle(1, 30_000);
    const started = Date.now();
    const result = await h.gql(`{ tenants(first: 1) { totalCount } }`);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'ERR_UPSTREAM_UNAVAILABLE', reason: 'TooManyRequests' });
    expect(Date.now() - started).toBeLessThan(1_000);
    await throttle(0, 0);
  });

  it('retries a throttled create that carries an idempotency key, and creates it once', async () => {
    const tenant = data<{ subscriptions: Array<{ resourceGroups: Array<{ name: string }> }> }>(await h.gql(`{ cloudTenant(id: "tnt-sa-dga-prod") { subscriptions { resourceGroups { name } } } }`), 'cloudTenant');
    const resourceGroup = tenant.subscriptions[0]?.resourceGroups[0]?.name;
    const mutation = `mutation M($input: ProvisioningInput!) { requestProvisioning(input: $input, idempotencyKey: "throttled-put-1") { id state } }`;
    const input = { tenantId: 'tnt-sa-dga-prod', resourceGroup, name: 'vnet-throttled', kind: 'NETWORK', sku: 'VNET-STD', region: 'qa-central-1' };
    await throttle(2, 20, ['PUT']);
    const first = await h.gql(mutation, { input });
    expect(first.errors).toBeUndefined();
    const again = data<{ id: string }>(await h.gql(mutation, { input }), 'requestProvisioning');
    expect(again.id).toBe((first.data?.['requestProvisioning'] as { id: string }).id);

    // A cancel is not repeated on its own: the caller sees the throttling and decides.
    await throttle(1, 20, ['POST']);
    const cancel = await h.gql(`mutation C($id: ID!) { cancelProvisioning(id: $id) { state } }`, { id: again.id });
    expect(cancel.errors?.[0]?.extensions).toMatchObject({ code: 'ERR_UPSTREAM_UNAVAILABLE', reason: 'TooManyRequests' });
    await throttle(0, 0);
  });

  it('updates tags with a fresh ETag and refuses a stale one with ERR_UPSTREAM_REJECTED', async () => {
    const page = data<Page<{ id: string; etag: string }>>(await h.gql(`{ resources(filter: { tenantId: "tnt-qa-csgdb-prod", kind: STORAGE }, first: 1) { edges { node { id etag } } } }`), 'resources');
    const { id, etag } = page.edges[0]?.node as { id: string; etag: string };
    const update = `mutation U($id: ID!, $etag: String) { updateResourceTags(id: $id, tags: [{ key: "owner", value: "platform" }], etag: $etag) { id etag tags { key value } } }`;
    const updated = data<{ etag: string; tags: Array<{ key: string; value: string }> }>(await h.gql(update, { id, etag }), 'updateResourceTags');
    expect(updated.etag).not.toBe(etag);
    expect(updated.tags).toEqual([{ key: 'owner', value: 'platform' }]);
    const stale = await h.gql(update, { id, etag });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'ERR_UPSTREAM_REJECTED', reason: 'PreconditionFailed' });
    const missing = await h.gql(update, { id: id.replace(/[^/]+$/, 'nothing-here'), etag: null });
    expect(missing.errors?.[0]?.extensions?.code).toBe('ERR_ENTITY_NOT_FOUND');
    const forged = await h.gql(update, { id: '/subscriptions/../../etc', etag: null });
    expect(forged.errors?.[0]?.extensions?.code).toBe('ERR_BAD_USER_INPUT');
  });
});
