import type { RevocationChecker, Signer, SignatureTrust, TrustListHolder } from '../../trust/index.js';

/**
 * The gateway's trust context, built once at start from configuration (embedded mode: the demo PKI
 * under `var/pki`, generated on first start) and shared by everything that verifies or signs:
 * the mTLS listener, request and response signatures, the evidence log's checkpoints, events.
 */
export interface GatewayTrust {
  /** The held trust list (hot-reloaded; expired means refuse traffic). */
  readonly holder: TrustListHolder;
  readonly revocation: RevocationChecker;
  /** What every verification uses: `() => holder.current()`, revocation, clock and the chain cache. */
  readonly signatureTrust: SignatureTrust;
  /** The gateway's own signing identity (responses, checkpoints, events it produces). */
  readonly signer: Signer;
  /** The ClientId in the gateway's signing certificate, e.g. `GCC:QA:GOV:GCCGW:gateway`. */
  readonly gatewayClientId: string;
  /**
   * Forgets cached revocation answers and validated chains, so the next check asks again (a
   * `gcc.trust.certificate.revoked.v1` event, a new trust list).
   */
  refreshRevocation(): void;
}
