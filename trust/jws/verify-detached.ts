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
 * (about 2 KB for a signer and its intermediate), which a Map would hash on every request. The
 * x5t#S256 in a header is only a claim: an entry is used only when the header's x5c is exactly the
 * entry's.
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
  // JWS signing input (RFC 7515 §5.2, RFC 7797 §3): ASCII(protected) || '.' || payload, in one buffer
  // (crypto.verify takes one buffer). The protected part is base64url, checked in decodeDetachedJws, so latin1 is its ASCII.
  const length = protectedB64.length + 1 + payload.length;
  const input = scratch(length) ?? Buffer.allocUnsafe(length);
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

const SCRATCH_MAX_BYTES = 65536;
let scratchBuffer = Buffer.allocUnsafe(8192);

/**
 * A reused buffer of exactly `length` bytes for data consumed before the calling function returns
 * (the decoded protected header, the signing input): every verification would otherwise allocate
 * both (about 5 KB with a 2-certificate x5c), which was measured at about 2% of a P-256 verify.
 * Safe because the callers are synchronous from filling it to their last read (crypto.verify
 * without a callback hashes in the call). `undefined` above 64 KiB, so a large body does not pin
 * a large buffer: the caller allocates one then. Like a garbage buffer until it is collected, it
 * holds the last signing input (header and body bytes) until the next verification overwrites it.
 */
function scratch(length: number): Buffer | undefined {
  if (length > SCRATCH_MAX_BYTES) return undefined;
  if (scratchBuffer.length < length) scratchBuffer = Buffer.allocUnsafe(SCRATCH_MAX_BYTES);
  return scratchBuffer.subarray(0, length);
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

/**
 * Whether `value` nests deeper than `levels` below it, i.e. some value sits more than `levels`
 * objects or arrays down. Walks without allocating (every request's header passes here) and stops
 * at the limit, so hostile nesting costs no more than `levels` frames.
 */
function nestsDeeperThan(value: unknown, levels: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    if (levels === 0) return value.length > 0;
    for (const item of value as unknown[]) if (nestsDeeperThan(item, levels - 1)) return true;
    return false;
  }
  for (const name in value) {
    if (levels === 0 || nestsDeeperThan((value as Record<string, unknown>)[name], levels - 1)) return true;
  }
  return false;
}

const KEY_FOR_ALG: Record<JwsAlgorithm, (c: ParsedCertificate) => boolean> = {
  ES256: (c) => c.publicKey().asymmetricKeyType === 'ec' && c.publicKey().asymmetricKeyDetails?.namedCurve === 'prime256v1',
  ES384: (c) => c.publicKey().asymmetricKeyType === 'ec' && c.publicKey().asymmetricKeyDetails?.namedCurve === 'secp384r1',
  PS256: (c) => c.publicKey().asymmetricKeyType === 'rsa' || c.publicKey().asymmetricKeyType === 'rsa-pss',
  RS256: (c) => c.publicKey().asymmetricKeyType === 'rsa',
  EdDSA: (c) => c.publicKey().asymmetricKeyType === 'ed25519',
};

const BASE_UNDERSTOOD: ReadonlySet<string> = new Set(BASE_CRIT);
/** The understood crit names per caller list (bindings pass the same constant on every request). */
const understoodByList = new WeakMap<readonly string[], { readonly names: readonly string[]; readonly set: ReadonlySet<string> }>();

function understoodCrit(extra: readonly string[] | undefined): ReadonlySet<string> {
  if (extra === undefined || extra.length === 0) return BASE_UNDERSTOOD;
  const known = understoodByList.get(extra);
  // The copy is compared with the list as it is now, so a caller that changes its array in place
  // never gets a stale answer.
  if (known && known.names.length === extra.length && known.names.every((name, i) => name === extra[i])) return known.set;
  const entry = { names: [...extra], set: new Set<string>([...BASE_CRIT, ...extra]) };
  understoodByList.set(extra, entry);
  return entry.set;
}

function sameStrings(a: readonly string[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const SIG_T = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes and checks the protected header, without verifying the signature. */
export function decodeDetachedJws(options: Omit<VerifyDetachedOptions, 'payload'>): DecodedDetachedJws {
  const { jws } = options;
  if (typeof jws !== 'string') throw new TypeError('jws must be a string');
  const maxHeaderBytes = options.maxHeaderBytes ?? 16384;
  if (jws.length > maxHeaderBytes + 2048) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'The JWS is too large' });
  // Compact serialisation: exactly two dots (found without splitting the ~3 KB string into an array).
  const firstDot = jws.indexOf('.');
  const secondDot = firstDot < 0 ? -1 : jws.indexOf('.', firstDot + 1);
  if (secondDot < 0 || jws.indexOf('.', secondDot + 1) >= 0) throw malformed('A detached JWS has three parts');
  // RFC 7515 Appendix F: the payload part of a detached JWS is empty.
  if (secondDot !== firstDot + 1) throw malformed('The payload part of a detached JWS must be empty');
  const protectedB64 = jws.slice(0, firstDot);
  const signatureB64 = jws.slice(secondDot + 1);
  if (!BASE64URL.test(signatureB64)) throw malformed('Not base64url');
  // Strict base64url (RFC 7515 §2, RFC 4648 §5, no padding): Node's decoder skips characters it does
  // not know and reads a character above U+00FF by its low byte ("\u0155" as "U"), so no length
  // check can replace this: the header must re-encode to exactly the text received. This also
  // refuses non-canonical encodings, and costs less than a regular expression over the whole header.
  // Decoded into the scratch buffer when it fits: at most 3 bytes per 4 characters.
  const room = scratch(Math.ceil((protectedB64.length * 3) / 4));
  const headerBytes = room ? room.subarray(0, room.write(protectedB64, 'base64url')) : Buffer.from(protectedB64, 'base64url');
  if (protectedB64.length === 0 || headerBytes.toString('base64url') !== protectedB64) throw malformed('Not base64url');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw malformed('The protected header is not JSON', cause);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw malformed('The protected header is not an object');
  // At most 4 levels below the header object (e.g. header.x5c[0] is 2 levels down).
  if (nestsDeeperThan(header, 4)) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'The protected header is nested too deeply' });

  const allowed = options.algorithms ?? DEFAULT_JWS_ALGORITHMS;
  const alg = header.alg;
  // RFC 8725 §3.1-3.2: never `none`, never a MAC keyed with something public.
  if (typeof alg !== 'string' || alg === 'none' || /^HS/i.test(alg) || !(allowed as readonly string[]).includes(alg)) {
    throw new TrustError('ERR_TRUST_JWS_ALG_NOT_ALLOWED', { message: `JWS algorithm ${String(alg)} is not allowed` });
  }
  // RFC 7797 §3: this library only speaks unencoded detached payloads, and b64 must then be critical.
  // RFC 7515 §4.1.11: every crit name must be understood, listed once, and present in the header.
  const crit = header.crit;
  if (!Array.isArray(crit) || crit.length === 0 || crit.length > 16) {
    throw new TrustError('ERR_TRUST_JWS_CRIT', { message: 'crit must list b64 and sigT' });
  }
  const understood = understoodCrit(options.crit);
  let critHasB64 = false;
  let critHasSigT = false;
  for (let i = 0; i < crit.length; i++) {
    const name: unknown = crit[i];
    if (typeof name !== 'string') throw new TrustError('ERR_TRUST_JWS_CRIT', { message: 'crit must list b64 and sigT' });
    if (!understood.has(name)) throw new TrustError('ERR_TRUST_JWS_CRIT', { message: `Unknown critical header parameter ${name}` });
    for (let j = 0; j < i; j++) if (crit[j] === name) throw new TrustError('ERR_TRUST_JWS_CRIT', { message: 'Duplicate crit entries' });
    if (!(name in header)) throw new TrustError('ERR_TRUST_JWS_CRIT', { message: `crit names ${name} but the header lacks it` });
    if (name === 'b64') critHasB64 = true;
    else if (name === 'sigT') critHasSigT = true;
  }
  if (header.b64 !== false || !critHasB64) throw new TrustError('ERR_TRUST_JWS_CRIT', { message: 'b64 must be false and critical' });
  if (!critHasSigT || typeof header.sigT !== 'string') throw new TrustError('ERR_TRUST_JWS_CRIT', { message: 'sigT must be present and critical' });
  // Keys must come from x5c and be validated against the trust list, never from a URL or inline JWK.
  if ('jwk' in header) throw malformed('Header parameter jwk is not accepted');
  if ('jku' in header) throw malformed('Header parameter jku is not accepted');
  if ('x5u' in header) throw malformed('Header parameter x5u is not accepted');
  if (!SIG_T.test(header.sigT)) throw malformed('sigT must be UTC with seconds precision');
  const signingTime = new Date(header.sigT);
  if (Number.isNaN(signingTime.getTime())) throw malformed('sigT is not a date');

  const x5c = header.x5c;
  const maxChain = options.maxChainLength ?? 5;
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > maxChain || !x5c.every((c) => typeof c === 'string')) {
    throw malformed(`x5c must hold 1..${maxChain} certificates`);
  }
  const x5t = header['x5t#S256'];
  // A known signer is found by the short x5t#S256, and used only if the x5c is exactly the one that
  // was parsed and accepted: a header pairing a known x5t#S256 with other certificates misses.
  const known = typeof x5t === 'string' ? options.parsedCache?.getParsed(x5t) : undefined;
  const cached = known !== undefined && known.x5t === x5t && sameStrings(known.x5c, x5c) ? known : undefined;
  const certificates =
    cached?.certificates ??
    (x5c as string[]).map((b64, index) => {
      // RFC 7515 §4.1.6: standard base64 (not base64url) DER.
      if (!BASE64.test(b64)) throw malformed(`x5c[${index}] is not base64`);
      try {
        return parseCertificate(new Uint8Array(Buffer.from(b64, 'base64')));
      } catch (cause) {
        throw malformed(`x5c[${index}] is not a certificate`, cause);
      }
    });

  const signer = certificates[0] as ParsedCertificate;
  if (x5t === undefined) throw malformed('x5t#S256 is required');
  // RFC 7515 §4.1.8: x5t#S256 is the SHA-256 of the DER of x5c[0]; a cached entry holds the value
  // computed from that DER when it was parsed.
  if (x5t !== (cached?.x5t ?? x5tS256(signer.der))) throw malformed('x5t#S256 does not match x5c[0]');
  // A chain jose already accepted for this algorithm has a key of the right type (see verifyDetached).
  if (!cached?.joseVerified.has(alg as JwsAlgorithm) && !KEY_FOR_ALG[alg as JwsAlgorithm](signer)) {
    throw new TrustError('ERR_TRUST_JWS_ALG_NOT_ALLOWED', { message: `Algorithm ${alg} does not fit the signer's key type` });
  }
  const typedHeader = header as DecodedDetachedJws['header'];
  return cached ? { protectedB64, signatureB64, header: typedHeader, certificates, signingTime, cached } : { protectedB64, signatureB64, header: typedHeader, certificates, signingTime };
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
  else if (options.parsedCache) {
    const x5t = x5tS256(signer.der);
    // A copy of the x5c strings: the header object is handed to callers, who may change it.
    // Frozen, so the chain array handed out on every hit cannot be changed by a caller (verify-signature.ts keys decisions by it).
    options.parsedCache.setParsed(x5t, { x5c: Object.freeze([...(decoded.header.x5c as string[])]), certificates: Object.freeze([...decoded.certificates]), joseVerified: new Set([alg]), x5t });
  }
  return decoded;
}
