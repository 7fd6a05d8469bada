import { buildSubgraph, type Adapter, type AdapterSubgraph } from '../kit/index.js';
import { readSubgraphSdl } from '../../schemas/schema-files.js';
import { GovCloudClient } from './gov-cloud-client.js';
import { createGovCloudResolvers } from './gov-cloud-resolvers.js';
import { startGovCloudSandbox } from './sandbox/gov-cloud-sandbox.js';

/** The government cloud's management plane: tenants and their spend, extending `GovernmentEntity`. */
export const adapter: Adapter = {
  name: 'gov-cloud',
  title: { en: 'Government cloud', ar: 'السحابة الحكومية' },
  startSandbox: (options) => startGovCloudSandbox(options),
  createSubgraph(options): AdapterSubgraph {
    const client = new GovCloudClient({ baseUrl: options.upstreamUrl, timeoutMillis: options.upstreamTimeoutMillis });
    const typeDefs = readSubgraphSdl('gov-cloud');
    return {
      name: 'gov-cloud',
      typeDefs,
      schema: buildSubgraph(typeDefs, createGovCloudResolvers(client)),
      checkHealth: () => client.ping(),
    };
  },
};
