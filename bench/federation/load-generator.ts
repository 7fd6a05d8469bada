/**
 * One load run against a GraphQL endpoint with autocannon: a fixed number of keep-alive
 * connections, each sending the next request as soon as the previous answer arrived (closed loop),
 * for a fixed time. Latencies are recorded per response here (autocannon's own summary has no p95).
 * Every row of the comparison goes through this one function, the signed (mutual-TLS) row too
 * (`signed-load-generator.ts` adds the client certificate and a fresh signature per request), so
 * that the client's own cost per request differs between rows only by what the member port needs.
 */
import autocannon, { type AutocannonOptions } from 'autocannon';

/**
 * Per-connection hooks, for clients that must send a different request every time (signed
 * requests). They work below autocannon's own per-request API (`setupRequest`/`onResponse`), which
 * rebuilds the whole request from header objects before every send and turns every response's
 * headers into an object (measured at ~0.03-0.04 ms of client CPU per request, on a machine whose
 * two cores the gateway shares); the row with signed requests would otherwise pay that on top of
 * what the member port needs (TLS, the signature header), and no other row does.
 */
export interface PerConnectionHooks {
  /**
   * The complete HTTP/1.1 request to write next on `connection` (request line, headers, body), made
   * ready beforehand. Called synchronously when autocannon sends; a connection has one request in
   * flight at a time (no pipelining), so the next response on it answers this request.
   */
  readonly nextRequest: (connection: number) => Buffer;
  /**
   * Each response on `connection`: status, body (autocannon decodes each chunk as UTF-8), and the
   * raw header list `[name, value, name, value, ...]` as received.
   */
  readonly onResponse: (connection: number, status: number, body: string, rawHeaders: readonly string[]) => void;
}

/**
 * What `PerConnectionHooks` uses of autocannon 9.0.0 (pinned, `autocannon.d.ts`): each client asks
 * `getRequestBuffer()` for the bytes to write, and passes each response to its request iterator's
 * `recordBody`. `signed-load-generator.test.ts` runs real loads through both, so a change of
 * autocannon's internals fails there, not silently.
 */
function perConnection(hooks: PerConnectionHooks): Pick<AutocannonOptions, 'setupClient'> {
  let connections = 0;
  return {
    setupClient: (client) => {
      const connection = connections++;
      client.getRequestBuffer = () => hooks.nextRequest(connection);
      client.requestIterator.recordBody = (_request, status, body, rawHeaders) => hooks.onResponse(connection, status, body, rawHeaders ?? []);
    },
  };
}

export interface LoadOptions {
  readonly url: string;
  /** The JSON request body. */
  readonly body: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Send exactly this many requests instead of running for `durationSeconds` (smoke tests). */
  readonly requests?: number | undefined;
  /** TLS client certificate and key (PEM) for an https URL. */
  readonly tls?: { readonly key: string; readonly cert: string } | undefined;
  readonly perConnection?: PerConnectionHooks | undefined;
  /** Stops the run early (what was received until then is reported). */
  readonly signal?: AbortSignal | undefined;
}

export interface LoadResult {
  /** Responses received (any status). */
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMillis: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  /** Responses with a status other than 2xx. */
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /**
   * CPU time (user + system) of the load generator's own process during the run: the client's cost,
   * to show it was not the bottleneck. Work done before the clock (e.g. pre-signing) is not in it.
   */
  readonly clientCpuMillis: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** The purpose of use every benchmark request declares (see test/fixtures/federation/access-policy.yaml). */
export const BENCH_PURPOSE = 'AUDIT_OVERSIGHT';

/** The headers every benchmark request carries. The purpose is the one our gateway's policy asks for; peers ignore it. */
export const BENCH_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json', accept: 'application/json', 'x-gccgw-purpose': BENCH_PURPOSE };

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 14);
    let count = 0;
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        headers: { ...BENCH_HEADERS },
        body: options.body,
        connections: options.connections,
        duration: options.durationSeconds,
        ...(options.requests !== undefined ? { amount: options.requests } : {}),
        ...(options.tls !== undefined ? { tlsOptions: { key: options.tls.key, cert: options.tls.cert } } : {}),
        ...(options.perConnection !== undefined ? perConnection(options.perConnection) : {}),
        timeout: 30,
      },
      (error, result) => {
        options.signal?.removeEventListener('abort', stop);
        if (error !== null) {
          reject(error);
          return;
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const cpu = process.cpuUsage(cpuBefore);
        const sorted = latencies.subarray(0, count).sort();
        resolve({
          requests: count,
          seconds,
          requestsPerSecond: count / seconds,
          latencyMillis: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[count - 1] ?? Number.NaN },
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
          clientCpuMillis: (cpu.user + cpu.system) / 1000,
        });
      },
    );
    const stop = (): void => instance.stop();
    if (options.signal?.aborted === true) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
    instance.on('response', (_client, _status, _bytes, responseTimeMillis) => {
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count] = responseTimeMillis;
      count += 1;
    });
  });
}
