import { createHash } from 'node:crypto';
import { pageWindow, perRequest, toConnection, type SubgraphResolvers } from '../kit/index.js';
import {
  FINAL_PHASES,
  parseResourceId,
  type CloudResource,
  type CostResource,
  type Filters,
  type GovCloudClient,
  type OperationResource,
  type QuotaResource,
  type TenantResource,
  type UpstreamKind,
} from './gov-cloud-client.js';
import { GovCloudError } from './gov-cloud-error.js';
import type { ProvisioningWatcher } from './provisioning-watcher.js';

/** QAR is pegged to the US dollar at 3.64. */
export const QAR_PER_USD = 3.64;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const PAGE = { first: 20, maxFirst: 100 } as const;
const MAX_SPEND_MONTHS = 24;

const STATUS: Record<TenantResource['properties']['provisioningState'], string> = { Active: 'ACTIVE', Suspended: 'SUSPENDED', Decommissioning: 'DECOMMISSIONING' };
const STATUS_UPSTREAM: Record<string, string> = { ACTIVE: 'Active', SUSPENDED: 'Suspended', DECOMMISSIONING: 'Decommissioning' };
const KIND: Record<UpstreamKind, string> = { VirtualMachine: 'VIRTUAL_MACHINE', Database: 'DATABASE', Storage: 'STORAGE', Kubernetes: 'KUBERNETES', Network: 'NETWORK' };
const KIND_UPSTREAM = Object.fromEntries(Object.entries(KIND).map(([upstream, ours]) => [ours, upstream])) as Record<string, UpstreamKind>;
const RESOURCE_STATUS: Record<string, string> = { Creating: 'CREATING', Running: 'RUNNING', Stopped: 'STOPPED', Degraded: 'DEGRADED' };
const RESOURCE_STATUS_UPSTREAM = Object.fromEntries(Object.entries(RESOURCE_STATUS).map(([upstream, ours]) => [ours, upstream])) as Record<string, string>;
const PHASE: Record<string, string> = {
  Submitted: 'SUBMITTED',
  Approved: 'APPROVED',
  Provisioning: 'PROVISIONING',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  Rejected: 'REJECTED',
  Canceled: 'CANCELLED',
};
const FAILURE: Record<string, string> = { QuotaExceeded: 'QUOTA_EXCEEDED', AllocationFailed: 'ALLOCATION_FAILED' };

const round2 = (n: number): number => Math.round(n * 100) / 100;

interface TenantValue {
  readonly id: string;
  readonly displayName: string;
  readonly entity: { readonly state: string; readonly code: string };
  readonly region: string;
  readonly status: string;
  readonly createdAt: string | null;
}

interface TenantRef {
  readonly id: string;
}

function toTenant(resource: TenantResource): TenantValue {
  return {
    id: resource.name,
    displayName: resource.properties.displayName,
    entity: { state: resource.properties.entity.state, code: resource.properties.entity.code },
    region: resource.location,
    status: STATUS[resource.properties.provisioningState],
    createdAt: resource.properties.createdTime ?? null,
  };
}

function tags(record: Readonly<Record<string, string>> | undefined): Array<{ key: string; value: string }> {
  return Object.entries(record ?? {}).map(([key, value]) => ({ key, value }));
}

function toResource(resource: CloudResource): Record<string, unknown> {
  const parts = parseResourceId(resource.id);
  return {
    id: resource.id,
    name: resource.name,
    kind: KIND[resource.properties.kind],
    type: resource.type,
    sku: resource.sku.name,
    region: resource.location,
    status: RESOURCE_STATUS[resource.properties.status] ?? 'RUNNING',
    tags: tags(resource.tags),
    createdAt: resource.systemData?.createdAt ?? null,
    tenant: { id: resource.properties.tenantId } satisfies TenantRef,
    subscriptionId: parts?.subscriptionId ?? '',
    resourceGroup: parts?.resourceGroup ?? '',
    etag: resource.etag,
  };
}

function toQuota(quota: QuotaResource): Record<string, unknown> {
  return { tenant: { id: quota.tenantId }, kind: KIND[quota.kind], unit: quota.unit, limit: quota.limit, used: quota.used, available: Math.max(0, quota.limit - quota.used) };
}

function spendOf(month: string, costs: readonly CostResource[]): { month: string; totalQar: number; totalUsd: number; byServiceKind: Array<Record<string, unknown>> } {
  const byKind = new Map<string, number>();
  for (const cost of costs) {
    if (cost.currency !== 'QAR') throw new GovCloudError('ERR_UPSTREAM_BAD_RESPONSE', `gov-cloud reported costs in ${cost.currency}, expected QAR`);
    for (const row of cost.rows) byKind.set(row.serviceKind, (byKind.get(row.serviceKind) ?? 0) + row.amount);
  }
  const byServiceKind = [...byKind.entries()].map(([kind, amount]) => ({
    serviceKind: KIND[kind as UpstreamKind] ?? kind,
    amountQar: round2(amount),
    amountUsd: round2(amount / QAR_PER_USD),
  }));
  const totalQar = round2(byServiceKind.reduce((sum, row) => sum + row.amountQar, 0));
  return { month, totalQar, totalUsd: round2(totalQar / QAR_PER_USD), byServiceKind };
}

function toCostSummary(cost: CostResource): Record<string, unknown> {
  return { tenant: { id: cost.tenantId }, ...spendOf(cost.billingPeriod, [cost]) };
}

/**
 * Idempotency keys are scoped to the caller: the key sent upstream is `<scope>.<key>`, the scope a
 * digest of the caller's ClientId. Two member states choosing the same key therefore never meet,
 * and nobody can fetch another caller's request by guessing its key.
 */
function keyScope(context: unknown): string {
  const clientId = (context as { clientId?: unknown } | null | undefined)?.clientId;
  return createHash('sha256')
    .update(`gov-cloud idempotency\n${typeof clientId === 'string' ? clientId : ''}`)
    .digest('base64url')
    .slice(0, 16);
}

function toProvisioningRequest(operation: OperationResource, context: unknown): Record<string, unknown> {
  const { properties } = operation;
  const scope = `${keyScope(context)}.`;
  const upstreamKey = properties.idempotencyKey;
  return {
    id: operation.name,
    state: PHASE[properties.phase] ?? 'SUBMITTED',
    finished: FINAL_PHASES.has(properties.phase),
    // Only the caller who chose the key sees it back.
    idempotencyKey: upstreamKey?.startsWith(scope) === true ? upstreamKey.slice(scope.length) : null,
    tenant: { id: properties.tenantId },
    request: {
      subscriptionId: properties.request.subscriptionId,
      resourceGroup: properties.request.resourceGroup,
      name: properties.request.name,
      kind: KIND[properties.request.kind],
      sku: properties.request.sku,
      region: properties.request.location,
      tags: tags(properties.request.tags),
    },
    resourceId: properties.resourceId,
    phase: properties.phase,
    failure: operation.error !== undefined ? { code: FAILURE[operation.error.code] ?? 'OTHER', message: operation.error.message } : null,
    submittedAt: operation.startTime,
    updatedAt: properties.lastUpdatedTime,
    history: properties.history.map((h) => ({ state: PHASE[h.phase] ?? h.phase, at: h.time })),
  };
}

function badInput(message: string, reason: string): GovCloudError {
  return new GovCloudError('ERR_BAD_USER_INPUT', message, { reason });
}

function month(value: unknown, name: string): string {
  if (typeof value !== 'string' || !MONTH.test(value)) throw badInput(`"${name}" must be a calendar month as YYYY-MM, got "${String(value).slice(0, 20)}"`, 'InvalidBillingPeriod');
  return value;
}

function monthIndex(value: string): number {
  const [year, m] = value.split('-').map(Number) as [number, number];
  return year * 12 + m - 1;
}

function compact(filters: Record<string, string | null | undefined>): Filters {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined && value !== null)) as Filters;
}

type Args = Record<string, unknown>;

export function createGovCloudResolvers(client: GovCloudClient, watcher: ProvisioningWatcher): SubgraphResolvers {
  // One memo per GraphQL context object, so a page of 100 rows fetches each tenant once.
  const tenantCache = perRequest(() => new Map<string, Promise<TenantValue | null>>());
  const loadTenant = (context: unknown, id: string): Promise<TenantValue | null> => {
    const cache = tenantCache(context);
    let pending = cache.get(id);
    if (pending === undefined) {
      pending = client.getTenant(id).then((t) => (t === undefined ? null : toTenant(t)));
      cache.set(id, pending);
    }
    return pending;
  };
  /** A field typed `CloudTenant!` whose parent only knows the id. */
  const tenantOf = async (parent: unknown, _args: unknown, context: unknown): Promise<TenantValue> => {
    const ref = (parent as { tenant: TenantRef }).tenant;
    const tenant = await loadTenant(context, ref.id);
    if (tenant === null) throw new GovCloudError('ERR_UPSTREAM_BAD_RESPONSE', `gov-cloud referred to tenant "${ref.id}", which it does not know`);
    return tenant;
  };

  const entitySpend = async (entity: { state: string; code: string }, from: string, to: string): Promise<Array<ReturnType<typeof spendOf>>> => {
    const costs = await client.listCosts({ entityState: entity.state, entityCode: entity.code, from, to });
    const byMonth = new Map<string, CostResource[]>();
    for (const cost of costs) {
      if (cost.rows.length === 0) continue;
      byMonth.set(cost.billingPeriod, [...(byMonth.get(cost.billingPeriod) ?? []), cost]);
    }
    return [...byMonth.entries()].sort(([a], [b]) => (a < b ? 1 : -1)).map(([m, rows]) => spendOf(m, rows));
  };

  return {
    Query: {
      cloudTenants: async (_source: unknown, args: unknown) => {
        const { state } = args as { state?: string | null };
        return (await client.listTenants(state != null ? { state } : {})).map(toTenant);
      },
      cloudTenant: async (_source: unknown, args: unknown, context: unknown) => loadTenant(context, (args as { id: string }).id),
      tenants: async (_source: unknown, args: unknown) => {
        const { filter, first, after } = args as { filter?: Args | null; first?: number | null; after?: string | null };
        const { skip, top } = pageWindow({ first: first ?? null, after: after ?? null }, PAGE);
        const f = filter ?? {};
        const page = await client.tenantsPage(
          compact({ entityState: f['state'] as string, entityCode: f['entityCode'] as string, status: STATUS_UPSTREAM[f['status'] as string], region: f['region'] as string }),
          skip,
          top,
        );
        return toConnection(page.items.map(toTenant), skip, page.count);
      },
      resources: async (_source: unknown, args: unknown) => {
        const { filter, first, after } = args as { filter?: Args | null; first?: number | null; after?: string | null };
        const { skip, top } = pageWindow({ first: first ?? null, after: after ?? null }, PAGE);
        const f = filter ?? {};
        const page = await client.resourcesPage(
          compact({
            tenantId: f['tenantId'] as string,
            subscriptionId: f['subscriptionId'] as string,
            resourceGroup: f['resourceGroup'] as string,
            kind: KIND_UPSTREAM[f['kind'] as string],
            region: f['region'] as string,
            status: RESOURCE_STATUS_UPSTREAM[f['status'] as string],
            tag: f['tag'] as string,
          }),
          skip,
          top,
        );
        return toConnection(page.items.map(toResource), skip, page.count);
      },
      resource: async (_source: unknown, args: unknown) => {
        const resource = await client.getResource((args as { id: string }).id);
        return resource === undefined ? null : toResource(resource);
      },
      quotas: async (_source: unknown, args: unknown) => {
        const { filter, first, after } = args as { filter?: Args | null; first?: number | null; after?: string | null };
        const { skip, top } = pageWindow({ first: first ?? null, after: after ?? null }, PAGE);
        const f = filter ?? {};
        const page = await client.quotasPage(compact({ tenantId: f['tenantId'] as string, kind: KIND_UPSTREAM[f['kind'] as string] }), skip, top);
        return toConnection(page.items.map(toQuota), skip, page.count);
      },
      costs: async (_source: unknown, args: unknown) => {
        const { filter, first, after } = args as { filter?: Args | null; first?: number | null; after?: string | null };
        const { skip, top } = pageWindow({ first: first ?? null, after: after ?? null }, PAGE);
        const f = filter ?? {};
        const from = f['from'] != null ? month(f['from'], 'filter.from') : undefined;
        const to = f['to'] != null ? month(f['to'], 'filter.to') : undefined;
        if (from !== undefined && to !== undefined && from > to) throw badInput('"filter.from" must not be after "filter.to"', 'InvalidBillingPeriod');
        const page = await client.costsPage(
          compact({ tenantId: f['tenantId'] as string, entityState: f['state'] as string, entityCode: f['entityCode'] as string, from: from ?? to, to: to ?? from }),
          skip,
          top,
        );
        return toConnection(page.items.map(toCostSummary), skip, page.count);
      },
      usage: async (_source: unknown, args: unknown) => {
        const { filter, first, after } = args as { filter?: Args | null; first?: number | null; after?: string | null };
        const { skip, top } = pageWindow({ first: first ?? null, after: after ?? null }, PAGE);
        const f = filter ?? {};
        for (const key of ['from', 'to'] as const) {
          if (f[key] != null && (typeof f[key] !== 'string' || !DATE.test(f[key]))) throw badInput(`"filter.${key}" must be a date as YYYY-MM-DD`, 'InvalidDate');
        }
        const page = await client.usagePage(
          compact({ tenantId: f['tenantId'] as string, entityState: f['state'] as string, kind: KIND_UPSTREAM[f['serviceKind'] as string], from: f['from'] as string, to: f['to'] as string }),
          skip,
          top,
        );
        return toConnection(
          page.items.map((u) => ({ tenant: { id: u.tenantId }, date: u.date, serviceKind: KIND[u.kind], quantity: u.quantity, unit: u.unit, costQar: u.costQar, costUsd: round2(u.costQar / QAR_PER_USD) })),
          skip,
          page.count,
        );
      },
      serviceHealthEvents: async (_source: unknown, args: unknown) => {
        const { filter, first, after } = args as { filter?: Args | null; first?: number | null; after?: string | null };
        const { skip, top } = pageWindow({ first: first ?? null, after: after ?? null }, PAGE);
        const f = filter ?? {};
        const page = await client.healthEventsPage(
          compact({ region: f['region'] as string, kind: KIND_UPSTREAM[f['serviceKind'] as string], status: f['status'] === 'ACTIVE' ? 'Active' : f['status'] === 'RESOLVED' ? 'Resolved' : undefined }),
          skip,
          top,
        );
        return toConnection(
          page.items.map((e) => ({
            id: e.name,
            region: e.properties.region,
            serviceKind: KIND[e.properties.kind],
            severity: e.properties.severity.toUpperCase(),
            status: e.properties.status.toUpperCase(),
            title: e.properties.title,
            startedAt: e.properties.startedAt,
            resolvedAt: e.properties.resolvedAt,
          })),
          skip,
          page.count,
        );
      },
      cloudSkus: async (_source: unknown, args: unknown) => {
        const { kind, region } = args as { kind?: string | null; region?: string | null };
        const skus = await client.listSkus(compact({ kind: kind != null ? KIND_UPSTREAM[kind] : undefined, region }));
        return skus.map((s) => ({ name: s.name, kind: KIND[s.kind], units: s.units, unit: s.unit, regions: s.locations, monthlyPriceQar: s.monthlyPriceQar, description: s.description }));
      },
      provisioningRequest: async (_source: unknown, args: unknown, context: unknown) => {
        const poll = await client.pollOperation((args as { id: string }).id);
        if (poll === undefined) return null;
        await watcher.observe(poll.operation);
        return toProvisioningRequest(poll.operation, context);
      },
    },
    Mutation: {
      requestProvisioning: async (_source: unknown, args: unknown, context: unknown) => {
        const { input, idempotencyKey } = args as { input: Args; idempotencyKey: string };
        if (!/^[\x21-\x7e]{1,128}$/.test(idempotencyKey)) throw badInput('"idempotencyKey" must be 1-128 visible ASCII characters', 'InvalidIdempotencyKey');
        const tenantId = input['tenantId'] as string;
        const tenant = await loadTenant(context, tenantId);
        if (tenant === null) throw badInput(`There is no tenant "${tenantId.slice(0, 64)}"`, 'TenantNotFound');
        const subscriptions = await client.listSubscriptions(tenantId);
        const requested = input['subscriptionId'] as string | null | undefined;
        const subscription = requested != null ? subscriptions.find((s) => s.subscriptionId === requested) : (subscriptions.find((s) => s.state === 'Enabled') ?? subscriptions[0]);
        if (subscription === undefined) throw badInput(requested != null ? `Subscription "${requested.slice(0, 64)}" does not belong to tenant "${tenantId}"` : `Tenant "${tenantId}" has no subscription`, 'SubscriptionNotFound');
        const tagList = (input['tags'] as Array<{ key: string; value: string }> | null | undefined) ?? [];
        if (tagList.length > 50) throw badInput('At most 50 tags', 'InvalidTags');
        const tagRecord: Record<string, string> = {};
        for (const tag of tagList) {
          if (Object.hasOwn(tagRecord, tag.key)) throw badInput(`Tag "${tag.key.slice(0, 64)}" is given twice`, 'InvalidTags');
          tagRecord[tag.key] = tag.value;
        }
        const started = await client.beginCreate({
          subscriptionId: subscription.subscriptionId,
          resourceGroup: input['resourceGroup'] as string,
          kind: KIND_UPSTREAM[input['kind'] as string] as UpstreamKind,
          name: input['name'] as string,
          sku: input['sku'] as string,
          location: input['region'] as string,
          tags: tagRecord,
          idempotencyKey: `${keyScope(context)}.${idempotencyKey}`,
        });
        watcher.watch(started.operation, started.operationUrl);
        return toProvisioningRequest(started.operation, context);
      },
      cancelProvisioning: async (_source: unknown, args: unknown, context: unknown) => {
        const { id } = args as { id: string };
        const operation = await client.cancelOperation(id);
        if (operation === undefined) throw new GovCloudError('ERR_ENTITY_NOT_FOUND', `There is no provisioning request "${id.slice(0, 64)}"`, { reason: 'OperationNotFound' });
        await watcher.observe(operation);
        return toProvisioningRequest(operation, context);
      },
      updateResourceTags: async (_source: unknown, args: unknown) => {
        const { id, tags: tagList, etag } = args as { id: string; tags: Array<{ key: string; value: string }>; etag?: string | null };
        if (parseResourceId(id) === undefined) throw badInput('Not a government cloud resource id', 'InvalidResourceId');
        const record: Record<string, string> = {};
        for (const tag of tagList) record[tag.key] = tag.value;
        try {
          return toResource(await client.updateResourceTags(id, record, etag ?? undefined));
        } catch (error) {
          if (error instanceof GovCloudError && error.upstreamStatus === 404) throw new GovCloudError('ERR_ENTITY_NOT_FOUND', `There is no resource "${id.slice(0, 200)}"`, { reason: 'ResourceNotFound' });
          throw error;
        }
      },
    },
    CloudTenant: {
      __resolveReference: async (reference: unknown, context: unknown) => loadTenant(context, (reference as TenantRef).id),
      subscriptions: async (tenant: unknown) => {
        const { id } = tenant as TenantValue;
        return (await client.listSubscriptions(id)).map((s) => ({ id: s.subscriptionId, displayName: s.displayName, state: s.state === 'Enabled' ? 'ENABLED' : 'DISABLED', tenant: { id } }));
      },
      quotas: async (tenant: unknown) => (await client.listQuotas({ tenantId: (tenant as TenantValue).id })).map(toQuota),
      cost: async (tenant: unknown, args: unknown) => {
        const cost = await client.getMonthlyCost((tenant as TenantValue).id, month((args as { month: unknown }).month, 'month'));
        return cost === undefined ? null : toCostSummary(cost);
      },
    },
    CloudSubscription: {
      tenant: tenantOf,
      resourceGroups: async (subscription: unknown) =>
        (await client.listResourceGroups((subscription as { id: string }).id)).map((g) => ({ id: g.id, name: g.name, region: g.location, tags: tags(g.tags) })),
    },
    Resource: { tenant: tenantOf },
    Quota: { tenant: tenantOf },
    CostSummary: { tenant: tenantOf },
    UsageRecord: { tenant: tenantOf },
    ProvisioningRequest: {
      tenant: tenantOf,
      resource: async (request: unknown) => {
        const { phase, resourceId } = request as { phase: string; resourceId: string };
        if (phase !== 'Provisioning' && phase !== 'Succeeded') return null;
        const resource = await client.getResource(resourceId);
        return resource === undefined ? null : toResource(resource);
      },
    },
    GovernmentEntity: {
      __resolveReference: (reference: unknown) => {
        const { state, code } = reference as { state: string; code: string };
        return { state, code };
      },
      cloudTenants: async (entity: unknown) => {
        const { state, code } = entity as { state: string; code: string };
        return (await client.listTenants({ state, code })).map(toTenant);
      },
      cloudSpend: async (entity: unknown, args: unknown) => {
        const m = month((args as { month: unknown }).month, 'month');
        const [spend] = await entitySpend(entity as { state: string; code: string }, m, m);
        return spend ?? null;
      },
      cloudSpendByMonth: async (entity: unknown, args: unknown) => {
        const { from: rawFrom, to: rawTo } = args as { from: unknown; to: unknown };
        const from = month(rawFrom, 'from');
        const to = month(rawTo, 'to');
        if (from > to) throw badInput('"from" must not be after "to"', 'InvalidBillingPeriod');
        if (monthIndex(to) - monthIndex(from) + 1 > MAX_SPEND_MONTHS) throw badInput(`A period spans at most ${MAX_SPEND_MONTHS} months`, 'InvalidBillingPeriod');
        return entitySpend(entity as { state: string; code: string }, from, to);
      },
    },
  };
}
