// The part of autocannon's API (https://github.com/mcollina/autocannon) the benchmark uses; the
// package ships no type declarations.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';
  import type { ConnectionOptions } from 'node:tls';

  /** One request of a client; `setupRequest` may replace it before every send. */
  interface AutocannonRequest {
    method?: 'GET' | 'POST';
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /**
     * Called before each request of a connection is written (synchronously); returns the request to
     * send. `context` is a fresh object per request that `onResponse` then receives.
     */
    setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
    /** Called with each response of a connection: status, body (decoded as UTF-8), the context, headers. */
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string | string[]>) => void;
  }

  /**
   * One connection's client. Not in autocannon's documented API: the two members the signed load
   * generator replaces per connection (load-generator.ts, `PerConnectionHooks`), as autocannon 9.0.0
   * (pinned) calls them: `getRequestBuffer()` for the bytes of each request it writes, and the
   * iterator's `recordBody` with each response (status, body, raw header list).
   */
  interface AutocannonClient {
    getRequestBuffer: () => Buffer;
    readonly requestIterator: {
      recordBody: (request: unknown, status: number, body: string, rawHeaders: string[] | undefined) => void;
    };
  }

  interface AutocannonOptions {
    url: string;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Requests to send before stopping; when set, `duration` is ignored. */
    amount?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    pipelining?: number;
    /** Called with each connection's client when autocannon creates it, before its first request. */
    setupClient?: (client: AutocannonClient) => void;
    /** Per-request hooks (see AutocannonRequest); one entry here means every request goes through it. */
    requests?: AutocannonRequest[];
    /**
     * Passed to tls.connect for https URLs (e.g. a client certificate). autocannon always sets
     * `rejectUnauthorized: false`: it does not check the server's certificate.
     */
    tlsOptions?: ConnectionOptions;
  }

  interface AutocannonResult {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    requests: { total: number; average: number };
  }

  interface AutocannonInstance extends EventEmitter {
    stop(): void;
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMillis: number) => void): this;
    on(event: 'done', listener: (result: AutocannonResult) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  function autocannon(options: AutocannonOptions, callback: (error: Error | null, result: AutocannonResult) => void): AutocannonInstance;
  export default autocannon;
  export type { AutocannonClient, AutocannonInstance, AutocannonOptions, AutocannonRequest, AutocannonResult };
}
