import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDemoPki, startDemoTrustServices, type DemoPkiManifest, type DemoTrustServices } from '../../../trust/index.js';
import { registerPkiCommand } from './pki-command.js';
import { registerTrustCommand } from './trust-command.js';
import { commandRunner } from '../testing/run-commands.js';

let dir: string;
let pkiDir: string;
let manifest: DemoPkiManifest;
let services: DemoTrustServices;

/** `gccgw <args>`, in-process. */
const gccgw = commandRunner(registerPkiCommand, registerTrustCommand);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gccgw-cli-'));
  pkiDir = join(dir, 'pki');
  const result = await gccgw('pki', 'init', '--dir', pkiDir, '--json');
  expect(result.code).toBe(0);
  manifest = JSON.parse(result.stdout) as DemoPkiManifest;
  services = await startDemoTrustServices(await loadDemoPki(manifest));
});

afterAll(async () => {
  await services.close();
  await rm(dir, { recursive: true, force: true });
});

describe('gccgw pki', () => {
  it('init refuses to overwrite an existing PKI and says why', async () => {
    const result = await gccgw('pki', 'init', '--dir', pkiDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERR_TRUST_PKI_EXISTS');
  });

  it('issue adds a client certificate with a member identity that verifies against the trust list', async () => {
    const out = join(dir, 'issued');
    const issued = await gccgw('pki', 'issue', '--dir', pkiDir, '--state', 'QA', '--member', 'GOV:MOF:payroll', '--out', out, '--json');
    expect(issued.code).toBe(0);
    const files = (JSON.parse(issued.stdout) as { files: { chain: string } }).files;
    const verified = await gccgw('trust', 'verify-chain', files.chain, '--pki', pkiDir, '--json');
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, clientId: 'GCC:QA:GOV:MOF:payroll', state: 'QA' });
  });

  it('issue writes a PKCS#12 file for RSA keys', async () => {
    const result = await gccgw('pki', 'issue', '--dir', pkiDir, '--state', 'SA', '--member', 'GOV:MHRSD:batch', '--key-type', 'rsa-2048', '--out', join(dir, 'p12'), '--p12-password', 'correct horse', '--json');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { files: Record<string, string> }).files.p12).toMatch(/cert\.p12$/);
  });
});

describe('gccgw trust', () => {
  it('show verifies the signed list and prints a table or JSON', async () => {
    const human = await gccgw('trust', 'show', '--pki', pkiDir);
    expect(human.stdout).toContain('qa-root-ca');
    const json = JSON.parse((await gccgw('trust', 'show', '--pki', pkiDir, '--json')).stdout) as { sequenceNumber: number; services: unknown[] };
    expect(json.sequenceNumber).toBe(1);
    expect(json.services.length).toBeGreaterThanOrEqual(15);
  });

  it('verify-chain explains a refusal with its code in words', async () => {
    const chain = manifest.states.QA.agencies[0]?.clientChain ?? '';
    const refused = await gccgw('trust', 'verify-chain', chain, '--pki', pkiDir, '--purpose', 'serverAuth');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('REFUSED  ERR_TRUST_EXTENDED_KEY_USAGE (certificate #0)');
    expect(refused.stdout).toMatch(/[\u0600-\u06FF]/);
    const expired = JSON.parse((await gccgw('trust', 'verify-chain', chain, '--pki', pkiDir, '--at', '2040-01-01T00:00:00Z', '--json')).stdout) as { code: string };
    expect(expired.code).toBe('ERR_TRUST_CERT_EXPIRED');
  });

  it('check-revocation reports good and revoked certificates from the test servers', async () => {
    const qa = manifest.states.QA;
    const good = qa.agencies.find((a) => !a.revoked);
    const revoked = qa.agencies.find((a) => a.revoked);
    const urls = ['--ocsp-url', services.ocsp.url, '--crl-url', `${services.crl.url}/QA-intermediate.crl`];
    const ok = await gccgw('trust', 'check-revocation', good?.clientChain ?? '', '--pki', pkiDir, ...urls, '--json');
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, results: [{ certIndex: 0, status: 'good', source: 'ocsp' }] });
    const bad = await gccgw('trust', 'check-revocation', revoked?.clientChain ?? '', '--pki', pkiDir, ...urls, '--policy', 'crl');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('ERR_TRUST_CERT_REVOKED');
  });

  it('suspend, sign and reinstate change what verify-chain accepts', async () => {
    const chain = manifest.states.BH.agencies[0]?.clientChain ?? '';
    expect((await gccgw('trust', 'suspend', 'bh-root-ca', '--pki', pkiDir, '--reason', 'incident 42')).code).toBe(0);
    expect((await gccgw('trust', 'sign', '--pki', pkiDir)).stdout).toContain('#2');
    const refused = JSON.parse((await gccgw('trust', 'verify-chain', chain, '--pki', pkiDir, '--json')).stdout) as { code: string };
    expect(refused.code).toBe('ERR_TRUST_CA_NOT_GRANTED');
    await new Promise((r) => setTimeout(r, 5));
    await gccgw('trust', 'reinstate', 'bh-root-ca', '--pki', pkiDir);
    await gccgw('trust', 'sign', '--pki', pkiDir);
    expect(JSON.parse((await gccgw('trust', 'verify-chain', chain, '--pki', pkiDir, '--json')).stdout)).toMatchObject({ ok: true });
  });

  it('add-ca lists a new root that then anchors chains', async () => {
    const added = await gccgw('trust', 'add-ca', manifest.operator.rootCert, '--pki', pkiDir, '--state', 'QA', '--id', 'qa-extra-ca', '--name-en', 'Extra', '--name-ar', 'إضافي', '--json');
    expect(JSON.parse(added.stdout)).toMatchObject({ ok: true, id: 'qa-extra-ca' });
    await gccgw('trust', 'sign', '--pki', pkiDir);
    const shown = JSON.parse((await gccgw('trust', 'show', '--pki', pkiDir, '--json')).stdout) as { services: Array<{ id: string }> };
    expect(shown.services.map((s) => s.id)).toContain('qa-extra-ca');
    const duplicate = await gccgw('trust', 'add-ca', manifest.operator.rootCert, '--pki', pkiDir, '--state', 'QA', '--id', 'qa-extra-ca', '--json');
    expect(JSON.parse(duplicate.stdout)).toMatchObject({ ok: false, code: 'ERR_TRUST_LIST_INVALID' });
  });

  it('expiring lists certificates within the period', async () => {
    const none = JSON.parse((await gccgw('trust', 'expiring', '--within', '1d', '--pki', pkiDir, '--json')).stdout) as { certificates: unknown[] };
    expect(none.certificates).toEqual([]);
    const soon = JSON.parse((await gccgw('trust', 'expiring', '--within', '400d', '--pki', pkiDir, '--json')).stdout) as { certificates: Array<{ type: string }> };
    expect(soon.certificates.map((c) => c.type)).toContain('ocsp');
  });
});
