import type { Adapter, AdapterSubgraph } from '../kit/index.js';
import { createGovCloudSubgraph } from './create-gov-cloud-subgraph.js';
import { startGovCloudSandbox } from './sandbox/gov-cloud-sandbox.js';

/**
 * The government cloud's management plane: tenants, subscriptions, resources, quotas, usage and
 * costs, service health and asynchronous provisioning; extends `GovernmentEntity` with its tenants
 * and cloud spend.
 */
export const adapter: Adapter = {
  name: 'gov-cloud',
  title: { en: 'Government cloud', ar: 'السحابة الحكومية' },
  startSandbox: (options) => startGovCloudSandbox(options),
  createSubgraph: (options): AdapterSubgraph => createGovCloudSubgraph(options),
};

export { createGovCloudSubgraph, type GovCloudSubgraphOptions } from './create-gov-cloud-subgraph.js';
export { startGovCloudSandbox, type GovCloudSandboxOptions } from './sandbox/gov-cloud-sandbox.js';
export { PROVISIONING_COMPLETED_EVENT } from './provisioning-watcher.js';
