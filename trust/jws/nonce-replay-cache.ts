/**
 * Replay protection for signed requests: a nonce may be used once per ClientId for as long as its
 * signing time is accepted (verifyHttpRequest's clock skew). Entries whose signing time is older
 * than the window are dropped, since such a request is refused as stale anyway.
 *
 * The cache is bounded (`maxEntries`). A bound that dropped live entries would let a request be
 * replayed once its nonce had been pushed out, which a busy gateway does within a minute (100,000
 * entries at 1,500 requests a second), well inside the default 300 s skew. So dropping a live entry
 * raises a floor instead: no signature made at or before the newest signing time ever dropped is
 * accepted again (ERR_TRUST_JWS_STALE, sign afresh). A replay carries its original signing time,
 * so it is refused either way; only a client signing long before it sends (or with a clock far
 * behind) notices, and only while the gateway holds more live nonces than the bound (fail closed).
 */
import { TrustError } from '../errors/trust-error.js';
import { systemClock, type Clock } from '../util/clock.js';

export interface NonceReplayCacheOptions {
  /** How long after its signing time a nonce is remembered: at least the verifier's maxClockSkewSeconds (doubled: a signing time may lie ahead of this clock). @default 600 */
  readonly windowSeconds?: number;
  /** @default 100000 */
  readonly maxEntries?: number;
  readonly clock?: Clock;
}

export class NonceReplayCache {
  /** ClientId and nonce -> signing time (ms), in the order they were remembered. */
  private readonly seen = new Map<string, number>();
  private readonly windowMillis: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;
  /** The newest signing time of a live entry the bound pushed out: nothing signed at or before it is accepted. */
  private floorMillis = Number.NEGATIVE_INFINITY;

  constructor(options: NonceReplayCacheOptions = {}) {
    this.windowMillis = (options.windowSeconds ?? 600) * 1000;
    this.maxEntries = options.maxEntries ?? 100_000;
    if (!(this.windowMillis > 0) || !(this.maxEntries > 0)) throw new TypeError('NonceReplayCache needs a positive window and size');
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Records the nonce of a request signed at `signingTime` (its verified sigT); throws
   * ERR_TRUST_JWS_REPLAY if this ClientId used it within the window, and ERR_TRUST_JWS_STALE if the
   * signing time is at or before what the cache can still vouch for (see the class comment).
   */
  checkAndRemember(clientId: string, nonce: string, signingTime: Date): void {
    const now = this.clock.now().getTime();
    const signedAt = signingTime.getTime();
    if (!Number.isFinite(signedAt)) throw new TypeError('checkAndRemember needs the signing time');
    const key = `${clientId}\u0000${nonce}`;
    const previous = this.seen.get(key);
    if (previous !== undefined && now - previous <= this.windowMillis) throw new TrustError('ERR_TRUST_JWS_REPLAY');
    if (signedAt <= this.floorMillis) {
      throw new TrustError('ERR_TRUST_JWS_STALE', {
        message: `Signature time ${signingTime.toISOString()} is older than the gateway can still check for replay while this busy; sign the request afresh`,
      });
    }
    // Map iteration is insertion order: drop expired entries from the front, then keep to the bound
    // (oldest first), raising the floor for every live entry dropped.
    for (const [k, t] of this.seen) {
      const expired = now - t > this.windowMillis;
      if (!expired && this.seen.size < this.maxEntries) break;
      if (!expired && t > this.floorMillis) this.floorMillis = t;
      this.seen.delete(k);
    }
    this.seen.delete(key);
    this.seen.set(key, signedAt);
  }
}
