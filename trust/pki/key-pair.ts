/**
 * Key pairs for the PKI tooling. Keys are node:crypto KeyObjects; WebCrypto CryptoKeys are derived
 * on demand for @peculiar/x509, which signs through WebCrypto.
 */
import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCb, webcrypto, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPairCb);

export type KeyType = 'ec-p256' | 'ec-p384' | 'ed25519' | 'rsa-2048' | 'rsa-3072';
/** How an RSA key signs certificates and CRLs: PKCS#1 v1.5 or RSASSA-PSS (RFC 4055). */
export type RsaScheme = 'pkcs1' | 'pss';

export interface KeyPair {
  readonly type: KeyType;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export const KEY_TYPES: readonly KeyType[] = ['ec-p256', 'ec-p384', 'ed25519', 'rsa-2048', 'rsa-3072'];

export async function generateKeyPair(type: KeyType): Promise<KeyPair> {
  switch (type) {
    case 'ec-p256':
    case 'ec-p384': {
      const { privateKey, publicKey } = await generate('ec', { namedCurve: type === 'ec-p256' ? 'P-256' : 'P-384' });
      return { type, privateKey, publicKey };
    }
    case 'ed25519': {
      const { privateKey, publicKey } = await generate('ed25519');
      return { type, privateKey, publicKey };
    }
    case 'rsa-2048':
    case 'rsa-3072': {
      const { privateKey, publicKey } = await generate('rsa', { modulusLength: type === 'rsa-2048' ? 2048 : 3072 });
      return { type, privateKey, publicKey };
    }
    default:
      throw new TypeError(`Unknown key type ${String(type)}`);
  }
}

/** Reads a PKCS#8 PEM private key and infers its type. */
export function keyPairFromPem(pem: string): KeyPair {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return { type: keyTypeOf(publicKey), privateKey, publicKey };
}

export function keyTypeOf(key: KeyObject): KeyType {
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (details?.namedCurve === 'prime256v1') return 'ec-p256';
      if (details?.namedCurve === 'secp384r1') return 'ec-p384';
      break;
    case 'ed25519':
      return 'ed25519';
    case 'rsa':
      if (details?.modulusLength === 2048) return 'rsa-2048';
      if (details?.modulusLength === 3072) return 'rsa-3072';
      break;
    default:
      break;
  }
  throw new TypeError(`Unsupported key: ${String(key.asymmetricKeyType)} ${JSON.stringify(details)}`);
}

export function privateKeyPem(key: KeyPair): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function spkiDer(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}

/** The WebCrypto algorithm used to sign with this key (certificate / CRL signatures). */
export function webCryptoSigning(type: KeyType, scheme: RsaScheme = 'pkcs1'): { importAlg: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm; signAlg: webcrypto.Algorithm | webcrypto.EcdsaParams | webcrypto.RsaPssParams } {
  switch (type) {
    case 'ec-p256':
      return { importAlg: { name: 'ECDSA', namedCurve: 'P-256' } as webcrypto.EcKeyImportParams, signAlg: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams };
    case 'ec-p384':
      return { importAlg: { name: 'ECDSA', namedCurve: 'P-384' } as webcrypto.EcKeyImportParams, signAlg: { name: 'ECDSA', hash: 'SHA-384' } as webcrypto.EcdsaParams };
    case 'ed25519':
      return { importAlg: { name: 'Ed25519' }, signAlg: { name: 'Ed25519' } };
    case 'rsa-2048':
    case 'rsa-3072':
      return scheme === 'pss'
        ? { importAlg: { name: 'RSA-PSS', hash: 'SHA-256' } as webcrypto.RsaHashedImportParams, signAlg: { name: 'RSA-PSS', saltLength: 32 } as webcrypto.RsaPssParams }
        : { importAlg: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.RsaHashedImportParams, signAlg: { name: 'RSASSA-PKCS1-v1_5' } };
  }
}

export async function toCryptoKeys(key: KeyPair, scheme: RsaScheme = 'pkcs1'): Promise<{ privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey }> {
  const { importAlg } = webCryptoSigning(key.type, scheme);
  const pkcs8 = key.privateKey.export({ format: 'der', type: 'pkcs8' });
  const spki = key.publicKey.export({ format: 'der', type: 'spki' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, importAlg, true, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', spki, importAlg, true, ['verify']);
  return { privateKey, publicKey };
}
