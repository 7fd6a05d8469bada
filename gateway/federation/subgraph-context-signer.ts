import { algorithmForKey, signJwsInput, x5tS256, type ParsedCertificate, type Signer } from '../../trust/index.js';
import { GATEWAY_CONTEXT_JWS_TYPE, type SubgraphRequestContext } from '../../adapters/kit/index.js';

/** Signs the caller's identity and purpose for one subgraph call (the `x-gccgw-context` header). */
export type SubgraphContextSigner = (subgraph: string, context: SubgraphRequestContext) => Promise<string>;

/**
 * A remote subgraph must not take the caller's ClientId and purpose on the word of whoever can reach
 * its port: the gateway signs them per call as a compact JWS (RFC 7515 §3.1) with its signing key,
 * audience = the subgraph, a few seconds of validity; the adapter kit verifies it against the
 * gateway certificates it is configured to trust (`gccgw adapter serve --gateway-cert`). Signed
 * with node:crypto directly: one signature per subgraph call is on the hot path.
 */
export function createSubgraphContextSigner(signer: Signer, options: { readonly validitySeconds?: number } = {}): SubgraphContextSigner {
  const alg = algorithmForKey(signer.privateKey);
  const leaf = signer.certificates[0];
  if (leaf === undefined) throw new TypeError('the context signer needs the signing certificate');
  const der = leaf instanceof Uint8Array ? leaf : (leaf as ParsedCertificate).der;
  const header = Buffer.from(JSON.stringify({ alg, typ: GATEWAY_CONTEXT_JWS_TYPE, 'x5t#S256': x5tS256(der) })).toString('base64url');
  const validity = options.validitySeconds ?? 60;
  // One signature per request and subgraph: a deep query calls the same subgraph many times with
  // the same context, and the signature does not cover the query (it vouches for who and why).
  const recent = new Map<string, { readonly jws: Promise<string>; readonly exp: number }>();
  return (subgraph, context) => {
    const now = Math.floor((signer.clock?.now() ?? new Date()).getTime() / 1000);
    const key = `${subgraph}\n${context.requestId ?? ''}\n${context.clientId ?? ''}\n${context.purpose ?? ''}`;
    const reused = context.requestId !== undefined ? recent.get(key) : undefined;
    if (reused !== undefined && reused.exp - now > validity / 2) return reused.jws;
    const payload = Buffer.from(
      JSON.stringify({ aud: subgraph, iat: now, exp: now + validity, rid: context.requestId, cid: context.clientId, pur: context.purpose }),
    ).toString('base64url');
    const input = `${header}.${payload}`;
    // On the libuv thread pool, unless the signer says to sign in the call (see access.publicKeyOperations).
    const jws = signJwsInput(alg, signer.privateKey, Buffer.from(input), signer.offloadSigning !== false).then((signature) => `${input}.${signature.toString('base64url')}`);
    if (context.requestId !== undefined) {
      if (recent.size >= 10_000) recent.delete(recent.keys().next().value as string);
      recent.set(key, { jws, exp: now + validity });
    }
    return jws;
  };
}
