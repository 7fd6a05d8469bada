/**
 * Certificate issuing for the demo PKI and for tests, with @peculiar/x509. Profiles follow RFC 5280
 * and the CA/Browser-style conventions OpenSSL's -x509_strict checks (SKI and AKI present, keyUsage
 * on CAs, basicConstraints critical on CAs). `overrides` exists so that tests can issue a
 * certificate that breaks exactly one rule.
 */
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { concat, contextConstructed, contextPrimitive, ia5String, octetString, oid, sequence, tlv } from '../util/der-encode.js';
import { children, readNode, toArrayBuffer, value } from '../util/der.js';
import { parseIp } from '../x509/general-names.js';
import { OID } from '../x509/oids.js';
import { parseCertificate, type KeyUsageName, type ParsedCertificate } from '../x509/parse-certificate.js';
import { spkiDer, toCryptoKeys, webCryptoSigning, type KeyPair, type RsaScheme } from './key-pair.js';
import { x509 } from './x509-library.js';

export type CertificateProfile = 'root-ca' | 'intermediate-ca' | 'client' | 'server' | 'signing' | 'ocsp' | 'tsa' | 'end-entity';

export interface SubjectAltNames {
  readonly dns?: readonly string[];
  readonly ip?: readonly string[];
  readonly email?: readonly string[];
  readonly uri?: readonly string[];
}

export interface NameConstraintsInput {
  /** Entries like `dns:example.qa`, `email:.gov.qa`, `uri:.gov.qa`, `ip:10.0.0.0/8`, `dn:C=QA, O=Gov`. */
  readonly permitted?: readonly string[];
  readonly excluded?: readonly string[];
}

export interface IssuerInput {
  readonly certificate: ParsedCertificate;
  readonly key: KeyPair;
}

export interface IssueCertificateOptions {
  /** Subject DN, e.g. `C=QA, O=Civil Service Bureau, CN=hr-portal`. */
  readonly subject: string;
  readonly subjectKey: KeyPair;
  /** The issuing CA; absent for a self-signed root. */
  readonly issuer?: IssuerInput;
  readonly profile: CertificateProfile;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** basicConstraints pathLenConstraint for CA profiles. */
  readonly pathLen?: number;
  readonly subjectAltNames?: SubjectAltNames;
  readonly nameConstraints?: NameConstraintsInput;
  readonly crlUrls?: readonly string[];
  readonly ocspUrls?: readonly string[];
  /** Hex serial; random 16 bytes when absent. */
  readonly serialNumber?: string;
  /** How an RSA issuer signs. @default 'pkcs1' */
  readonly rsaScheme?: RsaScheme;
  /** Test hooks: replace or drop a standard extension, or add raw ones. */
  readonly overrides?: {
    readonly basicConstraints?: { readonly cA: boolean; readonly pathLen?: number; readonly critical?: boolean } | null;
    readonly keyUsage?: readonly KeyUsageName[] | null;
    readonly extKeyUsage?: readonly string[] | null;
    readonly authorityKeyId?: Uint8Array | null;
    readonly subjectKeyId?: Uint8Array | null;
    readonly extraExtensions?: ReadonlyArray<{ readonly oid: string; readonly critical: boolean; readonly value: Uint8Array }>;
  };
}

const KEY_USAGE_FLAGS: Record<KeyUsageName, number> = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
};

interface ProfileDefaults {
  readonly ca: boolean;
  readonly keyUsage: readonly KeyUsageName[];
  readonly extKeyUsage: readonly string[] | undefined;
  readonly ekuCritical?: boolean;
}

const PROFILES: Record<CertificateProfile, ProfileDefaults> = {
  'root-ca': { ca: true, keyUsage: ['keyCertSign', 'cRLSign'], extKeyUsage: undefined },
  'intermediate-ca': { ca: true, keyUsage: ['keyCertSign', 'cRLSign'], extKeyUsage: undefined },
  client: { ca: false, keyUsage: ['digitalSignature'], extKeyUsage: [OID.ekuClientAuth] },
  server: { ca: false, keyUsage: ['digitalSignature'], extKeyUsage: [OID.ekuServerAuth] },
  signing: { ca: false, keyUsage: ['digitalSignature', 'nonRepudiation'], extKeyUsage: [OID.ekuGccSigning] },
  ocsp: { ca: false, keyUsage: ['digitalSignature'], extKeyUsage: [OID.ekuOcspSigning] },
  // RFC 3161 §2.3: the TSA certificate has exactly one EKU, timeStamping, marked critical.
  tsa: { ca: false, keyUsage: ['digitalSignature'], extKeyUsage: [OID.ekuTimeStamping], ekuCritical: true },
  'end-entity': { ca: false, keyUsage: ['digitalSignature'], extKeyUsage: undefined },
};

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  const [, bits] = children(readNode(spki));
  if (!bits) throw new TypeError('bad SPKI');
  return new Uint8Array(createHash('sha1').update(value(bits).subarray(1)).digest());
}

function rawExtension(oidText: string, critical: boolean, der: Uint8Array): InstanceType<typeof x509.Extension> {
  return new x509.Extension(oidText, critical, toArrayBuffer(der));
}

function generalNameDer(entry: string): Uint8Array {
  const colon = entry.indexOf(':');
  const kind = entry.slice(0, colon);
  const text = entry.slice(colon + 1);
  switch (kind) {
    case 'email':
      return tlv(0x81, ia5String(text).subarray(2));
    case 'dns':
      return tlv(0x82, ia5String(text).subarray(2));
    case 'uri':
      return tlv(0x86, ia5String(text).subarray(2));
    case 'ip': {
      const [address, prefixText] = text.split('/');
      const bytes = parseIp(address ?? '');
      if (!bytes) throw new TypeError(`bad IP constraint ${text}`);
      const prefix = Number(prefixText ?? bytes.length * 8);
      const mask = new Uint8Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) mask[i] = Math.max(0, Math.min(8, prefix - i * 8)) === 0 ? 0 : (0xff << (8 - Math.min(8, prefix - i * 8))) & 0xff;
      return contextPrimitive(7, concat(bytes, mask));
    }
    case 'dn':
      return contextConstructed(4, new Uint8Array(new x509.Name(text).toArrayBuffer()));
    default:
      throw new TypeError(`Unknown name constraint kind ${kind}`);
  }
}

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] ... } */
export function encodeNameConstraints(input: NameConstraintsInput): Uint8Array {
  const subtrees = (entries: readonly string[]): Uint8Array => concat(...entries.map((e) => sequence(generalNameDer(e))));
  const parts: Uint8Array[] = [];
  if (input.permitted?.length) parts.push(contextConstructed(0, subtrees(input.permitted)));
  if (input.excluded?.length) parts.push(contextConstructed(1, subtrees(input.excluded)));
  return sequence(...parts);
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f;
  if (bytes[0] === 0) bytes[0] = 1;
  return bytes.toString('hex');
}

/** Issues one certificate and returns it parsed (DER in `.der`). */
export async function issueCertificate(options: IssueCertificateOptions): Promise<ParsedCertificate> {
  if (!options || typeof options.subject !== 'string') throw new TypeError('issueCertificate needs a subject');
  const profile = PROFILES[options.profile];
  if (!profile) throw new TypeError(`Unknown profile ${String(options.profile)}`);
  const signerKey = options.issuer?.key ?? options.subjectKey;
  const scheme = options.rsaScheme ?? 'pkcs1';
  const { privateKey } = await toCryptoKeys(signerKey, scheme);
  const subjectSpki = spkiDer(options.subjectKey.publicKey);
  const o = options.overrides ?? {};
  const extensions: InstanceType<typeof x509.Extension>[] = [];

  const bc = o.basicConstraints === undefined ? (profile.ca ? { cA: true, pathLen: options.pathLen, critical: true } : undefined) : o.basicConstraints;
  if (bc) extensions.push(new x509.BasicConstraintsExtension(bc.cA, bc.pathLen, bc.critical ?? true));
  const ku = o.keyUsage === undefined ? profile.keyUsage : o.keyUsage;
  if (ku) extensions.push(new x509.KeyUsagesExtension(ku.reduce((acc, n) => acc | KEY_USAGE_FLAGS[n], 0), true));
  const eku = o.extKeyUsage === undefined ? profile.extKeyUsage : o.extKeyUsage;
  if (eku) extensions.push(new x509.ExtendedKeyUsageExtension([...eku], profile.ekuCritical ?? false));
  const ski = o.subjectKeyId === undefined ? keyIdentifier(subjectSpki) : o.subjectKeyId;
  if (ski) extensions.push(rawExtension(OID.subjectKeyIdentifier, false, octetString(ski)));
  const issuerSki = options.issuer ? options.issuer.certificate.subjectKeyId ?? keyIdentifier(options.issuer.certificate.spki) : ski;
  const aki = o.authorityKeyId === undefined ? issuerSki : o.authorityKeyId;
  if (aki) extensions.push(rawExtension(OID.authorityKeyIdentifier, false, sequence(contextPrimitive(0, aki))));
  const san = options.subjectAltNames;
  if (san) {
    const names = [
      ...(san.dns ?? []).map((v) => `dns:${v}`),
      ...(san.ip ?? []).map((v) => `ip:${v}`),
      ...(san.email ?? []).map((v) => `email:${v}`),
      ...(san.uri ?? []).map((v) => `uri:${v}`),
    ].map((entry) => (entry.startsWith('ip:') ? contextPrimitive(7, parseIp(entry.slice(3)) ?? new Uint8Array()) : generalNameDer(entry)));
    // RFC 5280 §4.2.1.6: critical when the subject DN is empty.
    if (names.length > 0) extensions.push(rawExtension(OID.subjectAltName, options.subject === '', sequence(...names)));
  }
  if (options.nameConstraints) {
    // RFC 5280 §4.2.1.10: conforming CAs MUST mark this extension as critical.
    extensions.push(rawExtension(OID.nameConstraints, true, encodeNameConstraints(options.nameConstraints)));
  }
  if (options.crlUrls?.length) {
    extensions.push(new x509.CRLDistributionPointsExtension([...options.crlUrls]));
  }
  if (options.ocspUrls?.length) {
    const descriptions = options.ocspUrls.map((url) => sequence(oid(OID.accessOcsp), tlv(0x86, ia5String(url).subarray(2))));
    extensions.push(rawExtension(OID.authorityInfoAccess, false, sequence(...descriptions)));
  }
  if (options.profile === 'ocsp') {
    // RFC 6960 §4.2.2.2.1: id-pkix-ocsp-nocheck, so clients do not check the responder itself.
    extensions.push(rawExtension(OID.ocspNoCheck, false, new Uint8Array([0x05, 0x00])));
  }
  for (const extra of o.extraExtensions ?? []) extensions.push(rawExtension(extra.oid, extra.critical, extra.value));

  const { signAlg } = webCryptoSigning(signerKey.type, scheme);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: options.serialNumber ?? randomSerial(),
      subject: options.subject,
      issuer: options.issuer ? new x509.Name(toArrayBuffer(options.issuer.certificate.subjectDer)) : options.subject,
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      publicKey: new x509.PublicKey(toArrayBuffer(subjectSpki)),
      signingKey: privateKey,
      signingAlgorithm: signAlg,
      extensions,
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.create>[1],
  );
  return parseCertificate(new Uint8Array(cert.rawData));
}

/** Re-signs nothing: returns a copy of `der` with one bit of the signature flipped (for tests and demos of refusal). */
export function withCorruptedSignature(cert: ParsedCertificate): Uint8Array {
  const out = new Uint8Array(cert.der);
  out[out.length - 1] = (out[out.length - 1] as number) ^ 0x01;
  return out;
}

