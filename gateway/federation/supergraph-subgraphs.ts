import { Kind, parse, type DocumentNode, type ConstValueNode } from 'graphql';
import { GatewayError } from '../errors/gateway-error.js';

export interface SupergraphSubgraph {
  /** Subgraph name, as composed (`@join__graph(name:)`). */
  readonly name: string;
  /** URL written at composition time (`@join__graph(url:)`). */
  readonly url: string;
  /** The `join__Graph` enum value (e.g. `GOV_CLOUD`), which the execution engine names subschemas by. */
  readonly graphId: string;
}

/**
 * Reads the subgraphs of a supergraph from its `join__Graph` enum (Apollo join spec v0.3+):
 * `enum join__Graph { MAWARED @join__graph(name: "mawared", url: "http://...") }`.
 */
export function listSupergraphSubgraphs(supergraph: string | DocumentNode): SupergraphSubgraph[] {
  let document: DocumentNode;
  try {
    document = typeof supergraph === 'string' ? parse(supergraph, { noLocation: true }) : supergraph;
  } catch (cause) {
    throw new GatewayError('ERR_SUPERGRAPH_INVALID', { message: `the supergraph does not parse: ${(cause as Error).message}`, cause });
  }
  const joinGraph = document.definitions.find((d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'join__Graph');
  if (joinGraph === undefined || joinGraph.kind !== Kind.ENUM_TYPE_DEFINITION) {
    throw new GatewayError('ERR_SUPERGRAPH_INVALID', { message: 'the document is not a supergraph: it has no join__Graph enum' });
  }
  const out: SupergraphSubgraph[] = [];
  for (const value of joinGraph.values ?? []) {
    const directive = value.directives?.find((d) => d.name.value === 'join__graph');
    const arg = (name: string): string | undefined => {
      const node: ConstValueNode | undefined = directive?.arguments?.find((a) => a.name.value === name)?.value;
      return node?.kind === Kind.STRING ? node.value : undefined;
    };
    const name = arg('name');
    const url = arg('url');
    if (name === undefined) throw new GatewayError('ERR_SUPERGRAPH_INVALID', { message: `join__Graph value ${value.name.value} has no name` });
    out.push({ name, url: url ?? '', graphId: value.name.value });
  }
  return out;
}
