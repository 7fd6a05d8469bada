import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { FaultInjector, startJsonHttpServer, type JsonRequest, type JsonResponse, type RunningServer, type SandboxOptions } from '../../kit/index.js';
import { findSku, kindOfResourceType, QUOTA_UNITS, REGIONS, RESOURCE_TYPES, SERVICE_KINDS, SKUS, type ServiceKind } from './catalog.js';
import { ProvisioningEngine, type Operation } from './provisioning-engine.js';
import {
  FIRST_COST_MONTH,
  generateSeed,
  LAST_COST_MONTH,
  monthsBetween,
  tenantDailyUsage,
  tenantMonthlyCost,
  type ResourceRow,
  type SeedData,
  type TenantRow,
} from './seed.js';

/** API version the sandbox serves; requests must name it (resource-manager convention). */
export const API_VERSION = '2026-01-01';
/** Control endpoint: answer the next N API calls with 429 (see `ThrottleSettings`). */
export const THROTTLE_PATH = '/__sandbox/throttle';

export interface GovCloudSandboxOptions extends SandboxOptions {
  /**
   * Time between two provisioning states (submitted, approved, provisioning, final).
   * @default 2000
   */
  readonly provisioningStepMillis?: number;
  /**
   * Largest page the API returns; larger `$top` values are continued through `nextLink`.
   * @default 50
   */
  readonly maxPageSize?: number;
  /** @default Date.now */
  readonly clock?: () => number;
  /** PRNG seed of the generated cloud. @default 20260101 */
  readonly seed?: number;
}

interface ThrottleSettings {
  /** How many of the next API calls get 429. */
  readonly requests: number;
  /** Sent as `retry-after-ms`, and rounded up to whole seconds in `Retry-After`. */
  readonly retryAfterMillis: number;
  /** Only calls with these methods are throttled (and counted). @default every method */
  readonly methods?: readonly string[];
}

const PROVIDER = '/providers/Gcc.Cloud';
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{1,62}$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * A stand-in for the government cloud's management API, in the style of resource managers:
 * `api-version` on every call, collections as `{ value, nextLink, count }`, errors as
 * `{ error: { code, message } }`, `ETag` / `If-Match` / `If-None-Match`, long-running PUTs answered
 * with 202 + `Operation-Location`, throttling with 429 + `Retry-After`.
 *
 *   GET   /providers/Gcc.Cloud/tenants[?entityState&entityCode&status&region]
 *   GET   /providers/Gcc.Cloud/tenants/{tenant}
 *   GET   /providers/Gcc.Cloud/tenants/{tenant}/subscriptions
 *   GET   /providers/Gcc.Cloud/tenants/{tenant}/costs/{YYYY-MM}
 *   GET   /providers/Gcc.Cloud/resources[?tenantId&subscriptionId&resourceGroup&kind&region&status]
 *   GET   /providers/Gcc.Cloud/quotas[?tenantId&kind]
 *   GET   /providers/Gcc.Cloud/costs[?tenantId&entityState&entityCode&from&to]      monthly, newest first
 *   GET   /providers/Gcc.Cloud/usage[?tenantId&kind&from&to]                        daily, newest first
 *   GET   /providers/Gcc.Cloud/serviceHealth/events[?region&kind&status]
 *   GET   /providers/Gcc.Cloud/skus[?kind&region]
 *   GET   /providers/Gcc.Cloud/operations/{id}
 *   POST  /providers/Gcc.Cloud/operations/{id}/cancel
 *   GET   /subscriptions/{sub}/resourceGroups
 *   GET   /subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}
 *   PUT   (same)   create; `If-None-Match: *`, `Idempotency-Key`; 202 + Operation-Location
 *   PATCH (same)   update tags; `If-Match` -> 412 on a stale ETag
 *
 * Lists take `$top` (capped at `maxPageSize`), `$skip`, `$count=true`, and continue with `nextLink`.
 */
export async function startGovCloudSandbox(options: GovCloudSandboxOptions = {}): Promise<RunningServer> {
  const logger: Logger | undefined = options.logger;
  const stepMillis = options.provisioningStepMillis ?? 2_000;
  const maxPageSize = options.maxPageSize ?? 50;
  if (!Number.isInteger(stepMillis) || stepMillis < 1) throw new TypeError('provisioningStepMillis must be a positive integer');
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1 || maxPageSize > 1_000) throw new TypeError('maxPageSize must be an integer from 1 to 1000');
  const clock = options.clock ?? Date.now;
  const data = generateSeed(options.seed);
  const cloud = new SandboxCloud(data, new ProvisioningEngine(data, { stepMillis, clock }), maxPageSize, clock);
  let throttle: ThrottleSettings = { requests: 0, retryAfterMillis: 0 };

  return startJsonHttpServer(
    (request) => {
      if (request.url.pathname === THROTTLE_PATH) {
        if (request.method === 'PUT') {
          const body = request.body as Partial<ThrottleSettings> | undefined;
          const requests = body?.requests ?? 0;
          const retryAfterMillis = body?.retryAfterMillis ?? 1_000;
          const methods = body?.methods;
          if (!Number.isInteger(requests) || requests < 0 || !Number.isInteger(retryAfterMillis) || retryAfterMillis < 0 || retryAfterMillis > 120_000) {
            return armError(400, 'InvalidThrottleSettings', 'requests and retryAfterMillis must be non-negative integers');
          }
          if (methods !== undefined && (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string'))) return armError(400, 'InvalidThrottleSettings', 'methods must be an array of HTTP methods');
          throttle = { requests, retryAfterMillis, ...(methods !== undefined ? { methods: methods.map((m) => m.toUpperCase()) } : {}) };
        }
        return { status: 200, body: throttle };
      }
      if (throttle.requests > 0 && (throttle.methods === undefined || throttle.methods.includes(request.method))) {
        throttle = { ...throttle, requests: throttle.requests - 1 };
        return {
          status: 429,
          headers: { 'retry-after': String(Math.ceil(throttle.retryAfterMillis / 1_000)), 'retry-after-ms': String(throttle.retryAfterMillis) },
          body: { error: { code: 'TooManyRequests', message: 'The request was throttled; retry after the indicated time.' } },
        };
      }
      return cloud.route(request);
    },
    {
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      onError: (error) => logger?.error({ err: error }, 'gov-cloud sandbox error'),
      faults: new FaultInjector(options.faults),
    },
  );
}

class SandboxCloud {
  readonly #data: SeedData;
  readonly #engine: ProvisioningEngine;
  readonly #maxPageSize: number;
  readonly #tenants: Map<string, TenantRow>;
  readonly #clock: () => number;

  constructor(data: SeedData, engine: ProvisioningEngine, maxPageSize: number, clock: () => number) {
    this.#data = data;
    this.#clock = clock;
    this.#engine = engine;
    this.#maxPageSize = maxPageSize;
    this.#tenants = new Map(data.tenants.map((t) => [t.id, t]));
  }

  route(request: JsonRequest): JsonResponse {
    const { pathname, searchParams } = request.url;
    const apiVersion = searchParams.get('api-version');
    if (apiVersion === null) return armError(400, 'MissingApiVersionParameter', 'The api-version query parameter is required.');
    if (apiVersion !== API_VERSION) return armError(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid. Supported: ${API_VERSION}.`);
    this.#engine.advance();

    const resourceMatch = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i.exec(pathname);
    if (resourceMatch) {
      const [, subscriptionId, group, namespace, type, name] = resourceMatch as unknown as [string, string, string, string, string, string];
      return this.#resource(request, subscriptionId, group, `${namespace}/${type}`, name);
    }
    if (request.method === 'POST') {
      const cancel = new RegExp(`^${PROVIDER}/operations/([a-z0-9-]{1,64})/cancel$`).exec(pathname);
      if (cancel) return this.#cancel(cancel[1] as string);
      return armError(405, 'MethodNotAllowed', `The POST method is not allowed on ${pathname}.`);
    }
    if (request.method !== 'GET') return armError(405, 'MethodNotAllowed', `The ${request.method} method is not allowed on ${pathname}.`);

    const groupsMatch = /^\/subscriptions\/([^/]+)\/resourceGroups$/i.exec(pathname);
    if (groupsMatch) {
      const subscriptionId = groupsMatch[1] as string;
      if (!this.#data.subscriptions.some((s) => s.id === subscriptionId)) return armError(404, 'SubscriptionNotFound', `Subscription '${subscriptionId}' was not found.`);
      return this.#page(request, this.#data.resourceGroups.filter((g) => g.subscriptionId === subscriptionId), (g) => ({
        id: `/subscriptions/${g.subscriptionId}/resourceGroups/${g.name}`,
        name: g.name,
        type: 'Gcc.Resources/resourceGroups',
        location: g.location,
        tags: g.tags,
      }));
    }
    if (!pathname.startsWith(`${PROVIDER}/`)) return armError(404, 'ResourceNotFound', `No resource at ${pathname}.`);
    const path = pathname.slice(PROVIDER.length);
    if (path === '/tenants') return this.#listTenants(request);
    const tenantMatch = /^\/tenants\/([a-z0-9-]{1,64})(\/subscriptions|\/costs\/([^/]+))?$/.exec(path);
    if (tenantMatch) {
      const tenant = this.#tenants.get(tenantMatch[1] as string);
      if (tenant === undefined) return armError(404, 'TenantNotFound', `Tenant '${tenantMatch[1]}' was not found.`);
      if (tenantMatch[2] === undefined) return { status: 200, body: tenantResource(tenant) };
      if (tenantMatch[2] === '/subscriptions') {
        return this.#page(request, this.#data.subscriptions.filter((s) => s.tenantId === tenant.id), (s) => ({
          id: `/subscriptions/${s.id}`,
          subscriptionId: s.id,
          displayName: s.displayName,
          state: s.state,
          tenantId: s.tenantId,
        }));
      }
      const month = tenantMatch[3] as string;
      if (!MONTH.test(month)) return armError(400, 'InvalidBillingPeriod', `'${month}' is not a billing period (YYYY-MM).`);
      const cost = costResource(tenant, month);
      return cost === undefined ? armError(404, 'BillingPeriodNotFound', `No cost data for ${month}.`) : { status: 200, body: cost };
    }
    if (path === '/resources') return this.#listResources(request);
    if (path === '/quotas') return this.#listQuotas(request);
    if (path === '/costs') return this.#listCosts(request);
    if (path === '/usage') return this.#listUsage(request);
    if (path === '/serviceHealth/events') return this.#listHealth(request);
    if (path === '/skus') return this.#listSkus(request);
    const operationMatch = /^\/operations\/([a-z0-9-]{1,64})$/.exec(path);
    if (operationMatch) {
      const operation = this.#engine.get(operationMatch[1] as string);
      if (operation === undefined) return armError(404, 'OperationNotFound', `Operation '${operationMatch[1]}' was not found.`);
      return { status: 200, headers: this.#pollHeaders(operation), body: this.#operationResource(operation) };
    }
    return armError(404, 'ResourceNotFound', `No resource at ${pathname}.`);
  }

  #listTenants(request: JsonRequest): JsonResponse {
    const q = request.url.searchParams;
    const state = q.get('entityState');
    const code = q.get('entityCode');
    const status = q.get('status');
    const region = q.get('region');
    const rows = this.#data.tenants.filter(
      (t) => (state === null || t.entityState === state) && (code === null || t.entityCode === code) && (status === null || t.status === status) && (region === null || t.region === region),
    );
    return this.#page(request, rows, tenantResource);
  }

  #listResources(request: JsonRequest): JsonResponse {
    const q = request.url.searchParams;
    const tenantId = q.get('tenantId');
    const subscriptionId = q.get('subscriptionId');
    const group = q.get('resourceGroup')?.toLowerCase() ?? null;
    const kind = q.get('kind');
    const region = q.get('region');
    const status = q.get('status');
    const tag = q.get('tag');
    const [tagKey, tagValue] = tag === null ? [null, null] : [tag.split(':')[0] ?? '', tag.includes(':') ? tag.slice(tag.indexOf(':') + 1) : null];
    const rows = this.#data.resources.filter(
      (r) =>
        (tenantId === null || r.tenantId === tenantId) &&
        (subscriptionId === null || r.subscriptionId === subscriptionId) &&
        (group === null || r.resourceGroup.toLowerCase() === group) &&
        (kind === null || r.kind === kind) &&
        (region === null || r.location === region) &&
        (status === null || r.status === status) &&
        (tagKey === null || (tagKey in r.tags && (tagValue === null || r.tags[tagKey] === tagValue))),
    );
    return this.#page(request, rows, resourceBody);
  }

  #listQuotas(request: JsonRequest): JsonResponse {
    const q = request.url.searchParams;
    const tenantId = q.get('tenantId');
    const kind = q.get('kind');
    const rows = this.#data.quotas.filter((row) => (tenantId === null || row.tenantId === tenantId) && (kind === null || row.kind === kind));
    return this.#page(request, rows, (row) => ({
      id: `${PROVIDER}/tenants/${row.tenantId}/quotas/${row.kind}`,
      tenantId: row.tenantId,
      kind: row.kind,
      unit: QUOTA_UNITS[row.kind],
      limit: row.limit,
      used: this.#engine.committed(row.tenantId, row.kind),
    }));
  }

  #listCosts(request: JsonRequest): JsonResponse {
    const q = request.url.searchParams;
    const from = q.get('from') ?? LAST_COST_MONTH;
    const to = q.get('to') ?? LAST_COST_MONTH;
    if (!MONTH.test(from) || !MONTH.test(to)) return armError(400, 'InvalidBillingPeriod', 'from and to must be billing periods (YYYY-MM).');
    const tenants = this.#filterTenants(q);
    const months = monthsBetween(from < FIRST_COST_MONTH ? FIRST_COST_MONTH : from, to > LAST_COST_MONTH ? LAST_COST_MONTH : to);
    // Month-major, newest first: item i is months[i / tenants] for tenants[i % tenants]. Computed
    // on demand, since 24 months x 150+ tenants is not worth holding.
    const total = months.length * tenants.length;
    return this.#pageComputed(request, total, (i) => {
      const tenant = tenants[i % tenants.length] as TenantRow;
      const month = months[Math.floor(i / tenants.length)] as string;
      return costResource(tenant, month) ?? { id: `${PROVIDER}/tenants/${tenant.id}/costs/${month}`, tenantId: tenant.id, billingPeriod: month, currency: 'QAR', rows: [] };
    });
  }

  #listUsage(request: JsonRequest): JsonResponse {
    const q = request.url.searchParams;
    const to = q.get('to') ?? `${LAST_COST_MONTH}-31`;
    const from = q.get('from') ?? `${LAST_COST_MONTH}-25`;
    if (!DATE.test(from) || !DATE.test(to)) return armError(400, 'InvalidDate', 'from and to must be dates (YYYY-MM-DD).');
    const kindParam = q.get('kind');
    if (kindParam !== null && !SERVICE_KINDS.includes(kindParam as ServiceKind)) return armError(400, 'InvalidKind', `Unknown kind '${kindParam}'.`);
    const kinds = kindParam === null ? SERVICE_KINDS : [kindParam as ServiceKind];
    const tenants = this.#filterTenants(q);
    const days: string[] = [];
    const start = Date.parse(`${from < `${FIRST_COST_MONTH}-01` ? `${FIRST_COST_MONTH}-01` : from}T00:00:00Z`);
    const lastDay = `${LAST_COST_MONTH}-31`;
    for (let t = Date.parse(`${to > lastDay ? lastDay : to}T00:00:00Z`); t >= start && days.length < 800; t -= 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
    const perDay = tenants.length * kinds.length;
    return this.#pageComputed(request, days.length * perDay, (i) => {
      const date = days[Math.floor(i / perDay)] as string;
      const tenant = tenants[Math.floor((i % perDay) / kinds.length)] as TenantRow;
      const kind = kinds[i % kinds.length] as ServiceKind;
      const usage = tenantDailyUsage(tenant, date, kind) ?? { costQar: 0, quantity: 0, unit: '' };
      return { tenantId: tenant.id, date, kind, ...usage };
    });
  }

  #listHealth(request: JsonRequest): JsonResponse {
    const q = request.url.searchParams;
    const region = q.get('region');
    const kind = q.get('kind');
    const status = q.get('status');
    const rows = this.#data.healthEvents.filter((e) => (region === null || e.region === region) && (kind === null || e.kind === kind) && (status === null || e.status === status));
    return this.#page(request, rows, (e) => ({
      id: `${PROVIDER}/serviceHealth/events/${e.id}`,
      name: e.id,
      properties: { region: e.region, kind: e.kind, severity: e.severity, status: e.status, title: { en: e.titleEn, ar: e.titleAr }, startedAt: e.startedAt, resolvedAt: e.resolvedAt },
    }));
  }

  #listSkus(request: JsonRequest): JsonResponse {
    const q = request.url.searchParams;
    const kind = q.get('kind');
    const region = q.get('region');
    const rows = SKUS.filter((s) => (kind === null || s.kind === kind) && (region === null || s.regions.includes(region)));
    return this.#page(request, rows, (s) => ({
      name: s.name,
      kind: s.kind,
      resourceType: RESOURCE_TYPES[s.kind],
      units: s.units,
      unit: QUOTA_UNITS[s.kind],
      locations: s.regions,
      monthlyPriceQar: s.monthlyPriceQar,
      description: { en: s.en, ar: s.ar },
    }));
  }

  #filterTenants(q: URLSearchParams): TenantRow[] {
    const tenantId = q.get('tenantId');
    const state = q.get('entityState');
    const code = q.get('entityCode');
    return this.#data.tenants.filter((t) => (tenantId === null || t.id === tenantId) && (state === null || t.entityState === state) && (code === null || t.entityCode === code));
  }

  #resource(request: JsonRequest, subscriptionId: string, groupName: string, type: string, name: string): JsonResponse {
    const subscription = this.#data.subscriptions.find((s) => s.id === subscriptionId);
    if (subscription === undefined) return armError(404, 'SubscriptionNotFound', `Subscription '${subscriptionId}' was not found.`);
    const group = this.#data.resourceGroups.find((g) => g.subscriptionId === subscriptionId && g.name.toLowerCase() === groupName.toLowerCase());
    if (group === undefined) return armError(404, 'ResourceGroupNotFound', `Resource group '${groupName}' could not be found.`);
    const kind = kindOfResourceType(type);
    if (kind === undefined) return armError(400, 'InvalidResourceType', `The resource type '${type}' is not offered.`);
    const existing = this.#data.resources.find((r) => r.subscriptionId === subscriptionId && r.resourceGroup === group.name && r.kind === kind && r.name.toLowerCase() === name.toLowerCase());

    if (request.method === 'GET') {
      if (existing === undefined) return armError(404, 'ResourceNotFound', `The resource '${type}/${name}' under resource group '${group.name}' was not found.`);
      return { status: 200, headers: { etag: etagOf(existing) }, body: resourceBody(existing) };
    }
    if (request.method === 'PATCH') {
      if (existing === undefined) return armError(404, 'ResourceNotFound', `The resource '${type}/${name}' under resource group '${group.name}' was not found.`);
      // RFC 9110 §13.1.1: a stale If-Match fails the precondition; nothing is changed.
      const ifMatch = header(request, 'if-match');
      if (ifMatch !== undefined && ifMatch !== '*' && !ifMatch.split(',').map((t) => t.trim()).includes(etagOf(existing))) {
        return armError(412, 'PreconditionFailed', 'The resource was changed since the ETag in If-Match was read.');
      }
      const tags = (request.body as { tags?: unknown } | undefined)?.tags;
      const parsed = parseTags(tags);
      if (parsed === undefined) return armError(400, 'InvalidTags', 'tags must be an object of at most 50 string values, keys up to 128 characters.');
      existing.tags = parsed;
      existing.version += 1;
      return { status: 200, headers: { etag: etagOf(existing) }, body: resourceBody(existing) };
    }
    if (request.method !== 'PUT') return armError(405, 'MethodNotAllowed', `The ${request.method} method is not allowed on a resource.`);

    // Create through a long-running operation (the resource-manager async pattern).
    const tenant = this.#tenants.get(subscription.tenantId);
    if (tenant === undefined || tenant.status !== 'Active' || subscription.state !== 'Enabled') {
      return armError(409, 'TenantNotActive', `Tenant '${subscription.tenantId}' is not active; it cannot provision resources.`);
    }
    if (!NAME.test(name)) return armError(400, 'InvalidResourceName', `The name '${name}' is invalid: 2-63 letters, digits or hyphens, starting with a letter or digit.`);
    const body = request.body as { location?: unknown; sku?: { name?: unknown }; tags?: unknown } | undefined;
    const location = body?.location;
    if (typeof location !== 'string' || !REGIONS.some((r) => r.name === location)) {
      return armError(400, 'LocationNotAvailableForResourceType', `The location '${String(location)}' is not available. Available: ${REGIONS.map((r) => r.name).join(', ')}.`);
    }
    const skuName = body?.sku?.name;
    const sku = typeof skuName === 'string' ? findSku(skuName) : undefined;
    if (sku === undefined || sku.kind !== kind) return armError(400, 'InvalidSku', `The SKU '${String(skuName)}' is not offered for ${type}.`);
    if (!sku.regions.includes(location)) return armError(400, 'SkuNotAvailable', `The SKU '${sku.name}' is not available in '${location}'. Available in: ${sku.regions.join(', ')}.`);
    const tags = parseTags(body?.tags ?? {});
    if (tags === undefined) return armError(400, 'InvalidTags', 'tags must be an object of at most 50 string values, keys up to 128 characters.');
    const idempotencyKey = header(request, 'idempotency-key');
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) return armError(400, 'InvalidIdempotencyKey', 'Idempotency-Key must be 1-200 visible ASCII characters.');
    const target = { tenantId: tenant.id, subscriptionId, resourceGroup: group.name, kind, type: RESOURCE_TYPES[kind], name, sku: sku.name, location, tags };

    // A replay with the same key answers with the same operation, even once the resource exists.
    const replay = idempotencyKey !== undefined ? this.#engine.replay(target, idempotencyKey) : undefined;
    if (replay?.kind === 'replayed') return this.#accepted(replay.operation);
    if (replay?.kind === 'error') return armError(replay.status, replay.code, replay.message);
    if (header(request, 'if-none-match') === '*' && (existing !== undefined || this.#engine.inFlightFor(target))) {
      return armError(412, 'PreconditionFailed', `A resource named '${name}' already exists or is being created in '${group.name}'.`);
    }
    if (existing !== undefined || this.#engine.inFlightFor(target)) return armError(409, 'ResourceExists', `A resource named '${name}' already exists or is being created.`);
    const result = this.#engine.submit(target, idempotencyKey);
    if (result.kind === 'error') return armError(result.status, result.code, result.message);
    return this.#accepted(result.operation);
  }

  #accepted(operation: Operation): JsonResponse {
    return {
      status: 202,
      headers: { 'operation-location': `${PROVIDER}/operations/${operation.id}?api-version=${API_VERSION}`, ...this.#pollHeaders(operation) },
      body: this.#operationResource(operation),
    };
  }

  #cancel(id: string): JsonResponse {
    const result = this.#engine.cancel(id);
    if (result.kind === 'error') return armError(result.status, result.code, result.message);
    return { status: 200, body: this.#operationResource(result.operation) };
  }

  #pollHeaders(operation: Operation): Record<string, string> {
    const next = this.#engine.nextTransitionAt(operation);
    if (next === undefined) return {};
    const millis = Math.max(1, next - this.#clock());
    return { 'retry-after': String(Math.max(1, Math.ceil(millis / 1_000))), 'retry-after-ms': String(millis) };
  }

  #operationResource(operation: Operation): Record<string, unknown> {
    const { target } = operation;
    const status = operation.phase === 'Submitted' ? 'NotStarted' : operation.phase === 'Rejected' ? 'Failed' : operation.phase === 'Approved' || operation.phase === 'Provisioning' ? 'Running' : operation.phase;
    const iso = (ms: number): string => new Date(ms).toISOString();
    return {
      id: `${PROVIDER}/operations/${operation.id}`,
      name: operation.id,
      status,
      startTime: iso(operation.submittedAt),
      ...(this.#engine.isFinal(operation.phase) ? { endTime: iso(operation.updatedAt) } : {}),
      ...(operation.error !== undefined ? { error: operation.error } : {}),
      properties: {
        phase: operation.phase,
        tenantId: target.tenantId,
        idempotencyKey: operation.idempotencyKey ?? null,
        lastUpdatedTime: iso(operation.updatedAt),
        resourceId: `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}/providers/${target.type}/${target.name}`,
        request: { kind: target.kind, name: target.name, sku: target.sku, location: target.location, resourceGroup: target.resourceGroup, subscriptionId: target.subscriptionId, tags: target.tags },
        history: operation.history.map((h) => ({ phase: h.phase, time: iso(h.at) })),
      },
    };
  }

  #page<T>(request: JsonRequest, rows: readonly T[], map: (row: T) => unknown): JsonResponse {
    return this.#pageComputed(request, rows.length, (i) => map(rows[i] as T));
  }

  /** `$top` (capped), `$skip` or the `$skiptoken` of a `nextLink`, `$count=true`. */
  #pageComputed(request: JsonRequest, total: number, at: (index: number) => unknown): JsonResponse {
    const q = request.url.searchParams;
    const token = q.get('$skiptoken');
    const skipText = token !== null ? Buffer.from(token, 'base64url').toString('utf8') : (q.get('$skip') ?? '0');
    const topText = q.get('$top');
    if (!/^\d{1,7}$/.test(skipText)) return armError(400, 'InvalidSkipToken', 'The $skip or $skiptoken is invalid.');
    if (topText !== null && !/^\d{1,7}$/.test(topText)) return armError(400, 'InvalidTop', 'The $top parameter must be a non-negative integer.');
    const skip = Number(skipText);
    const wanted = topText === null ? Infinity : Number(topText);
    const take = Math.min(wanted, this.#maxPageSize);
    const end = Math.min(total, skip + take);
    const value: unknown[] = [];
    for (let i = skip; i < end; i++) value.push(at(i));
    const body: Record<string, unknown> = { value };
    if (q.get('$count') === 'true') body['count'] = total;
    const remaining = wanted - (end - skip);
    if (end < total && remaining > 0) {
      const next = new URLSearchParams(q);
      next.delete('$skip');
      next.set('$skiptoken', Buffer.from(String(end), 'utf8').toString('base64url'));
      if (topText !== null) next.set('$top', String(remaining));
      body['nextLink'] = `${request.url.pathname}?${next.toString()}`;
    }
    return { status: 200, body };
  }
}

function tenantResource(tenant: TenantRow): Record<string, unknown> {
  return {
    id: `${PROVIDER}/tenants/${tenant.id}`,
    name: tenant.id,
    type: 'Gcc.Cloud/tenants',
    location: tenant.region,
    properties: {
      displayName: tenant.displayName,
      entity: { state: tenant.entityState, code: tenant.entityCode },
      provisioningState: tenant.status,
      createdTime: tenant.createdAt,
    },
  };
}

function costResource(tenant: TenantRow, month: string): Record<string, unknown> | undefined {
  const costs = tenantMonthlyCost(tenant, month);
  if (costs === undefined) return undefined;
  return {
    id: `${PROVIDER}/tenants/${tenant.id}/costs/${month}`,
    tenantId: tenant.id,
    billingPeriod: month,
    currency: 'QAR',
    rows: Object.entries(costs).map(([serviceKind, amount]) => ({ serviceKind, amount })),
  };
}

function resourceBody(resource: ResourceRow): Record<string, unknown> {
  const type = RESOURCE_TYPES[resource.kind];
  return {
    id: `/subscriptions/${resource.subscriptionId}/resourceGroups/${resource.resourceGroup}/providers/${type}/${resource.name}`,
    name: resource.name,
    type,
    location: resource.location,
    sku: { name: resource.sku },
    tags: resource.tags,
    etag: etagOf(resource),
    properties: { kind: resource.kind, tenantId: resource.tenantId, status: resource.status, provisioningState: resource.status === 'Creating' ? 'Creating' : 'Succeeded' },
    systemData: { createdAt: resource.createdAt },
  };
}

/** A strong ETag (RFC 9110 §8.8.3) from the resource's identity and version. */
function etagOf(resource: ResourceRow): string {
  const digest = createHash('sha256').update(`${resource.subscriptionId}/${resource.resourceGroup}/${resource.kind}/${resource.name}#${resource.version}`).digest('base64url').slice(0, 16);
  return `"${resource.version}-${digest}"`;
}

function parseTags(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) return undefined;
  const out: Record<string, string> = {};
  for (const [key, tagValue] of entries) {
    if (key.length === 0 || key.length > 128 || typeof tagValue !== 'string' || tagValue.length > 256) return undefined;
    out[key] = tagValue;
  }
  return out;
}

function header(request: JsonRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function armError(status: number, code: string, message: string): JsonResponse {
  return { status, body: { error: { code, message } } };
}
