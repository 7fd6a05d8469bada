import { describe, expect, it } from '@jest/globals';
import { TestClock } from '../testing/demo-environment.js';
import { NonceReplayCache } from './nonce-replay-cache.js';

describe('NonceReplayCache', () => {
  it('refuses a nonce seen for the same client within the window and forgets it after', () => {
    const clock = new TestClock(new Date('2026-11-01T00:00:00Z'));
    const cache = new NonceReplayCache({ windowSeconds: 600, clock });
    cache.checkAndRemember('GCC:QA:GOV:CSGDB:hr-portal', 'n-1', clock.now());
    cache.checkAndRemember('GCC:SA:GOV:MHRSD:hr-verify', 'n-1', clock.now());
    expect(() => cache.checkAndRemember('GCC:QA:GOV:CSGDB:hr-portal', 'n-1', clock.now())).toThrow(expect.objectContaining({ code: 'ERR_TRUST_JWS_REPLAY' }));
    clock.advanceSeconds(601);
    expect(() => cache.checkAndRemember('GCC:QA:GOV:CSGDB:hr-portal', 'n-1', clock.now())).not.toThrow();
  });

  it('stays within its size bound', () => {
    const clock = new TestClock(new Date('2026-11-01T00:00:00Z'));
    const cache = new NonceReplayCache({ maxEntries: 10, clock });
    for (let i = 0; i < 100; i++) {
      clock.advanceSeconds(1);
      cache.checkAndRemember('c', `n-${i}`, clock.now());
    }
    expect((cache as unknown as { seen: Map<string, number> }).seen.size).toBeLessThanOrEqual(10);
    expect(() => cache.checkAndRemember('c', 'n-99', new Date(clock.now().getTime() - 1000))).toThrow(expect.objectContaining({ code: 'ERR_TRUST_JWS_REPLAY' }));
  });

  it('never accepts a nonce again that the bound pushed out while its signature was still fresh (fail closed)', () => {
    const clock = new TestClock(new Date('2026-11-01T00:00:00Z'));
    const cache = new NonceReplayCache({ windowSeconds: 600, maxEntries: 10, clock });
    const signed: Date[] = [];
    for (let i = 0; i < 30; i++) {
      clock.advanceSeconds(1);
      signed.push(clock.now());
      cache.checkAndRemember('c', `n-${i}`, clock.now());
    }
    // n-0 .. n-19 were pushed out long before their window ended: each replay (its own signing time) is refused.
    for (let i = 0; i < 20; i++) expect(() => cache.checkAndRemember('c', `n-${i}`, signed[i]!)).toThrow(expect.objectContaining({ code: 'ERR_TRUST_JWS_STALE' }));
    // The ones still held are replays as before, and a request signed now is accepted.
    expect(() => cache.checkAndRemember('c', 'n-25', signed[25]!)).toThrow(expect.objectContaining({ code: 'ERR_TRUST_JWS_REPLAY' }));
    expect(() => cache.checkAndRemember('c', 'n-new', clock.now())).not.toThrow();
  });

  it('drops expired entries without raising the floor, so a client keeps signing as usual when the gateway is quiet', () => {
    const clock = new TestClock(new Date('2026-11-01T00:00:00Z'));
    const cache = new NonceReplayCache({ windowSeconds: 60, maxEntries: 5, clock });
    for (let i = 0; i < 5; i++) cache.checkAndRemember('c', `old-${i}`, clock.now());
    const early = clock.now();
    clock.advanceSeconds(61);
    for (let i = 0; i < 5; i++) cache.checkAndRemember('c', `new-${i}`, clock.now());
    // Signed 61 s ago (inside a 300 s skew the verifier may allow): no live entry was ever dropped, so no floor.
    expect(() => cache.checkAndRemember('c', 'late', early)).not.toThrow();
  });

  it('refuses a signing time older than any live entry it had to drop, and takes later ones', () => {
    const clock = new TestClock(new Date('2026-11-01T00:00:00Z'));
    const cache = new NonceReplayCache({ windowSeconds: 600, maxEntries: 2, clock });
    const t0 = clock.now();
    cache.checkAndRemember('c', 'a', t0);
    cache.checkAndRemember('c', 'b', new Date(t0.getTime() + 5000));
    cache.checkAndRemember('c', 'c', new Date(t0.getTime() + 6000));
    cache.checkAndRemember('c', 'd', new Date(t0.getTime() + 7000));
    // 'a' (t0) and 'b' (t0 + 5 s) were pushed out: the floor is t0 + 5 s.
    expect(() => cache.checkAndRemember('c', 'e', new Date(t0.getTime() + 5000))).toThrow(expect.objectContaining({ code: 'ERR_TRUST_JWS_STALE' }));
    expect(() => cache.checkAndRemember('c', 'e', new Date(t0.getTime() + 5001))).not.toThrow();
  });
});
