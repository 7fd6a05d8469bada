import type { Logger } from 'pino';
import { FaultInjector, startJsonHttpServer, type JsonRequest, type JsonResponse, type RunningServer, type SandboxOptions } from '../../kit/index.js';
import { applyODataQuery, parseODataQuery, ODataQueryError } from './odata-query.js';
import { ENTITY_ROWS } from './seed.js';

/** OData service root of the sandbox; the adapter's upstream URL points here. */
export const ODATA_ROOT = '/odata/v4';
const MAX_TOP = 1000;

const ENTITY_FIELDS = new Set(Object.keys(ENTITY_ROWS[0] ?? {}));

/**
 * A stand-in for Mawared's OData v4 JSON API (OData JSON Format v4.01): entity sets with system
 * query options, `@odata.context`, `@odata.count`, `@odata.nextLink` server-driven paging and OData
 * error bodies. Seeded with bilingual demo data.
 */
export async function startMawaredSandbox(options: SandboxOptions = {}): Promise<RunningServer> {
  const logger: Logger | undefined = options.logger;
  const server = await startJsonHttpServer((request) => route(request), {
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    onError: (error) => logger?.error({ err: error }, 'mawared sandbox error'),
    faults: new FaultInjector(options.faults),
  });
  return { url: `${server.url}${ODATA_ROOT}`, close: () => server.close() };
}

function route(request: JsonRequest): JsonResponse {
  const path = request.url.pathname;
  if (request.method !== 'GET') return odataError(405, 'MethodNotAllowed', `The ${request.method} method is not allowed on ${path}.`);
  if (path === `${ODATA_ROOT}` || path === `${ODATA_ROOT}/`) {
    return { status: 200, body: { '@odata.context': `${ODATA_ROOT}/$metadata`, value: [{ name: 'GovernmentEntities', kind: 'EntitySet', url: 'GovernmentEntities' }] } };
  }
  if (path === `${ODATA_ROOT}/GovernmentEntities`) return collection(request, 'GovernmentEntities', ENTITY_ROWS, ENTITY_FIELDS);
  return odataError(404, 'NotFound', `No resource at ${path}.`);
}

function collection<T extends object>(request: JsonRequest, set: string, rows: readonly T[], fields: ReadonlySet<string>): JsonResponse {
  let query;
  try {
    query = parseODataQuery(request.url.searchParams, fields, MAX_TOP);
  } catch (error) {
    if (error instanceof ODataQueryError) return odataError(400, 'BadRequest', error.message);
    throw error;
  }
  // Server-driven paging (OData JSON Format §4.5.5): at most 100 rows per response without $top.
  const pageSize = query.top ?? 100;
  const { value, count } = applyODataQuery(rows, { ...query, top: pageSize });
  const body: Record<string, unknown> = { '@odata.context': `${ODATA_ROOT}/$metadata#${set}` };
  if (query.count) body['@odata.count'] = count;
  body['value'] = value;
  if (query.top === undefined && query.skip + value.length < count) {
    const next = new URLSearchParams(request.url.searchParams);
    next.set('$skip', String(query.skip + value.length));
    body['@odata.nextLink'] = `${ODATA_ROOT}/${set}?${next.toString()}`;
  }
  return { status: 200, body, headers: { 'odata-version': '4.0' } };
}

function odataError(status: number, code: string, message: string): JsonResponse {
  return { status, body: { error: { code, message } }, headers: { 'odata-version': '4.0' } };
}
