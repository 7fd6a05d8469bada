import { AdapterError, UpstreamHttpClient, type UpstreamResponse } from '../kit/index.js';
import { odataQueryParams, odataString, type ODataLiteralValue, type ODataQueryOptions } from './odata-request.js';
import type { EmployeeRow, EntityRow } from './sandbox/seed.js';

export type { EntityRow, EmployeeRow };
export { odataString };

/**
 * OData v4 JSON collection response (OData JSON Format v4.01 §12): `value`, and `@odata.count` when
 * `$count=true` was asked.
 */
interface ODataCollection<T> {
  readonly value?: readonly T[];
  readonly '@odata.count'?: number;
}

/** Mawared's error body (OData JSON Format v4.01 §21): `{ "error": { "code", "message" } }`. */
function odataErrorOf(body: unknown): { code: string; message: string } {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: typeof code === 'string' ? code.slice(0, 64) : 'Unknown', message: typeof message === 'string' ? message.slice(0, 300) : 'no details' };
  }
  return { code: 'Unknown', message: 'no details' };
}

/** `Retry-After` as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), in whole seconds from now. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Maps Mawared's error answers to adapter errors; see docs/adapters/mawared.md, "Errors". */
export function mapMawaredError(response: UpstreamResponse<unknown>): AdapterError {
  const { code, message } = odataErrorOf(response.body);
  const options = { adapter: 'mawared', upstreamStatus: response.status };
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
  const retry = retryAfterSeconds !== undefined ? { retryAfterSeconds } : {};
  switch (response.status) {
    case 404:
      return new AdapterError('ERR_ENTITY_NOT_FOUND', `Mawared has no such record: ${message}`, options);
    case 422:
      if (code === 'RepeatabilityConflict') return new AdapterError('ERR_BAD_USER_INPUT', `The clientKey was already used with a different request; use a new clientKey for a new request (${message})`, options);
      return new AdapterError('ERR_UPSTREAM_REJECTED', `Mawared rejected the request (${code}): ${message}`, options);
    case 429:
      return new AdapterError('ERR_UPSTREAM_UNAVAILABLE', `Mawared is limiting the rate of requests${retryAfterSeconds !== undefined ? `; retry after ${retryAfterSeconds} s` : ''}`, { ...options, ...retry });
    case 503:
      return new AdapterError('ERR_UPSTREAM_UNAVAILABLE', `Mawared is temporarily unavailable${retryAfterSeconds !== undefined ? `; retry after ${retryAfterSeconds} s` : ''}`, { ...options, ...retry });
    default:
      if (response.status >= 500) return new AdapterError('ERR_UPSTREAM_UNAVAILABLE', `Mawared failed (HTTP ${response.status}, ${code})`, options);
      return new AdapterError('ERR_UPSTREAM_REJECTED', `Mawared rejected the request (HTTP ${response.status}, ${code}): ${message}`, options);
  }
}

export interface MawaredClientOptions {
  readonly baseUrl: string;
  readonly timeoutMillis: number;
  readonly fetch?: typeof fetch;
}

/** Largest `in (...)` list in one batched lookup, which keeps URLs well under common 8 KiB limits. */
export const MAX_BATCH_KEYS = 50;
const PAGE = 1000;
const MAX_PAGES = 20;

/**
 * Mawared's OData v4 API, as the adapter uses it. Queries are built by `odataQueryParams`, so every
 * value is a typed literal and a caller's input can never change the shape of the query.
 */
export class MawaredClient {
  readonly #http: UpstreamHttpClient;

  constructor(options: MawaredClientOptions) {
    this.#http = new UpstreamHttpClient({
      baseUrl: options.baseUrl,
      timeoutMillis: options.timeoutMillis,
      adapter: 'mawared',
      headers: { 'odata-maxversion': '4.0', 'odata-version': '4.0' },
      mapErrorResponse: mapMawaredError,
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    });
  }

  /** One page of an entity set. */
  async query<T>(set: string, options: ODataQueryOptions): Promise<{ rows: readonly T[]; count: number | undefined }> {
    const params = odataQueryParams(options).toString();
    const body = await this.#http.get<ODataCollection<T>>(params.length > 0 ? `${set}?${params}` : set);
    if (typeof body !== 'object' || body === null || !Array.isArray(body.value)) {
      throw new AdapterError('ERR_UPSTREAM_BAD_RESPONSE', 'Mawared answered without an OData "value" array', { adapter: 'mawared' });
    }
    if (options.count === true && typeof body['@odata.count'] !== 'number') {
      throw new AdapterError('ERR_UPSTREAM_BAD_RESPONSE', 'Mawared did not return @odata.count', { adapter: 'mawared' });
    }
    return { rows: body.value, count: body['@odata.count'] };
  }

  /** Every row matching (client-driven paging with $skip), bounded so a runaway result cannot exhaust memory. */
  async queryAll<T>(set: string, options: Omit<ODataQueryOptions, 'top' | 'skip' | 'count'>): Promise<T[]> {
    const rows: T[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.query<T>(set, { ...options, top: PAGE, skip: page * PAGE });
      rows.push(...result.rows);
      if (result.rows.length < PAGE) return rows;
    }
    throw new AdapterError('ERR_UPSTREAM_BAD_RESPONSE', `Mawared returned more than ${PAGE * MAX_PAGES} rows of ${set}`, { adapter: 'mawared' });
  }

  /** Rows whose `field` is one of `values`: one request per 50 values (`field in (...)`), for DataLoader batches. */
  async lookupMany<T>(set: string, field: string, values: readonly ODataLiteralValue[], extra: Omit<ODataQueryOptions, 'top' | 'skip' | 'count' | 'filter'> & { filter?: ODataQueryOptions['filter'] } = {}): Promise<T[]> {
    const unique = [...new Set(values)];
    const chunks: ODataLiteralValue[][] = [];
    for (let i = 0; i < unique.length; i += MAX_BATCH_KEYS) chunks.push(unique.slice(i, i + MAX_BATCH_KEYS));
    // An explicit order keeps client-driven paging stable (OData promises no order without $orderby).
    const orderBy = extra.orderBy ?? [`${field} asc`];
    const results = await Promise.all(chunks.map((chunk) => this.queryAll<T>(set, { ...extra, orderBy, filter: [{ field, op: 'in', value: chunk }, ...(extra.filter ?? [])] })));
    return results.flat();
  }

  /** One entity by key (`Set('key')`), or undefined when Mawared answers 404. */
  async getByKey<T>(set: string, key: string): Promise<T | undefined> {
    return this.#http.get<T>(`${set}(${encodeURIComponent(odataString(key))})`, { accept404: true });
  }

  /**
   * Creates a secondment request. `requestKey` goes in `Repeatability-Request-ID` (OData v4.01 Part 1
   * §8.2.8): Mawared answers a repeat with the original result (200) instead of creating another (201).
   */
  async createSecondment<T>(body: Record<string, unknown>, requestKey: string): Promise<{ created: boolean; row: T }> {
    const response = await this.#http.request<T>('POST', 'SecondmentRequests', {
      body,
      headers: { 'repeatability-request-id': requestKey, 'repeatability-first-sent': new Date().toUTCString() },
    });
    if (typeof response.body !== 'object' || response.body === null) {
      throw new AdapterError('ERR_UPSTREAM_BAD_RESPONSE', 'Mawared answered a secondment request without the created entity', { adapter: 'mawared' });
    }
    return { created: response.status === 201, row: response.body };
  }

  /** Answers when the OData service document can be read. */
  async ping(): Promise<void> {
    await this.#http.get('');
  }
}
