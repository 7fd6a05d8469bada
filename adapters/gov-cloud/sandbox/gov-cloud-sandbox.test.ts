import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningServer } from '../../kit/index.js';
import { findSku } from './catalog.js';
import { API_VERSION, startGovCloudSandbox, THROTTLE_PATH } from './gov-cloud-sandbox.js';
import { FIRST_COST_MONTH, generateSeed, LAST_COST_MONTH, monthsBetween } from './seed.js';

const v = `api-version=${API_VERSION}`;

describe('gov-cloud seed', () => {
  it('generates the same cloud for the same seed, at the required size', () => {
    const a = generateSeed();
    const b = generateSeed();
    expect(a.resources.map((r) => r.name)).toEqual(b.resources.map((r) => r.name));
    expect(a.tenants.length).toBeGreaterThanOrEqual(150);
    expect(new Set(a.tenants.map((t) => t.entityState))).toEqual(new Set(['BH', 'KW', 'OM', 'QA', 'SA', 'AE']));
    expect(a.resources.length).toBeGreaterThanOrEqual(2_000);
    expect(monthsBetween(FIRST_COST_MONTH, LAST_COST_MONTH)).toHaveLength(24);
    expect(a.tenants.find((t) => t.id === 'tnt-qa-mof-prod')?.baseMonthlyQar).toBe(182_000);
  });

  it('keeps every seeded tenant within its quotas', () => {
    const seed = generateSeed();
    for (const quota of seed.quotas) {
      const used = seed.resources.filter((r) => r.tenantId === quota.tenantId && r.kind === quota.kind).reduce((sum, r) => sum + (findSku(r.sku)?.units ?? Infinity), 0);
      expect(used).toBeLessThanOrEqual(quota.limit);
    }
  });
});

describe('gov-cloud sandbox', () => {
  let sandbox: RunningServer;
  const get = async (path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> => {
    const response = await fetch(`${sandbox.url}${path}`, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  beforeAll(async () => {
    const started = Date.now();
    sandbox = await startGovCloudSandbox({ maxPageSize: 20, provisioningStepMillis: 50 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('refuses calls without the api-version', async () => {
    const { status, body } = await get('/providers/Gcc.Cloud/tenants');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
  });

  it('pages collections with nextLink until the end', async () => {
    let path: string | undefined = `/providers/Gcc.Cloud/tenants?${v}&$count=true`;
    const ids: string[] = [];
    let count = 0;
    while (path !== undefined) {
      const { body }: { body: Record<string, unknown> } = await get(path);
      if (typeof body['count'] === 'number') count = body['count'];
      ids.push(...(body['value'] as Array<{ name: string }>).map((t) => t.name));
      path = body['nextLink'] as string | undefined;
    }
    expect(ids.length).toBe(count);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(150);
  });

  it('answers a resource with its ETag and refuses a stale If-Match with 412', async () => {
    const { body: list } = await get(`/providers/Gcc.Cloud/resources?${v}&tenantId=tnt-qa-mof-prod&$top=1`);
    const id = (list['value'] as Array<{ id: string }>)[0]?.id as string;
    const first = await get(`${id}?${v}`);
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^"\d+-/);
    const patch = (ifMatch: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> =>
      get(`${id}?${v}`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'if-match': ifMatch }, body: JSON.stringify({ tags: { owner: 'ops' } }) });
    const updated = await patch(etag);
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).not.toBe(etag);
    const stale = await patch(etag);
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ error: { code: 'PreconditionFailed' } });
  });

  it('throttles on request with 429 and Retry-After', async () => {
    await get(THROTTLE_PATH, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests: 1, retryAfterMillis: 1500 }) });
    const throttled = await get(`/providers/Gcc.Cloud/skus?${v}`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(throttled.headers.get('retry-after-ms')).toBe('1500');
    expect((await get(`/providers/Gcc.Cloud/skus?${v}`)).status).toBe(200);
  });

  it('accepts a create with 202 and an Operation-Location that reaches a final state', async () => {
    const { body: subs } = await get(`/providers/Gcc.Cloud/tenants/tnt-qa-mcit-shared/subscriptions?${v}`);
    const subscriptionId = (subs['value'] as Array<{ subscriptionId: string }>)[0]?.subscriptionId as string;
    const put = await get(`/subscriptions/${subscriptionId}/resourceGroups/rg-shared-app/providers/Gcc.Network/virtualNetworks/vnet-sandbox-test?${v}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'if-none-match': '*' },
      body: JSON.stringify({ location: 'qa-central-1', sku: { name: 'VNET-STD' } }),
    });
    expect(put.status).toBe(202);
    const location = put.headers.get('operation-location') as string;
    expect(location).toMatch(/^\/providers\/Gcc\.Cloud\/operations\/op-/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { body: operation } = await get(location);
    expect(operation).toMatchObject({ status: 'Succeeded', properties: { phase: 'Succeeded' } });
    expect((operation['properties'] as { history: unknown[] }).history).toHaveLength(4);
  });

  it('refuses an unknown SKU with 400 and creates nothing', async () => {
    const { body: subs } = await get(`/providers/Gcc.Cloud/tenants/tnt-qa-mcit-shared/subscriptions?${v}`);
    const subscriptionId = (subs['value'] as Array<{ subscriptionId: string }>)[0]?.subscriptionId as string;
    const path = `/subscriptions/${subscriptionId}/resourceGroups/rg-shared-app/providers/Gcc.Compute/virtualMachines/vm-nope?${v}`;
    const put = await get(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ location: 'qa-central-1', sku: { name: 'XL-9000' } }) });
    expect(put.status).toBe(400);
    expect(put.body).toMatchObject({ error: { code: 'InvalidSku' } });
    expect((await get(path)).status).toBe(404);
  });
});
