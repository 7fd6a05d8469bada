import { describe, expect, it } from '@jest/globals';
import { offloadPublicKeyOperations, THREAD_POOL_MIN_CORES } from './public-key-operations.js';

describe('where the member port runs its public-key operations', () => {
  it('follows an explicit setting whatever the machine', () => {
    expect(offloadPublicKeyOperations('thread-pool', 2)).toBe(true);
    expect(offloadPublicKeyOperations('event-loop', 64)).toBe(false);
  });

  it('uses the thread pool from 4 cores on and the event loop below (auto)', () => {
    expect(THREAD_POOL_MIN_CORES).toBe(4);
    expect(offloadPublicKeyOperations('auto', 2)).toBe(false);
    expect(offloadPublicKeyOperations('auto', 3)).toBe(false);
    expect(offloadPublicKeyOperations('auto', 4)).toBe(true);
    expect(offloadPublicKeyOperations('auto', 16)).toBe(true);
  });
});
