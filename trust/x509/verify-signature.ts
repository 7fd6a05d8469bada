/**
 * Signature verification for certificates, CRLs, OCSP responses and timestamp tokens, with
 * node:crypto. Allowed: RSA PKCS#1 v1.5 and RSASSA-PSS with SHA-256/384/512 and >= 2048-bit keys,
 * ECDSA on P-256 / P-384, Ed25519 (RFC 8410). SHA-1 and anything else is refused.
 */
import { constants, verify, type KeyObject } from 'node:crypto';
import { TrustError } from '../errors/trust-error.js';
import { children, decodeOid, readNode, value } from '../util/der.js';
import type { AlgorithmIdentifierValue } from './parse-certificate.js';
import { OID } from './oids.js';

const HASH_BY_OID: Record<string, string> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

const MIN_RSA_BITS = 2048;

interface PssParameters {
  readonly hash: string;
  readonly saltLength: number;
}

/** RSASSA-PSS-params (RFC 4055 §3.1); defaults (SHA-1) are refused. */
function pssParameters(parameters: Uint8Array | undefined): PssParameters {
  const unsupported = new TrustError('ERR_TRUST_UNSUPPORTED_ALGORITHM', { message: 'RSA-PSS parameters must name SHA-256/384/512 with MGF1 of the same hash' });
  if (!parameters) throw unsupported;
  const seq = readNode(parameters);
  let hash: string | undefined;
  let mgfHash: string | undefined;
  let saltLength = 20;
  for (const part of children(seq)) {
    const inner = children(part)[0];
    if (!inner) throw unsupported;
    if (part.tag === 0xa0) {
      const oid = children(inner)[0];
      hash = oid ? HASH_BY_OID[decodeOid(value(oid))] : undefined;
    } else if (part.tag === 0xa1) {
      const [mgfOid, mgfParams] = children(inner);
      if (!mgfOid || decodeOid(value(mgfOid)) !== OID.mgf1 || !mgfParams) throw unsupported;
      const hashOid = children(mgfParams)[0];
      mgfHash = hashOid ? HASH_BY_OID[decodeOid(value(hashOid))] : undefined;
    } else if (part.tag === 0xa2) {
      saltLength = value(inner).reduce((acc, b) => acc * 256 + b, 0);
    } else if (part.tag === 0xa3) {
      if (value(inner).reduce((acc, b) => acc * 256 + b, 0) !== 1) throw unsupported;
    }
  }
  if (!hash || hash !== mgfHash || saltLength > 512) throw unsupported;
  return { hash, saltLength };
}

function assertRsaKey(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') {
    throw new TrustError('ERR_TRUST_UNSUPPORTED_ALGORITHM', { message: 'RSA signature with a non-RSA key' });
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new TrustError('ERR_TRUST_WEAK_KEY', { message: `RSA key of ${bits} bits is below ${MIN_RSA_BITS}` });
}

function assertEcKey(key: KeyObject, curve: 'prime256v1' | 'secp384r1'): void {
  if (key.asymmetricKeyType !== 'ec') throw new TrustError('ERR_TRUST_UNSUPPORTED_ALGORITHM', { message: 'ECDSA signature with a non-EC key' });
  const named = key.asymmetricKeyDetails?.namedCurve;
  if (named !== 'prime256v1' && named !== 'secp384r1') {
    throw new TrustError('ERR_TRUST_WEAK_KEY', { message: `EC curve ${String(named)} is not allowed` });
  }
  void curve;
}

/**
 * Checks the public key itself is acceptable (RFC 5280 leaves this to policy): RSA >= 2048,
 * EC on P-256 or P-384, Ed25519.
 */
export function assertAcceptablePublicKey(key: KeyObject): void {
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      assertRsaKey(key);
      return;
    case 'ec':
      assertEcKey(key, 'prime256v1');
      return;
    case 'ed25519':
      return;
    default:
      throw new TrustError('ERR_TRUST_UNSUPPORTED_ALGORITHM', { message: `Key type ${String(key.asymmetricKeyType)} is not allowed` });
  }
}

/**
 * Verifies `signature` over `data` with `key` under the X.509 AlgorithmIdentifier `algorithm`.
 * Returns false for a wrong signature; throws for an algorithm or key that is not allowed.
 */
export function verifySignedData(algorithm: AlgorithmIdentifierValue, data: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  const params = algorithm.parameters;
  const isNull = params !== undefined && params.length === 2 && params[0] === 0x05 && params[1] === 0x00;
  switch (algorithm.oid) {
    case OID.sha256WithRSA:
    case OID.sha384WithRSA:
    case OID.sha512WithRSA: {
      // RFC 4055 §5: parameters MUST be NULL (absent tolerated by most, refused here for strictness).
      if (!isNull) throw new TrustError('ERR_TRUST_UNSUPPORTED_ALGORITHM', { message: 'RSA PKCS#1 v1.5 parameters must be NULL' });
      assertRsaKey(key);
      if (key.asymmetricKeyType === 'rsa-pss') throw new TrustError('ERR_TRUST_UNSUPPORTED_ALGORITHM', { message: 'A PSS-only key cannot make PKCS#1 v1.5 signatures' });
      const hash = algorithm.oid === OID.sha256WithRSA ? 'sha256' : algorithm.oid === OID.sha384WithRSA ? 'sha384' : 'sha512';
      return verify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
    }
    case OID.rsassaPss: {
      const pss = pssParameters(params);
      assertRsaKey(key);
      return verify(pss.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, signature);
    }
    case OID.ecdsaWithSHA256:
    case OID.ecdsaWithSHA384:
    case OID.ecdsaWithSHA512: {
      // RFC 5758 §3.2: the parameters field MUST be absent.
      if (params !== undefined) throw new TrustError('ERR_TRUST_UNSUPPORTED_ALGORITHM', { message: 'ECDSA parameters must be absent' });
      assertEcKey(key, 'prime256v1');
      const hash = algorithm.oid === OID.ecdsaWithSHA256 ? 'sha256' : algorithm.oid === OID.ecdsaWithSHA384 ? 'sha384' : 'sha512';
      return verify(hash, data, { key, dsaEncoding: 'der' }, signature);
    }
    case OID.ed25519: {
      // RFC 8410 §3: parameters MUST be absent.
      if (params !== undefined) throw new TrustError('ERR_TRUST_UNSUPPORTED_ALGORITHM', { message: 'Ed25519 parameters must be absent' });
      if (key.asymmetricKeyType !== 'ed25519') throw new TrustError('ERR_TRUST_UNSUPPORTED_ALGORITHM', { message: 'Ed25519 signature with another key type' });
      return verify(null, data, key, signature);
    }
    default:
      throw new TrustError('ERR_TRUST_UNSUPPORTED_ALGORITHM', { message: `Signature algorithm ${algorithm.oid} is not allowed` });
  }
}
