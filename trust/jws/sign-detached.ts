/**
 * Detached JWS in the JAdES baseline style (ETSI TS 119 182-1): RFC 7515 compact serialisation with
 * the payload left out (Appendix F) and unencoded (RFC 7797 `b64: false`). The protected header
 * carries `x5c` (the signer's chain), `x5t#S256`, and `sigT` (claimed signing time), all listed in
 * `crit` where a verifier must understand them.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { FlattenedSign, type JWSHeaderParameters } from 'jose';
import type { ParsedCertificate } from '../x509/parse-certificate.js';

export type JwsAlgorithm = 'ES256' | 'ES384' | 'PS256' | 'EdDSA' | 'RS256';

/** The algorithm that goes with a key: ES256 (P-256), ES384 (P-384), EdDSA (Ed25519), PS256 (RSA). */
export function algorithmForKey(key: KeyObject, rsa: 'PS256' | 'RS256' = 'PS256'): JwsAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
      if (key.asymmetricKeyDetails?.namedCurve === 'secp384r1') return 'ES384';
      break;
    case 'ed25519':
      return 'EdDSA';
    case 'rsa':
    case 'rsa-pss':
      return rsa;
    default:
      break;
  }
  throw new TypeError(`No JWS algorithm for key type ${String(key.asymmetricKeyType)}`);
}

/** `sigT` as ETSI TS 119 182-1 §5.2.1 wants it: UTC, seconds precision. */
export function formatSigT(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function x5tS256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}

export interface SignDetachedOptions {
  readonly payload: Uint8Array;
  readonly privateKey: KeyObject;
  /** The signer's chain, signer first (anchor optional). */
  readonly certificates: readonly (ParsedCertificate | Uint8Array)[];
  readonly signingTime: Date;
  /** @default derived from the key (PS256 for RSA) */
  readonly algorithm?: JwsAlgorithm;
  /** Extra protected header parameters; their names are added to `crit`. */
  readonly headerParameters?: Readonly<Record<string, unknown>>;
  readonly typ?: string;
}

/** Returns the compact detached JWS `<protected>..<signature>`. */
export async function signDetached(options: SignDetachedOptions): Promise<string> {
  if (!(options.payload instanceof Uint8Array)) throw new TypeError('signDetached needs payload bytes');
  if (!options.certificates?.length) throw new TypeError('signDetached needs the signer certificate chain');
  const ders = options.certificates.map((c) => (c instanceof Uint8Array ? c : c.der));
  const alg = options.algorithm ?? algorithmForKey(options.privateKey);
  const extra = options.headerParameters ?? {};
  for (const name of Object.keys(extra)) {
    if (['alg', 'b64', 'crit', 'x5c', 'x5t#S256', 'sigT', 'jwk', 'jku', 'kid', 'x5u'].includes(name)) throw new TypeError(`Header parameter ${name} is reserved`);
  }
  const header: JWSHeaderParameters = {
    alg,
    ...(options.typ ? { typ: options.typ } : {}),
    b64: false,
    // RFC 7797 §6: b64 must be in crit; ETSI TS 119 182-1 §5.1.1: sigT must be in crit.
    crit: ['b64', 'sigT', ...Object.keys(extra)],
    sigT: formatSigT(options.signingTime),
    x5c: ders.map((d) => Buffer.from(d).toString('base64')),
    'x5t#S256': x5tS256(ders[0] as Uint8Array),
    ...extra,
  };
  const crit: Record<string, boolean> = { sigT: true };
  for (const name of Object.keys(extra)) crit[name] = true;
  const jws = await new FlattenedSign(options.payload).setProtectedHeader(header).sign(options.privateKey, { crit });
  return `${jws.protected}..${jws.signature}`;
}
