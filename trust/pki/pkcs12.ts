/**
 * PKCS#12 import/export for RSA keys, with node-forge: the one job it is the right tool for (it
 * cannot parse ECDSA keys or certificates, so anything else is refused with a TypeError).
 */
import forge from 'node-forge';
import { TrustError } from '../errors/trust-error.js';
import { derToPem } from '../util/pem.js';
import { parseCertificate, type ParsedCertificate } from '../x509/parse-certificate.js';
import { keyPairFromPem, privateKeyPem, type KeyPair } from './key-pair.js';

export interface Pkcs12Contents {
  readonly key: KeyPair;
  /** Certificates in file order (the key's certificate first when the file was made here). */
  readonly certificates: readonly ParsedCertificate[];
}

type ForgeCertificate = forge.pki.Certificate & { gccRawDer?: Uint8Array };

/**
 * node-forge rebuilds a certificate's outer AlgorithmIdentifier from parsed fields, which changes
 * the bytes of RSASSA-PSS certificates and breaks their signatures. While `fn` runs (synchronously),
 * certificates keep their original DER on the way in and out. The patch is undone before returning.
 */
function withOriginalCertificateBytes<T>(fn: () => T): T {
  const pki = forge.pki as unknown as { certificateToAsn1: (c: ForgeCertificate) => forge.asn1.Asn1; certificateFromAsn1: (a: forge.asn1.Asn1, h?: boolean) => ForgeCertificate };
  const toAsn1 = pki.certificateToAsn1;
  const fromAsn1 = pki.certificateFromAsn1;
  pki.certificateToAsn1 = (cert) => (cert.gccRawDer ? forge.asn1.fromDer(Buffer.from(cert.gccRawDer).toString('binary')) : toAsn1(cert));
  pki.certificateFromAsn1 = (asn1, computeHash) => {
    const cert = fromAsn1(asn1, computeHash);
    cert.gccRawDer = new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
    return cert;
  };
  try {
    return fn();
  } finally {
    pki.certificateToAsn1 = toAsn1;
    pki.certificateFromAsn1 = fromAsn1;
  }
}

/** Exports an RSA key and its chain as a password-protected PKCS#12 (AES-256 PBES2, RFC 7292). */
export function exportPkcs12(options: { readonly key: KeyPair; readonly certificates: readonly ParsedCertificate[]; readonly password: string; readonly friendlyName?: string }): Uint8Array {
  if (!options.key.type.startsWith('rsa')) throw new TypeError('PKCS#12 export is only offered for RSA keys (node-forge cannot handle others)');
  if (typeof options.password !== 'string' || options.password.length < 8) throw new TypeError('A PKCS#12 password of at least 8 characters is required');
  const key = forge.pki.privateKeyFromPem(privateKeyPem(options.key));
  return withOriginalCertificateBytes(() => {
    const certs = options.certificates.map((c) => {
      const cert: ForgeCertificate = forge.pki.certificateFromPem(derToPem(c.der));
      cert.gccRawDer = c.der;
      return cert;
    });
    const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, options.password, { algorithm: 'aes256', ...(options.friendlyName ? { friendlyName: options.friendlyName } : {}) });
    return new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
  });
}

export function importPkcs12(der: Uint8Array, password: string): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = withOriginalCertificateBytes(() => forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary'))), password));
  } catch (cause) {
    throw new TrustError('ERR_TRUST_MALFORMED_INPUT', { message: 'Not a PKCS#12 file, or a wrong password', cause });
  }
  const keyBagType = forge.pki.oids.pkcs8ShroudedKeyBag as string;
  const certBagType = forge.pki.oids.certBag as string;
  const keyBags: forge.pkcs12.Bag[] = p12.getBags({ bagType: keyBagType })[keyBagType] ?? [];
  const certBags: forge.pkcs12.Bag[] = p12.getBags({ bagType: certBagType })[certBagType] ?? [];
  const rsaKey = keyBags[0]?.key;
  if (!rsaKey) throw new TrustError('ERR_TRUST_MALFORMED_INPUT', { message: 'The PKCS#12 file holds no RSA private key' });
  const key = keyPairFromPem(forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(rsaKey as forge.pki.rsa.PrivateKey))));
  const certificates = certBags
    .filter((b) => b.cert)
    .map((b) => {
      const raw = (b.cert as ForgeCertificate).gccRawDer;
      if (!raw) throw new TrustError('ERR_TRUST_MALFORMED_INPUT', { message: 'A certificate in the PKCS#12 file could not be read' });
      return parseCertificate(raw);
    });
  return { key, certificates };
}
