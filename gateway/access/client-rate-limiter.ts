import { systemClock, type Clock } from '../../trust/index.js';
import { AccessRefusal } from './access-refusal.js';

export interface ClientRateLimits {
  /** Sustained rate. */
  readonly requestsPerMinute: number;
  /** Requests allowed at once above the sustained rate (token-bucket size). */
  readonly burst: number;
  /** Requests of one client in flight at the same time. */
  readonly maxConcurrent: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  inFlight: number;
}

/**
 * Per-client token buckets and concurrency counters, so that one member state's system cannot
 * starve the others. In memory, per gateway instance: behind a load balancer each instance
 * enforces its share (documented in the README's operations section).
 */
export class ClientRateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: Clock;
  readonly #maxClients: number;

  constructor(options: { readonly clock?: Clock; readonly maxClients?: number } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#maxClients = options.maxClients ?? 100_000;
  }

  /**
   * Takes one token and one concurrency slot, or throws ERR_RATE_LIMITED / ERR_CONCURRENCY_LIMITED
   * (429, with a retry-after in seconds). Returns the function that gives the slot back.
   */
  acquire(clientId: string, limits: ClientRateLimits): () => void {
    const now = this.#clock.now().getTime();
    let bucket = this.#buckets.get(clientId);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxClients) this.#evictIdle();
      bucket = { tokens: limits.burst, updatedAt: now, inFlight: 0 };
      this.#buckets.set(clientId, bucket);
    }
    const perMillis = limits.requestsPerMinute / 60_000;
    bucket.tokens = Math.min(limits.burst, bucket.tokens + (now - bucket.updatedAt) * perMillis);
    bucket.updatedAt = now;
    if (bucket.inFlight >= limits.maxConcurrent) {
      throw AccessRefusal.of('ERR_CONCURRENCY_LIMITED', `At most ${limits.maxConcurrent} requests of this client may be in flight at once.`, { retryAfterSeconds: 1 });
    }
    if (bucket.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / perMillis / 1000));
      throw AccessRefusal.of('ERR_RATE_LIMITED', `This client may send ${limits.requestsPerMinute} requests per minute (bursts of ${limits.burst}).`, { retryAfterSeconds });
    }
    bucket.tokens -= 1;
    bucket.inFlight += 1;
    const held = bucket;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      held.inFlight -= 1;
    };
  }

  #evictIdle(): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.inFlight === 0) this.#buckets.delete(key);
      if (this.#buckets.size < this.#maxClients * 0.9) return;
    }
  }
}
