import { createHash } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import {
  certificatesFromTlsPeer,
  NonceReplayCache,
  verifyHttpRequest,
  verifyMemberChain,
  type ClientIdentity,
  type ParsedCertificate,
  type VerifiedSigner,
} from '../../trust/index.js';
import { AccessRefusal } from './access-refusal.js';
import type { GatewayTrust } from './gateway-trust.js';

/** The header carrying the request's detached JWS (trust module format, `gcc.*` bindings). */
export const SIGNATURE_HEADER = 'x-gccgw-signature';
/** The purpose-of-use header; when the request is signed it must equal the signed `gcc.pur`. */
export const PURPOSE_HEADER = 'x-gccgw-purpose';
/** The response headers: the gateway's detached JWS, and the hash of the request it answers. */
export const RESPONSE_SIGNATURE_HEADER = 'x-gccgw-signature';
export const REQUEST_HASH_HEADER = 'x-gccgw-request-hash';

export interface VerifiedRequestSignature {
  readonly jws: string;
  /** base64url SHA-256 of the JWS: what the signed response names. */
  readonly requestHash: string;
  readonly purpose: string;
  readonly signerClientId: string;
}

export interface MemberRequestVerifierOptions {
  readonly trust: GatewayTrust;
  /** @default 300 */
  readonly maxClockSkewSeconds?: number;
}

/**
 * The two checks of a member-state request before any GraphQL work (DESIGN.md, "The way a request
 * travels", steps 2 and 3): the TLS client's chain against the trust list (path validation,
 * trust-list status, revocation, identity binding), then the request's detached JWS: signature,
 * bindings (method, path, body digest, purpose, nonce, ClientId), freshness, replay, and that the
 * signer is the TLS client's own member or one of its subsystems.
 */
export class MemberRequestVerifier {
  readonly #trust: GatewayTrust;
  readonly #nonces: NonceReplayCache;
  readonly #maxClockSkewSeconds: number;
  /** Parsing a peer's chain costs more than checking it: once per TLS connection... */
  readonly #peerChains = new WeakMap<TLSSocket, readonly ParsedCertificate[]>();
  /** ...and once per distinct chain, for clients that reconnect often (bounded, oldest out first). */
  readonly #parsedChains = new Map<string, readonly ParsedCertificate[]>();

  constructor(options: MemberRequestVerifierOptions) {
    this.#trust = options.trust;
    this.#maxClockSkewSeconds = options.maxClockSkewSeconds ?? 300;
    // A nonce must be remembered for as long as its signing time could still be accepted: both sides of now.
    this.#nonces = new NonceReplayCache({ windowSeconds: this.#maxClockSkewSeconds * 2, ...(options.trust.signatureTrust.clock ? { clock: options.trust.signatureTrust.clock } : {}) });
  }

  /** Who the TLS client is; throws AccessRefusal. Called for every request: revocation answers are cached, not the decision. */
  async identifyTlsClient(socket: TLSSocket): Promise<VerifiedSigner> {
    let certificates = this.#peerChains.get(socket);
    if (certificates === undefined) {
      const peer = socket.getPeerCertificate(true);
      const key = chainKey(peer);
      certificates = key !== undefined ? this.#parsedChains.get(key) : undefined;
      if (certificates === undefined) {
        try {
          certificates = certificatesFromTlsPeer(peer);
        } catch (error) {
          throw AccessRefusal.from(error);
        }
        if (key !== undefined) {
          if (this.#parsedChains.size >= 1000) this.#parsedChains.delete(this.#parsedChains.keys().next().value as string);
          this.#parsedChains.set(key, certificates);
        }
      }
      this.#peerChains.set(socket, certificates);
    }
    if (certificates.length === 0) throw AccessRefusal.of('ERR_CLIENT_CERT_REQUIRED');
    try {
      return await verifyMemberChain({ certificates, trust: this.#trust.signatureTrust, purpose: 'clientAuth' });
    } catch (error) {
      throw AccessRefusal.from(error);
    }
  }

  /**
   * Verifies a signed request. `pathAndQuery` and `body` must be exactly what was received.
   * Throws AccessRefusal: ERR_TRUST_JWS_* for the signature, ERR_SIGNER_NOT_CLIENT,
   * ERR_PURPOSE_MISMATCH, ERR_TRUST_JWS_REPLAY.
   */
  async verifySignature(input: {
    readonly jws: string;
    readonly method: string;
    readonly pathAndQuery: string;
    readonly body: Uint8Array;
    readonly client: ClientIdentity;
    readonly purposeHeader: string | undefined;
  }): Promise<VerifiedRequestSignature> {
    let verified;
    try {
      verified = await verifyHttpRequest({
        signature: input.jws,
        method: input.method,
        pathAndQuery: input.pathAndQuery,
        body: input.body,
        trust: this.#trust.signatureTrust,
        maxClockSkewSeconds: this.#maxClockSkewSeconds,
      });
    } catch (error) {
      throw AccessRefusal.from(error);
    }
    const signer = verified.identity;
    if (!sameMember(signer, input.client)) {
      throw AccessRefusal.of('ERR_SIGNER_NOT_CLIENT', `The request is signed by ${signer.clientId}, which is not the TLS client ${input.client.clientId} or one of its subsystems.`);
    }
    if (input.purposeHeader !== undefined && input.purposeHeader !== verified.purpose) {
      throw AccessRefusal.of('ERR_PURPOSE_MISMATCH', `The purpose header "${input.purposeHeader}" differs from the signed purpose "${verified.purpose}".`);
    }
    // Replay is checked last, so that a refused request does not burn its nonce.
    try {
      this.#nonces.checkAndRemember(signer.clientId, verified.nonce, verified.signingTime);
    } catch (error) {
      throw AccessRefusal.from(error);
    }
    return { jws: input.jws, requestHash: verified.requestHash, purpose: verified.purpose, signerClientId: signer.clientId };
  }
}

/** The signer is the TLS client's member (state, class, member), itself or any of its subsystems. */
function sameMember(signer: ClientIdentity, client: ClientIdentity): boolean {
  return signer.state === client.state && signer.memberClass === client.memberClass && signer.member === client.member
    && (client.subsystem === undefined || signer.subsystem === undefined || signer.subsystem === client.subsystem);
}

/** The SHA-256 of the peer's certificates' DER, in order: the same chain, the same key. */
function chainKey(peer: DetailedPeerCertificate | undefined): string | undefined {
  if (peer === undefined || !('raw' in peer) || peer.raw === undefined) return undefined;
  const hash = createHash('sha256');
  const seen = new Set<DetailedPeerCertificate>();
  for (let current: DetailedPeerCertificate | undefined = peer; current?.raw !== undefined && !seen.has(current) && seen.size < 8; current = current.issuerCertificate) {
    seen.add(current);
    hash.update(current.raw);
  }
  return hash.digest('base64url');
}
