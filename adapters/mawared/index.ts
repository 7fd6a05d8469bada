import { buildSubgraph, type Adapter, type AdapterSubgraph } from '../kit/index.js';
import { readSubgraphSdl } from '../../schemas/schema-files.js';
import { EmploymentChangeFeed } from './employment-change-feed.js';
import { MawaredClient } from './mawared-client.js';
import { createMawaredResolvers } from './mawared-resolvers.js';
import { startMawaredSandbox } from './sandbox/mawared-sandbox.js';

/** Mawared: Qatar's government resource planning system (HR, payroll, finance), over OData v4. */
export const adapter: Adapter = {
  name: 'mawared',
  title: { en: 'Mawared HR and finance', ar: 'موارد للموارد البشرية والمالية' },
  startSandbox: (options) => startMawaredSandbox(options),
  createSubgraph(options): AdapterSubgraph {
    const client = new MawaredClient({ baseUrl: options.upstreamUrl, timeoutMillis: options.upstreamTimeoutMillis });
    const typeDefs = readSubgraphSdl('mawared');
    // With an events sink, employment changes are followed and published as they happen.
    const feed = options.events !== undefined ? new EmploymentChangeFeed({ client, events: options.events, logger: options.logger }) : undefined;
    feed?.start();
    return {
      name: 'mawared',
      typeDefs,
      schema: buildSubgraph(typeDefs, createMawaredResolvers(client, { logger: options.logger, ...(options.events !== undefined ? { events: options.events } : {}) })),
      checkHealth: () => client.ping(),
      close: async () => feed?.close(),
    };
  },
};
