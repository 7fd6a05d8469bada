export interface TokenBucketOptions {
  /** Calls allowed at once (the bucket's size). */
  readonly burst: number;
  /** Tokens added per minute. */
  readonly refillPerMinute: number;
  /** Keys tracked at most; idle full buckets are forgotten first. @default 10000 */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * A token bucket per key (a caller's ClientId): each call takes a token; tokens come back at a
 * steady rate up to `burst`. Held in memory only, so a restart forgets it (the keys are never
 * written anywhere).
 */
export class TokenBucketRateLimiter {
  readonly #burst: number;
  readonly #perMillis: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: TokenBucketOptions) {
    if (!(Number.isInteger(options.burst) && options.burst >= 1)) throw new TypeError('burst must be a whole number >= 1');
    if (!(options.refillPerMinute > 0)) throw new TypeError('refillPerMinute must be > 0');
    this.#burst = options.burst;
    this.#perMillis = options.refillPerMinute / 60_000;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  take(key: string): RateDecision {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#perMillis);
    bucket.at = now;
    // Re-inserted last, so the map's order is least recently used first.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys) this.#forgetOldest();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMillis / 1000)) };
  }

  get trackedKeys(): number {
    return this.#buckets.size;
  }

  #forgetOldest(): void {
    for (const key of this.#buckets.keys()) {
      this.#buckets.delete(key);
      if (this.#buckets.size <= this.#maxKeys) return;
    }
  }
}
