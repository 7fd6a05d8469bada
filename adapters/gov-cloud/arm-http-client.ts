import { GovCloudError, USER_INPUT_REASONS } from './gov-cloud-error.js';

/**
 * HTTP for a resource-manager style API (the government cloud's management plane):
 *
 *   request   METHOD {base}/{path}?api-version={version}[&...]        JSON bodies
 *   list      200 { value: [...], nextLink?: absolute-or-relative URL, count?: n }
 *   error     4xx/5xx { error: { code, message } }
 *   async     202 + Operation-Location: {url}  (poll it; Retry-After / retry-after-ms pace the polls)
 *   throttle  429 + Retry-After (seconds, RFC 9110 §10.2.3) and/or retry-after-ms
 *   ETags     ETag on reads; If-Match on updates -> 412 when stale; If-None-Match: * on create
 *
 * Every failure becomes a `GovCloudError` with a gateway code. Retries: only 429, only for calls
 * the caller marks safe to repeat (reads, and a create carrying an idempotency key), at most
 * `maxAttempts` in all, and only when the server asks for a wait we are willing to make.
 */
export interface ArmHttpClientOptions {
  readonly baseUrl: string;
  readonly apiVersion: string;
  /** Deadline of one HTTP exchange. */
  readonly timeoutMillis: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Attempts for a throttled call, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** Longest wait a 429 may ask for before we give up instead of waiting. @default 5000 */
  readonly maxRetryAfterMillis?: number;
  /** Bound on `nextLink` pages followed for one listing. @default 50 */
  readonly maxPages?: number;
}

export interface ArmResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface ArmRequest {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined | null>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Repeat the call after a 429 (reads; a create only when it carries an idempotency key). */
  readonly retryOnThrottle: boolean;
}

export class ArmHttpClient {
  readonly #base: URL;
  readonly #apiVersion: string;
  readonly #timeoutMillis: number;
  readonly #fetch: typeof fetch;
  readonly #maxAttempts: number;
  readonly #maxRetryAfterMillis: number;
  readonly #maxPages: number;

  constructor(options: ArmHttpClientOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError(`baseUrl must be http(s): ${options.baseUrl}`);
    if (!(options.timeoutMillis > 0)) throw new TypeError('timeoutMillis must be positive');
    this.#base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.#apiVersion = options.apiVersion;
    this.#timeoutMillis = options.timeoutMillis;
    this.#fetch = options.fetch ?? fetch;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#maxRetryAfterMillis = options.maxRetryAfterMillis ?? 5_000;
    this.#maxPages = options.maxPages ?? 50;
    if (!Number.isInteger(this.#maxAttempts) || this.#maxAttempts < 1 || this.#maxAttempts > 10) throw new TypeError('maxAttempts must be an integer from 1 to 10');
    if (!(this.#maxRetryAfterMillis >= 0)) throw new TypeError('maxRetryAfterMillis must be non-negative');
  }

  /** An absolute URL for a path under the base, with `api-version` and the given query. */
  url(path: string, query: ArmRequest['query'] = {}): URL {
    const url = new URL(path.replace(/^\//, ''), this.#base);
    url.searchParams.set('api-version', this.#apiVersion);
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    return url;
  }

  /**
   * A link the server gave us (`nextLink`, `Operation-Location`), accepted only when it points back
   * to the same origin and under the base path: an upstream must not send us, with our identity,
   * somewhere else.
   */
  followLink(link: string): URL {
    let url: URL;
    try {
      url = new URL(link, this.#base);
    } catch (cause) {
      throw new GovCloudError('ERR_UPSTREAM_BAD_RESPONSE', 'gov-cloud returned a link that is not a URL', { cause });
    }
    if (url.origin !== this.#base.origin || !url.pathname.startsWith(this.#base.pathname)) {
      throw new GovCloudError('ERR_UPSTREAM_BAD_RESPONSE', 'gov-cloud returned a link to another origin');
    }
    if (!url.searchParams.has('api-version')) url.searchParams.set('api-version', this.#apiVersion);
    return url;
  }

  async send<T>(method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE', url: URL, request: ArmRequest): Promise<ArmResponse<T>> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.#exchange(method, url, request);
      if (response.status === 429) {
        const waitMillis = retryAfterMillis(response.headers);
        if (request.retryOnThrottle && attempt < this.#maxAttempts && waitMillis <= this.#maxRetryAfterMillis) {
          await new Promise((resolve) => setTimeout(resolve, waitMillis));
          continue;
        }
        throw new GovCloudError('ERR_UPSTREAM_UNAVAILABLE', `The government cloud is throttling requests (HTTP 429; retry after ${Math.ceil(waitMillis / 1_000)} s)`, {
          upstreamStatus: 429,
          reason: 'TooManyRequests',
        });
      }
      if (response.status >= 500) {
        throw new GovCloudError('ERR_UPSTREAM_UNAVAILABLE', `The government cloud failed (HTTP ${response.status})`, { upstreamStatus: response.status, reason: errorCode(response.body) });
      }
      if (response.status >= 400) throw toClientError(response.status, response.body);
      return response as ArmResponse<T>;
    }
  }

  async get<T>(path: string, query: ArmRequest['query'] = {}): Promise<T> {
    return (await this.send<T>('GET', this.url(path, query), { retryOnThrottle: true })).body;
  }

  /** GET that answers undefined for 404 instead of throwing. */
  async find<T>(path: string, query: ArmRequest['query'] = {}): Promise<ArmResponse<T> | undefined> {
    try {
      return await this.send<T>('GET', this.url(path, query), { retryOnThrottle: true });
    } catch (error) {
      if (error instanceof GovCloudError && error.upstreamStatus === 404) return undefined;
      throw error;
    }
  }

  /**
   * Reads `top` items from `skip` on (all when `top` is undefined), following `nextLink` while the
   * server pages, and the total count when the server reports one.
   */
  async list<T>(path: string, query: ArmRequest['query'], window: { skip?: number; top?: number; count?: boolean } = {}): Promise<{ items: T[]; count: number | undefined }> {
    const items: T[] = [];
    let count: number | undefined;
    let url: URL | undefined = this.url(path, {
      ...query,
      ...(window.skip !== undefined && window.skip > 0 ? { $skip: window.skip } : {}),
      ...(window.top !== undefined ? { $top: window.top } : {}),
      ...(window.count === true ? { $count: 'true' } : {}),
    });
    for (let page = 0; url !== undefined; page++) {
      if (page >= this.#maxPages) throw new GovCloudError('ERR_UPSTREAM_BAD_RESPONSE', `gov-cloud returned more than ${this.#maxPages} pages for one listing`);
      const body: unknown = (await this.send<unknown>('GET', url, { retryOnThrottle: true })).body;
      if (typeof body !== 'object' || body === null || !Array.isArray((body as { value?: unknown }).value)) {
        throw new GovCloudError('ERR_UPSTREAM_BAD_RESPONSE', 'gov-cloud answered a listing without a "value" array');
      }
      const { value, nextLink, count: pageCount } = body as { value: T[]; nextLink?: unknown; count?: unknown };
      if (count === undefined && typeof pageCount === 'number') count = pageCount;
      items.push(...value);
      if (window.top !== undefined && items.length >= window.top) break;
      url = typeof nextLink === 'string' && value.length > 0 ? this.followLink(nextLink) : undefined;
    }
    if (window.count === true && count === undefined) throw new GovCloudError('ERR_UPSTREAM_BAD_RESPONSE', 'gov-cloud did not report the count asked for');
    return { items: window.top !== undefined ? items.slice(0, window.top) : items, count };
  }

  async #exchange(method: string, url: URL, request: ArmRequest): Promise<ArmResponse<unknown>> {
    let response: Response;
    // Decide "timed out" from our own signal, not from the error's class: the abort reason is a
    // DOMException, which is not `instanceof Error` across realms (e.g. under a VM-module test runner).
    const signal = AbortSignal.timeout(this.#timeoutMillis);
    try {
      response = await this.#fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...request.headers,
        },
        body: request.body !== undefined ? JSON.stringify(request.body) : null,
        signal,
      });
    } catch (cause) {
      if (signal.aborted) {
        throw new GovCloudError('ERR_UPSTREAM_TIMEOUT', `The government cloud did not answer within ${this.#timeoutMillis} ms`, { cause });
      }
      throw new GovCloudError('ERR_UPSTREAM_UNAVAILABLE', 'The government cloud could not be reached', { cause });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (cause) {
      if (signal.aborted) {
        throw new GovCloudError('ERR_UPSTREAM_TIMEOUT', `The government cloud did not finish answering within ${this.#timeoutMillis} ms`, { cause });
      }
      throw new GovCloudError('ERR_UPSTREAM_UNAVAILABLE', 'The government cloud closed the connection mid-response', { cause });
    }
    let body: unknown;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch (cause) {
        throw new GovCloudError('ERR_UPSTREAM_BAD_RESPONSE', `The government cloud answered with a body that is not JSON (HTTP ${response.status})`, { cause, upstreamStatus: response.status });
      }
    }
    return { status: response.status, headers: response.headers, body };
  }
}

/** How long a 429 or a 202 asks us to wait: `retry-after-ms` first, then `Retry-After` seconds or date. */
export function retryAfterMillis(headers: Headers, fallbackMillis = 1_000): number {
  const ms = headers.get('retry-after-ms') ?? headers.get('x-ms-retry-after-ms');
  if (ms !== null && /^\d{1,9}$/.test(ms.trim())) return Number(ms.trim());
  const value = headers.get('retry-after');
  if (value === null) return fallbackMillis;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? fallbackMillis : Math.max(0, date - Date.now());
}

function errorCode(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' ? error.code.slice(0, 80) : undefined;
}

function errorMessage(body: unknown): string {
  const error = (body as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error?.message === 'string' ? error.message.slice(0, 300) : 'no details';
}

function toClientError(status: number, body: unknown): GovCloudError {
  const reason = errorCode(body);
  const message = errorMessage(body);
  if (reason !== undefined && USER_INPUT_REASONS.has(reason)) return new GovCloudError('ERR_BAD_USER_INPUT', message, { upstreamStatus: status, reason });
  if (status === 404) return new GovCloudError('ERR_ENTITY_NOT_FOUND', message, { upstreamStatus: status, ...(reason !== undefined ? { reason } : {}) });
  return new GovCloudError('ERR_UPSTREAM_REJECTED', `The government cloud refused the request (HTTP ${status}): ${message}`, { upstreamStatus: status, ...(reason !== undefined ? { reason } : {}) });
}
