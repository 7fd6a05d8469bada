import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAdapter, type Adapter } from './adapter.js';

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
