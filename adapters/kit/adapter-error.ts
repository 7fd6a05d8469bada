import { GraphQLError } from 'graphql';

/**
 * Codes an adapter may raise. They are a subset of the gateway's error registry
 * (gateway/errors/error-codes.ts), which documents them; adapters cannot import the gateway.
 */
export type AdapterErrorCode =
  | 'ERR_UPSTREAM_UNAVAILABLE'
  | 'ERR_UPSTREAM_TIMEOUT'
  | 'ERR_UPSTREAM_BAD_RESPONSE'
  | 'ERR_UPSTREAM_REJECTED'
  | 'ERR_ENTITY_NOT_FOUND'
  | 'ERR_BAD_USER_INPUT'
  /** The record exists but is outside what the calling client may see (row-level filtering). */
  | 'ERR_POLICY_ROW_DENIED';

const RETRIABLE: ReadonlySet<AdapterErrorCode> = new Set(['ERR_UPSTREAM_UNAVAILABLE', 'ERR_UPSTREAM_TIMEOUT']);

/**
 * The error an adapter throws from a resolver. It is a GraphQLError, so the code travels in
 * `extensions.code` through the subgraph and the gateway to the client; upstream details stay in the
 * `cause` and the logs.
 */
export class AdapterError extends GraphQLError {
  readonly code: AdapterErrorCode;
  readonly retriable: boolean;
  readonly upstreamStatus: number | undefined;

  /** Seconds the upstream asked us to wait before trying again (HTTP `Retry-After`, RFC 9110 §10.2.3). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: AdapterErrorCode, message: string, options: { cause?: unknown; upstreamStatus?: number; adapter?: string; retryAfterSeconds?: number } = {}) {
    super(message, {
      originalError: options.cause instanceof Error ? options.cause : undefined,
      extensions: {
        code,
        ...(options.adapter !== undefined ? { adapter: options.adapter } : {}),
        ...(options.retryAfterSeconds !== undefined ? { retryAfterSeconds: options.retryAfterSeconds } : {}),
      },
    });
    this.code = code;
    this.retriable = RETRIABLE.has(code);
    this.upstreamStatus = options.upstreamStatus;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
