import { ArmHttpClient, retryAfterMillis } from './arm-http-client.js';
import { GovCloudError } from './gov-cloud-error.js';

export const API_VERSION = '2026-01-01';
const PROVIDER = 'providers/Gcc.Cloud';

export type UpstreamKind = 'VirtualMachine' | 'Database' | 'Storage' | 'Kubernetes' | 'Network';

export const RESOURCE_TYPES: Readonly<Record<UpstreamKind, string>> = {
  VirtualMachine: 'Gcc.Compute/virtualMachines',
  Database: 'Gcc.Sql/databases',
  Storage: 'Gcc.Storage/storageAccounts',
  Kubernetes: 'Gcc.Kubernetes/clusters',
  Network: 'Gcc.Network/virtualNetworks',
};

export interface TenantResource {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly properties: {
    readonly displayName: string;
    readonly entity: { readonly state: string; readonly code: string };
    readonly provisioningState: 'Active' | 'Suspended' | 'Decommissioning';
    readonly createdTime?: string;
  };
}

export interface SubscriptionResource {
  readonly subscriptionId: string;
  readonly displayName: string;
  readonly state: 'Enabled' | 'Disabled';
  readonly tenantId: string;
}

export interface ResourceGroupResource {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface CloudResource {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly location: string;
  readonly sku: { readonly name: string };
  readonly tags?: Readonly<Record<string, string>>;
  readonly etag: string;
  readonly properties: { readonly kind: UpstreamKind; readonly tenantId: string; readonly status: 'Creating' | 'Running' | 'Stopped' | 'Degraded' };
  readonly systemData?: { readonly createdAt?: string };
}

export interface QuotaResource {
  readonly tenantId: string;
  readonly kind: UpstreamKind;
  readonly unit: string;
  readonly limit: number;
  readonly used: number;
}

export interface CostResource {
  readonly tenantId: string;
  readonly billingPeriod: string;
  readonly currency: string;
  readonly rows: ReadonlyArray<{ readonly serviceKind: string; readonly amount: number }>;
}

export interface UsageResource {
  readonly tenantId: string;
  readonly date: string;
  readonly kind: UpstreamKind;
  readonly quantity: number;
  readonly unit: string;
  readonly costQar: number;
}

export interface HealthEventResource {
  readonly name: string;
  readonly properties: {
    readonly region: string;
    readonly kind: UpstreamKind;
    readonly severity: 'Information' | 'Warning' | 'Outage';
    readonly status: 'Active' | 'Resolved';
    readonly title: { readonly en: string; readonly ar: string };
    readonly startedAt: string;
    readonly resolvedAt: string | null;
  };
}

export interface SkuResource {
  readonly name: string;
  readonly kind: UpstreamKind;
  readonly units: number;
  readonly unit: string;
  readonly locations: readonly string[];
  readonly monthlyPriceQar: number;
  readonly description: { readonly en: string; readonly ar: string };
}

export type OperationPhase = 'Submitted' | 'Approved' | 'Provisioning' | 'Succeeded' | 'Failed' | 'Rejected' | 'Canceled';

export interface OperationResource {
  readonly name: string;
  readonly status: string;
  readonly startTime: string;
  readonly endTime?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly properties: {
    readonly phase: OperationPhase;
    readonly tenantId: string;
    readonly idempotencyKey: string | null;
    readonly lastUpdatedTime: string;
    readonly resourceId: string;
    readonly request: {
      readonly kind: UpstreamKind;
      readonly name: string;
      readonly sku: string;
      readonly location: string;
      readonly resourceGroup: string;
      readonly subscriptionId: string;
      readonly tags: Readonly<Record<string, string>>;
    };
    readonly history: ReadonlyArray<{ readonly phase: OperationPhase; readonly time: string }>;
  };
}

export const FINAL_PHASES: ReadonlySet<OperationPhase> = new Set(['Succeeded', 'Failed', 'Rejected', 'Canceled']);

/** A long-running operation as seen right now, and how long the server asks us to wait before asking again. */
export interface OperationPoll {
  readonly operation: OperationResource;
  readonly retryAfterMillis: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly count: number;
}

export type Filters = Readonly<Record<string, string | undefined>>;

/** Segments of a resource id we accept: `/subscriptions/{id}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`. */
const RESOURCE_ID = /^\/subscriptions\/([0-9a-f-]{36})\/resourceGroups\/([A-Za-z0-9._()-]{1,90})\/providers\/(Gcc\.[A-Za-z]+\/[A-Za-z]+)\/([A-Za-z0-9-]{1,63})$/;
const OPERATION_ID = /^[a-z0-9-]{1,64}$/;

export function parseResourceId(id: string): { subscriptionId: string; resourceGroup: string; type: string; name: string } | undefined {
  const match = RESOURCE_ID.exec(id);
  if (match === null) return undefined;
  const [, subscriptionId, resourceGroup, type, name] = match as unknown as [string, string, string, string, string];
  return { subscriptionId, resourceGroup, type, name };
}

/** The government cloud's resource-manager style REST API, as the adapter uses it. */
export class GovCloudClient {
  readonly #arm: ArmHttpClient;

  constructor(options: { baseUrl: string; timeoutMillis: number; fetch?: typeof fetch; maxAttempts?: number; maxRetryAfterMillis?: number }) {
    this.#arm = new ArmHttpClient({
      baseUrl: options.baseUrl,
      apiVersion: API_VERSION,
      timeoutMillis: options.timeoutMillis,
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.maxRetryAfterMillis !== undefined ? { maxRetryAfterMillis: options.maxRetryAfterMillis } : {}),
    });
  }

  /** Every tenant matching the filters (follows `nextLink` to the end, bounded). */
  async listTenants(filter: { state?: string; code?: string } = {}): Promise<TenantResource[]> {
    return (await this.#arm.list<TenantResource>(`${PROVIDER}/tenants`, { entityState: filter.state, entityCode: filter.code })).items;
  }

  async tenantsPage(filters: Filters, skip: number, top: number): Promise<Page<TenantResource>> {
    return this.#page<TenantResource>(`${PROVIDER}/tenants`, filters, skip, top);
  }

  async getTenant(id: string): Promise<TenantResource | undefined> {
    return (await this.#arm.find<TenantResource>(`${PROVIDER}/tenants/${encodeURIComponent(id)}`))?.body;
  }

  async listSubscriptions(tenantId: string): Promise<SubscriptionResource[]> {
    return (await this.#arm.list<SubscriptionResource>(`${PROVIDER}/tenants/${encodeURIComponent(tenantId)}/subscriptions`, {})).items;
  }

  async listResourceGroups(subscriptionId: string): Promise<ResourceGroupResource[]> {
    return (await this.#arm.list<ResourceGroupResource>(`subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups`, {})).items;
  }

  async resourcesPage(filters: Filters, skip: number, top: number): Promise<Page<CloudResource>> {
    return this.#page<CloudResource>(`${PROVIDER}/resources`, filters, skip, top);
  }

  /** One resource with its ETag, or undefined. */
  async getResource(id: string): Promise<CloudResource | undefined> {
    const parts = parseResourceId(id);
    if (parts === undefined) return undefined;
    return (await this.#arm.find<CloudResource>(resourcePath(parts)))?.body;
  }

  /**
   * Replaces a resource's tags. With `etag`, the cloud applies it only if nobody changed the
   * resource since (If-Match, RFC 9110 §13.1.1); a stale one is `ERR_UPSTREAM_REJECTED` / `PreconditionFailed`.
   */
  async updateResourceTags(id: string, tags: Readonly<Record<string, string>>, etag: string | undefined): Promise<CloudResource> {
    const parts = parseResourceId(id);
    if (parts === undefined) throw new GovCloudError('ERR_BAD_USER_INPUT', 'Not a government cloud resource id', { reason: 'InvalidResourceId' });
    const response = await this.#arm.send<CloudResource>('PATCH', this.#arm.url(resourcePath(parts)), {
      body: { tags },
      headers: etag !== undefined ? { 'if-match': etag } : {},
      retryOnThrottle: false,
    });
    return response.body;
  }

  async listQuotas(filters: Filters): Promise<QuotaResource[]> {
    return (await this.#arm.list<QuotaResource>(`${PROVIDER}/quotas`, filters)).items;
  }

  async quotasPage(filters: Filters, skip: number, top: number): Promise<Page<QuotaResource>> {
    return this.#page<QuotaResource>(`${PROVIDER}/quotas`, filters, skip, top);
  }

  /** A tenant's costs for a month, or undefined when the period has no data. */
  async getMonthlyCost(tenantId: string, month: string): Promise<CostResource | undefined> {
    return (await this.#arm.find<CostResource>(`${PROVIDER}/tenants/${encodeURIComponent(tenantId)}/costs/${encodeURIComponent(month)}`))?.body;
  }

  /** Monthly costs of every tenant matching the filters, newest month first (follows `nextLink`). */
  async listCosts(filters: Filters): Promise<CostResource[]> {
    return (await this.#arm.list<CostResource>(`${PROVIDER}/costs`, filters)).items;
  }

  async costsPage(filters: Filters, skip: number, top: number): Promise<Page<CostResource>> {
    return this.#page<CostResource>(`${PROVIDER}/costs`, filters, skip, top);
  }

  async usagePage(filters: Filters, skip: number, top: number): Promise<Page<UsageResource>> {
    return this.#page<UsageResource>(`${PROVIDER}/usage`, filters, skip, top);
  }

  async healthEventsPage(filters: Filters, skip: number, top: number): Promise<Page<HealthEventResource>> {
    return this.#page<HealthEventResource>(`${PROVIDER}/serviceHealth/events`, filters, skip, top);
  }

  async listSkus(filters: Filters): Promise<SkuResource[]> {
    return (await this.#arm.list<SkuResource>(`${PROVIDER}/skus`, filters)).items;
  }

  /**
   * Starts creating a resource (PUT, 202 + Operation-Location). `If-None-Match: *` makes it
   * create-only; the idempotency key makes a repeat of the same request answer with the same
   * operation, which is also why a throttled PUT may be retried here.
   */
  async beginCreate(input: {
    subscriptionId: string;
    resourceGroup: string;
    kind: UpstreamKind;
    name: string;
    sku: string;
    location: string;
    tags: Readonly<Record<string, string>>;
    idempotencyKey: string;
  }): Promise<OperationPoll & { operationUrl: URL }> {
    const path = resourcePath({ subscriptionId: input.subscriptionId, resourceGroup: input.resourceGroup, type: RESOURCE_TYPES[input.kind], name: input.name });
    let response;
    try {
      response = await this.#arm.send<OperationResource>('PUT', this.#arm.url(path), {
        body: { location: input.location, sku: { name: input.sku }, tags: input.tags, properties: {} },
        headers: { 'if-none-match': '*', 'idempotency-key': input.idempotencyKey },
        retryOnThrottle: true,
      });
    } catch (error) {
      if (error instanceof GovCloudError && error.upstreamStatus === 412) {
        throw new GovCloudError('ERR_BAD_USER_INPUT', `A resource named "${input.name}" already exists or is being created in ${input.resourceGroup}`, { upstreamStatus: 412, reason: 'ResourceExists' });
      }
      throw error;
    }
    const location = response.headers.get('operation-location');
    if (response.status !== 202 || location === null) throw new GovCloudError('ERR_UPSTREAM_BAD_RESPONSE', `gov-cloud answered a create with HTTP ${response.status} and no Operation-Location`);
    const operationUrl = this.#arm.followLink(location);
    return { operation: assertOperation(response.body), retryAfterMillis: retryAfterMillis(response.headers), operationUrl };
  }

  /** Polls a long-running operation once. */
  async pollOperation(idOrUrl: string | URL): Promise<OperationPoll | undefined> {
    const url = idOrUrl instanceof URL ? idOrUrl : this.#operationUrl(idOrUrl);
    if (url === undefined) return undefined;
    try {
      const response = await this.#arm.send<OperationResource>('GET', url, { retryOnThrottle: true });
      return { operation: assertOperation(response.body), retryAfterMillis: retryAfterMillis(response.headers) };
    } catch (error) {
      if (error instanceof GovCloudError && error.upstreamStatus === 404) return undefined;
      throw error;
    }
  }

  /** Asks the cloud to cancel an operation; a finished one is `ERR_BAD_USER_INPUT` / `OperationAlreadyCompleted`. */
  async cancelOperation(id: string): Promise<OperationResource | undefined> {
    if (!OPERATION_ID.test(id)) return undefined;
    try {
      const response = await this.#arm.send<OperationResource>('POST', this.#arm.url(`${PROVIDER}/operations/${id}/cancel`), { retryOnThrottle: false });
      return assertOperation(response.body);
    } catch (error) {
      if (error instanceof GovCloudError && error.upstreamStatus === 404) return undefined;
      throw error;
    }
  }

  /**
   * Polls until the operation is final, honouring the server's `Retry-After` within
   * [minIntervalMillis, maxIntervalMillis], for at most `maxWaitMillis`. Up to
   * `maxConsecutiveFailures` retriable failures in a row (the cloud briefly down) are waited out.
   */
  async pollUntilFinal(
    url: URL,
    options: {
      minIntervalMillis: number;
      maxIntervalMillis: number;
      maxWaitMillis: number;
      /** @default 0 */
      maxConsecutiveFailures?: number;
      onPoll?: (operation: OperationResource) => void | Promise<void>;
      signal?: AbortSignal;
    },
  ): Promise<OperationResource> {
    const deadline = Date.now() + options.maxWaitMillis;
    let failures = 0;
    for (;;) {
      let poll: OperationPoll | undefined;
      try {
        poll = await this.pollOperation(url);
        failures = 0;
      } catch (error) {
        failures += 1;
        if (!(error instanceof GovCloudError && error.retriable) || failures > (options.maxConsecutiveFailures ?? 0)) throw error;
        const backoff = Math.min(options.maxIntervalMillis, options.minIntervalMillis * 2 ** failures);
        if (Date.now() + backoff > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoff).unref());
        continue;
      }
      if (poll === undefined) throw new GovCloudError('ERR_ENTITY_NOT_FOUND', 'The provisioning operation disappeared', { reason: 'OperationNotFound' });
      await options.onPoll?.(poll.operation);
      if (FINAL_PHASES.has(poll.operation.properties.phase)) return poll.operation;
      const wait = Math.min(options.maxIntervalMillis, Math.max(options.minIntervalMillis, poll.retryAfterMillis));
      if (Date.now() + wait > deadline) throw new GovCloudError('ERR_UPSTREAM_TIMEOUT', `The provisioning operation did not finish within ${options.maxWaitMillis} ms`);
      if (options.signal?.aborted === true) throw options.signal.reason;
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
    }
  }

  async ping(): Promise<void> {
    await this.#arm.get(`${PROVIDER}/skus`, { $top: 1 });
  }

  #operationUrl(id: string): URL | undefined {
    return OPERATION_ID.test(id) ? this.#arm.url(`${PROVIDER}/operations/${id}`) : undefined;
  }

  async #page<T>(path: string, filters: Filters, skip: number, top: number): Promise<Page<T>> {
    const { items, count } = await this.#arm.list<T>(path, filters, { skip, top, count: true });
    return { items, count: count ?? items.length };
  }
}

function resourcePath(parts: { subscriptionId: string; resourceGroup: string; type: string; name: string }): string {
  return `subscriptions/${encodeURIComponent(parts.subscriptionId)}/resourceGroups/${encodeURIComponent(parts.resourceGroup)}/providers/${parts.type}/${encodeURIComponent(parts.name)}`;
}

function assertOperation(body: unknown): OperationResource {
  const operation = body as Partial<OperationResource> | undefined;
  if (typeof operation?.name !== 'string' || typeof operation.properties?.phase !== 'string') {
    throw new GovCloudError('ERR_UPSTREAM_BAD_RESPONSE', 'gov-cloud answered with something that is not an operation');
  }
  return operation as OperationResource;
}
