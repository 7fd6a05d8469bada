import { createHash, createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import type { SubgraphRequestContext } from './adapter.js';

/** The header that carries the gateway-signed request context on calls to a remote subgraph. */
export const GATEWAY_CONTEXT_HEADER = 'x-gccgw-context';
/** The JWS `typ` of that signature. */
export const GATEWAY_CONTEXT_JWS_TYPE = 'gccgw-context+jwt';

const ALGORITHMS = { ES256: 'sha256', ES384: 'sha384', PS256: 'sha256', EdDSA: null } as const;
type Algorithm = keyof typeof ALGORITHMS;

export class GatewayContextError extends Error {
  override readonly name = 'GatewayContextError';
}

export interface GatewayContextVerifierOptions {
  /** PEM certificates of the gateways whose signing keys this subgraph trusts. */
  readonly gatewayCertificatesPem: readonly string[];
  /** Allowed clock difference, seconds. @default 30 */
  readonly clockSkewSeconds?: number;
  readonly now?: () => Date;
}

/**
 * Verifies the gateway-signed request context (see gateway/federation/subgraph-context-signer.ts):
 * a compact JWS from a pinned gateway certificate (by `x5t#S256`), for this subgraph (`aud`),
 * current (`iat`/`exp`), whose request id equals the `x-request-id` of the call. Returns the
 * identity and purpose the gateway vouches for; throws GatewayContextError otherwise. Pinning
 * certificates rather than walking the trust list keeps adapters free of the trust module
 * (DESIGN.md dependency direction) and is what a subgraph behind its own gateway needs.
 */
export function createGatewayContextVerifier(options: GatewayContextVerifierOptions): (jws: string, subgraph: string, requestId: string | undefined) => SubgraphRequestContext {
  const keys = new Map<string, KeyObject>();
  for (const pem of options.gatewayCertificatesPem) {
    const cert = new X509Certificate(pem);
    keys.set(createHash('sha256').update(cert.raw).digest('base64url'), createPublicKey(cert.publicKey.export({ type: 'spki', format: 'pem' })));
  }
  if (keys.size === 0) throw new TypeError('createGatewayContextVerifier needs at least one gateway certificate');
  const skew = options.clockSkewSeconds ?? 30;
  const now = options.now ?? (() => new Date());
  return (jws, subgraph, requestId) => {
    const parts = jws.split('.');
    if (parts.length !== 3 || jws.length > 8192) throw new GatewayContextError('the gateway context is not a compact JWS');
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    let header: { alg?: unknown; typ?: unknown; 'x5t#S256'?: unknown; crit?: unknown };
    let payload: { aud?: unknown; iat?: unknown; exp?: unknown; rid?: unknown; cid?: unknown; pur?: unknown };
    try {
      header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as typeof header;
      payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as typeof payload;
    } catch {
      throw new GatewayContextError('the gateway context is not valid JSON');
    }
    if (header.typ !== GATEWAY_CONTEXT_JWS_TYPE || header.crit !== undefined) throw new GatewayContextError('not a gateway context signature');
    if (typeof header.alg !== 'string' || !Object.hasOwn(ALGORITHMS, header.alg)) throw new GatewayContextError('signature algorithm not allowed');
    const key = typeof header['x5t#S256'] === 'string' ? keys.get(header['x5t#S256']) : undefined;
    if (key === undefined) throw new GatewayContextError('signed by a gateway this subgraph does not trust');
    const alg = header.alg as Algorithm;
    const signature = Buffer.from(signaturePart, 'base64url');
    const input = Buffer.from(`${headerPart}.${payloadPart}`);
    const keyOptions = alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' as const } : alg === 'PS256' ? { key, padding: 6, saltLength: 32 } : { key };
    if (!verify(ALGORITHMS[alg], input, keyOptions, signature)) throw new GatewayContextError('the gateway context signature does not verify');
    const seconds = Math.floor(now().getTime() / 1000);
    if (payload.aud !== subgraph) throw new GatewayContextError(`the gateway context is for another subgraph (${String(payload.aud)})`);
    if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number' || payload.iat > seconds + skew || payload.exp < seconds - skew) {
      throw new GatewayContextError('the gateway context is not current');
    }
    if (requestId !== undefined && payload.rid !== requestId) throw new GatewayContextError('the gateway context was signed for another request');
    const context: { -readonly [K in keyof SubgraphRequestContext]: SubgraphRequestContext[K] } = {};
    if (typeof payload.rid === 'string') context.requestId = payload.rid;
    if (typeof payload.cid === 'string') context.clientId = payload.cid;
    if (typeof payload.pur === 'string') context.purpose = payload.pur;
    return context;
  };
}
