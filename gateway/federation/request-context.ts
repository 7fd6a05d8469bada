import type { Logger } from 'pino';
import type { GraphQLExchangeRecord } from '../audit/audit-record.js';

/**
 * What the gateway knows about the request being answered. It is the GraphQL context value of the
 * supergraph execution and reaches every subgraph executor, which forwards identity, purpose and
 * trace context to the subgraph.
 */
export interface GatewayRequestContext {
  readonly requestId: string;
  /** The caller's ClientId (`GCC:<STATE>:<CLASS>:<MEMBER>[:<SUBSYSTEM>]`). */
  readonly clientId: string | undefined;
  /** How the caller was identified. */
  readonly authenticatedBy: 'insecure-demo-port' | 'mtls' | 'none';
  readonly purpose: string | undefined;
  /** W3C trace context (https://www.w3.org/TR/trace-context/) to continue in subgraphs. */
  readonly traceparent: string | undefined;
  readonly logger: Logger;
  /** Subgraphs called while answering (evidence, metrics). */
  readonly subgraphCalls: Set<string>;
  /** The request's verified detached JWS (mutual-TLS port), when it was signed. */
  readonly signature: { readonly jws: string; readonly requestHash: string } | undefined;
  /** Whether the access policy lets this caller introspect the schema. */
  readonly introspection: boolean;
  /**
   * The evidence record of this exchange, drafted by the exchange recorder when the GraphQL
   * response is known; the HTTP layer completes it with the response signature and writes it.
   */
  readonly exchange: { draft?: GraphQLExchangeRecord };
}

export function isGatewayRequestContext(value: unknown): value is GatewayRequestContext {
  return typeof value === 'object' && value !== null && 'requestId' in value && 'subgraphCalls' in value;
}
