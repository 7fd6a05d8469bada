import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { isAdapter, type Adapter, type AdapterEventSink, type AdapterSubgraph, type RunningServer } from './adapter.js';

/** Adapters shipped with the gateway, loaded by name so that the gateway depends only on this kit. */
export const BUILT_IN_ADAPTERS: readonly string[] = ['mawared', 'gov-cloud'];

/**
 * Port each built-in adapter listens on when served standalone (`gccgw adapter serve <name>`), and
 * so the URL written for it in the committed supergraph. Override per environment with
 * `subgraphs.overrides.<name>.url`.
 */
export const DEFAULT_SUBGRAPH_PORTS: Readonly<Record<string, number>> = { mawared: 4101, 'gov-cloud': 4102 };

export function defaultSubgraphUrl(name: string): string {
  const port = DEFAULT_SUBGRAPH_PORTS[name];
  if (port === undefined) throw new TypeError(`no default port for adapter "${name}"`);
  return `http://127.0.0.1:${port}/graphql`;
}

/**
 * Loads a built-in adapter by name. Each lives in `adapters/<name>/index` and exports `adapter`.
 * The module is resolved next to this file: compiled `.js` in dist/, `.ts` under the test runner.
 */
export async function loadBuiltInAdapter(name: string): Promise<Adapter> {
  if (!BUILT_IN_ADAPTERS.includes(name)) {
    throw new TypeError(`unknown adapter "${name}"; built-in adapters are: ${BUILT_IN_ADAPTERS.join(', ')}`);
  }
  const compiled = new URL(`../${name}/index.js`, import.meta.url);
  const source = new URL(`../${name}/index.ts`, import.meta.url);
  const url = existsSync(fileURLToPath(compiled)) ? compiled : source;
  const module = (await import(url.href)) as { adapter?: unknown };
  if (!isAdapter(module.adapter)) throw new TypeError(`adapters/${name} does not export a valid "adapter"`);
  return module.adapter;
}

export interface StartedAdapter {
  readonly adapter: Adapter;
  readonly subgraph: AdapterSubgraph;
  readonly upstreamUrl: string;
  /** The sandbox started because no upstream URL was given. */
  readonly sandbox: RunningServer | undefined;
  /** Stops the adapter's background work and the sandbox, if one was started. */
  close(): Promise<void>;
}

/**
 * Loads a built-in adapter and makes its subgraph, pointed at the national system, or at the
 * adapter's sandbox (started here) when no upstream URL is given. The embedded mode and
 * `gccgw adapter serve` both start adapters this way.
 */
export async function startBuiltInAdapter(options: { readonly name: string; readonly upstreamUrl?: string | undefined; readonly upstreamTimeoutMillis: number; readonly logger: Logger; readonly events?: AdapterEventSink }): Promise<StartedAdapter> {
  const adapter = await loadBuiltInAdapter(options.name);
  const logger = options.logger.child({ component: 'adapter', adapter: adapter.name });
  const sandbox = options.upstreamUrl === undefined ? await adapter.startSandbox({ logger: logger.child({ component: 'sandbox' }) }) : undefined;
  const upstreamUrl = options.upstreamUrl ?? (sandbox as RunningServer).url;
  try {
    const subgraph = adapter.createSubgraph({ upstreamUrl, upstreamTimeoutMillis: options.upstreamTimeoutMillis, logger, ...(options.events !== undefined ? { events: options.events } : {}) });
    return {
      adapter,
      subgraph,
      upstreamUrl,
      sandbox,
      close: async () => {
        await subgraph.close?.();
        await sandbox?.close();
      },
    };
  } catch (error) {
    await sandbox?.close();
    throw error;
  }
}
