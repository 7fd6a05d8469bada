import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { GatewayError } from '../errors/gateway-error.js';

export interface SubgraphDefinition {
  readonly name: string;
  /** Federation v2 SDL. */
  readonly typeDefs: string;
  /** Where the gateway reaches the subgraph when it is remote; written into the supergraph. */
  readonly url: string;
}

/**
 * Composes subgraphs into a supergraph SDL with the MIT-licensed composition of The Guild
 * (Federation v2 composition rules). Subgraphs are sorted by name so the output is stable, which
 * is what lets CI compare the committed supergraph with a fresh composition.
 */
export function composeSupergraph(subgraphs: readonly SubgraphDefinition[]): string {
  if (subgraphs.length === 0) throw new GatewayError('ERR_COMPOSITION_FAILED', { message: 'there are no subgraphs to compose' });
  const names = new Set<string>();
  const services = [...subgraphs]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((subgraph) => {
      if (names.has(subgraph.name)) throw new GatewayError('ERR_COMPOSITION_FAILED', { message: `subgraph "${subgraph.name}" is listed twice` });
      names.add(subgraph.name);
      try {
        return { name: subgraph.name, url: subgraph.url, typeDefs: parse(subgraph.typeDefs) };
      } catch (cause) {
        throw new GatewayError('ERR_COMPOSITION_FAILED', { message: `subgraph "${subgraph.name}" SDL does not parse: ${(cause as Error).message}`, cause });
      }
    });
  const result = composeServices(services);
  if (compositionHasErrors(result)) {
    const lines = result.errors.map((error) => `- ${error.message}${typeof error.extensions['code'] === 'string' ? ` [${error.extensions['code']}]` : ''}`);
    throw new GatewayError('ERR_COMPOSITION_FAILED', {
      message: `the subgraphs do not compose:\n${lines.join('\n')}`,
      details: { errors: result.errors.map((error) => error.message) },
    });
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}
