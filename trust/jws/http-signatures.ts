/**
 * Signature bindings for HTTP requests and responses (DESIGN.md, "Signatures"). One format: a
 * detached JWS over the body (RFC 7797 `b64: false`) whose protected header binds the message:
 *
 *   request:  gcc.htm (method), gcc.htu (path and query), gcc.dig (SHA-256 body digest, RFC 9530
 *             style `sha-256=:<base64>:`), gcc.pur (purpose), gcc.nonce, gcc.cid (ClientId); sigT is
 *             the created time.
 *   response: gcc.dig, gcc.status (HTTP status), gcc.reqh (base64url SHA-256 of the request's JWS,
 *             which binds the response to the exact request it answers).
 *
 * Every gcc.* parameter is listed in `crit`, so a verifier that does not know this profile refuses
 * the signature instead of ignoring the binding (RFC 7515 §4.1.11).
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { TrustError } from '../errors/trust-error.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { signDetached } from './sign-detached.js';
import { verifySignature, type SignatureTrust, type VerifiedSignature } from './verify-signature.js';

export const REQUEST_CRIT = ['gcc.htm', 'gcc.htu', 'gcc.dig', 'gcc.pur', 'gcc.nonce', 'gcc.cid'] as const;
export const RESPONSE_CRIT = ['gcc.dig', 'gcc.status', 'gcc.reqh'] as const;

export interface Signer {
  readonly privateKey: KeyObject;
  /** Signer certificate first, then intermediates. */
  readonly certificates: readonly (ParsedCertificate | Uint8Array)[];
  /** @default system clock */
  readonly clock?: Clock;
  /** Sign on the libuv thread pool rather than in the call (see `SignDetachedOptions.offload`). @default true */
  readonly offloadSigning?: boolean;
}

export function bodyDigest(body: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/** The value a response carries to name its request. */
export function requestHash(requestJws: string): string {
  return createHash('sha256').update(requestJws, 'utf8').digest('base64url');
}

export interface SignHttpRequestOptions {
  readonly signer: Signer;
  readonly method: string;
  /** Path and query exactly as sent, e.g. `/graphql?op=x`. */
  readonly pathAndQuery: string;
  readonly body: Uint8Array;
  readonly purpose: string;
  readonly clientId: string;
  /** @default 16 random bytes, base64url */
  readonly nonce?: string;
}

export interface SignedHttpRequest {
  readonly signature: string;
  readonly nonce: string;
  readonly requestHash: string;
}

export async function signHttpRequest(options: SignHttpRequestOptions): Promise<SignedHttpRequest> {
  if (typeof options.method !== 'string' || !options.pathAndQuery?.startsWith('/')) throw new TypeError('signHttpRequest needs a method and a path starting with /');
  const nonce = options.nonce ?? randomBytes(16).toString('base64url');
  const signature = await signDetached({
    payload: options.body,
    privateKey: options.signer.privateKey,
    certificates: options.signer.certificates,
    signingTime: (options.signer.clock ?? systemClock).now(),
    offload: options.signer.offloadSigning ?? true,
    headerParameters: {
      'gcc.htm': options.method.toUpperCase(),
      'gcc.htu': options.pathAndQuery,
      'gcc.dig': bodyDigest(options.body),
      'gcc.pur': options.purpose,
      'gcc.nonce': nonce,
      'gcc.cid': options.clientId,
    },
  });
  return { signature, nonce, requestHash: requestHash(signature) };
}

export interface VerifyHttpRequestOptions {
  readonly signature: string;
  readonly method: string;
  readonly pathAndQuery: string;
  readonly body: Uint8Array;
  readonly trust: SignatureTrust;
  /** How far sigT may be from now. @default 300 */
  readonly maxClockSkewSeconds?: number;
}

export interface VerifiedHttpRequest extends VerifiedSignature {
  readonly purpose: string;
  readonly nonce: string;
  readonly requestHash: string;
}

function mismatch(what: string): TrustError {
  return new TrustError('ERR_TRUST_JWS_BINDING_MISMATCH', { message: `The signed ${what} does not match the message` });
}

function assertFresh(signingTime: Date, clock: Clock, skewSeconds: number): void {
  const now = clock.now().getTime();
  if (Math.abs(now - signingTime.getTime()) > skewSeconds * 1000) {
    throw new TrustError('ERR_TRUST_JWS_STALE', { message: `Signature time ${signingTime.toISOString()} is more than ${skewSeconds}s from now` });
  }
}

export async function verifyHttpRequest(options: VerifyHttpRequestOptions): Promise<VerifiedHttpRequest> {
  const verified = await verifySignature({ jws: options.signature, payload: options.body, trust: options.trust, crit: REQUEST_CRIT });
  const h = verified.header;
  if (h['gcc.htm'] !== options.method.toUpperCase()) throw mismatch('method');
  if (h['gcc.htu'] !== options.pathAndQuery) throw mismatch('path and query');
  if (h['gcc.dig'] !== bodyDigest(options.body)) throw mismatch('body digest');
  if (typeof h['gcc.pur'] !== 'string' || h['gcc.pur'] === '') throw mismatch('purpose');
  if (typeof h['gcc.nonce'] !== 'string' || h['gcc.nonce'].length < 16 || h['gcc.nonce'].length > 128) throw mismatch('nonce');
  // The ClientId in the header must be the identity the certificate proves.
  if (h['gcc.cid'] !== verified.identity.clientId) throw mismatch('ClientId');
  assertFresh(verified.signingTime, options.trust.clock ?? systemClock, options.maxClockSkewSeconds ?? 300);
  return { ...verified, purpose: h['gcc.pur'], nonce: h['gcc.nonce'], requestHash: requestHash(options.signature) };
}

export interface SignHttpResponseOptions {
  readonly signer: Signer;
  readonly status: number;
  readonly body: Uint8Array;
  readonly requestHash: string;
}

export async function signHttpResponse(options: SignHttpResponseOptions): Promise<string> {
  if (!Number.isInteger(options.status)) throw new TypeError('signHttpResponse needs an integer status');
  return signDetached({
    payload: options.body,
    privateKey: options.signer.privateKey,
    certificates: options.signer.certificates,
    signingTime: (options.signer.clock ?? systemClock).now(),
    offload: options.signer.offloadSigning ?? true,
    headerParameters: { 'gcc.dig': bodyDigest(options.body), 'gcc.status': options.status, 'gcc.reqh': options.requestHash },
  });
}

export interface VerifyHttpResponseOptions {
  readonly signature: string;
  readonly status: number;
  readonly body: Uint8Array;
  /** requestHash() of the request this response should answer. */
  readonly requestHash: string;
  readonly trust: SignatureTrust;
  /** @default 300 */
  readonly maxClockSkewSeconds?: number;
}

export async function verifyHttpResponse(options: VerifyHttpResponseOptions): Promise<VerifiedSignature> {
  const verified = await verifySignature({ jws: options.signature, payload: options.body, trust: options.trust, crit: RESPONSE_CRIT });
  const h = verified.header;
  if (h['gcc.reqh'] !== options.requestHash) throw mismatch('request hash');
  if (h['gcc.dig'] !== bodyDigest(options.body)) throw mismatch('body digest');
  if (h['gcc.status'] !== options.status) throw mismatch('status');
  assertFresh(verified.signingTime, options.trust.clock ?? systemClock, options.maxClockSkewSeconds ?? 300);
  return verified;
}
