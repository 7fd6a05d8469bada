/**
 * Cryptographic verification of a detached JWS (RFC 7515 + RFC 7797), before any trust decision.
 * The protected header is inspected by us first, with hard limits, so that hostile input is refused
 * early and with a precise code; then jose verifies the signature with the key from `x5c[0]`.
 * Chain, revocation and identity are checked by the callers (verify-signature.ts).
 */
import { constants, verify as cryptoVerify, randomBytes } from 'node:crypto';
import { flattenedVerify, type JWSHeaderParameters } from 'jose';
import { TrustError } from '../errors/trust-error.js';
import { parseCertificate, type ParsedCertificate } from '../x509/parse-certificate.js';
import { fillHeaderTemplate, headerTemplateOf, type HeaderTemplate } from './header-template.js';
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
  /** `JSON.stringify(x5c)` as bytes: what a header carrying this chain holds as the x5c value (see parseHeader). */
  readonly x5cJson: Buffer;
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
  const input = signingInput(inputBuffer(protectedB64.length + 1 + payload.length), protectedB64, payload);
  // Not kept in DecodedDetachedJws, which callers may keep, as it is a view of a reused buffer;
  // decodeDetachedJws (which refused anything but base64url) usually decoded it just before.
  const signature = decodeSignature(signatureB64);
  if (signature === undefined) return false;
  const check = signatureCheck(alg, signer, signature.length);
  return check !== undefined && cryptoVerify(check.digest, input, check.key, signature);
}

/**
 * RFC 7518 §3.3-3.5 and RFC 8037 §3.1: the digest and key options node:crypto verifies each allowed
 * algorithm with; `undefined` when the signature cannot be one of that algorithm (wrong length).
 */
function signatureCheck(alg: JwsAlgorithm, signer: ParsedCertificate, signatureLength: number): { readonly digest: string | null; readonly key: VerifyKeyInput } | undefined {
  const key = signer.publicKey();
  switch (alg) {
    case 'ES256':
      return signatureLength === 64 ? { digest: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' } } : undefined;
    case 'ES384':
      return signatureLength === 96 ? { digest: 'sha384', key: { key, dsaEncoding: 'ieee-p1363' } } : undefined;
    case 'EdDSA':
      return signatureLength === 64 ? { digest: null, key } : undefined;
    case 'PS256':
      // RFC 7518 §3.5: MGF1 with SHA-256 and a salt as long as the hash (32 bytes).
      return { digest: 'sha256', key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } };
    case 'RS256':
      return { digest: 'sha256', key: { key, padding: constants.RSA_PKCS1_PADDING } };
  }
}

type VerifyKeyInput = Parameters<typeof cryptoVerify>[2];

/** `ASCII(protected) || '.' || payload` written into `into` (exactly that long). */
function signingInput(into: Buffer, protectedB64: string, payload: Uint8Array): Buffer {
  into.write(protectedB64, 0, 'latin1');
  into[protectedB64.length] = 0x2e;
  into.set(payload, protectedB64.length + 1);
  return into;
}

/**
 * Reused buffers for data consumed before the calling function returns: the signing input and the
 * signature bytes (verifyWithNodeCrypto), and the decoded protected header (decodeDetachedJws).
 * Every verification would otherwise allocate them (about 5 KB with a 2-certificate x5c), which
 * was measured at about 2% of a P-256 verify. Safe because the callers are synchronous from filling
 * them to their last read (crypto.verify without a callback hashes in the call; the header bytes
 * are turned into strings before decodeDetachedJws returns). Above 64 KiB the caller allocates, so
 * a large body does not pin a large buffer. Like a garbage buffer until it is collected, the input
 * buffer holds the last signing input (header and body bytes) until the next verification
 * overwrites it.
 */
const SCRATCH_MAX_BYTES = 65536;
let inputScratch = Buffer.allocUnsafe(8192);
let headerScratch = Buffer.allocUnsafe(8192);
const signatureScratch = Buffer.allocUnsafe(1024);

function inputBuffer(length: number): Buffer {
  if (length > SCRATCH_MAX_BYTES) return Buffer.allocUnsafe(length);
  if (inputScratch.length < length) inputScratch = Buffer.allocUnsafe(SCRATCH_MAX_BYTES);
  return inputScratch.subarray(0, length);
}

/**
 * The signature part decoded into a reused buffer (read before the caller returns), or `undefined`
 * when it is not base64url. 1 KiB holds an RSA-8192 signature; longer ones get a buffer of their
 * own. The last text decoded is remembered with its bytes, so that verifying right after
 * decodeDetachedJws does not decode it again (every write to the buffer goes through here).
 */
function decodeSignature(signatureB64: string): Buffer | undefined {
  if (signatureB64 === lastSignatureB64) return lastSignature;
  const length = Math.floor((signatureB64.length * 3) / 4);
  const into = length <= signatureScratch.length ? signatureScratch.subarray(0, length) : Buffer.allocUnsafe(length);
  lastSignatureB64 = signatureB64;
  lastSignature = decodeBase64urlPart(signatureB64, into, true) < 0 ? undefined : into;
  return lastSignature;
}
let lastSignatureB64: string | undefined;
let lastSignature: Buffer | undefined;

function headerBuffer(length: number): Buffer {
  if (length > SCRATCH_MAX_BYTES) return Buffer.allocUnsafe(length);
  if (headerScratch.length < length) headerScratch = Buffer.allocUnsafe(SCRATCH_MAX_BYTES);
  return headerScratch.subarray(0, length);
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
  /**
   * Match the header of a known signer against the templates of its recent headers (see
   * decodeWithTemplate); `false` always parses and checks it in full, which gives the same result
   * (tests compare the two).
   * @default true
   */
  readonly headerTemplates?: boolean;
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
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The value of each base64url character (RFC 4648 §5) by code unit below 128; -1 for all others. */
const BASE64URL_VALUE = Int8Array.from({ length: 128 }, (_, code) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(String.fromCharCode(code)));

/**
 * Decodes one part of a compact JWS as strict base64url (RFC 7515 §2: the RFC 4648 §5 alphabet
 * without padding, and canonical, RFC 4648 §3.5: no length that leaves one character over, no
 * non-zero unused bits in the last character, so that one byte string has exactly one text).
 * The caller has already found the text to hold only ASCII and neither `+` nor `/`
 * (decodeDetachedJws, decodeWithTemplate). Returns the number of bytes written to `into` from
 * `offset` on (exactly the room for floor(3n/4) there, so the count is the check), or -1 when `text`
 * is not such base64url (or is empty and `allowEmpty` is false).
 *
 * Node's decoder is lenient: it also takes the standard alphabet's `+` and `/`, skips characters it
 * does not know, stops at `=`, and reads a code unit above U+00FF by its low byte ("\u0155" as "U").
 * With the first and the last ruled out by the caller, any other character outside the base64url
 * alphabet is skipped or ends the decoding, so fewer than floor(3n/4) bytes come out of a text
 * whose length is not 1 more than a multiple of 4 (refused anyway): the count is the alphabet
 * check (verify-detached.test.ts compares this with re-encoding for every ASCII character at every
 * kind of position). Before, the header was re-encoded and compared with the text received (about
 * 1.5 µs for a 4.4 KB header) and the signature part was matched with a regular expression (0.4 µs),
 * which let another text of the same signature bytes through (a last character with unused bits
 * set, or one character more after a length that is a multiple of 4).
 */
function decodeBase64urlPart(text: string, into: Buffer, allowEmpty: boolean, offset = 0): number {
  const length = text.length;
  const tail = length % 4;
  if (tail === 1 || (length === 0 && !allowEmpty)) return -1;
  const written = into.write(text, offset, 'base64url');
  if (written !== Math.floor((length * 3) / 4)) return -1;
  // 2 characters carry 1 byte and 4 unused bits, 3 characters 2 bytes and 2 unused bits.
  if (tail !== 0 && ((BASE64URL_VALUE[text.charCodeAt(length - 1)] as number) & (tail === 2 ? 0x0f : 0x03)) !== 0) return -1;
  return written;
}

/**
 * Lengths of the signature part (base64url characters) for the algorithms verified here: EdDSA and
 * ES256 (64 bytes), ES384 (96), RSA-2048, -3072 and -4096 (256, 384, 512).
 */
const SIGNATURE_PART_LENGTHS = [86, 128, 342, 512, 683];

/**
 * The index of the first of the two dots of `<protected>..<signature>`, or -1. The dots are looked
 * for at the signature lengths above first: searching a ~4 KB header for them was measured at
 * about 0.3 µs. Either way both parts are then decoded as base64url, which has no dot, so a JWS with
 * any other dot is refused (notBase64url names it as the old split did).
 */
function emptyPayloadAt(jws: string): number {
  for (const length of SIGNATURE_PART_LENGTHS) {
    const at = jws.length - length - 2;
    if (at >= 0 && jws.charCodeAt(at) === 0x2e && jws.charCodeAt(at + 1) === 0x2e) return at;
  }
  const at = jws.indexOf('.');
  return at >= 0 && jws.charCodeAt(at + 1) === 0x2e ? at : -1;
}

/** The refusal of a JWS that is not `<protected>..<signature>` in the words of a split at its dots. */
function splitError(jws: string): TrustError {
  const firstDot = jws.indexOf('.');
  const secondDot = firstDot < 0 ? -1 : jws.indexOf('.', firstDot + 1);
  if (secondDot < 0 || jws.indexOf('.', secondDot + 1) >= 0) return malformed('A detached JWS has three parts');
  // RFC 7515 Appendix F: the payload part of a detached JWS is empty.
  return malformed('The payload part of a detached JWS must be empty');
}

/** A part that is not base64url; a dot in it means the JWS has more than three parts. */
function notBase64url(jws: string): TrustError {
  const firstDot = jws.indexOf('.');
  return jws.indexOf('.', firstDot + 2) >= 0 ? splitError(jws) : malformed('Not base64url');
}

/**
 * A per-process random JSON string that stands in for a known signer's x5c value (parseHeader).
 * Random so that no header can hold it: its value can only come from where parseHeader put it.
 */
const X5C_STAND_IN = `x5c:${randomBytes(16).toString('hex')}`;
const X5C_STAND_IN_BYTES = Buffer.from(JSON.stringify(X5C_STAND_IN), 'latin1');
const X5T_MEMBER = Buffer.from('"x5t#S256":"', 'latin1');
const X5C_MEMBER = Buffer.from('"x5c":', 'latin1');
/** A SHA-256 hash in base64url without padding. */
const X5T_LENGTH = 43;

interface ParsedHeader {
  readonly header: unknown;
  /** The cached chain whose x5c parseHeader substituted, if it did. */
  readonly known: ParsedX5c | undefined;
}

/**
 * The protected header as `JSON.parse` of its UTF-8 text gives it. For a signer jose has accepted,
 * the ~3 KB x5c array is not scanned and copied by JSON.parse on every request: the exact JSON
 * text of a cached chain (`x5cJson`) is found in the header bytes (findKnownChain: where recent
 * headers had it, or after `"x5c":` for the chain of the x5t#S256 the header names; hints only),
 * replaced by a per-process random JSON string, the remaining ~200-450 bytes are parsed, and the
 * result is used only if that string came out as the value of `x5c`; x5c is then a fresh array of
 * the cached strings. Anything else (no such text, whitespace in it, not JSON, another x5c value)
 * falls back to parsing the whole header, so a header that misleads the hints only costs its sender
 * the fast path.
 *
 * Why this equals parsing the whole text T = A + V + B (V = x5cJson wherever it was found): the
 * parse of T' = A + S + B (S = the JSON string in X5C_STAND_IN_BYTES) has the stand-in as the value
 * of its top-level member x5c (the last x5c member, as JSON.parse keeps the last). The stand-in is
 * random, so no other text of T' can spell it (not even with escapes): S itself was parsed as one
 * complete string value. So after A the parser stands where a value begins, outside any string,
 * and after S where a value has ended. V is a complete JSON value (JSON.stringify of an array of
 * base64 strings), so T parses exactly like T' with that one value being V: the same members in
 * the same order, the same duplicates, with x5c the array V stands for. Decoding the bytes as UTF-8
 * changes nothing at V's edges either: V and S are ASCII, and an ASCII byte ends any incomplete
 * sequence before it the same way, so A and B decode to the same text next to S as next to V.
 * verify-detached.test.ts checks the two parses against each other on crafted and mutated headers.
 */
function parseHeader(protectedB64: string, headerBytes: Buffer, cache: ParsedChainCache | undefined): ParsedHeader {
  const found = cache === undefined ? undefined : findKnownChain(headerBytes, cache);
  if (found !== undefined) {
    // A + S + B written over A + V + B in the (reused) buffer: one string for JSON.parse, no concatenation.
    const { known, x5cAt } = found;
    const x5cEnd = x5cAt + known.x5cJson.length;
    const standInEnd = x5cAt + X5C_STAND_IN_BYTES.length;
    headerBytes.copyWithin(standInEnd, x5cEnd);
    headerBytes.set(X5C_STAND_IN_BYTES, x5cAt);
    let header: unknown;
    try {
      header = JSON.parse(headerBytes.toString('utf8', 0, standInEnd + headerBytes.length - x5cEnd));
    } catch {
      // Not JSON: the whole text is parsed below, and refused from there.
    }
    if (header !== null && typeof header === 'object' && (header as Record<string, unknown>).x5c === X5C_STAND_IN) {
      (header as Record<string, unknown>).x5c = [...known.x5c];
      return { header, known };
    }
    // The bytes as received, for the whole parse (this decoded them before).
    decodeBase64urlPart(protectedB64, headerBytes, false);
  }
  try {
    return { header: JSON.parse(headerBytes.toString('utf8')), known: undefined };
  } catch (cause) {
    throw malformed('The protected header is not JSON', cause);
  }
}

interface FoundChain {
  readonly known: ParsedX5c;
  /** Where its x5cJson starts in the header bytes. */
  readonly x5cAt: number;
}

/**
 * Where the headers last parsed with a known chain had it, for the last few signers. A signer's
 * headers share one layout, so its next request usually has the same chain at the same place:
 * checked there first, which spares the two searches and the lookup below (about 1 µs). Still only
 * a hint, as is everything here (see parseHeader), and used only while the cache at hand holds that
 * very entry. They keep their entries reachable until newer signers push them out.
 */
const recentChains: FoundChain[] = [];
const RECENT_CHAINS = 8;

/** A cached chain whose exact JSON text the header holds, and where; `undefined` if none was found. */
function findKnownChain(headerBytes: Buffer, cache: ParsedChainCache): FoundChain | undefined {
  for (const recent of recentChains) {
    if (holdsAt(headerBytes, recent.known.x5cJson, recent.x5cAt) && cache.getParsed(recent.known.x5t) === recent.known) return recent;
  }
  const hint = headerBytes.lastIndexOf(X5T_MEMBER) + X5T_MEMBER.length;
  const known = hint < X5T_MEMBER.length ? undefined : cache.getParsed(headerBytes.toString('latin1', hint, hint + X5T_LENGTH));
  // Right after the header's first `"x5c":` (searching for the ~3 KB text itself costs more than parsing it).
  const x5cAt = headerBytes.indexOf(X5C_MEMBER) + X5C_MEMBER.length;
  if (known === undefined || x5cAt < X5C_MEMBER.length || !holdsAt(headerBytes, known.x5cJson, x5cAt)) return undefined;
  const found = { known, x5cAt };
  recentChains.unshift(found);
  if (recentChains.length > RECENT_CHAINS) recentChains.pop();
  return found;
}

/**
 * Whether `bytes` holds `part` at `at`. The last 8 bytes are compared first, in place: they end the
 * last certificate's signature, so another signer's chain almost always differs there, and trying
 * a recent chain that does not fit costs no call into Buffer.compare. (A stand-in is shorter than
 * any chain's JSON: checked here too, for parseHeader.)
 */
function holdsAt(bytes: Buffer, part: Buffer, at: number): boolean {
  const end = at + part.length;
  if (part.length < X5C_STAND_IN_BYTES.length || at < 0 || end > bytes.length) return false;
  for (let i = 1; i <= 8; i++) if (bytes[end - i] !== part[part.length - i]) return false;
  return bytes.compare(part, 0, part.length, at, end) === 0;
}

/** sigT has seconds precision, so many requests in a row carry the same one: its time is kept. */
let lastSigT = '';
let lastSigTMillis = Number.NaN;

/** The time of a sigT (UTC, seconds precision, ETSI TS 119 182-1 §5.2.1), NaN when it is not one. */
function sigTMillis(sigT: string): number {
  if (sigT === lastSigT) return lastSigTMillis;
  if (!SIG_T.test(sigT)) return Number.NaN;
  const millis = Date.parse(sigT);
  if (!Number.isNaN(millis)) {
    lastSigT = sigT;
    lastSigTMillis = millis;
  }
  return millis;
}

function signingTimeOf(sigT: string): Date {
  const millis = sigTMillis(sigT);
  if (Number.isNaN(millis)) throw malformed(SIG_T.test(sigT) ? 'sigT is not a date' : 'sigT must be UTC with seconds precision');
  return new Date(millis);
}

/**
 * Header templates of known signers (header-template.ts), the hot path of decodeDetachedJws:
 * made from a header that the full path below accepted for a chain jose had accepted, once its
 * signature has been verified too (so nobody without the signer's key can make one or push one
 * out), and tried on the JWS text before anything else. A signer's requests share one layout, so
 * its next header matches its template except for the values that change per signature (sigT,
 * nonce, digest, path, request hash, status). The ~4 KB of base64url that encodes the middle of
 * the long constant segment (x5c) is compared with the template's as text (TextAnchor): equal
 * text, equal bytes, and known base64url. The rest of the JWS gets the same base64url checks as
 * in the full path and is decoded; the constant bytes there are compared, only the hole values
 * are read, and the header is the template's with those values in place, which is exactly what
 * JSON.parse of the same bytes gives (why: header-template.ts). Everything the full path checks
 * that depends only on the constant text (nesting, b64 false and critical, crit entries present
 * and unique, no jwk/jku/x5u, x5c strings, x5t#S256 = the cached signer's, the cached chain is
 * the one in the header) held when the template was made; what depends on the call (allowed
 * algorithms, understood crit names, maximum chain length, the cache at hand still holding that
 * very chain, jose having accepted that algorithm) and on a hole (sigT) is checked again here.
 * Any failure, of the match or of a check, only leads to the full path, which then gives the
 * result (and the error) it always gives: the template path never refuses anything.
 *
 * alg and x5t#S256 stay in the constant text (not holes), so a template stands for one algorithm
 * and one signer certificate. Up to RECENT_TEMPLATES layouts of all signers are tried, newest
 * first (trying another signer's costs a look at one character, the anchor's last); each cached
 * chain also keeps its last TEMPLATES_PER_SIGNER, brought back when the recent ones have moved
 * on, and gets at most MAX_TEMPLATE_ATTEMPTS tries to make one (each parses and serialises its
 * header once more), so a signer whose headers never fit one costs little.
 */
interface SignerTemplate {
  readonly template: HeaderTemplate;
  readonly known: ParsedX5c;
  readonly alg: JwsAlgorithm;
  readonly crit: readonly string[];
  /** The understood-names set (understoodCrit) that last held all of `crit`: the same set needs no new look. */
  understoodBy: ReadonlySet<string> | undefined;
}
const recentTemplates: SignerTemplate[] = [];
const RECENT_TEMPLATES = 64;
const TEMPLATES_PER_SIGNER = 4;
const MAX_TEMPLATE_ATTEMPTS = 64;
const signerTemplates = new WeakMap<ParsedX5c, { attempts: number; readonly templates: SignerTemplate[] }>();
/** The last result of the full path that may give a template once its signature is verified. */
let templateCandidate: DecodedDetachedJws | undefined;
const TEMPLATE_CONSTANTS: ReadonlySet<string> = new Set(['alg', 'x5t#S256']);

function decodeWithTemplate(jws: string, protectedB64: string, signatureB64: string, options: Omit<VerifyDetachedOptions, 'payload'>, cache: ParsedChainCache): DecodedDetachedJws | undefined {
  for (const entry of recentTemplates) {
    const { anchor } = entry.template;
    // The last character first: another signer's chain almost always differs there.
    if (protectedB64.length < anchor.charEnd || protectedB64.charCodeAt(anchor.charEnd - 1) !== anchor.text.charCodeAt(anchor.text.length - 1)) continue;
    if (protectedB64.substring(anchor.charStart, anchor.charEnd) !== anchor.text) continue;
    // The rest of both parts must be base64url as the full path wants it (decodeBase64urlPart):
    // only ASCII, neither `+` nor `/`, and what Node's decoder writes is counted.
    const head = protectedB64.slice(0, anchor.charStart);
    if (!asciiWithoutPlusOrSlash(head) || !asciiWithoutPlusOrSlash(jws.slice(anchor.charEnd))) return undefined;
    const tail = protectedB64.slice(anchor.charEnd);
    if (decodeSignature(signatureB64) === undefined) return undefined;
    const headerBytes = headerBuffer(Math.floor((protectedB64.length * 3) / 4));
    if (headerBytes.write(head, 0, 'base64url') !== anchor.byteStart || decodeBase64urlPart(tail, headerBytes, true, anchor.byteEnd) < 0) return undefined;
    const header = fillHeaderTemplate(entry.template, headerBytes, true);
    if (header === undefined) continue;
    const { known, alg } = entry;
    if (cache.getParsed(known.x5t) !== known || !known.joseVerified.has(alg)) continue;
    // RFC 8725 §3.1 and RFC 7515 §4.1.11 as the caller asks now (see the full checks below).
    if (!(options.algorithms ?? DEFAULT_JWS_ALGORITHMS).includes(alg)) continue;
    const understood = understoodCrit(options.crit);
    if (understood !== entry.understoodBy) {
      let understoodAll = true;
      for (const name of entry.crit) if (!understood.has(name)) understoodAll = false;
      if (!understoodAll) continue;
      entry.understoodBy = understood;
    }
    if (known.x5c.length > (options.maxChainLength ?? 5)) continue;
    const millis = sigTMillis(header.sigT as string);
    if (Number.isNaN(millis)) continue;
    return { protectedB64, signatureB64, header: header as DecodedDetachedJws['header'], certificates: known.certificates, signingTime: new Date(millis), cached: known };
  }
  return undefined;
}

function asciiWithoutPlusOrSlash(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length && text.indexOf('+') < 0 && text.indexOf('/') < 0;
}

/**
 * After the signature of `decoded` was verified: when it came from the full path for a chain jose
 * accepted, a template of its header becomes one of the recent ones (the signer's own if one fits,
 * else a new one).
 */
function rememberTemplate(decoded: DecodedDetachedJws): void {
  if (decoded !== templateCandidate) return;
  templateCandidate = undefined;
  const known = decoded.cached as ParsedX5c;
  const alg = decoded.header.alg as JwsAlgorithm;
  let own = signerTemplates.get(known);
  if (own === undefined) signerTemplates.set(known, (own = { attempts: 0, templates: [] }));
  if (own.templates.length === 0 && own.attempts >= MAX_TEMPLATE_ATTEMPTS) return;
  // Decoded again: the reused header buffer may hold the stand-in text of parseHeader by now.
  const bytes = Buffer.from(decoded.protectedB64, 'base64url');
  let entry = own.templates.find((t) => t.alg === alg && fillHeaderTemplate(t.template, bytes, false) !== undefined);
  if (entry === undefined) {
    if (own.attempts >= MAX_TEMPLATE_ATTEMPTS) return;
    own.attempts++;
    const template = headerTemplateOf(bytes, TEMPLATE_CONSTANTS);
    if (template === undefined) return;
    // alg from the template's own parse of the verified text (the decoded header went to the caller).
    entry = { template, known, alg: template.header.alg as JwsAlgorithm, crit: template.header.crit as string[], understoodBy: undefined };
    own.templates.unshift(entry);
    if (own.templates.length > TEMPLATES_PER_SIGNER) own.templates.pop();
  }
  const at = recentTemplates.indexOf(entry);
  if (at >= 0) recentTemplates.splice(at, 1);
  recentTemplates.unshift(entry);
  if (recentTemplates.length > RECENT_TEMPLATES) recentTemplates.pop();
}

/** Decodes and checks the protected header, without verifying the signature. */
export function decodeDetachedJws(options: Omit<VerifyDetachedOptions, 'payload'>): DecodedDetachedJws {
  const { jws } = options;
  if (typeof jws !== 'string') throw new TypeError('jws must be a string');
  const maxHeaderBytes = options.maxHeaderBytes ?? 16384;
  if (jws.length > maxHeaderBytes + 2048) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'The JWS is too large' });
  // Compact serialisation with an empty payload part (RFC 7515 Appendix F): `<protected>..<signature>`.
  const firstDot = emptyPayloadAt(jws);
  if (firstDot < 0) throw splitError(jws);
  const secondDot = firstDot + 1;
  const protectedB64 = jws.slice(0, firstDot);
  const signatureB64 = jws.slice(secondDot + 1);
  const useTemplates = options.parsedCache !== undefined && options.headerTemplates !== false;
  if (useTemplates) {
    const templated = decodeWithTemplate(jws, protectedB64, signatureB64, options, options.parsedCache as ParsedChainCache);
    if (templated !== undefined) return templated;
  }
  // Base64url (RFC 7515 §2, RFC 4648 §5) in both parts, see decodeBase64urlPart: only ASCII (one
  // UTF-8 byte per character), neither `+` nor `/`; the rest is counted while decoding.
  if (Buffer.byteLength(jws, 'utf8') !== jws.length || jws.indexOf('+') >= 0 || jws.indexOf('/') >= 0) throw notBase64url(jws);
  if (decodeSignature(signatureB64) === undefined) throw notBase64url(jws);
  // Canonical: the text received is the one encoding of the bytes it decodes to (an empty signature
  // part decodes to no bytes, which no key verifies).
  const headerBytes = headerBuffer(Math.floor((protectedB64.length * 3) / 4));
  if (decodeBase64urlPart(protectedB64, headerBytes, false) < 0) throw notBase64url(jws);
  const parsed = parseHeader(protectedB64, headerBytes, options.parsedCache);
  const header = parsed.header as Record<string, unknown>;
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
  const signingTime = signingTimeOf(header.sigT);

  const x5c = header.x5c;
  const maxChain = options.maxChainLength ?? 5;
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > maxChain || !x5c.every((c) => typeof c === 'string')) {
    throw malformed(`x5c must hold 1..${maxChain} certificates`);
  }
  const x5t = header['x5t#S256'];
  // A known signer is found by the short x5t#S256, and used only if the x5c is exactly the one that
  // was parsed and accepted: a header pairing a known x5t#S256 with other certificates misses.
  // (parseHeader has usually looked it up already: an entry for the same x5t#S256.)
  const known = parsed.known !== undefined && parsed.known.x5t === x5t ? parsed.known : typeof x5t === 'string' ? options.parsedCache?.getParsed(x5t) : undefined;
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
  if (!cached) return { protectedB64, signatureB64, header: typedHeader, certificates, signingTime };
  const decoded = { protectedB64, signatureB64, header: typedHeader, certificates, signingTime, cached };
  if (useTemplates && cached.joseVerified.has(alg as JwsAlgorithm)) templateCandidate = decoded;
  return decoded;
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
  rememberTemplate(decoded);
  return decoded;
}

/**
 * `verifyDetachedCached` with the signature checked on the libuv thread pool: resolves to the
 * decoded JWS, to `undefined` when the signer is not known yet (call `verifyDetached`), and rejects
 * on a bad signature. The header is decoded and checked here, synchronously, exactly as there.
 */
export async function verifyDetachedCachedOffloaded(options: VerifyDetachedOptions): Promise<DecodedDetachedJws | undefined> {
  if (options.parsedCache === undefined) return undefined;
  if (!(options.payload instanceof Uint8Array)) throw new TypeError('verifyDetached needs payload bytes');
  const decoded = decodeDetachedJws(options);
  const alg = decoded.header.alg as JwsAlgorithm;
  if (!decoded.cached?.joseVerified.has(alg)) return undefined;
  if (!(await verifyOnThreadPool(alg, decoded.certificates[0] as ParsedCertificate, decoded.protectedB64, options.payload, decoded.signatureB64))) {
    throw new TrustError('ERR_TRUST_JWS_BAD_SIGNATURE');
  }
  rememberTemplate(decoded);
  return decoded;
}

/**
 * verifyWithNodeCrypto on the thread pool. The signing input and the signature get buffers of
 * their own: the reused ones may be written again by another verification before the job runs.
 */
function verifyOnThreadPool(alg: JwsAlgorithm, signer: ParsedCertificate, protectedB64: string, payload: Uint8Array, signatureB64: string): Promise<boolean> {
  const input = signingInput(Buffer.allocUnsafe(protectedB64.length + 1 + payload.length), protectedB64, payload);
  const decodedSignature = decodeSignature(signatureB64);
  if (decodedSignature === undefined) return Promise.resolve(false);
  const signature = Buffer.from(decodedSignature);
  const check = signatureCheck(alg, signer, signature.length);
  if (check === undefined) return Promise.resolve(false);
  return new Promise<boolean>((resolve, reject) => {
    cryptoVerify(check.digest, input, check.key, signature, (error, valid) => (error !== null ? reject(new TrustError('ERR_TRUST_JWS_BAD_SIGNATURE', { cause: error })) : resolve(valid)));
  });
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
    rememberTemplate(decoded);
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
    const x5c = Object.freeze([...(decoded.header.x5c as string[])]);
    options.parsedCache.setParsed(x5t, { x5c, x5cJson: Buffer.from(JSON.stringify(x5c), 'latin1'), certificates: Object.freeze([...decoded.certificates]), joseVerified: new Set([alg]), x5t });
  }
  return decoded;
}
