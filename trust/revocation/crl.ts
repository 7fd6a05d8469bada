/**
 * CRL parsing and checking (RFC 5280 §5, §6.3). A CRL is accepted when it is signed by the
 * certificate's issuer, or by an authorised CRL issuer: a certificate the same CA issued with the
 * same subject name and the cRLSign key usage (§6.3.3 (f), key rollover / separate CRL key).
 * Delta CRLs and scoped (issuing distribution point) CRLs are not supported and are refused
 * rather than misread.
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificateList, CRLReason } from '@peculiar/asn1-x509';
import { TrustError } from '../errors/trust-error.js';
import { assertDerWithinLimits, bytesEqual, children, decodeOid, encoded, toArrayBuffer, toHex, value, type DerNode } from '../util/der.js';
import { OID } from '../x509/oids.js';
import type { AlgorithmIdentifierValue, ParsedCertificate } from '../x509/parse-certificate.js';
import { verifySignedData } from '../x509/verify-signature.js';

export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

const REASON_NAMES: Record<number, RevocationReason> = {
  0: 'unspecified', 1: 'keyCompromise', 2: 'cACompromise', 3: 'affiliationChanged', 4: 'superseded',
  5: 'cessationOfOperation', 6: 'certificateHold', 8: 'removeFromCRL', 9: 'privilegeWithdrawn', 10: 'aACompromise',
};

export function reasonName(code: number | undefined): RevocationReason {
  return REASON_NAMES[code ?? 0] ?? 'unspecified';
}

export interface ParsedCrl {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: AlgorithmIdentifierValue;
  readonly innerSignatureAlgorithm: AlgorithmIdentifierValue;
  readonly signature: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly authorityKeyId: Uint8Array | undefined;
  readonly crlNumber: string | undefined;
  /** Serial (lower-case hex, no leading zeros) to entry. */
  readonly entries: ReadonlyMap<string, { readonly revokedAt: Date; readonly reason: RevocationReason }>;
}

const UNDERSTOOD_CRL_EXTENSIONS = new Set<string>([OID.authorityKeyIdentifier, OID.crlNumber]);
const UNDERSTOOD_ENTRY_EXTENSIONS = new Set<string>([OID.crlReason, OID.invalidityDate]);

function invalid(message: string, cause?: unknown): TrustError {
  return new TrustError('ERR_TRUST_CRL_INVALID', { message, cause });
}

function algorithm(node: DerNode): AlgorithmIdentifierValue {
  const [oidNode, params] = children(node);
  if (!oidNode) throw invalid('Bad AlgorithmIdentifier');
  return { oid: decodeOid(value(oidNode)), parameters: params ? encoded(params) : undefined, der: encoded(node) };
}

export function normaliseSerial(hex: string): string {
  return hex.toLowerCase().replace(/^(00)+(?=.)/, '');
}

/** Parses a DER CRL (size-bounded: 8 MiB, 200k elements). */
export function parseCrl(der: Uint8Array): ParsedCrl {
  if (!(der instanceof Uint8Array)) throw new TypeError('parseCrl expects DER bytes');
  let root: DerNode;
  try {
    root = assertDerWithinLimits(der, { maxBytes: 8 * 1024 * 1024, maxDepth: 16, maxNodes: 400_000 });
  } catch (cause) {
    if (cause instanceof TrustError && cause.code === 'ERR_TRUST_INPUT_TOO_LARGE') throw cause;
    throw invalid('The CRL is not DER', cause);
  }
  const [tbsNode, sigAlgNode, sigNode] = children(root);
  if (!tbsNode || !sigAlgNode || !sigNode || sigNode.tag !== 0x03) throw invalid('Bad CertificateList');
  const tbsParts = children(tbsNode);
  const innerAlgNode = tbsParts[0]?.tag === 0x02 ? tbsParts[1] : tbsParts[0];
  const issuerNode = tbsParts[0]?.tag === 0x02 ? tbsParts[2] : tbsParts[1];
  if (!innerAlgNode || !issuerNode) throw invalid('Bad TBSCertList');
  let list: CertificateList;
  try {
    list = AsnConvert.parse(toArrayBuffer(der), CertificateList);
  } catch (cause) {
    throw invalid('The CRL does not decode', cause);
  }
  const tbs = list.tbsCertList;
  let authorityKeyId: Uint8Array | undefined;
  let crlNumber: string | undefined;
  for (const ext of tbs.crlExtensions ?? []) {
    // RFC 5280 §5.2: a critical CRL extension we do not process makes the CRL unusable.
    if (ext.critical && !UNDERSTOOD_CRL_EXTENSIONS.has(ext.extnID)) throw invalid(`Unsupported critical CRL extension ${ext.extnID}`);
    const raw = new Uint8Array(ext.extnValue.buffer);
    if (ext.extnID === OID.authorityKeyIdentifier) {
      const first = children(assertDerWithinLimits(raw))[0];
      if (first?.tag === 0x80) authorityKeyId = value(first);
    } else if (ext.extnID === OID.crlNumber) {
      crlNumber = toHex(value(assertDerWithinLimits(raw)));
    } else if (ext.extnID === OID.deltaCrlIndicator || ext.extnID === OID.issuingDistributionPoint) {
      throw invalid('Delta and scoped CRLs are not supported');
    }
  }
  const entries = new Map<string, { revokedAt: Date; reason: RevocationReason }>();
  for (const entry of tbs.revokedCertificates ?? []) {
    let reason: RevocationReason = 'unspecified';
    for (const ext of entry.crlEntryExtensions ?? []) {
      // §5.3: e.g. a critical certificateIssuer means an indirect CRL, which we do not process.
      if (ext.critical && !UNDERSTOOD_ENTRY_EXTENSIONS.has(ext.extnID)) throw invalid(`Unsupported critical CRL entry extension ${ext.extnID}`);
      if (ext.extnID === OID.crlReason) reason = reasonName(AsnConvert.parse(ext.extnValue.buffer, CRLReason).reason);
    }
    entries.set(normaliseSerial(toHex(new Uint8Array(entry.userCertificate))), { revokedAt: entry.revocationDate.getTime(), reason });
  }
  const sigBits = value(sigNode);
  return {
    der,
    tbs: encoded(tbsNode),
    signatureAlgorithm: algorithm(sigAlgNode),
    innerSignatureAlgorithm: algorithm(innerAlgNode),
    signature: sigBits.subarray(1),
    issuerDer: encoded(issuerNode),
    thisUpdate: tbs.thisUpdate.getTime(),
    nextUpdate: tbs.nextUpdate?.getTime(),
    authorityKeyId,
    crlNumber,
    entries,
  };
}

export interface CheckCrlOptions {
  readonly crl: ParsedCrl;
  readonly certificate: ParsedCertificate;
  /** The CA that issued `certificate`. */
  readonly issuer: ParsedCertificate;
  /** Other certificates that may have signed the CRL on the issuer's behalf. */
  readonly crlSigners?: readonly ParsedCertificate[];
  /** Time at which the status is wanted. */
  readonly at: Date;
  /** Time against which thisUpdate / nextUpdate are judged (usually now). */
  readonly now: Date;
  /** @default 300 */
  readonly clockSkewSeconds?: number;
}

export type CrlCheckResult = { readonly status: 'good' } | { readonly status: 'revoked'; readonly revokedAt: Date; readonly reason: RevocationReason };

/** Verifies that `crl` is a current, authentic CRL for `certificate` and returns its status in it. */
export function checkCrl(options: CheckCrlOptions): CrlCheckResult {
  const { crl, certificate, issuer } = options;
  const skew = (options.clockSkewSeconds ?? 300) * 1000;
  // §6.3.3 (b): the CRL issuer must be the certificate issuer (no indirect CRLs).
  if (!bytesEqual(crl.issuerDer, certificate.issuerDer)) throw invalid('The CRL is not from the certificate issuer');
  if (!bytesEqual(crl.innerSignatureAlgorithm.der, crl.signatureAlgorithm.der)) throw invalid('CRL signature algorithm fields differ');
  const candidates: ParsedCertificate[] = [issuer];
  for (const signer of options.crlSigners ?? []) {
    // An authorised CRL signer: same name as the CA, issued by the CA, cRLSign, valid now.
    if (!bytesEqual(signer.subjectDer, issuer.subjectDer) || !bytesEqual(signer.issuerDer, issuer.subjectDer)) continue;
    if (!signer.keyUsage?.has('cRLSign')) continue;
    if (options.now < signer.notBefore || options.now > signer.notAfter) continue;
    try {
      if (verifySignedData(signer.signatureAlgorithm, signer.tbs, signer.signature, issuer.publicKey())) candidates.push(signer);
    } catch {
      // not an authorised signer
    }
  }
  let verified = false;
  for (const signer of candidates) {
    // §6.3.3 (f): the CRL signer must be allowed to sign CRLs.
    if (signer.keyUsage && !signer.keyUsage.has('cRLSign')) continue;
    try {
      if (verifySignedData(crl.signatureAlgorithm, crl.tbs, crl.signature, signer.publicKey())) {
        verified = true;
        break;
      }
    } catch (cause) {
      throw invalid('The CRL signature algorithm is not allowed', cause);
    }
  }
  if (!verified) throw invalid('The CRL signature does not verify with the issuer or an authorised CRL signer');
  // §6.3.3 (a)(2) and §5.1.2.5: use only a current CRL.
  if (crl.thisUpdate.getTime() > options.now.getTime() + skew) throw new TrustError('ERR_TRUST_CRL_STALE', { message: 'The CRL is not yet valid' });
  if (!crl.nextUpdate || crl.nextUpdate.getTime() + skew < options.now.getTime()) {
    throw new TrustError('ERR_TRUST_CRL_STALE', { message: `The CRL is past its nextUpdate (${crl.nextUpdate?.toISOString() ?? 'none'})` });
  }
  const entry = crl.entries.get(normaliseSerial(certificate.serialNumberHex));
  // removeFromCRL appears only in delta CRLs (§5.3.1), which are refused above.
  if (!entry || entry.reason === 'removeFromCRL') return { status: 'good' };
  // A certificate revoked after `at` was still good at `at` (evidence signed before revocation).
  if (entry.revokedAt.getTime() > options.at.getTime()) return { status: 'good' };
  return { status: 'revoked', revokedAt: entry.revokedAt, reason: entry.reason };
}
