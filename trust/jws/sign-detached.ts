/**
 * Detached JWS in the JAdES baseline style (ETSI TS 119 182-1): RFC 7515 compact serialisation with
 * the payload left out (Appendix F) and unencoded (RFC 7797 `b64: false`). The protected header
 * carries `x5c` (the signer's chain), `x5t#S256`, and `sigT` (claimed signing time), all listed in
 * `crit` where a verifier must understand them.
 */
import { constants, createHash, sign, type KeyObject } from 'node:crypto';
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
  /**
   * Sign on the libuv thread pool (node:crypto's callback form) instead of in the call. The pool
   * runs signatures on other cores of a machine that has them to spare; on a small machine whose
   * cores are busy anyway, each round trip only adds thread wake-ups and waiting.
   * @default true
   */
  readonly offload?: boolean;
}

/** Returns the compact detached JWS `<protected>..<signature>`. */
export async function signDetached(options: SignDetachedOptions): Promise<string> {
  if (!(options.payload instanceof Uint8Array)) throw new TypeError('signDetached needs payload bytes');
  if (!options.certificates?.length) throw new TypeError('signDetached needs the signer certificate chain');
  const keyAlg = algorithmForKey(options.privateKey);
  const alg = options.algorithm ?? keyAlg;
  // The algorithm must be the key's (RFC 7518 §3.4: ES256 is P-256 only); RSA keys may sign RS256 or PS256.
  if (alg !== keyAlg && !(keyAlg === 'PS256' && alg === 'RS256')) throw new TypeError(`A ${options.privateKey.asymmetricKeyType} key cannot sign ${alg}`);
  const extra = options.headerParameters ?? {};
  const extraNames = Object.keys(extra);
  for (const name of extraNames) {
    if (['alg', 'b64', 'crit', 'x5c', 'x5t#S256', 'sigT', 'jwk', 'jku', 'kid', 'x5u'].includes(name)) throw new TypeError(`Header parameter ${name} is reserved`);
  }
  const sigT = formatSigT(options.signingTime);
  const encodedHeader = (extraNames.length === 0 ? cachedEncodedHeader(options, alg, sigT) : undefined) ?? encodeHeader(options, alg, sigT, extra, extraNames);
  // RFC 7515 §5.1 with RFC 7797 §3: the signing input is the encoded header, '.', and the payload
  // bytes as they are. Signed with node:crypto directly (jose's WebCrypto path costs more per call
  // on the hot path of every signed response); verifiers use jose as before.
  const input = Buffer.allocUnsafe(encodedHeader.length + 1 + options.payload.length);
  input.write(encodedHeader, 0, 'latin1');
  input[encodedHeader.length] = 0x2e;
  input.set(options.payload, encodedHeader.length + 1);
  return `${encodedHeader}..${(await signJwsInput(alg, options.privateKey, input, options.offload ?? true)).toString('base64url')}`;
}

/**
 * The last encoded header of a chain array when it was made without extra header parameters, and
 * what it was made from. A per-event signer (events, one JWS per event) signs thousands of times a
 * second with the same chain and no extra parameters, and its header then differs only in `sigT`
 * (seconds): serialising and base64url-encoding the ~2.5 KB header with x5c each time cost ~7 µs.
 * Only the parameter-free form is kept: there the header is a function of the chain, alg, typ and
 * sigT alone (extra parameters could hold values whose JSON text does not tell them apart from
 * others, e.g. `undefined` members, which still go into `crit`). The output is byte-identical to
 * encoding afresh (sign-detached.test.ts compares the two).
 */
interface EncodedHeader {
  readonly alg: JwsAlgorithm;
  readonly typ: string | undefined;
  readonly sigT: string;
  readonly encoded: string;
}
const encodedHeaders = new WeakMap<readonly unknown[], EncodedHeader>();

function cachedEncodedHeader(options: SignDetachedOptions, alg: JwsAlgorithm, sigT: string): string | undefined {
  const cached = encodedHeaders.get(options.certificates);
  return cached !== undefined && cached.alg === alg && cached.typ === (options.typ || undefined) && cached.sigT === sigT ? cached.encoded : undefined;
}

function encodeHeader(options: SignDetachedOptions, alg: JwsAlgorithm, sigT: string, extra: Readonly<Record<string, unknown>>, extraNames: readonly string[]): string {
  const header = {
    alg,
    ...(options.typ ? { typ: options.typ } : {}),
    b64: false,
    // RFC 7797 §6: b64 must be in crit; ETSI TS 119 182-1 §5.1.1: sigT must be in crit.
    crit: ['b64', 'sigT', ...extraNames],
    sigT,
    ...chainParameters(options.certificates),
    ...extra,
  };
  const encoded = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  if (extraNames.length === 0) encodedHeaders.set(options.certificates, { alg, typ: options.typ || undefined, sigT, encoded });
  return encoded;
}

/** x5c and x5t#S256 of a chain, computed once per chain array (a signer signs many times with the same one). */
const chainHeaders = new WeakMap<readonly unknown[], { readonly x5c: readonly string[]; readonly 'x5t#S256': string }>();

function chainParameters(certificates: readonly (ParsedCertificate | Uint8Array)[]): { readonly x5c: readonly string[]; readonly 'x5t#S256': string } {
  let cached = chainHeaders.get(certificates);
  if (cached === undefined) {
    const ders = certificates.map((c) => (c instanceof Uint8Array ? c : c.der));
    cached = { x5c: ders.map((d) => Buffer.from(d).toString('base64')), 'x5t#S256': x5tS256(ders[0] as Uint8Array) };
    chainHeaders.set(certificates, cached);
  }
  return cached;
}

/** The key options node:crypto signs each algorithm with (RFC 7518 §3.3-3.5, RFC 8037 §3.1). */
function signingKey(alg: JwsAlgorithm, key: KeyObject): { readonly digest: string | null; readonly key: Parameters<typeof sign>[2] } {
  switch (alg) {
    case 'ES256':
      return { digest: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' } };
    case 'ES384':
      return { digest: 'sha384', key: { key, dsaEncoding: 'ieee-p1363' } };
    case 'PS256':
      return { digest: 'sha256', key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } };
    case 'RS256':
      return { digest: 'sha256', key: { key, padding: constants.RSA_PKCS1_PADDING } };
    case 'EdDSA':
      return { digest: null, key };
  }
}

/**
 * RFC 7518 §3.3-3.5 and RFC 8037 §3.1: the JWS signature over a signing input (RFC 7515 §5.1), for
 * any serialisation. With `offload`, node:crypto's callback form runs it on the libuv thread pool
 * (other cores of a machine that has them to spare); without, it is made in the call.
 */
export function signJwsInput(alg: JwsAlgorithm, key: KeyObject, input: Buffer, offload: boolean): Promise<Buffer> {
  const how = signingKey(alg, key);
  if (!offload) return Promise.resolve(sign(how.digest, input, how.key));
  return new Promise<Buffer>((resolve, reject) => {
    sign(how.digest, input, how.key, (error: Error | null, signature: Buffer): void => (error !== null ? reject(error) : resolve(signature)));
  });
}
