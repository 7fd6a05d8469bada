/**
 * Signing a trust list: RFC 7515 flattened JSON serialisation, payload = the RFC 8785 canonical form
 * of the document, protected header with `x5c` (operator signer chain), `x5t#S256`, and `sigT` in
 * `crit` (ETSI TS 119 182-1 §5.1.1).
 */
import type { KeyObject } from 'node:crypto';
import { FlattenedSign } from 'jose';
import { canonicalize } from '../util/canonical-json.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { algorithmForKey, formatSigT, x5tS256 } from '../jws/sign-detached.js';
import { assertTrustListDocument, type TrustListDocument } from './trust-list.js';

export const TRUST_LIST_JWS_TYPE = 'gcc-trust-list+jws';

export interface SignTrustListOptions {
  readonly document: TrustListDocument;
  readonly privateKey: KeyObject;
  /** Operator signer chain, signer first. */
  readonly certificates: readonly ParsedCertificate[];
  readonly signingTime: Date;
}

/** Returns the signed trust list as pretty-printed flattened JWS JSON text. */
export async function signTrustList(options: SignTrustListOptions): Promise<string> {
  assertTrustListDocument(options.document);
  const payload = new TextEncoder().encode(canonicalize(options.document));
  const signer = options.certificates[0];
  if (!signer) throw new TypeError('signTrustList needs the operator certificate');
  const jws = await new FlattenedSign(payload)
    .setProtectedHeader({
      alg: algorithmForKey(options.privateKey),
      typ: TRUST_LIST_JWS_TYPE,
      crit: ['sigT'],
      sigT: formatSigT(options.signingTime),
      x5c: options.certificates.map((c) => Buffer.from(c.der).toString('base64')),
      'x5t#S256': x5tS256(signer.der),
    })
    .sign(options.privateKey, { crit: { sigT: true } });
  return `${JSON.stringify({ protected: jws.protected, payload: jws.payload, signature: jws.signature }, null, 2)}\n`;
}
