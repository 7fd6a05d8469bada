/**
 * `initDemoPki`: a complete demo GCC PKI in one directory, for the embedded mode, tests and demos.
 * Every private key is generated at run time and written with mode 0600; nothing here is ever
 * committed. Key types are mixed across states so that every verification path is exercised:
 * ECDSA P-256 and P-384, Ed25519, RSA-3072 (one root only: RSA key generation is slow) with RSA-PSS
 * signatures on its intermediate, RSA-2048.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { TrustError } from '../errors/trust-error.js';
import { makeIdentity, MEMBER_STATES, type MemberState } from '../identity/client-identity.js';
import { signTrustList } from '../trust-list/sign-trust-list.js';
import type { TrustListDocument, TrustService } from '../trust-list/trust-list.js';
import { derToPem } from '../util/pem.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { issueCertificate, type IssuerInput } from './issue-certificate.js';
import { issueCrl, type RevokedEntry } from './issue-crl.js';
import { generateKeyPair, privateKeyPem, type KeyPair, type KeyType, type RsaScheme } from './key-pair.js';

export interface AgencyFiles {
  readonly clientId: string;
  readonly uri: string;
  /** mTLS client certificate (EKU clientAuth) and key. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** Client certificate followed by the intermediate (what a TLS client sends). */
  readonly clientChain: string;
  /** Signing certificate (EKU GCC signing) and key, for JWS over requests and events. */
  readonly signingCert: string;
  readonly signingKey: string;
  readonly signingChain: string;
  readonly revoked?: boolean;
}

export interface StateFiles {
  readonly state: MemberState;
  readonly keyTypes: { readonly root: KeyType; readonly intermediate: KeyType; readonly leaves: KeyType };
  readonly rootCert: string;
  readonly rootKey: string;
  readonly intermediateCert: string;
  readonly intermediateKey: string;
  /** Intermediate then root, PEM. */
  readonly caChain: string;
  /** CRL of the root (covers intermediates) and of the intermediate (covers leaves), DER and PEM. */
  readonly rootCrl: string;
  readonly rootCrlPem: string;
  readonly intermediateCrl: string;
  readonly intermediateCrlPem: string;
  /** Delegated OCSP responder for certificates issued by the intermediate (RFC 6960 §4.2.2.2). */
  readonly ocspCert: string;
  readonly ocspKey: string;
  readonly agencies: readonly AgencyFiles[];
  /** Gateway TLS server certificate for localhost / 127.0.0.1 / ::1, and the gateway's own signing identity. */
  readonly gateway?: {
    readonly hostnames: readonly string[];
    readonly serverCert: string;
    readonly serverKey: string;
    readonly serverChain: string;
    readonly signingCert: string;
    readonly signingKey: string;
    readonly signingChain: string;
    readonly clientId: string;
  };
  readonly tsa?: { readonly cert: string; readonly key: string; readonly chain: string };
}

export interface DemoPkiRevocation {
  readonly state: MemberState;
  readonly issuer: 'root' | 'intermediate';
  readonly serialNumberHex: string;
  readonly revokedAt: string;
  readonly reason: string;
  readonly clientId?: string;
}

export interface DemoPkiManifest {
  readonly manifestVersion: 1;
  /** Absolute directory (manifest.json itself stores paths relative to it). */
  readonly dir: string;
  readonly createdAt: string;
  readonly baseUrl: string;
  readonly operator: { readonly rootCert: string; readonly rootKey: string; readonly signerCert: string; readonly signerKey: string };
  readonly trustList: { readonly signed: string; readonly document: string; readonly sequenceNumber: number; readonly nextUpdate: string };
  readonly states: Readonly<Record<MemberState, StateFiles>>;
  readonly revocations: readonly DemoPkiRevocation[];
  readonly urls: { readonly ocsp: string; readonly crlBase: string; readonly tsa: string };
}

export interface InitDemoPkiOptions {
  readonly dir: string;
  /** @default new Date() */
  readonly now?: Date;
  /** Overwrite an existing PKI in `dir`. @default false */
  readonly force?: boolean;
  /** Base URL written into AIA/CDP extensions and the trust list. @default 'http://127.0.0.1:8780' */
  readonly baseUrl?: string;
  /** Days until the trust list's nextUpdate. @default 30 */
  readonly trustListValidityDays?: number;
  /**
   * Key source, by a stable slot name (`QA/root`, `QA/gov-csgdb-hr-portal/client`, ...). Tests inject
   * a cache here so RSA key generation is paid once. @default generateKeyPair (fresh keys)
   */
  readonly generateKey?: (slot: string, type: KeyType) => Promise<KeyPair>;
}

interface StatePlan {
  readonly name: { readonly en: string; readonly ar: string };
  readonly root: KeyType;
  readonly intermediate: KeyType;
  readonly leaves: KeyType;
  /** How the root signs the intermediate when the root is RSA. */
  readonly rootScheme: RsaScheme;
  readonly intermediateScheme: RsaScheme;
  readonly member: readonly [string, string, string];
  readonly gateway: boolean;
  readonly nameConstraints?: { readonly permitted: readonly string[] };
}

const PLAN: Record<MemberState, StatePlan> = {
  QA: {
    name: { en: 'State of Qatar', ar: 'دولة قطر' },
    root: 'ec-p384', intermediate: 'ec-p256', leaves: 'ec-p256', rootScheme: 'pkcs1', intermediateScheme: 'pkcs1',
    member: ['GOV', 'CSGDB', 'hr-portal'],
    gateway: true,
    nameConstraints: { permitted: ['dn:C=QA', 'dns:localhost', 'dns:.qa', 'dns:gcc.example', 'ip:127.0.0.0/8', 'ip:::1/128'] },
  },
  SA: {
    name: { en: 'Kingdom of Saudi Arabia', ar: 'المملكة العربية السعودية' },
    root: 'rsa-3072', intermediate: 'rsa-2048', leaves: 'ec-p256', rootScheme: 'pss', intermediateScheme: 'pss',
    member: ['GOV', 'MHRSD', 'hr-verify'],
    gateway: true,
  },
  AE: {
    name: { en: 'United Arab Emirates', ar: 'الإمارات العربية المتحدة' },
    root: 'ed25519', intermediate: 'ed25519', leaves: 'ed25519', rootScheme: 'pkcs1', intermediateScheme: 'pkcs1',
    member: ['GOV', 'FAHR', 'hr-portal'],
    gateway: false,
  },
  BH: {
    name: { en: 'Kingdom of Bahrain', ar: 'مملكة البحرين' },
    root: 'ec-p256', intermediate: 'ec-p256', leaves: 'ec-p256', rootScheme: 'pkcs1', intermediateScheme: 'pkcs1',
    member: ['GOV', 'CSB', 'hr-portal'],
    gateway: false,
  },
  KW: {
    name: { en: 'State of Kuwait', ar: 'دولة الكويت' },
    root: 'ec-p384', intermediate: 'ec-p384', leaves: 'ec-p384', rootScheme: 'pkcs1', intermediateScheme: 'pkcs1',
    member: ['GOV', 'CSC', 'hr-portal'],
    gateway: false,
  },
  OM: {
    name: { en: 'Sultanate of Oman', ar: 'سلطنة عُمان' },
    root: 'ec-p256', intermediate: 'ed25519', leaves: 'ec-p256', rootScheme: 'pkcs1', intermediateScheme: 'pkcs1',
    member: ['GOV', 'MOL', 'hr-portal'],
    gateway: false,
  },
};

const DAY = 86_400_000;

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY);
}

class PkiWriter {
  readonly files: string[] = [];
  constructor(readonly dir: string) {}

  async cert(rel: string, ...certs: ParsedCertificate[]): Promise<string> {
    await this.write(rel, certs.map((c) => derToPem(c.der)).join(''), 0o644);
    return rel;
  }

  async key(rel: string, key: KeyPair): Promise<string> {
    await this.write(rel, privateKeyPem(key), 0o600);
    return rel;
  }

  async write(rel: string, data: string | Uint8Array, mode = 0o644): Promise<string> {
    const path = join(this.dir, rel);
    await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
    await writeFile(path, data, { mode });
    this.files.push(rel);
    return rel;
  }
}

/** Manifest paths are the strings naming our files (`*.pem`, `*.key`, `*.crl`, `*.json`). */
function absolutise(manifest: DemoPkiManifest, dir: string): DemoPkiManifest {
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return /\.(pem|key|crl|json)$/.test(value) && !/^[a-z]+:/.test(value) && !isAbsolute(value) ? join(dir, value) : value;
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return { ...(walk(manifest) as DemoPkiManifest), dir };
}

/** Reads `manifest.json` from a PKI directory, with paths made absolute. */
export async function readDemoPkiManifest(dir: string): Promise<DemoPkiManifest> {
  const absolute = resolve(dir);
  const manifest = JSON.parse(await readFile(join(absolute, 'manifest.json'), 'utf8')) as DemoPkiManifest;
  return absolutise(manifest, absolute);
}

/**
 * Creates the demo PKI under `dir` and returns its manifest (absolute paths). Refuses to touch a
 * directory that already holds a manifest unless `force` is set.
 */
export async function initDemoPki(options: InitDemoPkiOptions): Promise<DemoPkiManifest> {
  if (!options || typeof options.dir !== 'string' || options.dir === '') throw new TypeError('initDemoPki needs { dir }');
  const dir = resolve(options.dir);
  const now = options.now ?? new Date();
  if (Number.isNaN(now.getTime())) throw new TypeError('initDemoPki: now is not a valid date');
  const baseUrl = (options.baseUrl ?? 'http://127.0.0.1:8780').replace(/\/$/, '');
  const exists = await stat(join(dir, 'manifest.json')).then(() => true, () => false);
  if (exists && !options.force) {
    throw new TrustError('ERR_TRUST_PKI_EXISTS', { message: `A PKI already exists in ${dir}; pass force to overwrite it` });
  }
  if (exists) {
    // Only what a previous run created is removed: the state folders, operator/ and our files.
    for (const entry of [...MEMBER_STATES, 'operator', 'manifest.json', 'trust-list.json', 'trust-list.jws.json']) {
      await rm(join(dir, entry), { recursive: true, force: true });
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const w = new PkiWriter(dir);
  const notBefore = new Date(now.getTime() - 3600_000);
  const ocspUrl = `${baseUrl}/ocsp`;
  const crlBase = `${baseUrl}/crl`;
  const tsaUrl = `${baseUrl}/tsa`;

  // Generate every key up front, in parallel (RSA runs on the libuv thread pool).
  const keyJobs: Record<string, Promise<KeyPair>> = {};
  const source = options.generateKey ?? ((_slot: string, type: KeyType) => generateKeyPair(type));
  const key = (name: string, type: KeyType): Promise<KeyPair> => (keyJobs[name] ??= source(name, type));
  for (const state of MEMBER_STATES) {
    const plan = PLAN[state];
    void key(`${state}/root`, plan.root);
    void key(`${state}/intermediate`, plan.intermediate);
  }

  // Trust-list operator: an offline root (the pinned anchor) and a signer it certifies, so the
  // signing key can rotate without re-pinning (docs/security/trust.md, runbook).
  const operatorRootKey = await key('operator/root', 'ec-p384');
  const operatorSignerKey = await key('operator/signer', 'ec-p256');
  const operatorRoot = await issueCertificate({
    subject: 'C=QA, O=GCC Secretariat General, OU=Trust List Operator, CN=GCC Trust List Operator Root',
    subjectKey: operatorRootKey, profile: 'root-ca', pathLen: 0, notBefore, notAfter: addDays(now, 3650),
  });
  const operatorSigner = await issueCertificate({
    subject: 'C=QA, O=GCC Secretariat General, OU=Trust List Operator, CN=GCC Trust List Signer 1',
    subjectKey: operatorSignerKey, issuer: { certificate: operatorRoot, key: operatorRootKey }, profile: 'signing',
    notBefore, notAfter: addDays(now, 730),
  });
  const operator = {
    rootCert: await w.cert('operator/root.pem', operatorRoot),
    rootKey: await w.key('operator/root.key', operatorRootKey),
    signerCert: await w.cert('operator/signer.pem', operatorSigner),
    signerKey: await w.key('operator/signer.key', operatorSignerKey),
  };

  const states = {} as Record<MemberState, StateFiles>;
  const revocations: DemoPkiRevocation[] = [];
  const members: TrustListDocument['members'][number][] = [];
  const history = (): TrustService['statusHistory'] => [{ status: 'granted', from: notBefore.toISOString() }];

  await Promise.all(
    MEMBER_STATES.map(async (state) => {
      const plan = PLAN[state];
      const p = (rel: string): string => `${state}/${rel}`;
      const rootKey = await key(`${state}/root`, plan.root);
      const intKey = await key(`${state}/intermediate`, plan.intermediate);
      const root = await issueCertificate({
        subject: `C=${state}, O=${plan.name.en}, CN=${state} Government Root CA`,
        subjectKey: rootKey, profile: 'root-ca', pathLen: 1, notBefore, notAfter: addDays(now, 3650), rsaScheme: plan.rootScheme,
      });
      const rootIssuer: IssuerInput = { certificate: root, key: rootKey };
      const intermediate = await issueCertificate({
        subject: `C=${state}, O=${plan.name.en}, CN=${state} Government Issuing CA 1`,
        subjectKey: intKey, issuer: rootIssuer, profile: 'intermediate-ca', pathLen: 0, notBefore, notAfter: addDays(now, 1825),
        rsaScheme: plan.rootScheme, crlUrls: [`${crlBase}/${state}-root.crl`], ocspUrls: [ocspUrl],
        ...(plan.nameConstraints ? { nameConstraints: plan.nameConstraints } : {}),
      });
      const intIssuer: IssuerInput = { certificate: intermediate, key: intKey };
      const leafCommon = {
        issuer: intIssuer, notBefore, notAfter: addDays(now, 365), rsaScheme: plan.intermediateScheme,
        crlUrls: [`${crlBase}/${state}-intermediate.crl`], ocspUrls: [ocspUrl],
      } as const;
      const leafKey = (slot: string): Promise<KeyPair> => key(p(slot), plan.leaves);

      const agencies: AgencyFiles[] = [];
      const agencyPlans: Array<{ member: readonly [string, string, string]; revoked: boolean }> = [{ member: plan.member, revoked: false }];
      if (state === 'QA') agencyPlans.push({ member: ['GOV', 'CSGDB', 'revoked-demo'], revoked: true });
      for (const agency of agencyPlans) {
        const identity = makeIdentity(state, ...agency.member);
        const base = p(`agencies/${agency.member.join('-').toLowerCase()}`);
        const slot = agency.member.join('-').toLowerCase();
        const [ck, sk] = await Promise.all([leafKey(`${slot}/client`), leafKey(`${slot}/signing`)]);
        const client = await issueCertificate({
          ...leafCommon, subject: `C=${state}, O=${agency.member[1]}, CN=${identity.clientId}`, subjectKey: ck, profile: 'client',
          subjectAltNames: { uri: [identity.uri] },
        });
        const signing = await issueCertificate({
          ...leafCommon, subject: `C=${state}, O=${agency.member[1]}, CN=${identity.clientId} signing`, subjectKey: sk, profile: 'signing',
          subjectAltNames: { uri: [identity.uri] },
        });
        if (agency.revoked) {
          for (const cert of [client, signing]) {
            revocations.push({ state, issuer: 'intermediate', serialNumberHex: cert.serialNumberHex, revokedAt: now.toISOString(), reason: 'keyCompromise', clientId: identity.clientId });
          }
        }
        agencies.push({
          clientId: identity.clientId,
          uri: identity.uri,
          clientCert: await w.cert(`${base}/client.pem`, client),
          clientKey: await w.key(`${base}/client.key`, ck),
          clientChain: await w.cert(`${base}/client-chain.pem`, client, intermediate),
          signingCert: await w.cert(`${base}/signing.pem`, signing),
          signingKey: await w.key(`${base}/signing.key`, sk),
          signingChain: await w.cert(`${base}/signing-chain.pem`, signing, intermediate),
          ...(agency.revoked ? { revoked: true } : {}),
        });
      }

      const ocspKey = await leafKey('ocsp');
      const ocsp = await issueCertificate({
        ...leafCommon, subject: `C=${state}, O=${plan.name.en}, CN=${state} OCSP Responder`, subjectKey: ocspKey, profile: 'ocsp',
        crlUrls: [], ocspUrls: [],
      });

      let gateway: StateFiles['gateway'];
      if (plan.gateway) {
        const hostnames = ['localhost', '127.0.0.1', '::1'];
        const gatewayIdentity = makeIdentity(state, 'GOV', 'GCCGW', 'gateway');
        const serverKey = await key(p('gateway/server'), state === 'SA' ? 'rsa-2048' : plan.leaves);
        const signKey = await leafKey('gateway/signing');
        const server = await issueCertificate({
          ...leafCommon, subject: `C=${state}, O=${plan.name.en}, CN=gateway.${state.toLowerCase()}.gcc.example`, subjectKey: serverKey, profile: 'server',
          subjectAltNames: { dns: ['localhost', `gateway.${state.toLowerCase()}.gcc.example`], ip: ['127.0.0.1', '::1'], uri: [gatewayIdentity.uri] },
          // The gateway is a TLS server to members and a TLS client to peer gateways.
          overrides: { extKeyUsage: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'] },
        });
        const signing = await issueCertificate({
          ...leafCommon, subject: `C=${state}, O=${plan.name.en}, CN=${gatewayIdentity.clientId} signing`, subjectKey: signKey, profile: 'signing',
          subjectAltNames: { uri: [gatewayIdentity.uri] },
        });
        gateway = {
          hostnames,
          serverCert: await w.cert(p('gateway/server.pem'), server),
          serverKey: await w.key(p('gateway/server.key'), serverKey),
          serverChain: await w.cert(p('gateway/server-chain.pem'), server, intermediate),
          signingCert: await w.cert(p('gateway/signing.pem'), signing),
          signingKey: await w.key(p('gateway/signing.key'), signKey),
          signingChain: await w.cert(p('gateway/signing-chain.pem'), signing, intermediate),
          clientId: gatewayIdentity.clientId,
        };
      }

      let tsa: StateFiles['tsa'];
      let tsaCert: ParsedCertificate | undefined;
      if (state === 'QA') {
        const tsaKey = await leafKey('tsa');
        tsaCert = await issueCertificate({ ...leafCommon, subject: 'C=QA, O=State of Qatar, CN=QA Time Stamping Authority', subjectKey: tsaKey, profile: 'tsa' });
        tsa = { cert: await w.cert(p('tsa/tsa.pem'), tsaCert), key: await w.key(p('tsa/tsa.key'), tsaKey), chain: await w.cert(p('tsa/tsa-chain.pem'), tsaCert, intermediate) };
      }

      const stateRevocations = revocations.filter((r) => r.state === state);
      const entries = (issuer: 'root' | 'intermediate'): RevokedEntry[] =>
        stateRevocations.filter((r) => r.issuer === issuer).map((r) => ({ serialNumberHex: r.serialNumberHex, revokedAt: new Date(r.revokedAt), reason: r.reason as RevokedEntry['reason'] }));
      const rootCrl = await issueCrl({ issuer: rootIssuer, thisUpdate: notBefore, nextUpdate: addDays(now, 30), entries: entries('root'), rsaScheme: plan.rootScheme });
      const intCrl = await issueCrl({ issuer: intIssuer, thisUpdate: notBefore, nextUpdate: addDays(now, 7), entries: entries('intermediate'), rsaScheme: plan.intermediateScheme });

      states[state] = {
        state,
        keyTypes: { root: plan.root, intermediate: plan.intermediate, leaves: plan.leaves },
        rootCert: await w.cert(p('ca/root.pem'), root),
        rootKey: await w.key(p('ca/root.key'), rootKey),
        intermediateCert: await w.cert(p('ca/intermediate.pem'), intermediate),
        intermediateKey: await w.key(p('ca/intermediate.key'), intKey),
        caChain: await w.cert(p('ca/chain.pem'), intermediate, root),
        rootCrl: await w.write(p('crl/root.crl'), rootCrl),
        rootCrlPem: await w.write(p('crl/root.crl.pem'), derToPem(rootCrl, 'X509 CRL')),
        intermediateCrl: await w.write(p('crl/intermediate.crl'), intCrl),
        intermediateCrlPem: await w.write(p('crl/intermediate.crl.pem'), derToPem(intCrl, 'X509 CRL')),
        ocspCert: await w.cert(p('ocsp/ocsp.pem'), ocsp),
        ocspKey: await w.key(p('ocsp/ocsp.key'), ocspKey),
        agencies,
        ...(gateway ? { gateway } : {}),
        ...(tsa ? { tsa } : {}),
      };

      const b64 = (c: ParsedCertificate): string => Buffer.from(c.der).toString('base64');
      const services: TrustService[] = [
        { id: `${state.toLowerCase()}-root-ca`, type: 'ca', name: { en: `${state} Government Root CA`, ar: `جهة التصديق الجذرية الحكومية - ${plan.name.ar}` }, certificate: b64(root), crlUrls: [`${crlBase}/${state}-root.crl`], status: 'granted', statusHistory: history() },
        { id: `${state.toLowerCase()}-ocsp`, type: 'ocsp', name: { en: `${state} OCSP Responder`, ar: `خدمة OCSP - ${plan.name.ar}` }, certificate: b64(ocsp), url: ocspUrl, status: 'granted', statusHistory: history() },
      ];
      if (tsaCert) services.push({ id: 'qa-tsa', type: 'tsa', name: { en: 'QA Time Stamping Authority', ar: 'جهة الختم الزمني - دولة قطر' }, certificate: b64(tsaCert), url: tsaUrl, status: 'granted', statusHistory: history() });
      if (gateway) {
        const serverPem = await readFile(join(dir, gateway.serverCert), 'utf8');
        const der = Buffer.from(serverPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
        services.push({ id: `${state.toLowerCase()}-gateway`, type: 'gateway', name: { en: `${state} GCC gateway`, ar: `بوابة التكامل الخليجي - ${plan.name.ar}` }, certificate: der.toString('base64'), url: 'https://localhost', status: 'granted', statusHistory: history() });
      }
      members.push({ state, name: plan.name, services });
    }),
  );
  members.sort((a, b) => MEMBER_STATES.indexOf(a.state) - MEMBER_STATES.indexOf(b.state));

  const document: TrustListDocument = {
    schemaVersion: 1,
    schemeOperator: { name: { en: 'GCC Secretariat General — Trust List Operator', ar: 'الأمانة العامة لمجلس التعاون — مشغل قائمة الثقة' } },
    sequenceNumber: 1,
    issued: now.toISOString(),
    nextUpdate: addDays(now, options.trustListValidityDays ?? 30).toISOString(),
    revocationPolicy: 'ocsp-then-crl',
    members,
  };
  const signed = await signTrustList({ document, privateKey: operatorSignerKey.privateKey, certificates: [operatorSigner], signingTime: now });
  const trustList = {
    signed: await w.write('trust-list.jws.json', signed),
    document: await w.write('trust-list.json', `${JSON.stringify(document, null, 2)}\n`),
    sequenceNumber: document.sequenceNumber,
    nextUpdate: document.nextUpdate,
  };

  const orderedStates = Object.fromEntries(MEMBER_STATES.map((s) => [s, states[s]])) as Record<MemberState, StateFiles>;
  const manifest: DemoPkiManifest = {
    manifestVersion: 1,
    dir: '.',
    createdAt: now.toISOString(),
    baseUrl,
    operator,
    trustList,
    states: orderedStates,
    revocations,
    urls: { ocsp: ocspUrl, crlBase, tsa: tsaUrl },
  };
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });
  return absolutise(manifest, dir);
}
