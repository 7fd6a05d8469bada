/** Loads a demo PKI written by initDemoPki: parsed certificates and private keys, ready to use. */
import { readFile } from 'node:fs/promises';
import { MEMBER_STATES, type MemberState } from '../identity/client-identity.js';
import { pemToDerList } from '../util/pem.js';
import { parseCertificate, type ParsedCertificate } from '../x509/parse-certificate.js';
import { readDemoPkiManifest, type DemoPkiManifest } from './init-demo-pki.js';
import { keyPairFromPem, type KeyPair } from './key-pair.js';

export interface LoadedIdentity {
  readonly clientId: string;
  readonly certificate: ParsedCertificate;
  readonly key: KeyPair;
  /** Certificate then intermediate. */
  readonly chain: readonly ParsedCertificate[];
}

export interface LoadedState {
  readonly state: MemberState;
  readonly root: { readonly certificate: ParsedCertificate; readonly key: KeyPair };
  readonly intermediate: { readonly certificate: ParsedCertificate; readonly key: KeyPair };
  readonly ocsp: { readonly certificate: ParsedCertificate; readonly key: KeyPair };
  readonly rootCrl: Uint8Array;
  readonly intermediateCrl: Uint8Array;
  readonly agencies: ReadonlyArray<{ readonly clientId: string; readonly revoked: boolean; readonly client: LoadedIdentity; readonly signing: LoadedIdentity }>;
  readonly gateway?: { readonly server: LoadedIdentity; readonly signing: LoadedIdentity };
  readonly tsa?: { readonly certificate: ParsedCertificate; readonly key: KeyPair; readonly chain: readonly ParsedCertificate[] };
}

export interface LoadedDemoPki {
  readonly manifest: DemoPkiManifest;
  readonly operator: { readonly root: ParsedCertificate; readonly signer: ParsedCertificate; readonly signerKey: KeyPair; readonly rootKey: KeyPair };
  readonly signedTrustList: string;
  readonly states: Readonly<Record<MemberState, LoadedState>>;
}

async function certs(path: string): Promise<ParsedCertificate[]> {
  return pemToDerList(await readFile(path, 'utf8')).map(parseCertificate);
}

async function cert(path: string): Promise<ParsedCertificate> {
  return (await certs(path))[0] as ParsedCertificate;
}

async function key(path: string): Promise<KeyPair> {
  return keyPairFromPem(await readFile(path, 'utf8'));
}

async function identity(clientId: string, certPath: string, keyPath: string, chainPath: string): Promise<LoadedIdentity> {
  return { clientId, certificate: await cert(certPath), key: await key(keyPath), chain: await certs(chainPath) };
}

export async function loadDemoPki(dirOrManifest: string | DemoPkiManifest): Promise<LoadedDemoPki> {
  const manifest = typeof dirOrManifest === 'string' ? await readDemoPkiManifest(dirOrManifest) : dirOrManifest;
  const states = {} as Record<MemberState, LoadedState>;
  for (const state of MEMBER_STATES) {
    const s = manifest.states[state];
    const agencies = [];
    for (const a of s.agencies) {
      agencies.push({
        clientId: a.clientId,
        revoked: a.revoked === true,
        client: await identity(a.clientId, a.clientCert, a.clientKey, a.clientChain),
        signing: await identity(a.clientId, a.signingCert, a.signingKey, a.signingChain),
      });
    }
    states[state] = {
      state,
      root: { certificate: await cert(s.rootCert), key: await key(s.rootKey) },
      intermediate: { certificate: await cert(s.intermediateCert), key: await key(s.intermediateKey) },
      ocsp: { certificate: await cert(s.ocspCert), key: await key(s.ocspKey) },
      rootCrl: new Uint8Array(await readFile(s.rootCrl)),
      intermediateCrl: new Uint8Array(await readFile(s.intermediateCrl)),
      agencies,
      ...(s.gateway
        ? {
            gateway: {
              server: await identity(s.gateway.clientId, s.gateway.serverCert, s.gateway.serverKey, s.gateway.serverChain),
              signing: await identity(s.gateway.clientId, s.gateway.signingCert, s.gateway.signingKey, s.gateway.signingChain),
            },
          }
        : {}),
      ...(s.tsa ? { tsa: { certificate: await cert(s.tsa.cert), key: await key(s.tsa.key), chain: (await certs(s.tsa.chain)).slice(1) } } : {}),
    };
  }
  return {
    manifest,
    operator: {
      root: await cert(manifest.operator.rootCert),
      rootKey: await key(manifest.operator.rootKey),
      signer: await cert(manifest.operator.signerCert),
      signerKey: await key(manifest.operator.signerKey),
    },
    signedTrustList: await readFile(manifest.trustList.signed, 'utf8'),
    states,
  };
}
