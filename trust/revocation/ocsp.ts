/**
 * OCSP (RFC 6960): building requests and checking responses.
 *
 * Wire grammar (§4.1.1, §4.2.1):
 *   OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
 *   TBSRequest ::= SEQUENCE { version [0] DEFAULT v1, requestorName [1] OPTIONAL, requestList SEQUENCE OF Request,
 *                             requestExtensions [2] EXPLICIT Extensions OPTIONAL }          -- nonce here (§4.4.1)
 *   CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash OCTET STRING, issuerKeyHash OCTET STRING, serialNumber }
 *   OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
 *   BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, signatureAlgorithm, signature BIT STRING,
 *                                    certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
 */
import { createHash, randomBytes } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, CertID, id_pkix_ocsp_basic, id_pkix_ocsp_nonce, OCSPRequest, OCSPResponse, OCSPResponseStatus, Request, TBSRequest } from '@peculiar/asn1-ocsp';
import { AlgorithmIdentifier, Extension } from '@peculiar/asn1-x509';
import { TrustError } from '../errors/trust-error.js';
import { assertDerWithinLimits, bytesEqual, children, decodeOid, encoded, readNode, toArrayBuffer, toHex, value, type DerNode } from '../util/der.js';
import { OID } from '../x509/oids.js';
import { parseCertificate, type AlgorithmIdentifierValue, type ParsedCertificate } from '../x509/parse-certificate.js';
import { verifySignedData } from '../x509/verify-signature.js';
import { normaliseSerial, reasonName, type RevocationReason } from './crl.js';

export interface OcspCertId {
  readonly hashAlgorithm: 'sha1' | 'sha256';
  readonly issuerNameHash: Uint8Array;
  readonly issuerKeyHash: Uint8Array;
  readonly serialNumberHex: string;
}

export interface OcspRequest {
  readonly der: Uint8Array;
  readonly certId: OcspCertId;
  readonly nonce: Uint8Array | undefined;
}

function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  const [, bits] = children(readNode(spki));
  if (!bits) throw new TypeError('bad SPKI');
  return value(bits).subarray(1);
}

/** §4.1.1: hashes of the issuer's DN and of its subjectPublicKey value. */
export function makeCertId(cert: ParsedCertificate, issuer: ParsedCertificate, hashAlgorithm: 'sha1' | 'sha256' = 'sha256'): OcspCertId {
  return {
    hashAlgorithm,
    issuerNameHash: new Uint8Array(createHash(hashAlgorithm).update(issuer.subjectDer).digest()),
    issuerKeyHash: new Uint8Array(createHash(hashAlgorithm).update(subjectPublicKeyBits(issuer.spki)).digest()),
    serialNumberHex: normaliseSerial(cert.serialNumberHex),
  };
}

export function certIdKey(id: OcspCertId): string {
  return `${id.hashAlgorithm}:${toHex(id.issuerNameHash)}:${toHex(id.issuerKeyHash)}:${id.serialNumberHex}`;
}

function serialBytes(hex: string): ArrayBuffer {
  let text = hex.length % 2 ? `0${hex}` : hex;
  if (parseInt(text.slice(0, 2), 16) >= 0x80) text = `00${text}`;
  return toArrayBuffer(new Uint8Array(Buffer.from(text, 'hex')));
}

function asnCertId(id: OcspCertId): CertID {
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: id.hashAlgorithm === 'sha1' ? OID.sha1 : OID.sha256, parameters: null }),
    issuerNameHash: new OctetString(id.issuerNameHash),
    issuerKeyHash: new OctetString(id.issuerKeyHash),
    serialNumber: serialBytes(id.serialNumberHex),
  });
}

export function certIdFromAsn(id: CertID): OcspCertId {
  const alg = id.hashAlgorithm.algorithm;
  if (alg !== OID.sha1 && alg !== OID.sha256) throw new TrustError('ERR_TRUST_OCSP_INVALID', { message: `CertID hash ${alg} is not supported` });
  return {
    hashAlgorithm: alg === OID.sha1 ? 'sha1' : 'sha256',
    issuerNameHash: new Uint8Array(id.issuerNameHash.buffer),
    issuerKeyHash: new Uint8Array(id.issuerKeyHash.buffer),
    serialNumberHex: normaliseSerial(toHex(new Uint8Array(id.serialNumber))),
  };
}

export interface BuildOcspRequestOptions {
  /** Add a nonce extension (§4.4.1). @default true */
  readonly nonce?: boolean;
  /** @default 'sha256' */
  readonly hashAlgorithm?: 'sha1' | 'sha256';
}

export function buildOcspRequest(cert: ParsedCertificate, issuer: ParsedCertificate, options: BuildOcspRequestOptions = {}): OcspRequest {
  const certId = makeCertId(cert, issuer, options.hashAlgorithm ?? 'sha256');
  const nonce = options.nonce === false ? undefined : new Uint8Array(randomBytes(32));
  const tbsRequest = new TBSRequest({ requestList: [new Request({ reqCert: asnCertId(certId) })] });
  if (nonce) {
    // RFC 8954 §2.1: the nonce is an OCTET STRING of 1..32 octets, wrapped in the extension's OCTET STRING.
    tbsRequest.requestExtensions = [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(AsnConvert.serialize(new OctetString(nonce))) })];
  }
  const der = new Uint8Array(AsnConvert.serialize(new OCSPRequest({ tbsRequest })));
  return { der, certId, nonce };
}

/** Decodes a request (used by the test responder). */
export function parseOcspRequest(der: Uint8Array): { certIds: OcspCertId[]; nonce: Uint8Array | undefined } {
  assertDerWithinLimits(der, { maxBytes: 16384, maxDepth: 16, maxNodes: 2048 });
  const request = AsnConvert.parse(toArrayBuffer(der), OCSPRequest);
  const nonceExt = request.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  let nonce: Uint8Array | undefined;
  if (nonceExt) nonce = new Uint8Array(AsnConvert.parse(nonceExt.extnValue.buffer, OctetString).buffer);
  return { certIds: request.tbsRequest.requestList.map((r) => certIdFromAsn(r.reqCert)), nonce };
}

export type OcspStatus =
  | { readonly status: 'good'; readonly thisUpdate: Date; readonly nextUpdate: Date | undefined }
  | { readonly status: 'revoked'; readonly thisUpdate: Date; readonly nextUpdate: Date | undefined; readonly revokedAt: Date; readonly reason: RevocationReason }
  | { readonly status: 'unknown'; readonly thisUpdate: Date; readonly nextUpdate: Date | undefined };

export interface CheckOcspResponseOptions {
  readonly der: Uint8Array;
  readonly request: Pick<OcspRequest, 'certId' | 'nonce'>;
  /** The CA that issued the certificate in question. */
  readonly issuer: ParsedCertificate;
  /** Responders trusted by local configuration (e.g. the trust list's OCSP services), §4.2.2.2 (1). */
  readonly trustedResponders?: readonly ParsedCertificate[];
  readonly now: Date;
  /** Without nextUpdate, how old thisUpdate may be. @default 3600 */
  readonly maxAgeSeconds?: number;
  /** @default 300 */
  readonly clockSkewSeconds?: number;
  /** Refuse responses that do not echo our nonce. @default false (many responders pre-produce) */
  readonly requireNonce?: boolean;
}

function invalid(message: string, cause?: unknown): TrustError {
  return new TrustError('ERR_TRUST_OCSP_INVALID', { message, cause });
}

function algorithm(node: DerNode): AlgorithmIdentifierValue {
  const [oidNode, params] = children(node);
  if (!oidNode) throw invalid('Bad AlgorithmIdentifier');
  return { oid: decodeOid(value(oidNode)), parameters: params ? encoded(params) : undefined, der: encoded(node) };
}

function certIdEquals(a: OcspCertId, b: OcspCertId): boolean {
  return a.hashAlgorithm === b.hashAlgorithm && bytesEqual(a.issuerNameHash, b.issuerNameHash) && bytesEqual(a.issuerKeyHash, b.issuerKeyHash) && a.serialNumberHex === b.serialNumberHex;
}

/** Verifies an OCSP response for the request and returns the certificate status in it. */
export function checkOcspResponse(options: CheckOcspResponseOptions): OcspStatus {
  const { der, issuer, now } = options;
  const skew = (options.clockSkewSeconds ?? 300) * 1000;
  let response: OCSPResponse;
  try {
    assertDerWithinLimits(der, { maxBytes: 65536, maxDepth: 24, maxNodes: 8192 });
    response = AsnConvert.parse(toArrayBuffer(der), OCSPResponse);
  } catch (cause) {
    if (cause instanceof TrustError && cause.code === 'ERR_TRUST_INPUT_TOO_LARGE') throw cause;
    throw invalid('The OCSP response does not decode', cause);
  }
  if (response.responseStatus !== OCSPResponseStatus.successful) {
    // §2.3: tryLater and internalError say nothing about the certificate.
    const retriable = response.responseStatus === OCSPResponseStatus.tryLater || response.responseStatus === OCSPResponseStatus.internalError;
    throw new TrustError(retriable ? 'ERR_TRUST_REVOCATION_UNKNOWN' : 'ERR_TRUST_OCSP_INVALID', { message: `OCSP responder answered ${OCSPResponseStatus[response.responseStatus] ?? response.responseStatus}` });
  }
  if (!response.responseBytes || response.responseBytes.responseType !== id_pkix_ocsp_basic) throw invalid('Not a basic OCSP response');
  const basicDer = new Uint8Array(response.responseBytes.response.buffer);
  let basic: BasicOCSPResponse;
  let basicNode: DerNode;
  try {
    basicNode = assertDerWithinLimits(basicDer, { maxBytes: 65536, maxDepth: 24, maxNodes: 8192 });
    basic = AsnConvert.parse(toArrayBuffer(basicDer), BasicOCSPResponse);
  } catch (cause) {
    throw invalid('The BasicOCSPResponse does not decode', cause);
  }
  const [tbsNode, sigAlgNode, sigNode] = children(basicNode);
  if (!tbsNode || !sigAlgNode || !sigNode) throw invalid('Bad BasicOCSPResponse');
  const tbs = encoded(tbsNode);
  const sigAlg = algorithm(sigAlgNode);
  const signature = value(sigNode).subarray(1);
  const data = basic.tbsResponseData;

  // §4.2.2.2: who may sign. (1) a locally trusted responder, (2) the CA itself, (3) a responder the
  // CA certified for this purpose: issued directly by the CA, with id-kp-OCSPSigning.
  const embedded = (basic.certs ?? []).slice(0, 4).map((c) => parseCertificate(new Uint8Array(AsnConvert.serialize(c))));
  const responderMatches = (cert: ParsedCertificate): boolean => {
    const id = data.responderID;
    if (id.byKey) return bytesEqual(new Uint8Array(id.byKey.buffer), new Uint8Array(createHash('sha1').update(subjectPublicKeyBits(cert.spki)).digest()));
    if (id.byName) return bytesEqual(new Uint8Array(AsnConvert.serialize(id.byName)), cert.subjectDer);
    return false;
  };
  const candidates: Array<{ cert: ParsedCertificate; kind: 'local' | 'ca' | 'delegated' }> = [
    ...(options.trustedResponders ?? []).map((cert) => ({ cert, kind: 'local' as const })),
    { cert: issuer, kind: 'ca' as const },
    ...embedded.map((cert) => ({ cert, kind: 'delegated' as const })),
  ];
  const signer = candidates.find((c) => responderMatches(c.cert));
  if (!signer) throw new TrustError('ERR_TRUST_OCSP_UNAUTHORIZED_RESPONDER', { message: 'The response is signed by none of the CA, a delegated responder or a trusted responder' });
  if (signer.kind === 'delegated') {
    const delegate = signer.cert;
    let issuedByCa = false;
    try {
      issuedByCa = bytesEqual(delegate.issuerDer, issuer.subjectDer) && verifySignedData(delegate.signatureAlgorithm, delegate.tbs, delegate.signature, issuer.publicKey());
    } catch {
      issuedByCa = false;
    }
    if (!issuedByCa || !delegate.extKeyUsage?.includes(OID.ekuOcspSigning)) {
      throw new TrustError('ERR_TRUST_OCSP_UNAUTHORIZED_RESPONDER', { message: 'The responder certificate is not issued by the CA for OCSP signing' });
    }
    if (now < delegate.notBefore || now > delegate.notAfter) {
      throw new TrustError('ERR_TRUST_OCSP_UNAUTHORIZED_RESPONDER', { message: 'The responder certificate is not valid now' });
    }
  }
  let ok: boolean;
  try {
    ok = verifySignedData(sigAlg, tbs, signature, signer.cert.publicKey());
  } catch (cause) {
    throw invalid('The OCSP signature algorithm is not allowed', cause);
  }
  if (!ok) throw invalid('The OCSP response signature does not verify');

  for (const ext of data.responseExtensions ?? []) {
    if (ext.critical && ext.extnID !== id_pkix_ocsp_nonce) throw invalid(`Unsupported critical OCSP extension ${ext.extnID}`);
  }
  const nonceExt = data.responseExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  if (options.request.nonce) {
    if (nonceExt) {
      const echoed = new Uint8Array(AsnConvert.parse(nonceExt.extnValue.buffer, OctetString).buffer);
      if (!bytesEqual(echoed, options.request.nonce)) throw new TrustError('ERR_TRUST_OCSP_NONCE_MISMATCH');
    } else if (options.requireNonce) {
      throw new TrustError('ERR_TRUST_OCSP_NONCE_MISMATCH', { message: 'The response carries no nonce' });
    }
  }

  const single = data.responses.find((r) => {
    try {
      return certIdEquals(certIdFromAsn(r.certID), options.request.certId);
    } catch {
      return false;
    }
  });
  if (!single) throw invalid('The response does not cover the requested certificate');
  for (const ext of single.singleExtensions ?? []) if (ext.critical) throw invalid(`Unsupported critical single-response extension ${ext.extnID}`);
  // §4.2.2.1: thisUpdate not in the future; nextUpdate (if any) not in the past; else a freshness window.
  const thisUpdate = single.thisUpdate;
  const nextUpdate = single.nextUpdate;
  if (thisUpdate.getTime() > now.getTime() + skew) throw new TrustError('ERR_TRUST_OCSP_STALE', { message: 'OCSP thisUpdate is in the future' });
  if (nextUpdate && nextUpdate.getTime() + skew < now.getTime()) throw new TrustError('ERR_TRUST_OCSP_STALE', { message: 'OCSP response is past its nextUpdate' });
  if (!nextUpdate && thisUpdate.getTime() + (options.maxAgeSeconds ?? 3600) * 1000 < now.getTime()) {
    throw new TrustError('ERR_TRUST_OCSP_STALE', { message: 'OCSP response is older than the freshness window' });
  }
  const status = single.certStatus;
  if (status.revoked) {
    return { status: 'revoked', thisUpdate, nextUpdate, revokedAt: status.revoked.revocationTime, reason: reasonName(status.revoked.revocationReason?.reason) };
  }
  if (status.good !== undefined) return { status: 'good', thisUpdate, nextUpdate };
  return { status: 'unknown', thisUpdate, nextUpdate };
}
