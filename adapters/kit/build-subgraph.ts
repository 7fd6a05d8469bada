import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLFieldResolver, type GraphQLScalarType, type GraphQLSchema } from 'graphql';

/** Resolvers by type and field; `__resolveReference` resolves an entity from its key fields. */
export type SubgraphResolvers = Record<
  string,
  | GraphQLScalarType
  | Record<string, GraphQLFieldResolver<unknown, unknown> | { subscribe: GraphQLFieldResolver<unknown, unknown> } | string | number>
>;

/** A federated subgraph schema (Federation v2, `_entities` and `_service` included) from SDL + resolvers. */
export function buildSubgraph(typeDefs: string, resolvers: SubgraphResolvers): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers: resolvers as Parameters<typeof buildSubgraphSchema>[0] extends { resolvers?: infer R } ? R : never });
}
