/**
 * Raw X.509-style signatures with node:crypto (OCSP responses, timestamp tokens): returns the
 * AlgorithmIdentifier DER that goes with the signature, per RFC 5758 (ECDSA), RFC 4055 (RSA, PSS),
 * RFC 8410 (Ed25519).
 */
import { constants, sign } from 'node:crypto';
import { contextConstructed, integer, nullValue, oid, sequence } from '../util/der-encode.js';
import { OID } from '../x509/oids.js';
import type { KeyPair, RsaScheme } from './key-pair.js';

export interface RawSignature {
  readonly algorithm: Uint8Array;
  readonly signature: Uint8Array;
}

const PSS_SHA256_PARAMS = sequence(
  contextConstructed(0, sequence(oid(OID.sha256), nullValue())),
  contextConstructed(1, sequence(oid(OID.mgf1), sequence(oid(OID.sha256), nullValue()))),
  contextConstructed(2, integer(32)),
);

export function signData(key: KeyPair, data: Uint8Array, scheme: RsaScheme = 'pkcs1'): RawSignature {
  switch (key.type) {
    case 'ec-p256':
      return { algorithm: sequence(oid(OID.ecdsaWithSHA256)), signature: new Uint8Array(sign('sha256', data, { key: key.privateKey, dsaEncoding: 'der' })) };
    case 'ec-p384':
      return { algorithm: sequence(oid(OID.ecdsaWithSHA384)), signature: new Uint8Array(sign('sha384', data, { key: key.privateKey, dsaEncoding: 'der' })) };
    case 'ed25519':
      return { algorithm: sequence(oid(OID.ed25519)), signature: new Uint8Array(sign(null, data, key.privateKey)) };
    case 'rsa-2048':
    case 'rsa-3072':
      if (scheme === 'pss') {
        return {
          algorithm: sequence(oid(OID.rsassaPss), PSS_SHA256_PARAMS),
          signature: new Uint8Array(sign('sha256', data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })),
        };
      }
      return { algorithm: sequence(oid(OID.sha256WithRSA), nullValue()), signature: new Uint8Array(sign('sha256', data, { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING })) };
  }
}
