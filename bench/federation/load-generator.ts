/**
 * One load run against a GraphQL endpoint with autocannon: a fixed number of keep-alive
 * connections, each sending the next request as soon as the previous answer arrived (closed loop),
 * for a fixed time. Latencies are recorded per response here (autocannon's own summary has no p95).
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  readonly url: string;
  /** The JSON request body. */
  readonly body: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Send exactly this many requests instead of running for `durationSeconds` (smoke tests). */
  readonly requests?: number | undefined;
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
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** The purpose of use every benchmark request declares (see test/fixtures/federation/access-policy.yaml). */
export const BENCH_PURPOSE = 'AUDIT_OVERSIGHT';

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let latencies = new Float64Array(1 << 14);
    let count = 0;
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        // The purpose our gateway's policy asks for; peers ignore the header.
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-gccgw-purpose': BENCH_PURPOSE },
        body: options.body,
        connections: options.connections,
        duration: options.durationSeconds,
        ...(options.requests !== undefined ? { amount: options.requests } : {}),
        timeout: 30,
      },
      (error, result) => {
        if (error !== null) {
          reject(error);
          return;
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const sorted = latencies.subarray(0, count).sort();
        resolve({
          requests: count,
          seconds,
          requestsPerSecond: count / seconds,
          latencyMillis: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[count - 1] ?? Number.NaN },
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
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
