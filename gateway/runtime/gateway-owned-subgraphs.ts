import type { GraphQLSchema } from 'graphql';
import type { SubgraphDefinition } from '../federation/compose-supergraph.js';
import type { InProcessSubgraph } from '../federation/supergraph-gateway.js';

/**
 * A subgraph whose resolvers live in the gateway itself rather than in an adapter (the events API,
 * service-quality feedback). Its SDL is `schemas/subgraphs/<name>.graphql`, so `gccgw compose`
 * puts it in the committed supergraph like any other subgraph; at run time it is always executed
 * in-process, in the embedded mode and in the file mode alike, whatever URL the supergraph names.
 */
export interface GatewayOwnedSubgraph extends InProcessSubgraph {
  readonly name: string;
  /** The SDL text (the same as `schemas/subgraphs/<name>.graphql`). */
  readonly typeDefs: string;
  readonly schema: GraphQLSchema;
}

/** The URL written into a composed supergraph for a gateway-owned subgraph (never called). */
export function gatewayOwnedSubgraphUrl(name: string): string {
  return `http://127.0.0.1/${name}/graphql`;
}

export function gatewayOwnedDefinitions(owned: readonly GatewayOwnedSubgraph[]): SubgraphDefinition[] {
  return owned.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: gatewayOwnedSubgraphUrl(s.name) }));
}
