import type { Logger } from 'pino';

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
}

export function isGatewayRequestContext(value: unknown): value is GatewayRequestContext {
  return typeof value === 'object' && value !== null && 'requestId' in value && 'subgraphCalls' in value;
}
