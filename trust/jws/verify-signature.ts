/**
 * Full verification of a detached JWS: jose for the signature, our RFC 5280 path validation against
 * the trust list's CAs, the CA's trust-list status at the validation time, revocation of every
 * certificate on the path, and the identity binding (the SAN URI's state must be the state that
 * lists the anchor). Already-validated chains are cached per (x5c, purpose, trust list) until the
 * earliest of: the cache TTL, a certificate's expiry.
 */
import { TrustError } from '../errors/trust-error.js';
import { identityFromCertificate, type ClientIdentity, type MemberState } from '../identity/client-identity.js';
import type { RevocationChecker } from '../revocation/revocation-checker.js';
import { statusAt, type TrustList } from '../trust-list/trust-list.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { validatePath, type CertificatePurpose } from '../x509/validate-path.js';
import type { JwsAlgorithm } from './sign-detached.js';
import { verifyDetached, verifyDetachedCached, verifyDetachedCachedOffloaded, type DecodedDetachedJws, type ParsedChainCache, type ParsedX5c, type VerifyDetachedOptions } from './verify-detached.js';

export interface SignatureTrust {
  /** The trust list to decide with; a function so a hot-reloaded holder can be passed (`() => holder.current()`). */
  readonly trustList: () => TrustList;
  /** Revocation checks; `'none'` must be chosen explicitly (e.g. offline evidence replay with stored status). */
  readonly revocation: RevocationChecker | 'none';
  /** @default system clock */
  readonly clock?: Clock;
  /** @default ES256, ES384, PS256, EdDSA. Add RS256 here to allow it. */
  readonly algorithms?: readonly JwsAlgorithm[];
  /** Cache of validated chains; share one per trust context. */
  readonly chainCache?: ValidatedChainCache;
  /**
   * Check the signature of a known signer on the libuv thread pool (node:crypto's callback form)
   * instead of the event loop: for a server verifying many requests at once, so the public-key
   * operation runs on its other cores. Costs a thread-pool round trip per verification.
   * @default false
   */
  readonly offloadSignatureChecks?: boolean;
}

export interface VerifiedSigner {
  readonly identity: ClientIdentity;
  readonly state: MemberState;
  /** End entity first, anchor last. */
  readonly chain: readonly ParsedCertificate[];
}

export interface VerifiedSignature extends VerifiedSigner {
  readonly header: DecodedDetachedJws['header'];
  readonly signingTime: Date;
}

interface CachedSigner {
  readonly signer: VerifiedSigner;
  readonly expires: number;
}

/** Validated-chain cache. TTL bounds how long a revocation answer is reused through it. */
export class ValidatedChainCache implements ParsedChainCache {
  private readonly map = new Map<string, CachedSigner>();
  private readonly parsed = new Map<string, ParsedX5c>();
  constructor(private readonly options: { readonly ttlSeconds?: number; readonly maxEntries?: number } = {}) {}

  /** Keyed by the signer's x5t#S256; the caller checks that the x5c is exactly `value.x5c` (verify-detached.ts). */
  getParsed(x5t: string): ParsedX5c | undefined {
    return this.parsed.get(x5t);
  }

  /** One chain per signer certificate: a signer seen with another chain replaces the entry. */
  setParsed(x5t: string, value: ParsedX5c): void {
    if (!this.parsed.has(x5t) && this.parsed.size >= (this.options.maxEntries ?? 10_000)) this.parsed.delete(this.parsed.keys().next().value as string);
    this.parsed.set(x5t, value);
  }

  get(key: string, now: number): VerifiedSigner | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (hit.expires <= now) {
      this.map.delete(key);
      return undefined;
    }
    return hit.signer;
  }

  /** `validUntil`: a later instant at which the decision may change (e.g. a scheduled status change). */
  set(key: string, signer: VerifiedSigner, now: number, validUntil = Number.POSITIVE_INFINITY): void {
    if (this.map.size >= (this.options.maxEntries ?? 10_000)) this.map.delete(this.map.keys().next().value as string);
    const notAfter = Math.min(...signer.chain.map((c) => c.notAfter.getTime()));
    this.map.set(key, { signer, expires: Math.min(notAfter, validUntil, now + (this.options.ttlSeconds ?? 300) * 1000) });
  }

  clear(): void {
    this.map.clear();
    this.parsed.clear();
  }
}

export interface VerifyChainOptions {
  readonly certificates: readonly ParsedCertificate[];
  readonly trust: SignatureTrust;
  /** @default 'signing' */
  readonly purpose?: CertificatePurpose;
  /** Validation time. @default clock.now() */
  readonly at?: Date;
  readonly peerName?: string;
}

/**
 * The decision-cache key of a chain, remembered for frozen chain arrays: a known signer's x5c
 * yields the same frozen array on every request (verify-detached.ts), and a frozen array cannot
 * change, so its key cannot go stale; reusing the same key string also spares hashing it per
 * request. The remembered key is used only for the same trust-list sequence number, purpose and
 * peer name (compared one by one, not as a prefix string built per request). Other arrays are keyed
 * afresh each time.
 */
interface FrozenChainKey {
  readonly sequenceNumber: number;
  readonly purpose: string;
  readonly peerName: string;
  readonly fingerprints: string;
  readonly key: string;
}
const keyOfFrozenChain = new WeakMap<readonly ParsedCertificate[], FrozenChainKey>();

function chainCacheKey(sequenceNumber: number, options: VerifyChainOptions): string {
  const { certificates } = options;
  const purpose = options.purpose ?? 'signing';
  const peerName = options.peerName ?? '';
  if (!Object.isFrozen(certificates)) return `${sequenceNumber}|${purpose}|${peerName}|${certificates.map((c) => c.fingerprint).join(',')}`;
  const known = keyOfFrozenChain.get(certificates);
  if (known !== undefined && known.sequenceNumber === sequenceNumber && known.purpose === purpose && known.peerName === peerName) return known.key;
  const fingerprints = known?.fingerprints ?? certificates.map((c) => c.fingerprint).join(',');
  const key = `${sequenceNumber}|${purpose}|${peerName}|${fingerprints}`;
  keyOfFrozenChain.set(certificates, { sequenceNumber, purpose, peerName, fingerprints, key });
  return key;
}

/** The cached decision for a chain, if one is in force now (synchronous fast path of verifyMemberChain). */
export function cachedMemberChain(options: VerifyChainOptions): VerifiedSigner | undefined {
  // The cache only serves "now" decisions; evidence checked at a past time is always recomputed.
  if (options.trust.chainCache === undefined || options.at !== undefined) return undefined;
  const now = (options.trust.clock ?? systemClock).now();
  return options.trust.chainCache.get(chainCacheKey(options.trust.trustList().sequenceNumber, options), now.getTime());
}

/**
 * Validates a presented chain (x5c, or a TLS peer chain) against the trust list and returns the
 * member identity it carries. Used for signatures and for mTLS client certificates alike.
 */
export async function verifyMemberChain(options: VerifyChainOptions): Promise<VerifiedSigner> {
  const { trust } = options;
  const clock = trust.clock ?? systemClock;
  const now = clock.now();
  const at = options.at ?? now;
  const purpose = options.purpose ?? 'signing';
  const list = trust.trustList();
  const [leaf, ...rest] = options.certificates;
  if (!leaf) throw new TypeError('verifyMemberChain needs at least one certificate');
  const cacheKey = chainCacheKey(list.sequenceNumber, options);
  const useCache = trust.chainCache && options.at === undefined;
  const cached = cachedMemberChain(options);
  if (cached) return cached;

  const path = validatePath({ anchors: list.caCertificates(), intermediates: rest, endEntity: leaf, at, purpose, ...(options.peerName ? { peerName: options.peerName } : {}) });
  const anchorService = list.findService('ca', path.anchor);
  if (!anchorService) throw new TrustError('ERR_TRUST_NO_PATH', { certIndex: path.chain.length - 1 });
  // ETSI TS 119 612 §5.5.10 service history: the status that counts is the one in force at `at`.
  let nextStatusChange = Number.POSITIVE_INFINITY;
  for (let i = 0; i < path.chain.length; i++) {
    const listed = list.findService('ca', path.chain[i] as ParsedCertificate);
    if (!listed) continue;
    for (const change of listed.service.statusHistory) {
      const from = Date.parse(change.from);
      if (from > at.getTime()) nextStatusChange = Math.min(nextStatusChange, from);
    }
    const status = statusAt(listed.service, at);
    if (status !== 'granted') {
      throw new TrustError('ERR_TRUST_CA_NOT_GRANTED', {
        certIndex: i,
        message: `CA ${listed.service.id} is ${status ?? 'not yet listed'} at ${at.toISOString()}`,
      });
    }
  }
  const identity = identityFromCertificate(path.endEntity, anchorService.state);
  if (trust.revocation !== 'none') {
    await trust.revocation.checkChain({ chain: path.chain, at, policy: list.revocationPolicy });
  }
  const signer: VerifiedSigner = { identity, state: anchorService.state, chain: path.chain };
  // A scheduled status change (e.g. a withdrawal dated in the future) ends the cached decision.
  if (useCache) trust.chainCache?.set(cacheKey, signer, now.getTime(), nextStatusChange);
  return signer;
}

export interface VerifySignatureOptions {
  readonly jws: string;
  readonly payload: Uint8Array;
  readonly trust: SignatureTrust;
  /** Extension header parameters the caller understands (bindings add theirs). */
  readonly crit?: readonly string[];
  /**
   * Validate the chain at the signing time (`sigT`) instead of now: for evidence, where a CA
   * withdrawn later still vouches for what was signed before. @default false
   */
  readonly atSigningTime?: boolean;
}

export async function verifySignature(options: VerifySignatureOptions): Promise<VerifiedSignature> {
  // Plain object literals (undefined for absent options) rather than conditional spreads: this runs per request.
  const detachedOptions: VerifyDetachedOptions = {
    jws: options.jws,
    payload: options.payload,
    algorithms: options.trust.algorithms,
    crit: options.crit,
    parsedCache: options.trust.chainCache,
  };
  // Fast paths first (a known signer: checked in this call, or on the thread pool), the full checks otherwise.
  const decoded =
    (options.trust.offloadSignatureChecks === true ? await verifyDetachedCachedOffloaded(detachedOptions) : verifyDetachedCached(detachedOptions)) ??
    (await verifyDetached(detachedOptions));
  const chainOptions: VerifyChainOptions = {
    certificates: decoded.certificates,
    trust: options.trust,
    purpose: 'signing',
    at: options.atSigningTime ? decoded.signingTime : undefined,
  };
  const signer = cachedMemberChain(chainOptions) ?? (await verifyMemberChain(chainOptions));
  return { identity: signer.identity, state: signer.state, chain: signer.chain, header: decoded.header, signingTime: decoded.signingTime };
}
