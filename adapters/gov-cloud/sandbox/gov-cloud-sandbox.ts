import type { Logger } from 'pino';
import { FaultInjector, startJsonHttpServer, type JsonRequest, type JsonResponse, type RunningServer, type SandboxOptions } from '../../kit/index.js';
import { TENANT_ROWS, tenantMonthlyCost, type TenantRow } from './seed.js';

/** API version the sandbox serves; requests must name it (resource-manager convention). */
export const API_VERSION = '2026-01-01';
/** Page size for `nextLink` pagination. */
const PAGE_SIZE = 4;
/** QAR is pegged to the US dollar at 3.64. */
export const QAR_PER_USD = 3.64;

/**
 * A stand-in for the government cloud's management API, in the style of resource managers:
 * `api-version` on every call, collections as `{ value, nextLink }`, errors as
 * `{ error: { code, message } }`.
 *
 *   GET /tenants?api-version=...[&entityState=QA][&entityCode=MOF]
 *   GET /tenants/{id}?api-version=...
 *   GET /tenants/{id}/costs/{YYYY-MM}?api-version=...
 */
export async function startGovCloudSandbox(options: SandboxOptions = {}): Promise<RunningServer> {
  const logger: Logger | undefined = options.logger;
  return startJsonHttpServer((request) => route(request), {
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    onError: (error) => logger?.error({ err: error }, 'gov-cloud sandbox error'),
    faults: new FaultInjector(options.faults),
  });
}

function route(request: JsonRequest): JsonResponse {
  const { pathname, searchParams } = request.url;
  if (request.method !== 'GET') return armError(405, 'MethodNotAllowed', `The ${request.method} method is not allowed on ${pathname}.`);
  const apiVersion = searchParams.get('api-version');
  if (apiVersion === null) return armError(400, 'MissingApiVersionParameter', "The api-version query parameter is required.");
  if (apiVersion !== API_VERSION) return armError(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid. Supported: ${API_VERSION}.`);

  if (pathname === '/tenants') return listTenants(searchParams);
  const tenantMatch = /^\/tenants\/([a-z0-9-]{1,64})$/.exec(pathname);
  if (tenantMatch) {
    const tenant = TENANT_ROWS.find((t) => t.id === tenantMatch[1]);
    return tenant === undefined ? armError(404, 'TenantNotFound', `Tenant '${tenantMatch[1]}' was not found.`) : { status: 200, body: tenantResource(tenant) };
  }
  const costMatch = /^\/tenants\/([a-z0-9-]{1,64})\/costs\/([^/]+)$/.exec(pathname);
  if (costMatch) {
    const tenant = TENANT_ROWS.find((t) => t.id === costMatch[1]);
    if (tenant === undefined) return armError(404, 'TenantNotFound', `Tenant '${costMatch[1]}' was not found.`);
    const month = costMatch[2] as string;
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return armError(400, 'InvalidBillingPeriod', `'${month}' is not a billing period (YYYY-MM).`);
    const costs = tenantMonthlyCost(tenant, month);
    if (costs === undefined) return armError(404, 'BillingPeriodNotFound', `No cost data for ${month}.`);
    return {
      status: 200,
      body: {
        id: `/tenants/${tenant.id}/costs/${month}`,
        billingPeriod: month,
        currency: 'QAR',
        rows: Object.entries(costs).map(([serviceKind, amount]) => ({ serviceKind, amount })),
      },
    };
  }
  return armError(404, 'ResourceNotFound', `No resource at ${pathname}.`);
}

function listTenants(params: URLSearchParams): JsonResponse {
  const state = params.get('entityState');
  const code = params.get('entityCode');
  const skipText = params.get('$skiptoken') ?? '0';
  if (!/^\d{1,6}$/.test(skipText)) return armError(400, 'InvalidSkipToken', 'The $skiptoken is invalid.');
  const skip = Number(skipText);
  const matching = TENANT_ROWS.filter((t) => (state === null || t.entityState === state) && (code === null || t.entityCode === code));
  const page = matching.slice(skip, skip + PAGE_SIZE);
  const body: Record<string, unknown> = { value: page.map(tenantResource) };
  if (skip + PAGE_SIZE < matching.length) {
    const next = new URLSearchParams(params);
    next.set('$skiptoken', String(skip + PAGE_SIZE));
    body['nextLink'] = `/tenants?${next.toString()}`;
  }
  return { status: 200, body };
}

function tenantResource(tenant: TenantRow): Record<string, unknown> {
  return {
    id: `/tenants/${tenant.id}`,
    name: tenant.id,
    type: 'Gcc.Cloud/tenants',
    location: tenant.region,
    properties: {
      displayName: tenant.displayName,
      entity: { state: tenant.entityState, code: tenant.entityCode },
      provisioningState: tenant.status,
    },
  };
}

function armError(status: number, code: string, message: string): JsonResponse {
  return { status, body: { error: { code, message } } };
}
