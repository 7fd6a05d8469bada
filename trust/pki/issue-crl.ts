/** CRL issuing (RFC 5280 §5) with @peculiar/x509, for the demo PKI and tests. */
import { webcrypto } from 'node:crypto';
import { contextPrimitive, integer, sequence } from '../util/der-encode.js';
import { toArrayBuffer } from '../util/der.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { OID } from '../x509/oids.js';
import { toCryptoKeys, webCryptoSigning, type KeyPair, type RsaScheme } from './key-pair.js';
import type { RevocationReason } from '../revocation/crl.js';
import { keyIdentifier } from './issue-certificate.js';
import { x509 } from './x509-library.js';

/** RFC 5280 §5.3.1 reason codes (the same names the CRL parser reports). */
export type CrlReason = RevocationReason;

export const CRL_REASON_CODES: Readonly<Record<CrlReason, number>> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
};

export interface RevokedEntry {
  readonly serialNumberHex: string;
  readonly revokedAt: Date;
  readonly reason?: CrlReason;
}

export interface IssueCrlOptions {
  readonly issuer: { readonly certificate: ParsedCertificate; readonly key: KeyPair };
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly entries: readonly RevokedEntry[];
  /** @default 1 */
  readonly crlNumber?: number;
  readonly rsaScheme?: RsaScheme;
  /** Test hook: extra CRL extensions (e.g. an unknown critical one). */
  readonly extraExtensions?: ReadonlyArray<{ readonly oid: string; readonly critical: boolean; readonly value: Uint8Array }>;
}

/** Returns the DER CRL. */
export async function issueCrl(options: IssueCrlOptions): Promise<Uint8Array> {
  const scheme = options.rsaScheme ?? 'pkcs1';
  const { privateKey } = await toCryptoKeys(options.issuer.key, scheme);
  const issuerCert = options.issuer.certificate;
  const akid = issuerCert.subjectKeyId ?? keyIdentifier(issuerCert.spki);
  const extensions = [
    new x509.Extension(OID.authorityKeyIdentifier, false, toArrayBuffer(sequence(contextPrimitive(0, akid)))),
    new x509.Extension(OID.crlNumber, false, toArrayBuffer(integer(options.crlNumber ?? 1))),
    ...(options.extraExtensions ?? []).map((e) => new x509.Extension(e.oid, e.critical, toArrayBuffer(e.value))),
  ];
  const crl = await x509.X509CrlGenerator.create(
    {
      issuer: new x509.Name(toArrayBuffer(issuerCert.subjectDer)),
      thisUpdate: options.thisUpdate,
      nextUpdate: options.nextUpdate,
      signingKey: privateKey,
      signingAlgorithm: webCryptoSigning(options.issuer.key.type, scheme).signAlg,
      extensions,
      entries: options.entries.map((e) => ({
        serialNumber: e.serialNumberHex,
        revocationDate: e.revokedAt,
        ...(e.reason && e.reason !== 'unspecified' ? { reason: CRL_REASON_CODES[e.reason] } : {}),
      })),
    },
    webcrypto as unknown as Parameters<typeof x509.X509CrlGenerator.create>[1],
  );
  return new Uint8Array(crl.rawData);
}
