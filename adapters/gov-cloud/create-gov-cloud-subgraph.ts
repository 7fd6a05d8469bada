import { buildSubgraph, type AdapterSubgraph, type CreateSubgraphOptions } from '../kit/index.js';
import { readSubgraphSdl } from '../../schemas/schema-files.js';
import { GovCloudClient } from './gov-cloud-client.js';
import { createGovCloudResolvers } from './gov-cloud-resolvers.js';
import { ProvisioningWatcher } from './provisioning-watcher.js';

export interface GovCloudSubgraphOptions extends CreateSubgraphOptions {
  /** Attempts for a throttled (429) read or keyed create, the first included. @default 3 */
  readonly throttleMaxAttempts?: number;
  /** Longest `Retry-After` the client waits out before giving up. @default 5000 */
  readonly maxRetryAfterMillis?: number;
  /** Shortest wait between two polls of a provisioning request. @default 200 */
  readonly minPollIntervalMillis?: number;
  /** Longest wait between two polls of a provisioning request. @default 10000 */
  readonly maxPollIntervalMillis?: number;
}

/**
 * The gov-cloud subgraph: its SDL, resolvers over the cloud's resource-manager API, and the
 * watcher that follows provisioning requests and hands completed ones to `options.events`.
 */
export function createGovCloudSubgraph(options: GovCloudSubgraphOptions): AdapterSubgraph {
  const client = new GovCloudClient({
    baseUrl: options.upstreamUrl,
    timeoutMillis: options.upstreamTimeoutMillis,
    ...(options.throttleMaxAttempts !== undefined ? { maxAttempts: options.throttleMaxAttempts } : {}),
    ...(options.maxRetryAfterMillis !== undefined ? { maxRetryAfterMillis: options.maxRetryAfterMillis } : {}),
  });
  const watcher = new ProvisioningWatcher({
    client,
    logger: options.logger.child({ component: 'provisioning-watcher' }),
    ...(options.events !== undefined ? { events: options.events } : {}),
    ...(options.minPollIntervalMillis !== undefined ? { minPollIntervalMillis: options.minPollIntervalMillis } : {}),
    ...(options.maxPollIntervalMillis !== undefined ? { maxPollIntervalMillis: options.maxPollIntervalMillis } : {}),
  });
  const typeDefs = readSubgraphSdl('gov-cloud');
  return {
    name: 'gov-cloud',
    typeDefs,
    schema: buildSubgraph(typeDefs, createGovCloudResolvers(client, watcher)),
    checkHealth: () => client.ping(),
  };
}
