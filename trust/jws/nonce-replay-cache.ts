/**
 * Replay protection for signed requests: a nonce may be used once per ClientId within the window in
 * which its signing time is accepted (verifyHttpRequest's clock skew). Entries older than the
 * window are dropped, since such a request is refused as stale anyway.
 */
import { TrustError } from '../errors/trust-error.js';
import { systemClock, type Clock } from '../util/clock.js';

export interface NonceReplayCacheOptions {
  /** Must be at least the verifier's maxClockSkewSeconds, doubled. @default 600 */
  readonly windowSeconds?: number;
  /** @default 100000 */
  readonly maxEntries?: number;
  readonly clock?: Clock;
}

export class NonceReplayCache {
  private readonly seen = new Map<string, number>();
  private readonly windowMillis: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;

  constructor(options: NonceReplayCacheOptions = {}) {
    this.windowMillis = (options.windowSeconds ?? 600) * 1000;
    this.maxEntries = options.maxEntries ?? 100_000;
    if (!(this.windowMillis > 0) || !(this.maxEntries > 0)) throw new TypeError('NonceReplayCache needs a positive window and size');
    this.clock = options.clock ?? systemClock;
  }

  /** Records the nonce; throws ERR_TRUST_JWS_REPLAY if this ClientId used it within the window. */
  checkAndRemember(clientId: string, nonce: string): void {
    const now = this.clock.now().getTime();
    const key = `${clientId}\u0000${nonce}`;
    const at = this.seen.get(key);
    if (at !== undefined && now - at <= this.windowMillis) throw new TrustError('ERR_TRUST_JWS_REPLAY');
    // Map iteration is insertion order: expire from the front, then cap the size (oldest first).
    for (const [k, t] of this.seen) {
      if (now - t <= this.windowMillis && this.seen.size < this.maxEntries) break;
      this.seen.delete(k);
    }
    this.seen.delete(key);
    this.seen.set(key, now);
  }
}
