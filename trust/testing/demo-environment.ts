/**
 * Test support: a complete demo trust environment on a frozen clock: PKI in a temp dir, OCSP / CRL /
 * TSA servers on port 0, a loaded trust list and a revocation checker wired to the servers.
 * Not part of the public API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initDemoPki, type DemoPkiManifest } from '../pki/init-demo-pki.js';
import { cachedTestKey } from './cached-keys.js';
import type { KeyObject } from 'node:crypto';
import { issueCertificate } from '../pki/issue-certificate.js';
import { loadDemoPki, type LoadedDemoPki, type LoadedIdentity } from '../pki/load-demo-pki.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { RevocationChecker } from '../revocation/revocation-checker.js';
import { startDemoTrustServices, type DemoTrustServices } from '../servers/start-demo-trust-services.js';
import { TrustListHolder } from '../trust-list/trust-list-holder.js';
import { globalFetch, type Clock, type FetchLike } from '../util/clock.js';
import { ValidatedChainCache, type SignatureTrust } from '../jws/verify-signature.js';

/** The instant the demo PKI is made at. */
export const PKI_TIME = new Date('2026-11-01T08:00:00Z');

/** A clock tests can move. */
export class TestClock implements Clock {
  private current: number;
  constructor(start: Date) {
    this.current = start.getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
  advanceSeconds(seconds: number): void {
    this.current += seconds * 1000;
  }
}

export const nodeFetch: FetchLike = globalFetch;

export interface DemoEnvironment {
  readonly dir: string;
  readonly pki: LoadedDemoPki;
  readonly services: DemoTrustServices;
  readonly clock: TestClock;
  readonly holder: TrustListHolder;
  readonly revocation: RevocationChecker;
  readonly trust: SignatureTrust;
  manifest(): LoadedDemoPki['manifest'];
  close(): Promise<void>;
}

/**
 * `manifest`: use this existing demo PKI (e.g. the one a test gateway runs on) instead of making
 * one at PKI_TIME; `now`: where the clock starts. @default a new PKI, PKI_TIME + 1 h
 */
export async function startDemoEnvironment(options: { readonly manifest?: DemoPkiManifest; readonly now?: Date } = {}): Promise<DemoEnvironment> {
  const dir = await mkdtemp(join(tmpdir(), 'gccgw-trust-'));
  const manifest = options.manifest ?? (await initDemoPki({ dir: join(dir, 'pki'), now: PKI_TIME, generateKey: cachedTestKey }));
  const pki = await loadDemoPki(manifest);
  const clock = new TestClock(options.now ?? new Date(PKI_TIME.getTime() + 3600_000));
  const services = await startDemoTrustServices(pki, { clock });
  const holder = new TrustListHolder({ operatorAnchors: [pki.operator.root], clock });
  await holder.load(pki.signedTrustList);
  const revocation = new RevocationChecker({
    fetch: nodeFetch,
    clock,
    ocspUrlsFor: () => services.ocspUrlsFor(),
    crlUrlsFor: (cert) => services.crlUrlsFor(cert),
  });
  const trust: SignatureTrust = { trustList: () => holder.current(), revocation, clock, chainCache: new ValidatedChainCache() };
  return {
    dir, pki, services, clock, holder, revocation, trust,
    manifest: () => pki.manifest,
    close: async () => {
      await services.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An RSA-PSS signing chain under SA's intermediate (the demo PKI issues no RSA signing identity of
 * its own): leaf with the SA gateway's RSA key, valid a day from the environment's clock.
 */
export async function rsaPssSigningChain(env: DemoEnvironment, member: string): Promise<{ readonly key: KeyObject; readonly chain: readonly ParsedCertificate[] }> {
  const sa = env.pki.states.SA;
  const rsaKey = (sa.gateway?.server as LoadedIdentity).key;
  const leaf = await issueCertificate({
    subject: `C=SA, O=MHRSD, CN=${member} signer`,
    subjectKey: rsaKey,
    issuer: { certificate: sa.intermediate.certificate, key: sa.intermediate.key },
    profile: 'signing',
    notBefore: env.clock.now(),
    notAfter: new Date(env.clock.now().getTime() + 86_400_000),
    rsaScheme: 'pss',
    subjectAltNames: { uri: [`urn:gcc:client:SA:GOV:MHRSD:${member}`] },
  });
  return { key: rsaKey.privateKey, chain: [leaf, sa.intermediate.certificate] };
}
