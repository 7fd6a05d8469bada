import { describe, expect, it } from '@jest/globals';
import { TestClock } from '../testing/demo-environment.js';
import { NonceReplayCache } from './nonce-replay-cache.js';

describe('NonceReplayCache', () => {
  it('refuses a nonce seen for the same client within the window and forgets it after', () => {
    const clock = new TestClock(new Date('2026-11-01T00:00:00Z'));
    const cache = new NonceReplayCache({ windowSeconds: 600, clock });
    cache.checkAndRemember('GCC:QA:GOV:CSGDB:hr-portal', 'n-1');
    cache.checkAndRemember('GCC:SA:GOV:MHRSD:hr-verify', 'n-1');
    expect(() => cache.checkAndRemember('GCC:QA:GOV:CSGDB:hr-portal', 'n-1')).toThrow(expect.objectContaining({ code: 'ERR_TRUST_JWS_REPLAY' }));
    clock.advanceSeconds(601);
    expect(() => cache.checkAndRemember('GCC:QA:GOV:CSGDB:hr-portal', 'n-1')).not.toThrow();
  });

  it('stays within its size bound', () => {
    const cache = new NonceReplayCache({ maxEntries: 10 });
    for (let i = 0; i < 100; i++) cache.checkAndRemember('c', `n-${i}`);
    expect(() => cache.checkAndRemember('c', 'n-99')).toThrow();
    expect(() => cache.checkAndRemember('c', 'n-0')).not.toThrow();
  });
});
