/**
 * Certificate parsing (RFC 5280 §4.1). The structure is decoded with @peculiar/asn1-x509 after a
 * bounded DER pre-scan; the exact signed bytes (TBSCertificate) and names are taken from the
 * original encoding, never re-encoded, so a signature is checked over what the issuer signed.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CRLDistributionPoints,
  ExtendedKeyUsage,
  KeyUsage,
  Name,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { TrustError } from '../errors/trust-error.js';
import { assertDerWithinLimits, children, decodeOid, encoded, readNode, toArrayBuffer, toHex, value, type DerNode } from '../util/der.js';
import { decodeGeneralName, decodeGeneralNames, type GeneralNameValue } from './general-names.js';
import { OID } from './oids.js';

export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

export interface NameConstraintsValue {
  readonly permitted: readonly GeneralNameValue[];
  readonly excluded: readonly GeneralNameValue[];
}

export interface AlgorithmIdentifierValue {
  readonly oid: string;
  /** DER of the parameters, absent when omitted. */
  readonly parameters: Uint8Array | undefined;
  /** DER of the whole AlgorithmIdentifier. */
  readonly der: Uint8Array;
}

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly version: number;
  readonly serialNumberHex: string;
  readonly innerSignatureAlgorithm: AlgorithmIdentifierValue;
  readonly signatureAlgorithm: AlgorithmIdentifierValue;
  readonly signature: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  readonly issuer: string;
  readonly subject: string;
  /** The subject's RDNs, each as the DER of its SET. */
  readonly subjectRdns: readonly Uint8Array[];
  /** emailAddress attributes of the subject DN (RFC 5280 §4.2.1.10 applies rfc822 constraints to them). */
  readonly subjectEmails: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Uint8Array;
  readonly spkiAlgorithm: AlgorithmIdentifierValue;
  readonly extensions: readonly CertificateExtension[];
  readonly basicConstraints: { readonly cA: boolean; readonly pathLen: number | undefined } | undefined;
  readonly keyUsage: ReadonlySet<KeyUsageName> | undefined;
  readonly extKeyUsage: readonly string[] | undefined;
  readonly subjectKeyId: Uint8Array | undefined;
  readonly authorityKeyId: Uint8Array | undefined;
  readonly subjectAltNames: readonly GeneralNameValue[];
  readonly nameConstraints: NameConstraintsValue | undefined;
  readonly crlDistributionUrls: readonly string[];
  readonly ocspUrls: readonly string[];
  readonly ocspNoCheck: boolean;
  readonly selfIssued: boolean;
  /** Lower-case hex SHA-256 of the DER. */
  readonly fingerprint: string;
  publicKey(): KeyObject;
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  [OID.emailAddress]: 'emailAddress',
};

function malformed(message: string, cause?: unknown): TrustError {
  return new TrustError('ERR_TRUST_MALFORMED_INPUT', { message, cause });
}

function algorithmIdentifier(node: DerNode): AlgorithmIdentifierValue {
  const parts = children(node);
  const oidNode = parts[0];
  if (!oidNode || oidNode.tag !== 0x06) throw malformed('Bad AlgorithmIdentifier');
  const params = parts[1];
  return { oid: decodeOid(value(oidNode)), parameters: params ? encoded(params) : undefined, der: encoded(node) };
}

/** A readable one-line DN, in encoding order (C=QA, O=..., CN=...). */
export function formatName(nameDer: Uint8Array): string {
  try {
    const name = AsnConvert.parse(toArrayBuffer(nameDer), Name);
    return name
      .map((rdn) => rdn.map((atv) => `${ATTRIBUTE_NAMES[atv.type] ?? atv.type}=${atv.value.toString()}`).join('+'))
      .join(', ');
  } catch (cause) {
    throw malformed('Bad distinguished name', cause);
  }
}

function nameAttributes(nameDer: Uint8Array, oid: string): string[] {
  const name = AsnConvert.parse(toArrayBuffer(nameDer), Name);
  const out: string[] = [];
  for (const rdn of name) for (const atv of rdn) if (atv.type === oid) out.push(atv.value.toString());
  return out;
}

function parseSubtrees(node: DerNode): GeneralNameValue[] {
  // GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }
  return children(node).map((subtree) => {
    const parts = children(subtree);
    const base = parts[0];
    if (!base) throw malformed('Empty GeneralSubtree');
    // RFC 5280 §4.2.1.10: minimum MUST be zero and maximum MUST be absent.
    if (parts.length > 1) throw malformed('GeneralSubtree minimum/maximum are not used in PKIX');
    return decodeGeneralName(base);
  });
}

function parseNameConstraints(der: Uint8Array): NameConstraintsValue {
  const seq = readNode(der);
  let permitted: GeneralNameValue[] = [];
  let excluded: GeneralNameValue[] = [];
  for (const part of children(seq)) {
    if (part.tag === 0xa0) permitted = parseSubtrees(part);
    else if (part.tag === 0xa1) excluded = parseSubtrees(part);
    else throw malformed('Bad NameConstraints');
  }
  if (permitted.length + excluded.length > 256) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'Too many name constraints' });
  return { permitted, excluded };
}

/** Parses a DER certificate. Throws ERR_TRUST_MALFORMED_INPUT / ERR_TRUST_INPUT_TOO_LARGE. */
export function parseCertificate(input: Uint8Array): ParsedCertificate {
  if (!(input instanceof Uint8Array)) throw new TypeError('parseCertificate expects DER bytes (Uint8Array)');
  const der = new Uint8Array(input);
  const root = assertDerWithinLimits(der, { maxBytes: 32768, maxDepth: 20, maxNodes: 2048 });
  const top = children(root);
  if (top.length !== 3) throw malformed('Certificate must have three parts');
  const [tbsNode, sigAlgNode, sigNode] = top as [DerNode, DerNode, DerNode];
  if (sigNode.tag !== 0x03) throw malformed('Certificate signature is not a BIT STRING');
  const sigBits = value(sigNode);
  if (sigBits[0] !== 0) throw malformed('Signature BIT STRING has unused bits');
  const tbsParts = children(tbsNode);
  let i = 0;
  let version = 1;
  if (tbsParts[0]?.tag === 0xa0) {
    const v = children(tbsParts[0])[0];
    version = v ? (value(v)[0] ?? 0) + 1 : 1;
    i++;
  }
  const innerAlgNode = tbsParts[i + 1];
  const issuerNode = tbsParts[i + 2];
  const subjectNode = tbsParts[i + 4];
  const spkiNode = tbsParts[i + 5];
  if (!innerAlgNode || !issuerNode || !subjectNode || !spkiNode) throw malformed('TBSCertificate is truncated');

  let cert: Certificate;
  try {
    cert = AsnConvert.parse(toArrayBuffer(der), Certificate);
  } catch (cause) {
    throw malformed('Certificate does not decode', cause);
  }
  const tbs = cert.tbsCertificate;
  const extensions: CertificateExtension[] = (tbs.extensions ?? []).map((ext) => ({
    oid: ext.extnID,
    critical: ext.critical,
    value: new Uint8Array(ext.extnValue.buffer),
  }));
  if (extensions.length > 64) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'Too many extensions' });
  const seen = new Set<string>();
  for (const ext of extensions) {
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(ext.oid)) throw malformed(`Duplicate extension ${ext.oid}`);
    seen.add(ext.oid);
  }
  const ext = (oid: string): Uint8Array | undefined => extensions.find((e) => e.oid === oid)?.value;

  const issuerDer = encoded(issuerNode);
  const subjectDer = encoded(subjectNode);
  let basicConstraints: ParsedCertificate['basicConstraints'];
  let keyUsage: Set<KeyUsageName> | undefined;
  let extKeyUsage: string[] | undefined;
  let subjectKeyId: Uint8Array | undefined;
  let authorityKeyId: Uint8Array | undefined;
  let subjectAltNames: GeneralNameValue[] = [];
  let nameConstraints: NameConstraintsValue | undefined;
  const crlDistributionUrls: string[] = [];
  const ocspUrls: string[] = [];
  try {
    const bc = ext(OID.basicConstraints);
    if (bc) {
      const parsed = AsnConvert.parse(toArrayBuffer(bc), BasicConstraints);
      basicConstraints = { cA: parsed.cA, pathLen: parsed.pathLenConstraint };
    }
    const ku = ext(OID.keyUsage);
    if (ku) keyUsage = new Set(AsnConvert.parse(toArrayBuffer(ku), KeyUsage).toJSON().map((n) => (n === 'crlSign' ? 'cRLSign' : n)) as KeyUsageName[]);
    const eku = ext(OID.extKeyUsage);
    if (eku) extKeyUsage = AsnConvert.parse(toArrayBuffer(eku), ExtendedKeyUsage).map(String);
    const ski = ext(OID.subjectKeyIdentifier);
    if (ski) subjectKeyId = new Uint8Array(AsnConvert.parse(toArrayBuffer(ski), SubjectKeyIdentifier).buffer);
    const aki = ext(OID.authorityKeyIdentifier);
    if (aki) {
      const parsed = AsnConvert.parse(toArrayBuffer(aki), AuthorityKeyIdentifier);
      if (parsed.keyIdentifier) authorityKeyId = new Uint8Array(parsed.keyIdentifier.buffer);
    }
    const san = ext(OID.subjectAltName);
    if (san) subjectAltNames = decodeGeneralNames(san);
    const nc = ext(OID.nameConstraints);
    if (nc) nameConstraints = parseNameConstraints(nc);
    const dp = ext(OID.crlDistributionPoints);
    if (dp) {
      for (const point of AsnConvert.parse(toArrayBuffer(dp), CRLDistributionPoints)) {
        for (const name of point.distributionPoint?.fullName ?? []) {
          if (name.uniformResourceIdentifier) crlDistributionUrls.push(name.uniformResourceIdentifier);
        }
      }
    }
    const aia = ext(OID.authorityInfoAccess);
    if (aia) {
      for (const desc of AsnConvert.parse(toArrayBuffer(aia), AuthorityInfoAccessSyntax)) {
        if (desc.accessMethod === OID.accessOcsp && desc.accessLocation.uniformResourceIdentifier) {
          ocspUrls.push(desc.accessLocation.uniformResourceIdentifier);
        }
      }
    }
  } catch (cause) {
    if (cause instanceof TrustError) throw cause;
    throw malformed('A certificate extension does not decode', cause);
  }

  let key: KeyObject | undefined;
  const spki = encoded(spkiNode);
  const spkiAlgNode = children(spkiNode)[0];
  if (!spkiAlgNode) throw malformed('Bad SubjectPublicKeyInfo');
  const subjectRdns = children(subjectNode).map(encoded);
  return {
    der,
    tbs: encoded(tbsNode),
    version,
    serialNumberHex: toHex(new Uint8Array(tbs.serialNumber)).replace(/^(00)+(?=.)/, ''),
    innerSignatureAlgorithm: algorithmIdentifier(innerAlgNode),
    signatureAlgorithm: algorithmIdentifier(sigAlgNode),
    signature: sigBits.subarray(1),
    issuerDer,
    subjectDer,
    issuer: formatName(issuerDer),
    subject: formatName(subjectDer),
    subjectRdns,
    subjectEmails: nameAttributes(subjectDer, OID.emailAddress),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    spki,
    spkiAlgorithm: algorithmIdentifier(spkiAlgNode),
    extensions,
    basicConstraints,
    keyUsage,
    extKeyUsage,
    subjectKeyId,
    authorityKeyId,
    subjectAltNames,
    nameConstraints,
    crlDistributionUrls,
    ocspUrls,
    ocspNoCheck: extensions.some((e) => e.oid === OID.ocspNoCheck),
    selfIssued: Buffer.from(issuerDer).equals(subjectDer),
    fingerprint: createHash('sha256').update(der).digest('hex'),
    publicKey(): KeyObject {
      if (!key) {
        try {
          key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
        } catch (cause) {
          throw new TrustError('ERR_TRUST_UNSUPPORTED_ALGORITHM', { message: 'The public key type is not supported', cause });
        }
      }
      return key;
    },
  };
}
