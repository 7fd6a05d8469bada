import type { IncomingMessage } from 'node:http';
import type { GatewayRequestContext } from '../federation/request-context.js';
import type { ClientRateLimiter, ClientRateLimits } from './client-rate-limiter.js';
import type { VerifiedRequestSignature } from './member-request-verifier.js';

/** Who is on the other end of a WebSocket (subscriptions) connection of one listener. */
export interface CallerIdentity {
  readonly clientId: string | undefined;
  readonly authenticatedBy: GatewayRequestContext['authenticatedBy'];
  /** The purpose the caller declared (signed, on the mutual-TLS port). */
  readonly purpose?: string | undefined;
  /** Whether the upgrade request was signed. */
  readonly signed?: boolean;
}

/** Who sent a request on one listener, and what it proved. */
export interface RequestAuthentication {
  readonly clientId: string | undefined;
  readonly authenticatedBy: GatewayRequestContext['authenticatedBy'];
  readonly purpose: string | undefined;
  readonly signature: VerifiedRequestSignature | undefined;
}

/**
 * What differs between listeners: the mutual-TLS port proves identity with the client's
 * certificate, verifies request signatures and signs responses; the loopback demo port acts as
 * its configured demo client and signs nothing.
 */
export interface ListenerSecurity {
  /** Throws AccessRefusal. `rawBody` and `pathAndQuery` are exactly what was received. */
  authenticate(req: IncomingMessage, rawBody: Buffer, pathAndQuery: string): Promise<RequestAuthentication>;
  /** Signs a response (detached JWS over the body, bound to the request hash); absent = unsigned. */
  readonly signResponse: ((status: number, body: Buffer, requestHash: string) => Promise<string>) | undefined;
}

export interface ClientLimits extends ClientRateLimits {
  readonly introspection: boolean;
}

/** Request-level rules, the same on every listener. */
export interface RequestGate {
  limitsFor(clientId: string | undefined): ClientLimits;
  readonly rateLimiter: ClientRateLimiter;
  /** Trusted-documents mode: turns the request into the trusted document it names, or throws. */
  readonly resolveDocument: ((operation: Record<string, unknown>) => Record<string, unknown>) | undefined;
  readonly requestTimeoutMillis: number;
  /** 1 = batching off. */
  readonly maxBatchSize: number;
}
