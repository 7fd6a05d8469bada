/**
 * Verifying a signed trust list: the signer chains to a pinned operator anchor (path validation,
 * purpose `signing`), the JWS verifies, the payload matches the schema. Sequence and expiry are the
 * holder's business (trust-list-holder.ts) because they depend on what is already held.
 */
import { flattenedVerify } from 'jose';
import { TrustError } from '../errors/trust-error.js';
import { DEFAULT_JWS_ALGORITHMS } from '../jws/verify-detached.js';
import { x5tS256 } from '../jws/sign-detached.js';
import { parseCertificate, type ParsedCertificate } from '../x509/parse-certificate.js';
import { validatePath, type CertificateInput } from '../x509/validate-path.js';
import { TRUST_LIST_JWS_TYPE } from './sign-trust-list.js';
import { TrustList, type TrustListDocument } from './trust-list.js';

export interface VerifyTrustListOptions {
  readonly operatorAnchors: readonly CertificateInput[];
  readonly at: Date;
  /** @default 4 MiB */
  readonly maxBytes?: number;
}

export interface VerifiedTrustList {
  readonly trustList: TrustList;
  readonly signer: ParsedCertificate;
  readonly signingTime: Date;
}

function invalid(message: string, cause?: unknown): TrustError {
  return new TrustError('ERR_TRUST_LIST_INVALID', { message, cause });
}

export async function verifyTrustList(signedText: string, options: VerifyTrustListOptions): Promise<VerifiedTrustList> {
  if (typeof signedText !== 'string') throw new TypeError('verifyTrustList needs the signed trust list text');
  if (!options?.operatorAnchors?.length) throw new TypeError('verifyTrustList needs the pinned operator anchor');
  if (signedText.length > (options.maxBytes ?? 4 * 1024 * 1024)) throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE');
  let jws: { protected?: unknown; payload?: unknown; signature?: unknown };
  try {
    jws = JSON.parse(signedText) as typeof jws;
  } catch (cause) {
    throw invalid('The signed trust list is not JSON', cause);
  }
  if (typeof jws.protected !== 'string' || typeof jws.payload !== 'string' || typeof jws.signature !== 'string') {
    throw invalid('The signed trust list is not a flattened JWS');
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new TrustError('ERR_TRUST_LIST_BAD_SIGNATURE', { message: 'Unreadable protected header', cause });
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !(DEFAULT_JWS_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new TrustError('ERR_TRUST_LIST_BAD_SIGNATURE', { message: `Algorithm ${String(alg)} is not allowed for trust lists` });
  }
  if (header.typ !== TRUST_LIST_JWS_TYPE) throw new TrustError('ERR_TRUST_LIST_BAD_SIGNATURE', { message: 'Wrong typ for a trust list' });
  const x5c = header.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > 4 || !x5c.every((c) => typeof c === 'string')) {
    throw new TrustError('ERR_TRUST_LIST_UNTRUSTED_OPERATOR', { message: 'The trust list carries no x5c chain' });
  }
  let chain: ParsedCertificate[];
  try {
    chain = (x5c as string[]).map((c) => parseCertificate(new Uint8Array(Buffer.from(c, 'base64'))));
  } catch (cause) {
    throw new TrustError('ERR_TRUST_LIST_UNTRUSTED_OPERATOR', { message: 'Unreadable x5c', cause });
  }
  const signer = chain[0] as ParsedCertificate;
  if (header['x5t#S256'] !== x5tS256(signer.der)) throw new TrustError('ERR_TRUST_LIST_BAD_SIGNATURE', { message: 'x5t#S256 does not match x5c[0]' });
  try {
    validatePath({ anchors: options.operatorAnchors, intermediates: chain.slice(1), endEntity: signer, at: options.at, purpose: 'signing' });
  } catch (cause) {
    const reason = cause instanceof TrustError ? `${cause.code}: ${cause.message}` : String(cause);
    throw new TrustError('ERR_TRUST_LIST_UNTRUSTED_OPERATOR', { message: `The trust list signer does not chain to the pinned operator (${reason})`, cause });
  }
  let payload: Uint8Array;
  try {
    const result = await flattenedVerify({ protected: jws.protected, payload: jws.payload, signature: jws.signature }, signer.publicKey(), {
      algorithms: [alg],
      crit: { sigT: true },
    });
    payload = result.payload;
  } catch (cause) {
    throw new TrustError('ERR_TRUST_LIST_BAD_SIGNATURE', { cause });
  }
  let document: TrustListDocument;
  try {
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as TrustListDocument;
  } catch (cause) {
    throw invalid('The trust list payload is not JSON', cause);
  }
  return { trustList: new TrustList(document), signer, signingTime: new Date(String(header.sigT)) };
}
