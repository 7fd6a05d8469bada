/**
 * RFC 3161 time-stamp protocol client side: build a TimeStampReq, verify a TimeStampResp.
 *
 *   TimeStampReq  ::= SEQUENCE { version INTEGER { v1(1) }, messageImprint MessageImprint,
 *                                reqPolicy OID OPTIONAL, nonce INTEGER OPTIONAL, certReq BOOLEAN DEFAULT FALSE, ... }
 *   TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL }
 *   token = CMS SignedData (RFC 5652) whose eContent is TSTInfo (§2.4.2), signed attributes carrying
 *   contentType, messageDigest and ESS signingCertificateV2 (RFC 5816).
 *
 * Verification (§2.4.2, RFC 5816): status granted; eContentType id-ct-TSTInfo; imprint and nonce as
 * requested; messageDigest = hash(TSTInfo); the signature over the DER SET of signed attributes
 * verifies with the TSA certificate; signingCertificateV2 names that certificate; the certificate
 * has exactly one, critical, EKU id-kp-timeStamping (§2.3); its chain validates against the trust
 * list at genTime and it is listed there as a granted TSA.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { ContentInfo, id_signedData, SignedData } from '@peculiar/asn1-cms';
import { id_ct_tstInfo, PKIStatus, TimeStampResp, TSTInfo } from '@peculiar/asn1-tsp';
import { TrustError } from '../errors/trust-error.js';
import { statusAt, type TrustList } from '../trust-list/trust-list.js';
import { type FetchLike } from '../util/clock.js';
import { assertDerWithinLimits, bytesEqual, children, decodeOid, encoded, readNode, toArrayBuffer, toHex, value, type DerNode } from '../util/der.js';
import { concat, integer, nullValue, octetString, oid, sequence } from '../util/der-encode.js';
import { OID } from '../x509/oids.js';
import { parseCertificate, type AlgorithmIdentifierValue, type ParsedCertificate } from '../x509/parse-certificate.js';
import { validatePath } from '../x509/validate-path.js';
import { verifySignedData } from '../x509/verify-signature.js';

export const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
export const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
export const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';

export type TimestampHash = 'sha256' | 'sha384' | 'sha512';
const HASH_OIDS: Record<TimestampHash, string> = { sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 };
const HASH_BY_OID: Record<string, TimestampHash> = { [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };

export interface TimestampRequest {
  readonly der: Uint8Array;
  readonly hashAlgorithm: TimestampHash;
  readonly hashedMessage: Uint8Array;
  /** Hex nonce. */
  readonly nonce: string;
}

/** Builds a TimeStampReq for `data` (hashed here) with a random 64-bit nonce and certReq true. */
export function buildTimestampRequest(data: Uint8Array, options: { readonly hashAlgorithm?: TimestampHash } = {}): TimestampRequest {
  if (!(data instanceof Uint8Array)) throw new TypeError('buildTimestampRequest needs bytes');
  const hashAlgorithm = options.hashAlgorithm ?? 'sha256';
  const hashedMessage = new Uint8Array(createHash(hashAlgorithm).update(data).digest());
  const nonceBytes = randomBytes(8);
  nonceBytes[0] = (nonceBytes[0] as number) & 0x7f;
  const der = sequence(
    integer(1),
    sequence(sequence(oid(HASH_OIDS[hashAlgorithm]), nullValue()), octetString(hashedMessage)),
    integer(new Uint8Array(nonceBytes)),
    new Uint8Array([0x01, 0x01, 0xff]),
  );
  return { der, hashAlgorithm, hashedMessage, nonce: toHex(new Uint8Array(nonceBytes)).replace(/^(00)+(?=.)/, '') };
}

export interface VerifiedTimestamp {
  readonly genTime: Date;
  readonly serialNumberHex: string;
  readonly policy: string;
  readonly tsa: ParsedCertificate;
  /** The TimeStampToken (CMS ContentInfo DER), to store with the evidence. */
  readonly token: Uint8Array;
}

export interface VerifyTimestampOptions {
  readonly response: Uint8Array;
  readonly request: Pick<TimestampRequest, 'hashAlgorithm' | 'hashedMessage' | 'nonce'>;
  readonly trustList: TrustList;
}

function invalid(message: string, cause?: unknown): TrustError {
  return new TrustError('ERR_TRUST_TSP_INVALID', { message, cause });
}

function algorithmOf(node: DerNode): AlgorithmIdentifierValue {
  const [oidNode, params] = children(node);
  if (!oidNode) throw invalid('Bad AlgorithmIdentifier');
  return { oid: decodeOid(value(oidNode)), parameters: params ? encoded(params) : undefined, der: encoded(node) };
}

/** CMS signatures may name rsaEncryption and leave the hash to the digest algorithm (RFC 5754 §3.2). */
function signatureAlgorithmFor(sigAlg: AlgorithmIdentifierValue, digest: TimestampHash): AlgorithmIdentifierValue {
  if (sigAlg.oid !== OID.rsaEncryption) return sigAlg;
  const mapped = digest === 'sha256' ? OID.sha256WithRSA : digest === 'sha384' ? OID.sha384WithRSA : OID.sha512WithRSA;
  const der = sequence(oid(mapped), nullValue());
  return { oid: mapped, parameters: nullValue(), der };
}

/** Verifies a TimeStampResp against the request and the trust list's TSAs. */
export function verifyTimestampResponse(options: VerifyTimestampOptions): VerifiedTimestamp {
  const { response, request, trustList } = options;
  let resp: TimeStampResp;
  try {
    assertDerWithinLimits(response, { maxBytes: 65536, maxDepth: 24, maxNodes: 8192 });
    resp = AsnConvert.parse(toArrayBuffer(response), TimeStampResp);
  } catch (cause) {
    if (cause instanceof TrustError && cause.code === 'ERR_TRUST_INPUT_TOO_LARGE') throw cause;
    throw invalid('The timestamp response does not decode', cause);
  }
  if (resp.status.status !== PKIStatus.granted && resp.status.status !== PKIStatus.grantedWithMods) {
    throw invalid(`The TSA refused the request (status ${resp.status.status})`);
  }
  // The token's exact bytes: second element of TimeStampResp.
  const tokenNode = children(readNode(response))[1];
  if (!tokenNode || !resp.timeStampToken) throw invalid('The response carries no token');
  const token = encoded(tokenNode);
  let signed: SignedData;
  try {
    const info = AsnConvert.parse(toArrayBuffer(token), ContentInfo);
    if (info.contentType !== id_signedData) throw new Error('not SignedData');
    signed = AsnConvert.parse(info.content, SignedData);
  } catch (cause) {
    throw invalid('The token is not CMS SignedData', cause);
  }
  if (signed.encapContentInfo.eContentType !== id_ct_tstInfo || !signed.encapContentInfo.eContent?.single) throw invalid('The token does not hold a TSTInfo');
  const tstDer = new Uint8Array(signed.encapContentInfo.eContent.single.buffer);
  let tst: TSTInfo;
  try {
    tst = AsnConvert.parse(toArrayBuffer(tstDer), TSTInfo);
  } catch (cause) {
    throw invalid('The TSTInfo does not decode', cause);
  }
  // §2.4.2: the imprint and nonce must be the ones we sent.
  const imprintHash = HASH_BY_OID[tst.messageImprint.hashAlgorithm.algorithm];
  if (imprintHash !== request.hashAlgorithm || !bytesEqual(new Uint8Array(tst.messageImprint.hashedMessage.buffer), request.hashedMessage)) {
    throw new TrustError('ERR_TRUST_TSP_MISMATCH', { message: 'The timestamp covers other data' });
  }
  const nonceHex = tst.nonce ? toHex(new Uint8Array(tst.nonce)).replace(/^(00)+(?=.)/, '') : undefined;
  if (nonceHex !== request.nonce) throw new TrustError('ERR_TRUST_TSP_MISMATCH', { message: 'The timestamp nonce differs from the request' });

  if (signed.signerInfos.length !== 1) throw invalid('A timestamp token has exactly one signer');
  // Raw signer info and its signed attributes, from the original bytes.
  const signedDataNode = children(children(readNode(token))[1] as DerNode)[0] as DerNode;
  const sdParts = children(signedDataNode);
  const signerInfosNode = sdParts[sdParts.length - 1] as DerNode;
  const signerInfoNode = children(signerInfosNode)[0] as DerNode;
  const siParts = children(signerInfoNode);
  const signedAttrsNode = siParts.find((p) => p.tag === 0xa0);
  const sigAlgNode = siParts[siParts.indexOf(signedAttrsNode as DerNode) + 1];
  const sigNode = siParts[siParts.indexOf(signedAttrsNode as DerNode) + 2];
  if (!signedAttrsNode || !sigAlgNode || !sigNode || sigNode.tag !== 0x04) throw invalid('The signer info has no signed attributes');
  const signerInfo = signed.signerInfos[0] as NonNullable<(typeof signed.signerInfos)[0]>;
  const digest = HASH_BY_OID[signerInfo.digestAlgorithm.algorithm];
  if (!digest) throw invalid('Unsupported digest algorithm');
  const attrs = signerInfo.signedAttrs ?? [];
  const attr = (type: string): Uint8Array | undefined => {
    const found = attrs.filter((a) => a.attrType === type);
    if (found.length !== 1 || found[0]?.attrValues.length !== 1) return undefined;
    return new Uint8Array(found[0].attrValues[0] as ArrayBuffer);
  };
  const contentType = attr(OID_CONTENT_TYPE);
  if (!contentType || decodeOid(value(readNode(contentType))) !== id_ct_tstInfo) throw invalid('contentType attribute missing or wrong');
  const messageDigest = attr(OID_MESSAGE_DIGEST);
  if (!messageDigest || !bytesEqual(value(readNode(messageDigest)), new Uint8Array(createHash(digest).update(tstDer).digest()))) {
    throw invalid('messageDigest does not match the TSTInfo');
  }
  // Find the signer certificate among the embedded ones.
  const embedded = (signed.certificates ?? []).filter((c) => c.certificate).slice(0, 6).map((c) => parseCertificate(new Uint8Array(AsnConvert.serialize(c.certificate))));
  const sid = signerInfo.sid.issuerAndSerialNumber;
  const tsa = embedded.find((c) => sid && c.serialNumberHex === toHex(new Uint8Array(sid.serialNumber)).replace(/^(00)+(?=.)/, '') && bytesEqual(c.issuerDer, new Uint8Array(AsnConvert.serialize(sid.issuer))));
  if (!tsa) throw invalid('The TSA certificate is not in the token');
  // RFC 5816: signingCertificateV2 binds the signer certificate (SHA-256 by default).
  const signingCert = attr(OID_SIGNING_CERTIFICATE_V2);
  if (!signingCert) throw invalid('signingCertificateV2 attribute missing');
  const essCerts = children(children(readNode(signingCert))[0] as DerNode);
  const firstEss = essCerts[0] ? children(essCerts[0]) : [];
  const hashNode = firstEss.find((n) => n.tag === 0x04);
  const hashAlgNode = firstEss.find((n) => n.tag === 0x30);
  const essHash = hashAlgNode ? HASH_BY_OID[decodeOid(value(children(hashAlgNode)[0] as DerNode))] : 'sha256';
  if (!hashNode || !essHash || !bytesEqual(value(hashNode), new Uint8Array(createHash(essHash).update(tsa.der).digest()))) {
    throw invalid('signingCertificateV2 does not name the signer certificate');
  }
  // CMS §5.4: the signature covers the DER of the attributes with a SET OF tag.
  const attrsForSignature = concat(new Uint8Array([0x31]), encoded(signedAttrsNode).subarray(1));
  let ok: boolean;
  try {
    ok = verifySignedData(signatureAlgorithmFor(algorithmOf(sigAlgNode), digest), attrsForSignature, value(sigNode), tsa.publicKey());
  } catch (cause) {
    throw invalid('The timestamp signature algorithm is not allowed', cause);
  }
  if (!ok) throw invalid('The timestamp signature does not verify');
  // §2.3: exactly one EKU, id-kp-timeStamping, critical.
  const eku = tsa.extensions.find((e) => e.oid === OID.extKeyUsage);
  if (!eku?.critical || tsa.extKeyUsage?.length !== 1 || tsa.extKeyUsage[0] !== OID.ekuTimeStamping) {
    throw invalid('The TSA certificate must have the single critical EKU timeStamping');
  }
  const genTime = tst.genTime;
  const listed = trustList.findService('tsa', tsa);
  if (!listed || statusAt(listed.service, genTime) !== 'granted') {
    throw new TrustError('ERR_TRUST_TSA_NOT_LISTED', { message: listed ? `TSA ${listed.service.id} is not granted at ${genTime.toISOString()}` : undefined });
  }
  try {
    validatePath({ anchors: trustList.caCertificates(listed.state), intermediates: embedded.filter((c) => c !== tsa), endEntity: tsa, at: genTime, purpose: 'timeStamping' });
  } catch (cause) {
    throw new TrustError('ERR_TRUST_TSA_NOT_LISTED', { message: 'The TSA certificate does not chain to its state CA', cause });
  }
  return { genTime, serialNumberHex: toHex(new Uint8Array(tst.serialNumber)), policy: tst.policy, tsa, token };
}

export interface RequestTimestampOptions {
  readonly url: string;
  readonly data: Uint8Array;
  readonly fetch: FetchLike;
  readonly trustList: TrustList;
  /** @default 10000 */
  readonly timeoutMillis?: number;
}

/** A verified timestamp with what is needed to verify it again later, elsewhere: the response and the request's nonce. */
export interface RequestedTimestamp extends VerifiedTimestamp {
  readonly response: Uint8Array;
  readonly nonce: string;
  readonly hashAlgorithm: TimestampRequest['hashAlgorithm'];
}

/** Asks a TSA over HTTP (RFC 3161 §3.4: application/timestamp-query / -reply) and verifies the answer. */
export async function requestTimestamp(options: RequestTimestampOptions): Promise<RequestedTimestamp> {
  const request = buildTimestampRequest(options.data);
  let body: Uint8Array;
  try {
    const response = await options.fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body: request.der,
      signal: AbortSignal.timeout(options.timeoutMillis ?? 10_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    throw new TrustError('ERR_TRUST_FETCH_FAILED', { message: `The TSA at ${options.url} could not be reached`, cause });
  }
  const verified = verifyTimestampResponse({ response: body, request, trustList: options.trustList });
  return { ...verified, response: body, nonce: request.nonce, hashAlgorithm: request.hashAlgorithm };
}

