/**
 * Cryptographic verification of a detached JWS (RFC 7515 + RFC 7797), before any trust decision.
 * The protected header is inspected by us first, with hard limits, so that hostile input is refused
 * early and with a precise code; then jose verifies the signature with the key from `x5c[0]`.
 * Chain, revocation and identity are checked by the callers (verify-signature.ts).
 */
import { constants, verify as cryptoVerify } from 'node:crypto';
import { flattenedVerify, type JWSHeaderParameters } from 'jose';
import { TrustError } from '../errors/trust-error.js';
import { parseCertificate, type ParsedCertificate } from '../x509/parse-certificate.js';
import { x5tS256, type JwsAlgorithm } from './sign-detached.js';

export const DEFAULT_JWS_ALGORITHMS: readonly JwsAlgorithm[] = ['ES256', 'ES384', 'PS256', 'EdDSA'];
/** Header parameters this library understands when they appear in `crit`. */
export const BASE_CRIT = ['b64', 'sigT'] as const;

export interface DecodedDetachedJws {
  readonly protectedB64: string;
  readonly signatureB64: string;
  readonly header: JWSHeaderParameters & Record<string, unknown>;
  readonly certificates: readonly ParsedCertificate[];
  readonly signingTime: Date;
  /** Cache slot of this exact x5c, when a cache was given and jose already accepted this signer. */
  readonly cached?: ParsedX5c;
}

/**
 * Parsed x5c chains and imported verification keys of signers jose has accepted, keyed by the
 * x5t#S256 of the signer certificate (see ValidatedChainCache). A short key instead of the x5c text
 * (about 2 KB for a 3-certificate chain), which a Map would hash on every request. The x5t#S256 in a
 * header is only a claim: an entry is used only when the header's x5c is exactly the entry's.
 */
export interface ParsedChainCache {
  getParsed(x5t: string): ParsedX5c | undefined;
  setParsed(x5t: string, value: ParsedX5c): void;
}

export interface ParsedX5c {
  /** The x5c strings this entry was parsed from; a header must carry exactly these to use it. */
  readonly x5c: readonly string[];
  readonly certificates: readonly ParsedCertificate[];
  /** Algorithms jose has already verified a signature of this signer with. */
  readonly joseVerified: Set<string>;
  /** x5t#S256 of the signer certificate, computed from its DER (never taken from a header). */
  readonly x5t: string;
}

/**
 * The JWS signature check for a signer jose has already verified once (hot path): RFC 7515 §5.2
 * over the signing input `ASCII(protected) || '.' || payload` (RFC 7797 §3, b64 false), with the
 * RFC 7518 encodings: ECDSA as r||s (§3.4), RSASSA-PSS with a salt of the hash length (§3.5),
 * EdDSA per RFC 8037 §3.1. jose verifies through WebCrypto on the thread pool, measured at well
 * under the raw node:crypto rate one request at a time (bench/trust), hence this path.
 */
function verifyWithNodeCrypto(alg: JwsAlgorithm, signer: ParsedCertificate, protectedB64: string, payload: Uint8Array, signatureB64: string): boolean {
  // JWS signing input (RFC 7515 §5.2, RFC 7797 §3): ASCII(protected) || '.' || payload, in one buffer.
  const input = Buffer.allocUnsafe(protectedB64.length + 1 + payload.length);
  input.write(protectedB64, 0, 'latin1');
  input[protectedB64.length] = 0x2e;
  input.set(payload, protectedB64.length + 1);
  const signature = Buffer.from(signatureB64, 'base64url');
  const key = signer.publicKey();
  switch (alg) {
    case 'ES256':
      return signature.length === 64 && cryptoVerify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'ES384':
      return signature.length === 96 && cryptoVerify('sha384', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'EdDSA':
      return signature.length === 64 && cryptoVerify(null, input, key, signature);
    case 'PS256':
      return cryptoVerify('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    case 'RS256':
      return cryptoVerify('sha256', input, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  }
}

export interface VerifyDetachedOptions {
  readonly jws: string;
  readonly payload: Uint8Array;
  /** @default ES256, ES384, PS256, EdDSA; RS256 only if listed here. `none` and HS* are never accepted. */
  readonly algorithms?: readonly JwsAlgorithm[];
  /** Extension header names the caller understands (added to b64 and sigT). */
  readonly crit?: readonly string[];
  /** @default 16384 bytes of encoded protected header */
  readonly maxHeaderBytes?: number;
  /** @default 5 certificates in x5c */
  readonly maxChainLength?: number;
  /** Reuse parsed x5c chains and imported keys across calls. */
  readonly parsedCache?: ParsedChainCache;
}

function malformed(message: string, cause?: unknown): TrustError {
  return new TrustError('ERR_TRUST_JWS_MALFORMED', { message, cause });
}

function jsonDepth(value: unknown, depth = 0): number {
  if (depth > 8) return depth;
  if (value && typeof value === 'object') {
    let max = depth;
    for (const v of Object.values(value)) max = Math.max(max, jsonDepth(v, depth + 1));
    return max;
  }
  return depth;
}

const KEY_FOR_ALG: Record<JwsAlgorithm, (c: ParsedCertificate) => boolean> = {
  ES256: (c) => c.publicKey().asymmetricKeyType === 'ec' && c.publicKey().asymmetricKeyDetails?.namedCurve === 'prime256v1',
  ES384: (c) => c.publicKey().asymmetricKeyType === 'ec' && c.publicKey().asymmetricKeyDetails?.namedCurve === 'secp384r1',
  PS256: (c) => c.publicKey().asymmetricKeyType === 'rsa' || c.publicKey().asymmetricKeyType === 'rsa-pss',
  RS256: (c) => c.publicKey().asymmetricKeyType === 'rsa',
  EdDSA: (c) => c.publicKey().asymmetricKeyType === 'ed25519',
};

/** Decodes and checks the protected header, without verifying the signature. */
export function decodeDetachedJws(options: Omit<VerifyDetachedOptions, 'payload'>): DecodedDetachedJws {
  const { jws } = options;
  if (typeof jws !== 'string') throw new TypeError('jws must be a string');
  const maxHeaderBytes = options.maxHeaderBytes ?? 16384;
  if (jws.length > maxHeaderBytes + 2048) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'The JWS is too large' });
  const parts = jws.split('.');
  if (parts.length !== 3) throw malformed('A detached JWS has three parts');
  const [protectedB64, payloadB64, signatureB64] = parts as [string, string, string];
  // RFC 7515 Appendix F: the payload part of a detached JWS is empty.
  if (payloadB64 !== '') throw malformed('The payload part of a detached JWS must be empty');
  if (!/^[A-Za-z0-9_-]*$/.test(signatureB64)) throw malformed('Not base64url');
  // Strict base64url (RFC 7515 §2, RFC 4648 §5, no padding): Node's decoder skips characters it does
  // not know, so the header must re-encode to exactly the bytes received. This also refuses
  // non-canonical encodings, and costs less than a regular expression over the whole header.
  const headerBytes = Buffer.from(protectedB64, 'base64url');
  if (protectedB64.length === 0 || headerBytes.toString('base64url') !== protectedB64) throw malformed('Not base64url');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw malformed('The protected header is not JSON', cause);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw malformed('The protected header is not an object');
  if (jsonDepth(header) > 4) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'The protected header is nested too deeply' });

  const allowed = options.algorithms ?? DEFAULT_JWS_ALGORITHMS;
  const alg = header.alg;
  // RFC 8725 §3.1-3.2: never `none`, never a MAC keyed with something public.
  if (typeof alg !== 'string' || alg === 'none' || /^HS/i.test(alg) || !(allowed as readonly string[]).includes(alg)) {
    throw new TrustError('ERR_TRUST_JWS_ALG_NOT_ALLOWED', { message: `JWS algorithm ${String(alg)} is not allowed` });
  }
  // RFC 7797 §3: this library only speaks unencoded detached payloads, and b64 must then be critical.
  const crit = header.crit;
  if (!Array.isArray(crit) || crit.length === 0 || crit.length > 16 || !crit.every((c) => typeof c === 'string')) {
    throw new TrustError('ERR_TRUST_JWS_CRIT', { message: 'crit must list b64 and sigT' });
  }
  const understood = new Set<string>([...BASE_CRIT, ...(options.crit ?? [])]);
  const unknown = crit.find((c) => !understood.has(c));
  if (unknown !== undefined) throw new TrustError('ERR_TRUST_JWS_CRIT', { message: `Unknown critical header parameter ${String(unknown)}` });
  if (new Set(crit).size !== crit.length) throw new TrustError('ERR_TRUST_JWS_CRIT', { message: 'Duplicate crit entries' });
  for (const name of crit as string[]) if (!(name in header)) throw new TrustError('ERR_TRUST_JWS_CRIT', { message: `crit names ${name} but the header lacks it` });
  if (header.b64 !== false || !crit.includes('b64')) throw new TrustError('ERR_TRUST_JWS_CRIT', { message: 'b64 must be false and critical' });
  if (!crit.includes('sigT') || typeof header.sigT !== 'string') throw new TrustError('ERR_TRUST_JWS_CRIT', { message: 'sigT must be present and critical' });
  for (const banned of ['jwk', 'jku', 'x5u']) {
    // Keys must come from x5c and be validated against the trust list, never from a URL or inline JWK.
    if (banned in header) throw malformed(`Header parameter ${banned} is not accepted`);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(header.sigT)) throw malformed('sigT must be UTC with seconds precision');
  const signingTime = new Date(header.sigT);
  if (Number.isNaN(signingTime.getTime())) throw malformed('sigT is not a date');

  const x5c = header.x5c;
  const maxChain = options.maxChainLength ?? 5;
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > maxChain || !x5c.every((c) => typeof c === 'string')) {
    throw malformed(`x5c must hold 1..${maxChain} certificates`);
  }
  const x5cKey = (x5c as string[]).join('.');
  const cached = options.parsedCache?.getParsed(x5cKey);
  const certificates =
    cached?.certificates ??
    (x5c as string[]).map((b64, index) => {
      // RFC 7515 §4.1.6: standard base64 (not base64url) DER.
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw malformed(`x5c[${index}] is not base64`);
      try {
        return parseCertificate(new Uint8Array(Buffer.from(b64, 'base64')));
      } catch (cause) {
        throw malformed(`x5c[${index}] is not a certificate`, cause);
      }
    });

  const signer = certificates[0] as ParsedCertificate;
  if (header['x5t#S256'] === undefined) throw malformed('x5t#S256 is required');
  if (header['x5t#S256'] !== (cached?.x5t ?? x5tS256(signer.der))) throw malformed('x5t#S256 does not match x5c[0]');
  // A chain jose already accepted for this algorithm has a key of the right type (see verifyDetached).
  if (!cached?.joseVerified.has(alg as JwsAlgorithm) && !KEY_FOR_ALG[alg as JwsAlgorithm](signer)) {
    throw new TrustError('ERR_TRUST_JWS_ALG_NOT_ALLOWED', { message: `Algorithm ${alg} does not fit the signer's key type` });
  }
  return { protectedB64, signatureB64, header: header as DecodedDetachedJws['header'], certificates, signingTime, x5cKey, ...(cached ? { cached } : {}) };
}

/**
 * The synchronous fast path of `verifyDetached`: when this exact x5c chain was already accepted by
 * jose for this algorithm, the signature is checked with node:crypto and the result returned;
 * otherwise `undefined` (call `verifyDetached`). A bad signature throws either way.
 */
export function verifyDetachedCached(options: VerifyDetachedOptions): DecodedDetachedJws | undefined {
  if (options.parsedCache === undefined) return undefined;
  if (!(options.payload instanceof Uint8Array)) throw new TypeError('verifyDetached needs payload bytes');
  const decoded = decodeDetachedJws(options);
  const alg = decoded.header.alg as JwsAlgorithm;
  if (!decoded.cached?.joseVerified.has(alg)) return undefined;
  if (!verifyWithNodeCrypto(alg, decoded.certificates[0] as ParsedCertificate, decoded.protectedB64, options.payload, decoded.signatureB64)) {
    throw new TrustError('ERR_TRUST_JWS_BAD_SIGNATURE');
  }
  return decoded;
}

/** Decodes the header and verifies the signature over `payload` with the key of `x5c[0]`. */
export async function verifyDetached(options: VerifyDetachedOptions): Promise<DecodedDetachedJws> {
  if (!(options.payload instanceof Uint8Array)) throw new TypeError('verifyDetached needs payload bytes');
  const decoded = decodeDetachedJws(options);
  const critOption: Record<string, boolean> = { sigT: true };
  for (const name of options.crit ?? []) critOption[name] = true;
  const alg = decoded.header.alg as JwsAlgorithm;
  const signer = decoded.certificates[0] as ParsedCertificate;
  if (decoded.cached?.joseVerified.has(alg)) {
    if (!verifyWithNodeCrypto(alg, signer, decoded.protectedB64, options.payload, decoded.signatureB64)) throw new TrustError('ERR_TRUST_JWS_BAD_SIGNATURE');
    return decoded;
  }
  try {
    await flattenedVerify({ protected: decoded.protectedB64, payload: options.payload, signature: decoded.signatureB64 }, signer.publicKey(), { algorithms: [alg], crit: critOption });
  } catch (cause) {
    throw new TrustError('ERR_TRUST_JWS_BAD_SIGNATURE', { cause });
  }
  // Only chains whose signature jose accepted enter the cache, so hostile x5c values cannot fill it.
  if (decoded.cached) decoded.cached.joseVerified.add(alg);
  else options.parsedCache?.setParsed(decoded.x5cKey, { certificates: decoded.certificates, joseVerified: new Set([alg]), x5t: x5tS256(signer.der) });
  return decoded;
}
