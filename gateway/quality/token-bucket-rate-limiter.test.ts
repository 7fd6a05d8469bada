import { describe, expect, it } from '@jest/globals';
import { TokenBucketRateLimiter } from './token-bucket-rate-limiter.js';

describe('TokenBucketRateLimiter', () => {
  it('allows a burst, then refuses with the wait until the next token, then refills at the set rate', () => {
    let now = 1_000_000;
    const limiter = new TokenBucketRateLimiter({ burst: 3, refillPerMinute: 6, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('GCC:QA:GOV:PORTAL').allowed)).toEqual([true, true, true]);
    expect(limiter.take('GCC:QA:GOV:PORTAL')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    now += 9_000;
    expect(limiter.take('GCC:QA:GOV:PORTAL')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect(limiter.take('GCC:QA:GOV:PORTAL').allowed).toBe(true);
    expect(limiter.take('GCC:QA:GOV:PORTAL').allowed).toBe(false);
  });

  it('keeps one bucket per caller', () => {
    const limiter = new TokenBucketRateLimiter({ burst: 1, refillPerMinute: 1, now: () => 0 });
    expect(limiter.take('GCC:QA:GOV:A').allowed).toBe(true);
    expect(limiter.take('GCC:QA:GOV:A').allowed).toBe(false);
    expect(limiter.take('GCC:SA:GOV:B').allowed).toBe(true);
  });

  it('never holds more than maxKeys callers, forgetting the least recently seen', () => {
    const limiter = new TokenBucketRateLimiter({ burst: 1, refillPerMinute: 1, maxKeys: 2, now: () => 0 });
    limiter.take('a');
    limiter.take('b');
    limiter.take('c');
    expect(limiter.trackedKeys).toBe(2);
    // "a" was forgotten, so it starts with a full bucket again; "c" is still empty.
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('c').allowed).toBe(false);
  });
});
