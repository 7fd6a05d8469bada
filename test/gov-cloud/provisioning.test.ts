import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, sleep, startGovCloudHarness, type GovCloudHarness, type GraphQLResult } from './gov-cloud-harness.js';

const REQUEST = `mutation Request($input: ProvisioningInput!, $key: String!) {
  requestProvisioning(input: $input, idempotencyKey: $key) { id state finished resourceId idempotencyKey failure { code message } }
}`;
const FOLLOW = `query Follow($id: ID!) {
  provisioningRequest(id: $id) {
    id state finished
    history { state at }
    failure { code message }
    tenant { id displayName }
    request { kind sku region name resourceGroup tags { key value } }
    resource { id status sku tags { key value } }
  }
}`;
const CANCEL = `mutation Cancel($id: ID!) { cancelProvisioning(id: $id) { id state finished history { state } } }`;
const QUOTA = `query Quota($tenantId: ID!, $kind: ServiceKind!) { quotas(filter: { tenantId: $tenantId, kind: $kind }) { edges { node { limit used available } } } }`;
const TENANT_GROUPS = `query Groups($id: ID!) { cloudTenant(id: $id) { subscriptions { id state resourceGroups { name } } } }`;

interface Request {
  id: string;
  state: string;
  finished: boolean;
  resourceId: string;
  failure: { code: string; message: string } | null;
}

function data<T>(result: GraphQLResult, field: string): T {
  if (result.errors !== undefined) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.data?.[field] as T;
}

function errorOf(result: GraphQLResult): { code?: string; reason?: string } {
  expect(result.errors).toBeDefined();
  return result.errors?.[0]?.extensions ?? {};
}

async function available(h: GovCloudHarness, tenantId: string, kind: string): Promise<number> {
  const quotas = data<{ edges: Array<{ node: { available: number } }> }>(await h.gql(QUOTA, { tenantId, kind }), 'quotas');
  return quotas.edges[0]?.node.available as number;
}

async function firstGroup(h: GovCloudHarness, tenantId: string): Promise<string> {
  const tenant = data<{ subscriptions: Array<{ resourceGroups: Array<{ name: string }> }> }>(await h.gql(TENANT_GROUPS, { id: tenantId }), 'cloudTenant');
  return tenant.subscriptions[0]?.resourceGroups[0]?.name as string;
}

describe('gov-cloud provisioning over real time', () => {
  let h: GovCloudHarness;
  const tenantId = 'tnt-qa-mcit-shared';
  let resourceGroup: string;

  beforeAll(async () => {
    h = await startGovCloudHarness({ sandbox: { provisioningStepMillis: 60 } });
    resourceGroup = await firstGroup(h, tenantId);
  });
  afterAll(async () => {
    await h.close();
  });

  it('moves a request from SUBMITTED to SUCCEEDED and publishes one completed event', async () => {
    const before = await available(h, tenantId, 'VIRTUAL_MACHINE');
    const input = { tenantId, resourceGroup, name: 'vm-e2e-01', kind: 'VIRTUAL_MACHINE', sku: 'GP-2', region: 'qa-central-1', tags: [{ key: 'purpose', value: 'e2e' }] };
    const submitted = data<Request>(await h.gql(REQUEST, { input, key: 'e2e-success-1' }), 'requestProvisioning');
    expect(submitted).toMatchObject({ state: 'SUBMITTED', finished: false, idempotencyKey: 'e2e-success-1' });

    // The adapter's watcher follows the operation on its own and publishes when it is final.
    const event = await eventually(() => h.events.find((e) => e.subject === submitted.id));
    expect(event).toMatchObject({ type: 'gcc.cloud.provisioning.completed.v1', data: { state: 'SUCCEEDED', tenantId, sku: 'GP-2', resourceId: submitted.resourceId } });

    const followed = data<Record<string, unknown>>(await h.gql(FOLLOW, { id: submitted.id }), 'provisioningRequest');
    expect(followed).toMatchObject({ state: 'SUCCEEDED', finished: true, failure: null, tenant: { id: tenantId }, resource: { id: submitted.resourceId, status: 'RUNNING', sku: 'GP-2', tags: [{ key: 'purpose', value: 'e2e' }] } });
    expect((followed['history'] as Array<{ state: string }>).map((t) => t.state)).toEqual(['SUBMITTED', 'APPROVED', 'PROVISIONING', 'SUCCEEDED']);
    expect(await available(h, tenantId, 'VIRTUAL_MACHINE')).toBe(before - 2);
    expect(h.events.filter((e) => e.subject === submitted.id)).toHaveLength(1);
  });

  it('answers a repeated idempotency key with the same request and refuses the key for another input', async () => {
    const input = { tenantId, resourceGroup, name: 'st-idem-01', kind: 'STORAGE', sku: 'STD-1T', region: 'qa-central-1' };
    const first = data<Request>(await h.gql(REQUEST, { input, key: 'idem-1' }), 'requestProvisioning');
    const again = data<Request>(await h.gql(REQUEST, { input, key: 'idem-1' }), 'requestProvisioning');
    expect(again.id).toBe(first.id);
    const other = await h.gql(REQUEST, { input: { ...input, sku: 'STD-10T' }, key: 'idem-1' });
    expect(errorOf(other)).toMatchObject({ code: 'ERR_BAD_USER_INPUT', reason: 'IdempotencyKeyReused' });
  });

  it('scopes idempotency keys to the calling client', async () => {
    const qa = 'GCC:QA:GOV:MCIT:cloud-portal';
    const sa = 'GCC:SA:GOV:DGA:cloud-portal';
    const input = (name: string): Record<string, unknown> => ({ tenantId, resourceGroup, name, kind: 'NETWORK', sku: 'VNET-STD', region: 'qa-central-1' });
    const mine = data<Request>(await h.gql(REQUEST, { input: input('vnet-scope-qa'), key: 'deploy-42' }, qa), 'requestProvisioning');
    // The same key from another client is another key: no IdempotencyKeyReused, no replay of QA's request.
    const theirs = data<Request>(await h.gql(REQUEST, { input: input('vnet-scope-sa'), key: 'deploy-42' }, sa), 'requestProvisioning');
    expect(theirs.id).not.toBe(mine.id);
    expect(data<{ idempotencyKey: string | null }>(await h.gql(`query F($id: ID!) { provisioningRequest(id: $id) { idempotencyKey } }`, { id: mine.id }, qa), 'provisioningRequest').idempotencyKey).toBe('deploy-42');
    expect(data<{ idempotencyKey: string | null }>(await h.gql(`query F($id: ID!) { provisioningRequest(id: $id) { idempotencyKey } }`, { id: mine.id }, sa), 'provisioningRequest').idempotencyKey).toBeNull();
  });

  it('refuses unknown SKUs, unknown regions and SKUs not offered in a region as bad input', async () => {
    const base = { tenantId, resourceGroup, name: 'vm-bad-01', kind: 'VIRTUAL_MACHINE', sku: 'GP-2', region: 'qa-central-1' };
    expect(errorOf(await h.gql(REQUEST, { input: { ...base, sku: 'XL-9000' }, key: 'bad-1' }))).toMatchObject({ code: 'ERR_BAD_USER_INPUT', reason: 'InvalidSku' });
    expect(errorOf(await h.gql(REQUEST, { input: { ...base, region: 'mars-1' }, key: 'bad-2' }))).toMatchObject({ code: 'ERR_BAD_USER_INPUT', reason: 'LocationNotAvailableForResourceType' });
    expect(errorOf(await h.gql(REQUEST, { input: { ...base, sku: 'GPU-A100-24', region: 'qa-south-1' }, key: 'bad-3' }))).toMatchObject({ code: 'ERR_BAD_USER_INPUT', reason: 'SkuNotAvailable' });
    expect(errorOf(await h.gql(REQUEST, { input: { ...base, tenantId: 'tnt-nobody' }, key: 'bad-4' }))).toMatchObject({ code: 'ERR_BAD_USER_INPUT', reason: 'TenantNotFound' });
    const left = await h.gql(`{ resources(filter: { tenantId: "${tenantId}", tag: "never" }) { totalCount } r: resources(filter: { tenantId: "${tenantId}" }, first: 100) { edges { node { name } } } }`);
    expect(JSON.stringify(left.data)).not.toContain('vm-bad-01');
  });

  it('fails a request the cloud has no capacity for and leaves nothing behind', async () => {
    const before = await available(h, tenantId, 'VIRTUAL_MACHINE');
    const input = { tenantId, resourceGroup, name: 'vm-gpu-01', kind: 'VIRTUAL_MACHINE', sku: 'GPU-A100-24', region: 'qa-north-1' };
    const submitted = data<Request>(await h.gql(REQUEST, { input, key: 'gpu-1' }), 'requestProvisioning');
    const event = await eventually(() => h.events.find((e) => e.subject === submitted.id));
    expect(event.data).toMatchObject({ state: 'FAILED', failure: { code: 'AllocationFailed' } });
    const followed = data<Record<string, unknown>>(await h.gql(FOLLOW, { id: submitted.id }), 'provisioningRequest');
    expect(followed).toMatchObject({ state: 'FAILED', failure: { code: 'ALLOCATION_FAILED' }, resource: null });
    expect(data(await h.gql(`query R($id: ID!) { resource(id: $id) { id } }`, { id: submitted.resourceId }), 'resource')).toBeNull();
    expect(await available(h, tenantId, 'VIRTUAL_MACHINE')).toBe(before);
  });

  it('keeps following a request through a short upstream outage and still publishes its event', async () => {
    const input = { tenantId, resourceGroup, name: 'st-outage-01', kind: 'STORAGE', sku: 'STD-1T', region: 'qa-central-1' };
    const setFaults = (faults: Record<string, unknown>): Promise<Response> =>
      h.sandboxFetch('/__sandbox/faults', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
    const submitted = data<Request>(await h.gql(REQUEST, { input, key: 'outage-1' }), 'requestProvisioning');
    await setFaults({ errorRate: 1, errorStatus: 503 });
    await sleep(80);
    await setFaults({ errorRate: 0 });
    const event = await eventually(() => h.events.find((e) => e.subject === submitted.id));
    expect(event.data).toMatchObject({ state: 'SUCCEEDED' });
  });

  it('answers null for a provisioning request that does not exist', async () => {
    expect(data(await h.gql(FOLLOW, { id: 'op-nothing-here' }), 'provisioningRequest')).toBeNull();
  });
});

describe('gov-cloud provisioning on a stopped clock', () => {
  let h: GovCloudHarness;
  let now = Date.UTC(2026, 10, 22, 9);
  const step = 1_000;
  const tick = (): void => {
    now += step;
  };

  beforeAll(async () => {
    h = await startGovCloudHarness({ sandbox: { provisioningStepMillis: step, clock: () => now } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('rejects at approval the request that no longer fits the quota', async () => {
    const tenantId = 'tnt-qa-moph-prod';
    const resourceGroup = await firstGroup(h, tenantId);
    const left = await available(h, tenantId, 'NETWORK');
    expect(left).toBeGreaterThan(0);
    // Each request fits on its own when submitted; approval reserves in submission order.
    const ids: string[] = [];
    for (let i = 0; i <= left; i++) {
      const input = { tenantId, resourceGroup, name: `vnet-race-${i}`, kind: 'NETWORK', sku: 'VNET-STD', region: 'qa-central-1' };
      ids.push(data<Request>(await h.gql(REQUEST, { input, key: `race-${i}` }), 'requestProvisioning').id);
    }
    tick();
    const states = await Promise.all(ids.map(async (id) => data<{ state: string; failure: { code: string } | null }>(await h.gql(FOLLOW, { id }), 'provisioningRequest')));
    expect(states.slice(0, left).every((s) => s.state === 'APPROVED')).toBe(true);
    expect(states[left]).toMatchObject({ state: 'REJECTED', failure: { code: 'QUOTA_EXCEEDED' } });
    expect(h.events.find((e) => e.subject === ids[left])?.data).toMatchObject({ state: 'REJECTED' });
    tick();
    tick();
    expect(await available(h, tenantId, 'NETWORK')).toBe(0);

    // Now the quota is full: a new request is refused at once, and nothing is created.
    const refused = await h.gql(REQUEST, { input: { tenantId, resourceGroup, name: 'vnet-race-x', kind: 'NETWORK', sku: 'VNET-STD', region: 'qa-central-1' }, key: 'race-x' });
    expect(errorOf(refused)).toMatchObject({ code: 'ERR_UPSTREAM_REJECTED', reason: 'QuotaExceeded' });
  });

  it('cancels a request while provisioning, removes the half-made resource, and refuses to cancel it again', async () => {
    const tenantId = 'tnt-qa-mof-prod';
    const resourceGroup = await firstGroup(h, tenantId);
    const before = await available(h, tenantId, 'DATABASE');
    const input = { tenantId, resourceGroup, name: 'sql-cancel-01', kind: 'DATABASE', sku: 'DB-GP-2', region: 'qa-central-1' };
    const submitted = data<Request>(await h.gql(REQUEST, { input, key: 'cancel-1' }), 'requestProvisioning');
    tick();
    tick();
    const provisioning = data<{ state: string; resource: { status: string } | null }>(await h.gql(FOLLOW, { id: submitted.id }), 'provisioningRequest');
    expect(provisioning).toMatchObject({ state: 'PROVISIONING', resource: { status: 'CREATING' } });

    const cancelled = data<{ state: string; history: Array<{ state: string }> }>(await h.gql(CANCEL, { id: submitted.id }), 'cancelProvisioning');
    expect(cancelled.state).toBe('CANCELLED');
    expect(cancelled.history.map((t) => t.state)).toEqual(['SUBMITTED', 'APPROVED', 'PROVISIONING', 'CANCELLED']);
    expect(data(await h.gql(`query R($id: ID!) { resource(id: $id) { id } }`, { id: submitted.resourceId }), 'resource')).toBeNull();
    expect(await available(h, tenantId, 'DATABASE')).toBe(before);
    expect(h.events.find((e) => e.subject === submitted.id)?.data).toMatchObject({ state: 'CANCELLED' });

    expect(errorOf(await h.gql(CANCEL, { id: submitted.id }))).toMatchObject({ code: 'ERR_BAD_USER_INPUT', reason: 'OperationAlreadyCompleted' });
    expect(errorOf(await h.gql(CANCEL, { id: 'op-unknown' }))).toMatchObject({ code: 'ERR_ENTITY_NOT_FOUND' });
  });

  it('refuses a second request for a name that is already taken', async () => {
    const tenantId = 'tnt-qa-mof-prod';
    const resourceGroup = await firstGroup(h, tenantId);
    const input = { tenantId, resourceGroup, name: 'st-taken-01', kind: 'STORAGE', sku: 'STD-1T', region: 'qa-central-1' };
    data<Request>(await h.gql(REQUEST, { input, key: 'taken-1' }), 'requestProvisioning');
    expect(errorOf(await h.gql(REQUEST, { input, key: 'taken-2' }))).toMatchObject({ code: 'ERR_BAD_USER_INPUT', reason: 'ResourceExists' });
  });
});
