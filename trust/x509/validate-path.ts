/**
 * Certification path validation, RFC 5280 §6.1, against caller-supplied trust anchors at a given
 * time. Path building is a bounded depth-first search by issuer name (§6 leaves building to the
 * implementation); every candidate path is then run through the basic path validation below. Trust
 * anchor certificates are processed with their own constraints applied (RFC 5937 style): validity,
 * basicConstraints, keyUsage, name constraints and EKU, which is stricter than §6.1.1 (d) alone.
 */
import { TrustError } from '../errors/trust-error.js';
import { bytesEqual } from '../util/der.js';
import { checkNameConstraints } from './check-name-constraints.js';
import { matchesPeerName, type PeerName } from './match-peer-name.js';
import { OID, UNDERSTOOD_CERT_EXTENSIONS } from './oids.js';
import { parseCertificate, type KeyUsageName, type NameConstraintsValue, type ParsedCertificate } from './parse-certificate.js';
import { assertAcceptablePublicKey, verifySignedData } from './verify-signature.js';

export type CertificatePurpose = 'clientAuth' | 'serverAuth' | 'signing' | 'ocspSigning' | 'timeStamping' | 'any';

export const PURPOSE_EKU: Readonly<Record<Exclude<CertificatePurpose, 'any'>, string>> = {
  clientAuth: OID.ekuClientAuth,
  serverAuth: OID.ekuServerAuth,
  signing: OID.ekuGccSigning,
  ocspSigning: OID.ekuOcspSigning,
  timeStamping: OID.ekuTimeStamping,
};

export type CertificateInput = Uint8Array | ParsedCertificate;

export interface ValidatePathOptions {
  readonly anchors: readonly CertificateInput[];
  /** Candidate intermediates, in any order; unrelated certificates are ignored. */
  readonly intermediates?: readonly CertificateInput[];
  readonly endEntity: CertificateInput;
  /** The validation time (RFC 5280 §6.1.1 (b)). */
  readonly at: Date;
  /**
   * What the end-entity certificate will be used for. Its EKU must list the purpose (no
   * anyExtendedKeyUsage), and a CA on the path that has an EKU must allow it too.
   * @default 'any'
   */
  readonly purpose?: CertificatePurpose;
  /**
   * Key usage bits the end-entity certificate must have when it has a keyUsage extension.
   * @default ['digitalSignature'] for every purpose except 'any'
   */
  readonly requiredKeyUsage?: readonly KeyUsageName[];
  /** Expected peer (DNS name, IP address or email), matched per RFC 6125. */
  readonly peerName?: PeerName;
  /** @default 6 certificates including the anchor */
  readonly maxDepth?: number;
  /** Upper bound on signature checks and candidate issuers tried while building. @default 64 */
  readonly maxWork?: number;
}

export interface ValidatedPath {
  /** End entity first, trust anchor last. */
  readonly chain: readonly ParsedCertificate[];
  readonly endEntity: ParsedCertificate;
  readonly anchor: ParsedCertificate;
}

function asParsed(input: CertificateInput): ParsedCertificate {
  return input instanceof Uint8Array ? parseCertificate(input) : input;
}

function assertKnownCriticalExtensions(cert: ParsedCertificate, index: number): void {
  // RFC 5280 §6.1.4 (o) / §6.1.5 (f): a critical extension we do not process fails the path.
  const unknown = cert.extensions.find((e) => e.critical && !UNDERSTOOD_CERT_EXTENSIONS.has(e.oid));
  if (unknown) {
    throw new TrustError('ERR_TRUST_UNKNOWN_CRITICAL_EXTENSION', { certIndex: index, message: `Unknown critical extension ${unknown.oid} in certificate ${index}` });
  }
}

function assertValidAt(cert: ParsedCertificate, at: Date, index: number): void {
  // RFC 5280 §6.1.3 (a)(2): the validation time falls within notBefore..notAfter, inclusive.
  if (at.getTime() < cert.notBefore.getTime()) {
    throw new TrustError('ERR_TRUST_CERT_NOT_YET_VALID', { certIndex: index, message: `Certificate ${index} (${cert.subject}) is not valid before ${cert.notBefore.toISOString()}` });
  }
  if (at.getTime() > cert.notAfter.getTime()) {
    throw new TrustError('ERR_TRUST_CERT_EXPIRED', { certIndex: index, message: `Certificate ${index} (${cert.subject}) expired at ${cert.notAfter.toISOString()}` });
  }
}

function assertCaCertificate(cert: ParsedCertificate, index: number, purpose: CertificatePurpose): void {
  // RFC 5280 §6.1.4 (k): an issuing certificate must be v3 with basicConstraints cA = TRUE.
  if (cert.version !== 3 || !cert.basicConstraints?.cA) {
    throw new TrustError('ERR_TRUST_NOT_A_CA', { certIndex: index, message: `Certificate ${index} (${cert.subject}) is not a CA certificate` });
  }
  // §6.1.4 (n): when keyUsage is present, keyCertSign must be set.
  if (cert.keyUsage && !cert.keyUsage.has('keyCertSign')) {
    throw new TrustError('ERR_TRUST_KEY_USAGE', { certIndex: index, message: `CA certificate ${index} lacks keyCertSign` });
  }
  // EKU on a CA restricts what it may issue for (a common policy beyond RFC 5280, also OpenSSL's).
  if (purpose !== 'any' && cert.extKeyUsage) {
    const eku = PURPOSE_EKU[purpose];
    if (!cert.extKeyUsage.includes(eku) && !cert.extKeyUsage.includes(OID.anyExtendedKeyUsage)) {
      throw new TrustError('ERR_TRUST_EXTENDED_KEY_USAGE', { certIndex: index, message: `CA certificate ${index} does not allow purpose ${purpose}` });
    }
  }
}

function assertEndEntityUsage(cert: ParsedCertificate, purpose: CertificatePurpose, requiredKeyUsage: readonly KeyUsageName[]): void {
  if (purpose !== 'any') {
    // RFC 5280 §4.2.1.12. Our policy is stricter than the RFC: the EKU must be present and name the
    // purpose explicitly; anyExtendedKeyUsage does not stand in for it.
    const eku = PURPOSE_EKU[purpose];
    if (!cert.extKeyUsage?.includes(eku)) {
      throw new TrustError('ERR_TRUST_EXTENDED_KEY_USAGE', { certIndex: 0, message: `The certificate's extended key usage does not include ${purpose}` });
    }
  }
  if (cert.keyUsage) {
    const missing = requiredKeyUsage.filter((bit) => !cert.keyUsage?.has(bit));
    // A signing certificate may carry nonRepudiation (contentCommitment) instead of digitalSignature.
    const signingAlternative = purpose === 'signing' && missing.length === 1 && missing[0] === 'digitalSignature' && cert.keyUsage.has('nonRepudiation');
    if (missing.length > 0 && !signingAlternative) {
      throw new TrustError('ERR_TRUST_KEY_USAGE', { certIndex: 0, message: `The certificate's key usage lacks ${missing.join(', ')}` });
    }
  }
}

class WorkBudget {
  private used = 0;
  constructor(private readonly limit: number) {}
  spend(index: number): void {
    if (++this.used > this.limit) throw new TrustError('ERR_TRUST_WORK_LIMIT', { certIndex: index });
  }
}

/** Basic path validation (RFC 5280 §6.1.2-§6.1.5) of one candidate path, end entity first. */
function validateCandidate(chain: readonly ParsedCertificate[], options: Required<Pick<ValidatePathOptions, 'at' | 'purpose' | 'requiredKeyUsage'>> & { peerName: PeerName | undefined }, budget: WorkBudget): void {
  const anchorIndex = chain.length - 1;
  const anchor = chain[anchorIndex] as ParsedCertificate;
  const { at, purpose } = options;

  if (chain.length === 1) {
    // The end entity is itself a pinned anchor: only its own properties are checked.
    assertValidAt(anchor, at, 0);
    assertKnownCriticalExtensions(anchor, 0);
    assertAcceptablePublicKey(anchor.publicKey());
    assertEndEntityUsage(anchor, purpose, options.requiredKeyUsage);
    if (options.peerName !== undefined && !matchesPeerName(anchor, options.peerName)) {
      throw new TrustError('ERR_TRUST_PEER_NAME_MISMATCH', { certIndex: 0 });
    }
    return;
  }

  // §6.1.2 initialisation from the anchor, with the anchor's own constraints (RFC 5937).
  assertValidAt(anchor, at, anchorIndex);
  assertKnownCriticalExtensions(anchor, anchorIndex);
  assertCaCertificate(anchor, anchorIndex, purpose);
  let workingKey = anchor.publicKey();
  assertAcceptablePublicKey(workingKey);
  let workingIssuer = anchor;
  let maxPathLength = anchor.basicConstraints?.pathLen ?? Number.POSITIVE_INFINITY;
  const constraintSets: NameConstraintsValue[] = anchor.nameConstraints ? [anchor.nameConstraints] : [];

  for (let index = anchorIndex - 1; index >= 0; index--) {
    const cert = chain[index] as ParsedCertificate;
    const isEndEntity = index === 0;

    // §4.1.1.2: the signature field inside TBSCertificate must equal signatureAlgorithm.
    if (!bytesEqual(cert.innerSignatureAlgorithm.der, cert.signatureAlgorithm.der)) {
      throw new TrustError('ERR_TRUST_BAD_SIGNATURE', { certIndex: index, message: `Certificate ${index} has mismatched signature algorithm fields` });
    }
    // §6.1.3 (a)(1): the signature verifies with the working public key.
    budget.spend(index);
    let ok: boolean;
    try {
      ok = verifySignedData(cert.signatureAlgorithm, cert.tbs, cert.signature, workingKey);
    } catch (error) {
      if (error instanceof TrustError) throw new TrustError(error.code, { certIndex: index, message: error.message, cause: error });
      throw error;
    }
    if (!ok) throw new TrustError('ERR_TRUST_BAD_SIGNATURE', { certIndex: index, message: `The signature on certificate ${index} (${cert.subject}) does not verify` });
    // §6.1.3 (a)(2)
    assertValidAt(cert, at, index);
    // §6.1.3 (a)(4): issuer name equals the working issuer name.
    if (!bytesEqual(cert.issuerDer, workingIssuer.subjectDer)) {
      throw new TrustError('ERR_TRUST_NO_PATH', { certIndex: index, message: `Certificate ${index} is not issued by the next certificate's subject` });
    }
    // §4.2.1.1: when both are present, the AKI keyIdentifier must be the issuer's SKI.
    if (cert.authorityKeyId && workingIssuer.subjectKeyId && !bytesEqual(cert.authorityKeyId, workingIssuer.subjectKeyId)) {
      throw new TrustError('ERR_TRUST_KEY_ID_MISMATCH', { certIndex: index });
    }
    // §6.1.3 (b)-(c): name constraints, except for self-issued intermediates.
    if (isEndEntity || !cert.selfIssued) {
      for (const constraints of constraintSets) checkNameConstraints(cert, constraints, index);
    }
    assertKnownCriticalExtensions(cert, index);
    try {
      assertAcceptablePublicKey(cert.publicKey());
    } catch (error) {
      if (error instanceof TrustError) throw new TrustError(error.code, { certIndex: index, message: error.message });
      throw error;
    }

    if (!isEndEntity) {
      // §6.1.4 (k), (n) and the EKU policy.
      assertCaCertificate(cert, index, purpose);
      // §6.1.4 (l): a non-self-issued CA consumes one unit of the path length.
      if (!cert.selfIssued) {
        if (maxPathLength <= 0) {
          throw new TrustError('ERR_TRUST_PATH_LEN_EXCEEDED', { certIndex: index, message: `Certificate ${index} (${cert.subject}) exceeds its issuer's path length constraint` });
        }
        maxPathLength--;
      }
      // §6.1.4 (m)
      const pathLen = cert.basicConstraints?.pathLen;
      if (pathLen !== undefined && pathLen < maxPathLength) maxPathLength = pathLen;
      // §6.1.4 (g)-(h)
      if (cert.nameConstraints) constraintSets.push(cert.nameConstraints);
      workingKey = cert.publicKey();
      workingIssuer = cert;
    }
  }

  // §6.1.5 wrap-up for the end entity: purpose and peer identity.
  const endEntity = chain[0] as ParsedCertificate;
  assertEndEntityUsage(endEntity, purpose, options.requiredKeyUsage);
  if (options.peerName !== undefined && !matchesPeerName(endEntity, options.peerName)) {
    throw new TrustError('ERR_TRUST_PEER_NAME_MISMATCH', { certIndex: 0, message: 'The certificate does not name the expected peer' });
  }
}

/**
 * Builds and validates a certification path from `endEntity` to one of `anchors` at time `at`.
 * Returns the validated chain, or throws a TrustError whose `certIndex` points at the failing
 * certificate (0 = end entity). The first candidate path's failure is reported when none succeeds.
 */
export function validatePath(options: ValidatePathOptions): ValidatedPath {
  if (!options || !Array.isArray(options.anchors)) throw new TypeError('validatePath needs { anchors: [...] }');
  if (!(options.at instanceof Date) || Number.isNaN(options.at.getTime())) throw new TypeError('validatePath needs a valid `at` Date');
  const purpose = options.purpose ?? 'any';
  if (purpose !== 'any' && !(purpose in PURPOSE_EKU)) throw new TypeError(`Unknown purpose ${String(purpose)}`);
  const maxDepth = options.maxDepth ?? 6;
  const budget = new WorkBudget(options.maxWork ?? 64);
  const requiredKeyUsage = options.requiredKeyUsage ?? (purpose === 'any' ? [] : ['digitalSignature']);
  const endEntity = asParsed(options.endEntity);
  const anchors = options.anchors.map(asParsed);
  const intermediates = (options.intermediates ?? []).slice(0, 64).map(asParsed);
  const settings = { at: options.at, purpose, requiredKeyUsage, peerName: options.peerName };

  let firstFailure: TrustError | undefined;
  let deepestMissing = 0;

  const tryPath = (path: ParsedCertificate[]): boolean => {
    try {
      validateCandidate(path, settings, budget);
      return true;
    } catch (error) {
      if (error instanceof TrustError && error.code === 'ERR_TRUST_WORK_LIMIT') throw error;
      if (error instanceof TrustError) {
        firstFailure ??= error;
        return false;
      }
      throw error;
    }
  };

  if (anchors.some((a) => a.fingerprint === endEntity.fingerprint)) {
    const pinned = anchors.find((a) => a.fingerprint === endEntity.fingerprint) as ParsedCertificate;
    if (tryPath([pinned])) return { chain: [pinned], endEntity: pinned, anchor: pinned };
  }

  const search = (path: ParsedCertificate[]): ParsedCertificate[] | undefined => {
    const top = path[path.length - 1] as ParsedCertificate;
    const index = path.length - 1;
    if (path.length + 1 > maxDepth) {
      firstFailure ??= new TrustError('ERR_TRUST_MAX_DEPTH', { certIndex: index, message: `The chain would exceed ${maxDepth} certificates` });
      return undefined;
    }
    const byName = (c: ParsedCertificate): boolean => bytesEqual(c.subjectDer, top.issuerDer);
    // Prefer issuers whose SKI matches the AKI; the others are still tried (and fail with a code).
    const order = (list: ParsedCertificate[]): ParsedCertificate[] =>
      list.filter(byName).sort((a, b) => {
        const score = (c: ParsedCertificate): number => (top.authorityKeyId && c.subjectKeyId && bytesEqual(top.authorityKeyId, c.subjectKeyId) ? 0 : 1);
        return score(a) - score(b);
      });
    let found = false;
    for (const anchor of order(anchors)) {
      found = true;
      budget.spend(index);
      const candidate = [...path, anchor];
      if (tryPath(candidate)) return candidate;
    }
    for (const issuer of order(intermediates)) {
      // A certificate may appear only once in a path: this is what stops loops (A->B->A).
      if (path.some((c) => c.fingerprint === issuer.fingerprint)) continue;
      found = true;
      budget.spend(index);
      const result = search([...path, issuer]);
      if (result) return result;
    }
    if (!found) deepestMissing = Math.max(deepestMissing, index);
    return undefined;
  };

  const chain = search([endEntity]);
  if (chain) return { chain, endEntity, anchor: chain[chain.length - 1] as ParsedCertificate };
  throw (
    firstFailure ??
    new TrustError('ERR_TRUST_NO_PATH', {
      certIndex: deepestMissing,
      message: `No trusted issuer found for certificate ${deepestMissing}`,
    })
  );
}
