import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TrustError } from '../errors/trust-error.js';
import { issueCertificate } from '../pki/issue-certificate.js';
import { issueCrl } from '../pki/issue-crl.js';
import { generateKeyPair, type KeyPair } from '../pki/key-pair.js';
import type { LoadedState } from '../pki/load-demo-pki.js';
import { buildOcspResponse } from '../servers/build-ocsp-response.js';
import { startCrlServer } from '../servers/crl-server.js';
import { nodeFetch, startDemoEnvironment, type DemoEnvironment } from '../testing/demo-environment.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { checkCrl, parseCrl } from './crl.js';
import { buildOcspRequest, checkOcspResponse } from './ocsp.js';
import { RevocationChecker } from './revocation-checker.js';
import { code, codeOf } from '../testing/trust-error-code.js';

let env: DemoEnvironment;
let qa: LoadedState;
let leaf: ParsedCertificate;
let revokedLeaf: ParsedCertificate;



beforeAll(async () => {
  env = await startDemoEnvironment();
  qa = env.pki.states.QA;
  leaf = (qa.agencies.find((a) => !a.revoked) as LoadedState['agencies'][number]).client.certificate;
  revokedLeaf = (qa.agencies.find((a) => a.revoked) as LoadedState['agencies'][number]).client.certificate;
});

afterAll(async () => {
  await env.close();
});

describe('CRL checks (RFC 5280 §6.3)', () => {
  const now = (): Date => env.clock.now();
  const crlOf = async (options: { entries?: Parameters<typeof issueCrl>[0]['entries']; key?: KeyPair; certificate?: ParsedCertificate; nextUpdate?: Date; extra?: Parameters<typeof issueCrl>[0]['extraExtensions'] } = {}): Promise<ReturnType<typeof parseCrl>> =>
    parseCrl(await issueCrl({
      issuer: { certificate: options.certificate ?? qa.intermediate.certificate, key: options.key ?? qa.intermediate.key },
      thisUpdate: new Date(now().getTime() - 60_000), nextUpdate: options.nextUpdate ?? new Date(now().getTime() + 86_400_000),
      entries: options.entries ?? [], ...(options.extra ? { extraExtensions: options.extra } : {}),
    }));

  it('finds a revoked serial in the demo CRL and nothing for a good one', () => {
    const crl = parseCrl(qa.intermediateCrl);
    expect(checkCrl({ crl, certificate: leaf, issuer: qa.intermediate.certificate, at: now(), now: now() }).status).toBe('good');
    expect(checkCrl({ crl, certificate: revokedLeaf, issuer: qa.intermediate.certificate, at: now(), now: now() })).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
  });

  it('treats a revocation after the time of interest as not yet revoked', () => {
    const crl = parseCrl(qa.intermediateCrl);
    const before = new Date(Date.parse(env.pki.manifest.createdAt) - 1000);
    expect(checkCrl({ crl, certificate: revokedLeaf, issuer: qa.intermediate.certificate, at: before, now: now() }).status).toBe('good');
  });

  it('refuses a CRL signed by another key (ERR_TRUST_CRL_INVALID)', async () => {
    const crl = await crlOf({ key: await generateKeyPair('ec-p256') });
    expect(code(() => checkCrl({ crl, certificate: leaf, issuer: qa.intermediate.certificate, at: now(), now: now() }))).toBe('ERR_TRUST_CRL_INVALID');
  });

  it('refuses a CRL past its nextUpdate (ERR_TRUST_CRL_STALE)', async () => {
    const crl = await crlOf({ nextUpdate: new Date(now().getTime() - 3600_000) });
    expect(code(() => checkCrl({ crl, certificate: leaf, issuer: qa.intermediate.certificate, at: now(), now: now() }))).toBe('ERR_TRUST_CRL_STALE');
  });

  it('refuses a CRL that is not yet valid (ERR_TRUST_CRL_STALE)', async () => {
    const crl = parseCrl(await issueCrl({ issuer: { certificate: qa.intermediate.certificate, key: qa.intermediate.key }, thisUpdate: new Date(now().getTime() + 3600_000), nextUpdate: new Date(now().getTime() + 86_400_000), entries: [] }));
    expect(code(() => checkCrl({ crl, certificate: leaf, issuer: qa.intermediate.certificate, at: now(), now: now() }))).toBe('ERR_TRUST_CRL_STALE');
  });

  it('accepts a certificate taken off hold (suspended, then reinstated by a newer CRL)', async () => {
    const held = await crlOf({ entries: [{ serialNumberHex: leaf.serialNumberHex, revokedAt: new Date(now().getTime() - 1000), reason: 'certificateHold' }] });
    const released = await crlOf({ entries: [] });
    expect(checkCrl({ crl: held, certificate: leaf, issuer: qa.intermediate.certificate, at: now(), now: now() }).status).toBe('revoked');
    expect(checkCrl({ crl: released, certificate: leaf, issuer: qa.intermediate.certificate, at: now(), now: now() }).status).toBe('good');
  });

  it('refuses a CRL with an unknown critical extension', async () => {
    const der = await issueCrl({ issuer: { certificate: qa.intermediate.certificate, key: qa.intermediate.key }, thisUpdate: now(), nextUpdate: new Date(now().getTime() + 1000), entries: [], extraExtensions: [{ oid: '1.3.6.1.4.1.99999.7', critical: true, value: new Uint8Array([5, 0]) }] });
    expect(code(() => parseCrl(der))).toBe('ERR_TRUST_CRL_INVALID');
  });

  it('reports certificateHold as on hold', async () => {
    const crl = await crlOf({ entries: [{ serialNumberHex: leaf.serialNumberHex, revokedAt: new Date(now().getTime() - 1000), reason: 'certificateHold' }] });
    expect(checkCrl({ crl, certificate: leaf, issuer: qa.intermediate.certificate, at: now(), now: now() })).toMatchObject({ status: 'revoked', reason: 'certificateHold' });
  });

  it('accepts a CRL from an authorised CRL signer of the same CA, and refuses one without cRLSign', async () => {
    const signerKey = await generateKeyPair('ec-p256');
    const issueSigner = (keyUsage: Array<'cRLSign' | 'digitalSignature'>): Promise<ParsedCertificate> => issueCertificate({
      subject: qa.intermediate.certificate.subject, subjectKey: signerKey, issuer: { certificate: qa.intermediate.certificate, key: qa.intermediate.key },
      profile: 'end-entity', notBefore: new Date('2026-01-01'), notAfter: new Date('2027-06-01'), overrides: { keyUsage, subjectKeyId: null, authorityKeyId: null },
    });
    const crlSigner = await issueSigner(['cRLSign']);
    const notAllowed = await issueSigner(['digitalSignature']);
    const crl = await crlOf({ key: signerKey, certificate: crlSigner, entries: [{ serialNumberHex: leaf.serialNumberHex, revokedAt: new Date(now().getTime() - 1000), reason: 'superseded' }] });
    expect(checkCrl({ crl, certificate: leaf, issuer: qa.intermediate.certificate, crlSigners: [crlSigner], at: now(), now: now() }).status).toBe('revoked');
    expect(code(() => checkCrl({ crl, certificate: leaf, issuer: qa.intermediate.certificate, crlSigners: [notAllowed], at: now(), now: now() }))).toBe('ERR_TRUST_CRL_INVALID');
    expect(code(() => checkCrl({ crl, certificate: leaf, issuer: qa.intermediate.certificate, at: now(), now: now() }))).toBe('ERR_TRUST_CRL_INVALID');
  });
});

describe('OCSP responses (RFC 6960)', () => {
  const respond = (options: { signer?: { certificate: ParsedCertificate; key: KeyPair }; certs?: ParsedCertificate[]; nonce?: Uint8Array; thisUpdate?: Date; nextUpdate?: Date | null; status?: 'good' | 'unknown' }) => {
    const request = buildOcspRequest(leaf, qa.intermediate.certificate);
    const now = env.clock.now();
    const signer = options.signer ?? { certificate: qa.ocsp.certificate, key: qa.ocsp.key };
    const der = buildOcspResponse({
      signer, producedAt: now,
      responses: [{ certId: request.certId, answer: { status: options.status ?? 'good' }, thisUpdate: options.thisUpdate ?? now, ...(options.nextUpdate === null ? {} : { nextUpdate: options.nextUpdate ?? new Date(now.getTime() + 3600_000) }) }],
      nonce: options.nonce ?? (request.nonce as Uint8Array),
      certificates: options.certs ?? [signer.certificate],
    });
    return () => checkOcspResponse({ der, request, issuer: qa.intermediate.certificate, now: env.clock.now() });
  };

  it('accepts a response from the delegated responder and from the CA itself', () => {
    expect((respond({})() as { status: string }).status).toBe('good');
    expect((respond({ signer: { certificate: qa.intermediate.certificate, key: qa.intermediate.key }, certs: [] })() as { status: string }).status).toBe('good');
  });

  it('refuses a responder the CA did not authorise (§4.2.2.2)', async () => {
    const key = await generateKeyPair('ec-p256');
    const fake = await issueCertificate({ subject: 'C=QA, CN=fake responder', subjectKey: key, profile: 'ocsp', notBefore: new Date('2026-01-01'), notAfter: new Date('2027-01-01') });
    expect(code(respond({ signer: { certificate: fake, key } }))).toBe('ERR_TRUST_OCSP_UNAUTHORIZED_RESPONDER');
    const noEku = await issueCertificate({ subject: 'C=QA, CN=no eku', subjectKey: key, issuer: { certificate: qa.intermediate.certificate, key: qa.intermediate.key }, profile: 'end-entity', notBefore: new Date('2026-01-01'), notAfter: new Date('2027-01-01') });
    expect(code(respond({ signer: { certificate: noEku, key } }))).toBe('ERR_TRUST_OCSP_UNAUTHORIZED_RESPONDER');
  });

  it('refuses a response whose signature does not verify', async () => {
    const other = await generateKeyPair('ec-p256');
    expect(code(respond({ signer: { certificate: qa.ocsp.certificate, key: other } }))).toBe('ERR_TRUST_OCSP_INVALID');
  });

  it('refuses a wrong nonce', () => {
    expect(code(respond({ nonce: new Uint8Array(32).fill(1) }))).toBe('ERR_TRUST_OCSP_NONCE_MISMATCH');
  });

  it('refuses responses outside the freshness window', () => {
    const now = env.clock.now().getTime();
    expect(code(respond({ thisUpdate: new Date(now - 7200_000), nextUpdate: new Date(now - 3600_000) }))).toBe('ERR_TRUST_OCSP_STALE');
    expect(code(respond({ thisUpdate: new Date(now - 7200_000), nextUpdate: null }))).toBe('ERR_TRUST_OCSP_STALE');
    expect(code(respond({ thisUpdate: new Date(now + 3600_000) }))).toBe('ERR_TRUST_OCSP_STALE');
  });

  it('returns unknown as unknown, never as good', () => {
    expect((respond({ status: 'unknown' })() as { status: string }).status).toBe('unknown');
  });
});

describe('RevocationChecker against the test servers', () => {
  it('finds a good certificate by OCSP and caches the answer', async () => {
    const checker = new RevocationChecker({ fetch: nodeFetch, clock: env.clock, ocspUrlsFor: () => env.services.ocspUrlsFor(), crlUrlsFor: (c) => env.services.crlUrlsFor(c) });
    const chain = [leaf, qa.intermediate.certificate, qa.root.certificate];
    const before = env.services.ocsp.requestCount();
    expect((await checker.checkChain({ chain })).map((r) => r.source)).toEqual(['ocsp', 'ocsp']);
    await checker.checkChain({ chain });
    expect(env.services.ocsp.requestCount() - before).toBe(2);
  });

  it.each(['ocsp', 'crl', 'ocsp-then-crl'] as const)('refuses the revoked demo agency with policy %s', async (policy) => {
    const checker = new RevocationChecker({ fetch: nodeFetch, clock: env.clock, policy, ocspUrlsFor: () => env.services.ocspUrlsFor(), crlUrlsFor: (c) => env.services.crlUrlsFor(c) });
    expect(await codeOf(checker.checkChain({ chain: [revokedLeaf, qa.intermediate.certificate, qa.root.certificate] }))).toBe('ERR_TRUST_CERT_REVOKED');
  });

  it('falls back to the CRL when OCSP cannot be reached (ocsp-then-crl)', async () => {
    const checker = new RevocationChecker({ fetch: nodeFetch, clock: env.clock, ocspUrlsFor: () => ['http://127.0.0.1:9/ocsp'], crlUrlsFor: (c) => env.services.crlUrlsFor(c), timeoutMillis: 1000 });
    expect((await checker.checkChain({ chain: [leaf, qa.intermediate.certificate, qa.root.certificate] })).map((r) => r.source)).toEqual(['crl', 'crl']);
  });

  it('fails closed when no source answers', async () => {
    const checker = new RevocationChecker({ fetch: nodeFetch, clock: env.clock, ocspUrlsFor: () => ['http://127.0.0.1:9/ocsp'], crlUrlsFor: () => ['http://127.0.0.1:9/x.crl'], timeoutMillis: 1000 });
    const error = await checker.checkChain({ chain: [leaf, qa.intermediate.certificate, qa.root.certificate] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrustError);
    expect((error as TrustError).code).toBe('ERR_TRUST_REVOCATION_UNKNOWN');
    expect((error as TrustError).retriable).toBe(true);
    expect((error as TrustError).certIndex).toBe(0);
  });

  it('fails closed when the only CRL is stale (policy crl)', async () => {
    const crlServer = await startCrlServer();
    try {
      crlServer.setCrl('old.crl', await issueCrl({ issuer: { certificate: qa.intermediate.certificate, key: qa.intermediate.key }, thisUpdate: new Date('2026-10-01'), nextUpdate: new Date('2026-10-08'), entries: [] }));
      const checker = new RevocationChecker({ fetch: nodeFetch, clock: env.clock, policy: 'crl', crlUrlsFor: () => [`${crlServer.url}/old.crl`] });
      const error = await checker.checkCertificate(leaf, qa.intermediate.certificate, 0, env.clock.now(), 'crl').catch((e: unknown) => e as TrustError);
      expect((error as TrustError).code).toBe('ERR_TRUST_REVOCATION_UNKNOWN');
      expect(String((error as TrustError).message)).toContain('ERR_TRUST_CRL_STALE');
    } finally {
      await crlServer.close();
    }
  });

  it('does not check a responder certificate carrying id-pkix-ocsp-nocheck', async () => {
    const checker = new RevocationChecker({ fetch: nodeFetch, clock: env.clock, ocspUrlsFor: () => ['http://127.0.0.1:9/'], crlUrlsFor: () => [], timeoutMillis: 500 });
    const [first] = await checker.checkChain({ chain: [qa.ocsp.certificate, qa.intermediate.certificate] });
    expect(first?.source).toBe('not-checked');
  });
});
