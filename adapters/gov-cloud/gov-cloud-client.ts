import { AdapterError, UpstreamHttpClient } from '../kit/index.js';

export const API_VERSION = '2026-01-01';
/** Bound on `nextLink` pages followed for one listing, so a looping upstream cannot hang a request. */
const MAX_PAGES = 50;

export interface TenantResource {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly properties: {
    readonly displayName: string;
    readonly entity: { readonly state: string; readonly code: string };
    readonly provisioningState: 'Active' | 'Suspended' | 'Decommissioning';
  };
}

export interface CostResource {
  readonly billingPeriod: string;
  readonly currency: string;
  readonly rows: ReadonlyArray<{ readonly serviceKind: string; readonly amount: number }>;
}

/** The government cloud's resource-manager style REST API, as the adapter uses it. */
export class GovCloudClient {
  readonly #http: UpstreamHttpClient;

  constructor(options: { baseUrl: string; timeoutMillis: number; fetch?: typeof fetch }) {
    this.#http = new UpstreamHttpClient({
      baseUrl: options.baseUrl,
      timeoutMillis: options.timeoutMillis,
      adapter: 'gov-cloud',
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    });
  }

  async listTenants(filter: { state?: string; code?: string } = {}): Promise<TenantResource[]> {
    const params = new URLSearchParams({ 'api-version': API_VERSION });
    if (filter.state !== undefined) params.set('entityState', filter.state);
    if (filter.code !== undefined) params.set('entityCode', filter.code);
    const out: TenantResource[] = [];
    let path: string | undefined = `tenants?${params.toString()}`;
    for (let page = 0; path !== undefined; page++) {
      if (page >= MAX_PAGES) throw new AdapterError('ERR_UPSTREAM_BAD_RESPONSE', `gov-cloud returned more than ${MAX_PAGES} pages of tenants`, { adapter: 'gov-cloud' });
      const body: { value?: unknown; nextLink?: unknown } | undefined = await this.#http.get(path);
      if (body === undefined || !Array.isArray(body.value)) throw new AdapterError('ERR_UPSTREAM_BAD_RESPONSE', 'gov-cloud answered without a "value" array', { adapter: 'gov-cloud' });
      out.push(...(body.value as TenantResource[]));
      path = typeof body.nextLink === 'string' ? this.#sameOrigin(body.nextLink) : undefined;
    }
    return out;
  }

  async getTenant(id: string): Promise<TenantResource | undefined> {
    return this.#http.get<TenantResource>(`tenants/${encodeURIComponent(id)}?api-version=${API_VERSION}`, { accept404: true });
  }

  /** A tenant's costs for a month, or undefined when the period has no data. */
  async getMonthlyCost(tenantId: string, month: string): Promise<CostResource | undefined> {
    return this.#http.get<CostResource>(`tenants/${encodeURIComponent(tenantId)}/costs/${encodeURIComponent(month)}?api-version=${API_VERSION}`, { accept404: true });
  }

  async ping(): Promise<void> {
    await this.#http.get(`tenants?api-version=${API_VERSION}&entityState=__ping__`);
  }

  /** `nextLink` must stay on the upstream we were configured with (no open redirect to elsewhere). */
  #sameOrigin(link: string): string {
    const base = new URL(this.#http.baseUrl);
    const next = new URL(link, base);
    if (next.origin !== base.origin) throw new AdapterError('ERR_UPSTREAM_BAD_RESPONSE', 'gov-cloud returned a nextLink to another origin', { adapter: 'gov-cloud' });
    return `${next.pathname.replace(base.pathname, '')}${next.search}`.replace(/^\//, '');
  }
}
