/**
 * The trust library's public API. Everything a caller needs is exported here; modules under
 * `testing/` are test support and not part of it.
 */
// Errors
export { TrustError, isTrustError, type TrustErrorOptions } from './errors/trust-error.js';
export { trustErrorMarkdownTable } from './errors/trust-error-table.js';
export { TRUST_ERROR_CODES, isTrustErrorCode, type TrustErrorCode, type TrustErrorCodeSpec } from './errors/trust-error-codes.js';
// Ports and small utilities
export { fixedClock, globalFetch, systemClock, type Clock, type FetchLike } from './util/clock.js';
export { canonicalize } from './util/canonical-json.js';
export { derToPem, pemToDer, pemToDerList } from './util/pem.js';
// X.509
export { parseCertificate, formatName, type ParsedCertificate, type KeyUsageName, type CertificateExtension } from './x509/parse-certificate.js';
export { validatePath, PURPOSE_EKU, type ValidatePathOptions, type ValidatedPath, type CertificatePurpose, type CertificateInput } from './x509/validate-path.js';
export { matchesPeerName, dnsNameMatches, type PeerName } from './x509/match-peer-name.js';
export { certificatesFromTlsPeer } from './x509/tls-peer-chain.js';
export { describeGeneralName, formatIp, type GeneralNameValue } from './x509/general-names.js';
export { OID } from './x509/oids.js';
// Identity
export { MEMBER_STATES, identityFromCertificate, isMemberState, makeIdentity, parseClientId, parseClientUri, type ClientIdentity, type MemberState } from './identity/client-identity.js';
// Signatures (JWS)
export { signDetached, signJwsInput, algorithmForKey, x5tS256, type JwsAlgorithm, type SignDetachedOptions } from './jws/sign-detached.js';
export { verifyDetached, decodeDetachedJws, DEFAULT_JWS_ALGORITHMS, type DecodedDetachedJws, type VerifyDetachedOptions } from './jws/verify-detached.js';
export { verifySignature, verifyMemberChain, ValidatedChainCache, type SignatureTrust, type VerifiedSignature, type VerifiedSigner, type VerifyChainOptions } from './jws/verify-signature.js';
export {
  signHttpRequest, verifyHttpRequest, signHttpResponse, verifyHttpResponse, bodyDigest, requestHash, REQUEST_CRIT, RESPONSE_CRIT,
  type Signer, type SignedHttpRequest, type VerifiedHttpRequest, type SignHttpRequestOptions, type VerifyHttpRequestOptions, type SignHttpResponseOptions, type VerifyHttpResponseOptions,
} from './jws/http-signatures.js';
export { NonceReplayCache, type NonceReplayCacheOptions } from './jws/nonce-replay-cache.js';
export { signEvent, verifyEvent, eventSigningInput, type SignableEvent } from './jws/event-signatures.js';
export {
  signEventBatch, signEventBatchLeaves, verifyBatchedEvent, eventLeafHash, encodeEventInclusionProof, decodeEventInclusionProof, EventBatchSignatureCache, EVENT_BATCH_HEADER, EVENT_BATCH_CRIT,
  type EventBatchSignature, type EventInclusionProof, type VerifyBatchedEventOptions,
} from './jws/event-batch-signatures.js';
export { buildMerkleTree, merkleRoot, merkleLeafHash, merkleNodeHash, rootFromInclusionProof, MERKLE_HASH_BYTES, type MerkleTree } from './jws/merkle-tree.js';
// Trust list
export { TrustList, statusAt, assertTrustListDocument, type TrustListDocument, type TrustListMember, type TrustService, type ServiceStatus, type ServiceType, type RevocationPolicy, type ResolvedService, type StatusChange, type LocalizedName } from './trust-list/trust-list.js';
export { TRUST_LIST_SCHEMA } from './trust-list/trust-list-schema.js';
export { signTrustList, TRUST_LIST_JWS_TYPE, type SignTrustListOptions } from './trust-list/sign-trust-list.js';
export { verifyTrustList, type VerifyTrustListOptions, type VerifiedTrustList } from './trust-list/verify-trust-list.js';
export { TrustListHolder, type TrustListHolderOptions, type TrustListHolderState } from './trust-list/trust-list-holder.js';
// Revocation
export { parseCrl, checkCrl, type ParsedCrl, type CheckCrlOptions, type CrlCheckResult, type RevocationReason } from './revocation/crl.js';
export { buildOcspRequest, checkOcspResponse, makeCertId, type OcspRequest, type OcspStatus, type OcspCertId, type CheckOcspResponseOptions } from './revocation/ocsp.js';
export { RevocationChecker, type RevocationCheckerOptions, type RevocationResult, type CheckChainOptions } from './revocation/revocation-checker.js';
// Timestamps
export { buildTimestampRequest, verifyTimestampResponse, requestTimestamp, type TimestampRequest, type VerifiedTimestamp, type VerifyTimestampOptions, type RequestTimestampOptions, type RequestedTimestamp } from './tsp/timestamp.js';
// PKI tooling
export { generateKeyPair, keyPairFromPem, privateKeyPem, KEY_TYPES, type KeyPair, type KeyType, type RsaScheme } from './pki/key-pair.js';
export { issueCertificate, encodeNameConstraints, keyIdentifier, type IssueCertificateOptions, type CertificateProfile, type SubjectAltNames, type NameConstraintsInput, type IssuerInput } from './pki/issue-certificate.js';
export { issueCrl, CRL_REASON_CODES, type IssueCrlOptions, type RevokedEntry, type CrlReason } from './pki/issue-crl.js';
export { initDemoPki, readDemoPkiManifest, type InitDemoPkiOptions, type DemoPkiManifest, type StateFiles, type AgencyFiles, type DemoPkiRevocation } from './pki/init-demo-pki.js';
export { loadDemoPki, type LoadedDemoPki, type LoadedState, type LoadedIdentity } from './pki/load-demo-pki.js';
export { exportPkcs12, importPkcs12, type Pkcs12Contents } from './pki/pkcs12.js';
// Test servers (real HTTP, port 0)
export { startOcspResponder, type OcspResponder, type OcspResponderOptions, type OcspResponderIssuer } from './servers/ocsp-responder.js';
export { buildOcspResponse, type OcspAnswer, type BuildOcspResponseOptions } from './servers/build-ocsp-response.js';
export { startCrlServer, type CrlServer } from './servers/crl-server.js';
export { startTsaServer, buildTimestampResponse, type TsaServer, type TsaServerOptions, type TsaSigner } from './servers/tsa-server.js';
export { startDemoTrustServices, type DemoTrustServices } from './servers/start-demo-trust-services.js';
export type { RunningServer } from './servers/http-util.js';
