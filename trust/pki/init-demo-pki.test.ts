import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TrustError } from '../errors/trust-error.js';
import { verifyMemberChain } from '../jws/verify-signature.js';
import { TrustListHolder } from '../trust-list/trust-list-holder.js';
import { MEMBER_STATES } from '../identity/client-identity.js';
import { fixedClock } from '../util/clock.js';
import { initDemoPki, readDemoPkiManifest, type DemoPkiManifest } from './init-demo-pki.js';
import { loadDemoPki, type LoadedDemoPki } from './load-demo-pki.js';
import { exportPkcs12, importPkcs12 } from './pkcs12.js';
import { cachedTestKey } from '../testing/cached-keys.js';

const NOW = new Date('2026-11-01T08:00:00Z');
let dir: string;
let manifest: DemoPkiManifest;
let pki: LoadedDemoPki;

function collectPaths(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && value.startsWith('/')) out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => collectPaths(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => collectPaths(v, out));
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gccgw-pki-'));
  manifest = await initDemoPki({ dir: join(dir, 'pki'), now: NOW, generateKey: cachedTestKey });
  pki = await loadDemoPki(manifest);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('initDemoPki', () => {
  it('returns a manifest whose every path exists, with private keys readable by the owner only', async () => {
    const paths = collectPaths({ ...manifest, dir: undefined });
    expect(paths.length).toBeGreaterThan(60);
    for (const path of paths) {
      const info = await stat(path);
      expect(info.isFile()).toBe(true);
      if (path.endsWith('.key')) expect(info.mode & 0o777).toBe(0o600);
    }
    expect(await readDemoPkiManifest(manifest.dir)).toEqual(manifest);
    const onDisk = JSON.parse(await readFile(join(manifest.dir, 'manifest.json'), 'utf8')) as DemoPkiManifest;
    expect(onDisk.states.QA.rootCert).toBe('QA/ca/root.pem');
  });

  it('mixes key types across states so every verification path is used', () => {
    const types = new Set(MEMBER_STATES.flatMap((s) => [pki.states[s].root.key.type, pki.states[s].intermediate.key.type]));
    expect([...types].sort()).toEqual(['ec-p256', 'ec-p384', 'ed25519', 'rsa-2048', 'rsa-3072']);
    expect(pki.states.SA.intermediate.certificate.signatureAlgorithm.oid).toBe('1.2.840.113549.1.1.10');
    expect(MEMBER_STATES.filter((s) => pki.states[s].root.key.type === 'rsa-3072')).toEqual(['SA']);
  });

  it('issues the required member identities, each valid against the signed trust list', async () => {
    const holder = new TrustListHolder({ operatorAnchors: [pki.operator.root], clock: fixedClock(NOW) });
    await holder.load(pki.signedTrustList);
    const trust = { trustList: () => holder.current(), revocation: 'none' as const, clock: fixedClock(new Date(NOW.getTime() + 60_000)) };
    const clientIds: string[] = [];
    for (const state of MEMBER_STATES) {
      for (const agency of pki.states[state].agencies) {
        const client = await verifyMemberChain({ certificates: agency.client.chain, trust, purpose: 'clientAuth' });
        const signing = await verifyMemberChain({ certificates: agency.signing.chain, trust, purpose: 'signing' });
        expect(client.identity.clientId).toBe(agency.clientId);
        expect(signing.state).toBe(state);
        clientIds.push(client.identity.clientId);
      }
    }
    expect(clientIds).toContain('GCC:QA:GOV:CSGDB:hr-portal');
    expect(new Set(clientIds.map((id) => id.split(':')[1])).size).toBe(6);
    const gateway = pki.states.QA.gateway?.server;
    for (const peerName of ['localhost', '127.0.0.1', '::1']) {
      await verifyMemberChain({ certificates: gateway?.chain ?? [], trust, purpose: 'serverAuth', peerName });
    }
  });

  it('writes chains OpenSSL accepts for TLS client and server use', async () => {
    const run = promisify(execFile);
    const qa = manifest.states.QA;
    const agency = qa.agencies[0];
    const at = String(Math.floor(NOW.getTime() / 1000) + 60);
    await run('/usr/bin/openssl', ['verify', '-x509_strict', '-attime', at, '-purpose', 'sslclient', '-CAfile', qa.rootCert, '-untrusted', qa.intermediateCert, agency?.clientCert ?? '']);
    await run('/usr/bin/openssl', ['verify', '-x509_strict', '-attime', at, '-purpose', 'sslserver', '-verify_hostname', 'localhost', '-CAfile', qa.rootCert, '-untrusted', qa.intermediateCert, qa.gateway?.serverCert ?? '']);
  });

  it('refuses to overwrite an existing PKI unless forced', async () => {
    const target = join(dir, 'second');
    await writeFile(join(dir, 'marker'), 'x');
    await initDemoPki({ dir: target, now: NOW, generateKey: cachedTestKey });
    const error = await initDemoPki({ dir: target, now: NOW }).catch((e: unknown) => e);
    expect((error as TrustError).code).toBe('ERR_TRUST_PKI_EXISTS');
    const again = await initDemoPki({ dir: target, now: NOW, force: true, generateKey: cachedTestKey });
    const first = (await loadDemoPki(again)).states.QA.root.certificate;
    expect(first.fingerprint).not.toBe(pki.states.QA.root.certificate.fingerprint);
  });

  it('throws TypeError without a directory', async () => {
    await expect(initDemoPki({ dir: '' })).rejects.toThrow(TypeError);
  });
});

describe('PKCS#12 (node-forge, RSA only)', () => {
  it('round-trips an RSA key and its chain', () => {
    const sa = pki.states.SA.gateway?.server;
    if (!sa) throw new Error('no SA gateway');
    const der = exportPkcs12({ key: sa.key, certificates: sa.chain, password: 'correct horse' });
    const back = importPkcs12(der, 'correct horse');
    expect(back.key.publicKey.export({ format: 'der', type: 'spki' })).toEqual(sa.key.publicKey.export({ format: 'der', type: 'spki' }));
    expect(back.certificates.map((c) => c.fingerprint).sort()).toEqual(sa.chain.map((c) => c.fingerprint).sort());
    expect(() => importPkcs12(der, 'wrong password')).toThrow(expect.objectContaining({ code: 'ERR_TRUST_MALFORMED_INPUT' }));
  });

  it('writes a file OpenSSL reads, with the certificates byte for byte', async () => {
    const sa = pki.states.SA.gateway?.server;
    if (!sa) throw new Error('no SA gateway');
    const path = join(dir, 'sa.p12');
    await writeFile(path, exportPkcs12({ key: sa.key, certificates: sa.chain, password: 'correct horse' }));
    const { stdout } = await promisify(execFile)('/usr/bin/openssl', ['pkcs12', '-in', path, '-nokeys', '-passin', 'pass:correct horse']);
    const pems = stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    expect(pems.map((p) => Buffer.from(p.replace(/-----[^-]+-----|\s/g, ''), 'base64').toString('hex')).sort()).toEqual(sa.chain.map((c) => Buffer.from(c.der).toString('hex')).sort());
  });

  it('refuses non-RSA keys', () => {
    const qa = pki.states.QA.agencies[0]?.client;
    expect(() => exportPkcs12({ key: qa?.key ?? pki.operator.signerKey, certificates: [], password: 'correct horse' })).toThrow(TypeError);
  });
});
