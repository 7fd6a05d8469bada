import type { Logger } from 'pino';
import { defaultSubgraphUrl, startBuiltInAdapter, type AdapterEventSink, type AdapterSubgraph, type RunningServer, type StartedAdapter } from '../../adapters/kit/index.js';
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
 * or at its sandbox (started here) when no upstream URL is configured. `events` receives the
 * adapters' domain events (the gateway's events sink), when events run.
 */
export async function startEmbeddedSubgraphs(adapters: readonly AdapterConfig[], logger: Logger, events?: AdapterEventSink): Promise<EmbeddedSubgraphs> {
  const started: StartedAdapter[] = [];
  try {
    for (const config of adapters) {
      started.push(await startBuiltInAdapter({ name: config.name, upstreamUrl: config.upstreamUrl, upstreamTimeoutMillis: config.upstreamTimeoutMillis, logger, ...(events !== undefined ? { events } : {}) }));
    }
  } catch (error) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw error;
  }
  const subgraphs = started.map((s) => s.subgraph);
  return {
    subgraphs,
    sandboxes: started.flatMap((s) => (s.sandbox !== undefined ? [{ adapter: s.adapter.name, server: s.sandbox }] : [])),
    definitions: subgraphs.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: defaultSubgraphUrl(s.name) })),
    close: async () => {
      await Promise.allSettled(started.map((s) => s.close()));
    },
  };
}
