import type { LoadedIdentity, Signer } from '../../trust/index.js';
import type { DemoEnvironment } from '../../trust/testing/demo-environment.js';

/** A signing identity of the demo PKI as a `Signer` on the environment's clock. */
export function signerOf(env: DemoEnvironment, identity: LoadedIdentity): Signer {
  return { privateKey: identity.key.privateKey, certificates: identity.chain, clock: env.clock };
}
