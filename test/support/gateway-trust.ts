import type { GatewayTrust } from '../../gateway/access/gateway-trust.js';
import { RevocationChecker, ValidatedChainCache, type LoadedIdentity, type MemberState, type Signer, type SignatureTrust } from '../../trust/index.js';
import { nodeFetch, type DemoEnvironment } from '../../trust/testing/demo-environment.js';

/**
 * A gateway's trust context built from the demo environment, as the runtime will build it at start
 * (access issue): the shared trust list, but a revocation checker and chain cache of its own, so
 * that refreshing one gateway's revocation state leaves another's as it was.
 */
export function gatewayTrustFor(env: DemoEnvironment, state: Extract<MemberState, 'QA' | 'SA'> = 'QA'): GatewayTrust {
  const gateway = env.pki.states[state].gateway;
  if (gateway === undefined) throw new Error(`the demo PKI has no gateway for ${state}`);
  const revocation = new RevocationChecker({ fetch: nodeFetch, clock: env.clock, ocspUrlsFor: () => env.services.ocspUrlsFor(), crlUrlsFor: (cert) => env.services.crlUrlsFor(cert) });
  const chainCache = new ValidatedChainCache();
  const signatureTrust: SignatureTrust = { trustList: () => env.holder.current(), revocation, clock: env.clock, chainCache };
  return {
    holder: env.holder,
    revocation,
    signatureTrust,
    signer: signerOf(env, gateway.signing),
    gatewayClientId: gateway.signing.clientId,
    refreshRevocation: () => {
      revocation.clearCaches();
      chainCache.clear();
    },
  };
}

/** A signing identity of the demo PKI as a `Signer` on the environment's clock. */
export function signerOf(env: DemoEnvironment, identity: LoadedIdentity): Signer {
  return { privateKey: identity.key.privateKey, certificates: identity.chain, clock: env.clock };
}
