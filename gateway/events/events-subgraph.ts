import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import { buildSubgraph, type SubgraphResolvers } from '../../adapters/kit/index.js';
import { parseClientId } from '../../trust/index.js';
import { readSubgraphSdl } from '../../schemas/schema-files.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayOwnedSubgraph } from '../runtime/gateway-owned-subgraphs.js';
import type { EventSensitivity, MemberState } from './event-catalogue.js';
import type { EventAudience, EventDelivery, GatewayEvents } from './gateway-events.js';
import type { ReceivedEvent } from './received-event-store.js';

/** The name of the gateway-owned subgraph of the events API (schemas/subgraphs/events.graphql). */
export const EVENTS_SUBGRAPH = 'events';

/** `events(first:)` bounds. */
export const EVENTS_PAGE = { first: 50, maxFirst: 500 } as const;

/** What the gateway forwards to a subgraph (kit `SubgraphRequestContext`): the caller's ClientId. */
interface SubgraphContext {
  readonly clientId?: string;
}

/**
 * The events API as a subgraph the gateway serves itself (gateway-owned-subgraphs.ts):
 * `publishEvent`, `events(after:)` and the `eventReceived` subscription, over the gateway's events
 * machinery. Always part of the supergraph; without events (disabled, or no trust context yet)
 * every field answers ERR_EVENTS_DISABLED, so the API's shape never depends on configuration.
 *
 * The caller is the ClientId the gateway forwards (`contextValue.clientId`): it may publish only as
 * itself, and read only its own state's topics and the broadcast ones.
 */
export function createEventsSubgraph(events: GatewayEvents | undefined): GatewayOwnedSubgraph {
  const typeDefs = readSubgraphSdl(EVENTS_SUBGRAPH);
  const required = (): GatewayEvents => {
    if (events === undefined) throw graphQLError(new GatewayError('ERR_EVENTS_DISABLED'));
    return events;
  };
  const callerState = (context: unknown): MemberState => {
    const clientId = (context as SubgraphContext | undefined)?.clientId;
    const state = clientId !== undefined ? parseClientId(clientId)?.state : undefined;
    if (state === undefined) throw graphQLError(new GatewayError('ERR_POLICY_DENIED', { message: 'Events are read by an identified member system; this request has no ClientId.' }));
    return state;
  };
  const checkTypes = (gatewayEvents: GatewayEvents, types: readonly string[] | null | undefined): readonly string[] | undefined => {
    if (types === null || types === undefined) return undefined;
    const unknown = types.filter((type) => !gatewayEvents.catalogue.has(type));
    if (unknown.length > 0) {
      throw graphQLError(new GatewayError('ERR_EVENT_TYPE_UNKNOWN', { message: `Unknown event type(s): ${unknown.join(', ')}; known: ${gatewayEvents.catalogue.types.join(', ')}.` }));
    }
    return types;
  };

  const resolvers = {
    JSON: new GraphQLScalarType({
      name: 'JSON',
      description: 'A JSON value (RFC 8259)',
      serialize: (value: unknown) => value,
      parseValue: (value: unknown) => value,
      parseLiteral: (ast, variables) => (ast.kind === Kind.NULL ? null : valueFromASTUntyped(ast, variables)),
    }),
    Query: {
      events: (_source: unknown, args: unknown, context: unknown) => {
        const { after, types, first } = args as { after?: string | null; types?: string[] | null; first?: number | null };
        const gatewayEvents = required();
        const state = callerState(context);
        const size = first ?? EVENTS_PAGE.first;
        if (!Number.isInteger(size) || size < 1 || size > EVENTS_PAGE.maxFirst) {
          throw graphQLError(new GatewayError('ERR_BAD_USER_INPUT', { message: `"first" must be between 1 and ${EVENTS_PAGE.maxFirst}` }));
        }
        try {
          const page = gatewayEvents.catchUp({ state, after: after ?? undefined, types: checkTypes(gatewayEvents, types), first: size });
          const edges = page.edges.map((edge) => ({ cursor: edge.cursor, node: eventNode(edge.entry, edge.cursor, edge.sensitivity) }));
          return {
            edges,
            pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: after !== null && after !== undefined, startCursor: edges[0]?.cursor ?? null, endCursor: page.endCursor },
          };
        } catch (error) {
          throw error instanceof GatewayError ? graphQLError(error) : error;
        }
      },
    },
    Mutation: {
      publishEvent: async (_source: unknown, args: unknown, context: unknown) => {
        const { input } = args as { input: { id: string; source: string; type: string; subject: string; time: string; data: unknown; signature: string; audience: string } };
        const gatewayEvents = required();
        const audience: EventAudience = input.audience === 'ALL' ? 'all' : (input.audience as MemberState);
        try {
          return await gatewayEvents.publish({ ...input, audience }, (context as SubgraphContext | undefined)?.clientId);
        } catch (error) {
          throw error instanceof GatewayError ? graphQLError(error) : error;
        }
      },
    },
    Subscription: {
      eventReceived: {
        subscribe: (_source: unknown, args: unknown, context: unknown) => {
          const { types } = args as { types?: string[] | null };
          const gatewayEvents = required();
          const state = callerState(context);
          return toPayloads(gatewayEvents.subscribe({ state, types: checkTypes(gatewayEvents, types) }));
        },
        resolve: (payload: { eventReceived: unknown }) => {
          if (payload.eventReceived instanceof GatewayError) throw graphQLError(payload.eventReceived);
          return payload.eventReceived;
        },
      },
    },
  };
  return { name: EVENTS_SUBGRAPH, typeDefs, schema: buildSubgraph(typeDefs, resolvers as unknown as SubgraphResolvers) };
}

function eventNode(entry: ReceivedEvent, cursor: string, sensitivity: EventSensitivity): Record<string, unknown> {
  const { event } = entry;
  return {
    id: event.id,
    type: event.type,
    source: event.source,
    subject: event.subject,
    time: event.time,
    data: event.data,
    dataSensitivity: sensitivity,
    signature: event.jws ?? '',
    signatureProof: event.jwsproof ?? null,
    topic: entry.topic,
    partition: entry.partition,
    offset: String(entry.offset),
    cursor,
  };
}

/**
 * Deliveries as subscription payloads. A hand-written iterator rather than an async generator:
 * `return()` on a generator that is waiting for the next event would only run once that event
 * came, leaving the subscriber registered after the client went away. An error of the stream
 * (a subscriber that fell too far behind) becomes one last payload whose field raises it.
 */
function toPayloads(source: AsyncIterableIterator<EventDelivery>): AsyncIterableIterator<{ eventReceived: unknown }> {
  let failed = false;
  const iterator: AsyncIterableIterator<{ eventReceived: unknown }> = {
    next: async () => {
      if (failed) return { value: undefined, done: true };
      try {
        const result = await source.next();
        if (result.done === true) return { value: undefined, done: true };
        const { entry, cursor, sensitivity } = result.value;
        return { value: { eventReceived: eventNode(entry, cursor, sensitivity) }, done: false };
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error;
        failed = true;
        return { value: { eventReceived: error }, done: false };
      }
    },
    return: async () => {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** A GatewayError as a GraphQL error whose code survives delegation through the supergraph. */
function graphQLError(error: GatewayError): GraphQLError {
  return new GraphQLError(error.message, { extensions: { code: error.code, ...error.details } });
}
