import { availableParallelism } from 'node:os';

/** `access.publicKeyOperations`: where the member port's signature checks and signatures run. */
export type PublicKeyOperations = 'auto' | 'event-loop' | 'thread-pool';

/** Cores from which `auto` sends public-key operations to the libuv thread pool. */
export const THREAD_POOL_MIN_CORES = 4;

/**
 * Whether the member port's public-key operations (request signature checks, response and
 * subgraph-context signatures) go to the libuv thread pool. On the pool they run on other cores
 * while the event loop goes on, which pays where cores are to spare. On a small machine whose cores
 * are busy anyway (two, shared with the subgraphs), each of the three round trips per request only
 * adds thread wake-ups and a wait for the event loop to take the result back: measured on the
 * 2-core benchmark machine, in the call was 5% more requests per second at 9% less CPU per request
 * (bench/README.md, "Full security on, again").
 */
export function offloadPublicKeyOperations(setting: PublicKeyOperations, cores: number = availableParallelism()): boolean {
  switch (setting) {
    case 'thread-pool':
      return true;
    case 'event-loop':
      return false;
    case 'auto':
      return cores >= THREAD_POOL_MIN_CORES;
  }
}
