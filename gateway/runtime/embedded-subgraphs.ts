import type { Logger } from 'pino';
import { defaultSubgraphUrl, loadBuiltInAdapter, type AdapterSubgraph, type RunningServer } from '../../adapters/kit/index.js';
import type { AdapterConfig } from '../config/gateway-config.js';
import type { SubgraphDefinition } from '../federation/compose-supergraph.js';

export interface EmbeddedSubgraphs {
  readonly subgraphs: readonly AdapterSubgraph[];
  /** Sandboxes started because no upstream URL was configured. */
  readonly sandboxes: ReadonlyArray<{ readonly adapter: string; readonly server: RunningServer }>;
  readonly definitions: readonly SubgraphDefinition[];
  close(): Promise<void>;
}

/**
 * The embedded mode's subgraphs: each configured built-in adapter, pointed at its national system,
 * or at its sandbox (started here) when no upstream URL is configured.
 */
export async function startEmbeddedSubgraphs(adapters: readonly AdapterConfig[], logger: Logger): Promise<EmbeddedSubgraphs> {
  const sandboxes: Array<{ adapter: string; server: RunningServer }> = [];
  const subgraphs: AdapterSubgraph[] = [];
  try {
    for (const config of adapters) {
      const adapter = await loadBuiltInAdapter(config.name);
      const adapterLogger = logger.child({ component: 'adapter', adapter: adapter.name });
      let upstreamUrl = config.upstreamUrl;
      if (upstreamUrl === undefined) {
        const server = await adapter.startSandbox({ logger: adapterLogger.child({ component: 'sandbox' }) });
        sandboxes.push({ adapter: adapter.name, server });
        upstreamUrl = server.url;
      }
      subgraphs.push(adapter.createSubgraph({ upstreamUrl, upstreamTimeoutMillis: config.upstreamTimeoutMillis, logger: adapterLogger }));
    }
  } catch (error) {
    await Promise.allSettled(sandboxes.map(({ server }) => server.close()));
    throw error;
  }
  return {
    subgraphs,
    sandboxes,
    definitions: subgraphs.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: defaultSubgraphUrl(s.name) })),
    close: async () => {
      await Promise.allSettled(sandboxes.map(({ server }) => server.close()));
    },
  };
}
