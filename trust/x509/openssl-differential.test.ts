/**
 * Differential tests: the same generated chains go through our validator (+ CRL check) and through
 * `openssl verify -x509_strict -crl_check -purpose sslclient`; both must accept or both refuse.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TrustError } from '../errors/trust-error.js';
import { issueCrl } from '../pki/issue-crl.js';
import { withCorruptedSignature } from '../pki/issue-certificate.js';
import { checkCrl, parseCrl } from '../revocation/crl.js';
import { issue, standardChain, T0, type Issued } from '../testing/chain-factory.js';
import { derToPem } from '../util/pem.js';
import { parseCertificate } from './parse-certificate.js';
import { validatePath } from './validate-path.js';

const run = promisify(execFile);
const OPENSSL = '/usr/bin/openssl';

interface Case {
  readonly name: string;
  readonly root: Issued;
  readonly int: Issued;
  readonly leafDer: Uint8Array;
  readonly intDer?: Uint8Array;
  readonly revoked?: boolean;
}

let dir: string;
const cases: Case[] = [];

async function ours(c: Case): Promise<string> {
  try {
    const intermediate = parseCertificate(c.intDer ?? c.int.cert.der);
    const result = validatePath({ anchors: [c.root.cert], intermediates: [intermediate], endEntity: c.leafDer, at: T0, purpose: 'clientAuth' });
    const crl = parseCrl(await issueCrl({
      issuer: { certificate: c.int.cert, key: c.int.key },
      thisUpdate: new Date(T0.getTime() - 86_400_000), nextUpdate: new Date(T0.getTime() + 86_400_000),
      entries: c.revoked ? [{ serialNumberHex: result.endEntity.serialNumberHex, revokedAt: new Date(T0.getTime() - 3600_000), reason: 'keyCompromise' }] : [],
    }));
    const status = checkCrl({ crl, certificate: result.endEntity, issuer: intermediate, at: T0, now: T0 });
    return status.status === 'good' ? 'OK' : 'revoked';
  } catch (error) {
    if (error instanceof TrustError) return error.code;
    throw error;
  }
}

async function openssl(c: Case, index: number): Promise<string> {
  const base = join(dir, String(index));
  const leaf = parseCertificate(c.leafDer);
  const crl = await issueCrl({
    issuer: { certificate: c.int.cert, key: c.int.key },
    thisUpdate: new Date(T0.getTime() - 86_400_000), nextUpdate: new Date(T0.getTime() + 86_400_000),
    entries: c.revoked ? [{ serialNumberHex: leaf.serialNumberHex, revokedAt: new Date(T0.getTime() - 3600_000), reason: 'keyCompromise' }] : [],
  });
  await writeFile(`${base}-root.pem`, derToPem(c.root.cert.der));
  await writeFile(`${base}-int.pem`, derToPem(c.intDer ?? c.int.cert.der));
  await writeFile(`${base}-leaf.pem`, derToPem(c.leafDer));
  await writeFile(`${base}-crl.pem`, derToPem(crl, 'X509 CRL'));
  const args = ['verify', '-x509_strict', '-crl_check', '-CRLfile', `${base}-crl.pem`, '-purpose', 'sslclient', '-attime', String(Math.floor(T0.getTime() / 1000)),
    '-CAfile', `${base}-root.pem`, '-untrusted', `${base}-int.pem`, `${base}-leaf.pem`];
  try {
    await run(OPENSSL, args);
    return 'OK';
  } catch (error) {
    return String((error as { stdout?: string; stderr?: string }).stderr ?? '') + String((error as { stdout?: string }).stdout ?? '');
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gccgw-openssl-'));
  const add = (name: string, chain: { root: Issued; int: Issued; leaf: Issued }, extra: Partial<Case> = {}): void => {
    cases.push({ name, root: chain.root, int: chain.int, leafDer: chain.leaf.cert.der, ...extra });
  };
  const good = await standardChain();
  add('valid ECDSA chain', good);
  const pssRoot = await issue('PSS Root', 'rsa-2048', undefined, { profile: 'root-ca', rsaScheme: 'pss', slot: 'diff-rsa' });
  const pssInt = await issue('PSS Int', 'ed25519', pssRoot, { profile: 'intermediate-ca', rsaScheme: 'pss' });
  add('valid RSA-PSS root and Ed25519 intermediate', { root: pssRoot, int: pssInt, leaf: await issue('PSS Leaf', 'ec-p256', pssInt) });
  add('leaf with a broken signature', good, { leafDer: withCorruptedSignature(good.leaf.cert) });
  add('intermediate with a broken signature', good, { intDer: withCorruptedSignature(good.int.cert) });
  add('expired intermediate', await standardChain({}, { notAfter: new Date('2026-05-01T00:00:00Z') }));
  add('leaf not yet valid', await standardChain({ notBefore: new Date('2026-07-01T00:00:00Z') }));
  add('intermediate that is not a CA', await standardChain({}, { overrides: { basicConstraints: { cA: false } } }));
  add('path length exceeded', await standardChain({}, {}, { pathLen: 0 }));
  add('intermediate without keyCertSign', await standardChain({}, { overrides: { keyUsage: ['cRLSign'] } }));
  add('DNS name outside the permitted subtree', await standardChain({ subjectAltNames: { dns: ['a.gov.sa'] } }, { nameConstraints: { permitted: ['dns:gov.qa'] }, slot: 'diff-nc' }));
  add('DNS name inside the permitted subtree', await standardChain({ subjectAltNames: { dns: ['a.gov.qa'] } }, { nameConstraints: { permitted: ['dns:gov.qa'] }, slot: 'diff-nc' }));
  add('IP address outside the permitted subtree', await standardChain({ subjectAltNames: { ip: ['192.168.0.1'] } }, { nameConstraints: { permitted: ['ip:10.0.0.0/8'] }, slot: 'diff-nc' }));
  add('email outside the permitted subtree', await standardChain({ subjectAltNames: { email: ['x@gmail.com'] } }, { nameConstraints: { permitted: ['email:gov.qa'] }, slot: 'diff-nc' }));
  add('subject DN outside the permitted subtree', await standardChain({ subject: 'C=SA, O=Test, CN=Leaf' }, { nameConstraints: { permitted: ['dn:C=QA'] }, slot: 'diff-nc' }));
  add('excluded DNS name', await standardChain({ subjectAltNames: { dns: ['secret.gov.qa'] } }, { nameConstraints: { excluded: ['dns:secret.gov.qa'] }, slot: 'diff-nc' }));
  add('unknown critical extension in the leaf', await standardChain({ overrides: { extraExtensions: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, value: new Uint8Array([5, 0]) }] } }));
  add('server certificate used for client authentication', await standardChain({ profile: 'server' }));
  add('intermediate restricted to serverAuth', await standardChain({}, { overrides: { extKeyUsage: ['1.3.6.1.5.5.7.3.1'] } }));
  add('authority key identifier mismatch', await standardChain({ overrides: { authorityKeyId: new Uint8Array(20).fill(9) } }));
  add('revoked leaf', good, { revoked: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('differential against openssl verify -x509_strict -crl_check', () => {
  it('agrees with OpenSSL on every generated chain', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    const rows = await Promise.all(cases.map(async (c, i) => ({ name: c.name, ours: await ours(c), openssl: await openssl(c, i) })));
    const disagreements = rows.filter((r) => (r.ours === 'OK') !== (r.openssl === 'OK'));
    expect(disagreements).toEqual([]);
    // And the verdicts are the expected ones, not a shared mistake.
    expect(rows.filter((r) => r.ours === 'OK').map((r) => r.name).sort()).toEqual(['DNS name inside the permitted subtree', 'valid ECDSA chain', 'valid RSA-PSS root and Ed25519 intermediate']);
  });
});
