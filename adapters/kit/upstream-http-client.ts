import { AdapterError } from './adapter-error.js';

export interface UpstreamHttpClientOptions {
  /** Base URL of the national system; request paths are resolved against it. */
  readonly baseUrl: string;
  readonly timeoutMillis: number;
  /** Adapter name, for error messages. */
  readonly adapter: string;
  /** Injected for tests of other transports; defaults to the global fetch (keep-alive). */
  readonly fetch?: typeof fetch;
  /** Headers sent with every request (e.g. API version). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Maps an error answer (HTTP 4xx/5xx) to the adapter's own error, e.g. from the national system's
   * error body; returning undefined keeps the generic mapping below.
   */
  readonly mapErrorResponse?: (response: UpstreamResponse<unknown>) => AdapterError | undefined;
}

export interface UpstreamResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/**
 * JSON over HTTP to a national system, with a deadline and typed errors. It does not retry: the
 * gateway decides retries for whole subgraph calls, where it knows whether the operation is a read.
 */
export class UpstreamHttpClient {
  readonly #options: UpstreamHttpClientOptions;
  readonly #fetch: typeof fetch;

  constructor(options: UpstreamHttpClientOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError(`baseUrl must be http(s): ${options.baseUrl}`);
    if (!(options.timeoutMillis > 0)) throw new TypeError('timeoutMillis must be positive');
    this.#options = { ...options, baseUrl: options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/` };
    this.#fetch = options.fetch ?? fetch;
  }

  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, init: { body?: unknown; headers?: Record<string, string>; accept404?: boolean } = {}): Promise<UpstreamResponse<T | undefined>> {
    const url = new URL(path.replace(/^\//, ''), this.#options.baseUrl);
    const { adapter, timeoutMillis } = this.#options;
    let response: Response;
    const signal = AbortSignal.timeout(timeoutMillis);
    try {
      response = await this.#fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...this.#options.headers,
          ...init.headers,
        },
        body: init.body !== undefined ? JSON.stringify(init.body) : null,
        // One deadline for the whole exchange, headers and body.
        signal,
      });
    } catch (cause) {
      // By name, not `instanceof`: the DOMException may come from another realm (e.g. a test VM context).
      const name = typeof cause === 'object' && cause !== null ? (cause as { name?: unknown }).name : undefined;
      if (signal.aborted || name === 'TimeoutError' || name === 'AbortError') {
        throw new AdapterError('ERR_UPSTREAM_TIMEOUT', `The ${adapter} national system did not answer within ${timeoutMillis} ms`, { cause, adapter });
      }
      throw new AdapterError('ERR_UPSTREAM_UNAVAILABLE', `The ${adapter} national system could not be reached`, { cause, adapter });
    }
    const text = await response.text().catch((cause: unknown) => {
      if (signal.aborted) throw new AdapterError('ERR_UPSTREAM_TIMEOUT', `The ${adapter} national system did not finish answering within ${timeoutMillis} ms`, { cause, adapter });
      throw new AdapterError('ERR_UPSTREAM_UNAVAILABLE', `The ${adapter} national system closed the connection mid-response`, { cause, adapter });
    });
    if (response.status === 404 && init.accept404 === true) return { status: 404, headers: response.headers, body: undefined };
    let body: unknown;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch (cause) {
        throw new AdapterError('ERR_UPSTREAM_BAD_RESPONSE', `The ${adapter} national system answered with a body that is not JSON (HTTP ${response.status})`, {
          cause,
          adapter,
          upstreamStatus: response.status,
        });
      }
    }
    if (response.status >= 400 && this.#options.mapErrorResponse !== undefined) {
      const mapped = this.#options.mapErrorResponse({ status: response.status, headers: response.headers, body });
      if (mapped !== undefined) throw mapped;
    }
    if (response.status >= 500) {
      throw new AdapterError('ERR_UPSTREAM_UNAVAILABLE', `The ${adapter} national system failed (HTTP ${response.status})`, { adapter, upstreamStatus: response.status });
    }
    if (response.status >= 400) {
      throw new AdapterError('ERR_UPSTREAM_REJECTED', `The ${adapter} national system rejected the request (HTTP ${response.status}): ${upstreamMessage(body)}`, {
        adapter,
        upstreamStatus: response.status,
      });
    }
    return { status: response.status, headers: response.headers, body: body as T };
  }

  async get<T>(path: string, options: { accept404?: boolean } = {}): Promise<T | undefined> {
    return (await this.request<T>('GET', path, options)).body;
  }
}

/** The upstream's own error message, when it sent one in a common shape (OData, REST). */
function upstreamMessage(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === 'object' && error !== null && 'message' in error && typeof (error as { message: unknown }).message === 'string') {
      return (error as { message: string }).message.slice(0, 300);
    }
  }
  return 'no details';
}
