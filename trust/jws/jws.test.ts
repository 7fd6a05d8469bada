import { createHmac, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { issueCertificate } from '../pki/issue-certificate.js';
import { generateKeyPair } from '../pki/key-pair.js';
import type { LoadedIdentity } from '../pki/load-demo-pki.js';
import { startDemoEnvironment, type DemoEnvironment } from '../testing/demo-environment.js';
import { signEvent, verifyEvent } from './event-signatures.js';
import { requestHash, signHttpRequest, signHttpResponse, verifyHttpRequest, verifyHttpResponse, type Signer } from './http-signatures.js';
import { signDetached } from './sign-detached.js';
import { verifySignature, type SignatureTrust } from './verify-signature.js';
import { codeOf } from '../testing/trust-error-code.js';

let env: DemoEnvironment;
let qa: LoadedIdentity;
const body = new TextEncoder().encode('{"query":"{ employee(id: \\"1\\") { name } }"}');

function signerOf(id: LoadedIdentity): Signer {
  return { privateKey: id.key.privateKey, certificates: id.chain, clock: env.clock };
}


function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function header(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[0] as string, 'base64url').toString()) as Record<string, unknown>;
}

beforeAll(async () => {
  env = await startDemoEnvironment();
  qa = (env.pki.states.QA.agencies[0] as { signing: LoadedIdentity }).signing;
});

afterAll(async () => {
  await env.close();
});

describe('HTTP request signatures', () => {
  it('verifies a signed request and returns the signer identity and chain', async () => {
    const signed = await signHttpRequest({ signer: signerOf(qa), method: 'post', pathAndQuery: '/graphql?x=1', body, purpose: 'employment-verification', clientId: 'GCC:QA:GOV:CSGDB:hr-portal' });
    const verified = await verifyHttpRequest({ signature: signed.signature, method: 'POST', pathAndQuery: '/graphql?x=1', body, trust: env.trust });
    expect(verified.identity.clientId).toBe('GCC:QA:GOV:CSGDB:hr-portal');
    expect(verified.state).toBe('QA');
    expect(verified.chain).toHaveLength(3);
    expect(verified.purpose).toBe('employment-verification');
    expect(verified.nonce).toBe(signed.nonce);
    expect(header(signed.signature)).toMatchObject({ b64: false, alg: 'ES256', crit: expect.arrayContaining(['b64', 'sigT', 'gcc.htm', 'gcc.cid']) });
  });

  it.each(['SA', 'AE', 'KW', 'BH', 'OM'] as const)('verifies requests signed by %s agencies (every key type)', async (state) => {
    const id = (env.pki.states[state].agencies[0] as { signing: LoadedIdentity }).signing;
    const signed = await signHttpRequest({ signer: signerOf(id), method: 'POST', pathAndQuery: '/graphql', body, purpose: 'p', clientId: id.clientId });
    const verified = await verifyHttpRequest({ signature: signed.signature, method: 'POST', pathAndQuery: '/graphql', body, trust: env.trust });
    expect(verified.identity.state).toBe(state);
  });

  it.each([
    ['a tampered body', { body: new TextEncoder().encode('{"query":"{ salaries }"}') }, 'ERR_TRUST_JWS_BAD_SIGNATURE'],
    ['another method', { method: 'GET' }, 'ERR_TRUST_JWS_BINDING_MISMATCH'],
    ['another path', { pathAndQuery: '/graphql?x=2' }, 'ERR_TRUST_JWS_BINDING_MISMATCH'],
  ] as const)('refuses %s', async (_label, change, code) => {
    const signed = await signHttpRequest({ signer: signerOf(qa), method: 'POST', pathAndQuery: '/graphql?x=1', body, purpose: 'p', clientId: qa.clientId });
    const base = { signature: signed.signature, method: 'POST', pathAndQuery: '/graphql?x=1', body, trust: env.trust };
    expect(await codeOf(verifyHttpRequest({ ...base, ...change }))).toBe(code);
  });

  it('refuses a ClientId in the header that the certificate does not prove', async () => {
    const signed = await signHttpRequest({ signer: signerOf(qa), method: 'POST', pathAndQuery: '/graphql', body, purpose: 'p', clientId: 'GCC:QA:GOV:MOF:payroll' });
    expect(await codeOf(verifyHttpRequest({ signature: signed.signature, method: 'POST', pathAndQuery: '/graphql', body, trust: env.trust }))).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
  });

  it('refuses a signature created too long ago (ERR_TRUST_JWS_STALE)', async () => {
    const old = { ...signerOf(qa), clock: { now: () => new Date(env.clock.now().getTime() - 600_000) } };
    const signed = await signHttpRequest({ signer: old, method: 'POST', pathAndQuery: '/graphql', body, purpose: 'p', clientId: qa.clientId });
    expect(await codeOf(verifyHttpRequest({ signature: signed.signature, method: 'POST', pathAndQuery: '/graphql', body, trust: env.trust }))).toBe('ERR_TRUST_JWS_STALE');
  });

  it('refuses a tampered protected header', async () => {
    const signed = await signHttpRequest({ signer: signerOf(qa), method: 'POST', pathAndQuery: '/graphql', body, purpose: 'p', clientId: qa.clientId });
    const h = header(signed.signature);
    h['gcc.pur'] = 'something-else';
    const forged = `${b64url(h)}..${signed.signature.split('.')[2]}`;
    expect(await codeOf(verifyHttpRequest({ signature: forged, method: 'POST', pathAndQuery: '/graphql', body, trust: env.trust }))).toBe('ERR_TRUST_JWS_BAD_SIGNATURE');
  });
});

describe('HTTP response signatures', () => {
  it('binds a response to the request it answers', async () => {
    const request = await signHttpRequest({ signer: signerOf(qa), method: 'POST', pathAndQuery: '/graphql', body, purpose: 'p', clientId: qa.clientId });
    const gateway = env.pki.states.QA.gateway?.signing as LoadedIdentity;
    const responseBody = new TextEncoder().encode('{"data":{}}');
    const signature = await signHttpResponse({ signer: signerOf(gateway), status: 200, body: responseBody, requestHash: request.requestHash });
    const verified = await verifyHttpResponse({ signature, status: 200, body: responseBody, requestHash: request.requestHash, trust: env.trust });
    expect(verified.identity.clientId).toBe('GCC:QA:GOV:GCCGW:gateway');
    const other = requestHash(`${request.signature}x`);
    expect(await codeOf(verifyHttpResponse({ signature, status: 200, body: responseBody, requestHash: other, trust: env.trust }))).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
    expect(await codeOf(verifyHttpResponse({ signature, status: 500, body: responseBody, requestHash: request.requestHash, trust: env.trust }))).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
  });

  it('signs in the call when the signer says so: the same header, a signature that verifies, and a request signed in the call verifies too', async () => {
    const gateway = env.pki.states.QA.gateway?.signing as LoadedIdentity;
    const responseBody = new TextEncoder().encode('{"data":{"n":1}}');
    const onPool = await signHttpResponse({ signer: signerOf(gateway), status: 200, body: responseBody, requestHash: 'h' });
    const inCall = await signHttpResponse({ signer: { ...signerOf(gateway), offloadSigning: false }, status: 200, body: responseBody, requestHash: 'h' });
    expect(inCall.split('.')[0]).toBe(onPool.split('.')[0]);
    expect((await verifyHttpResponse({ signature: inCall, status: 200, body: responseBody, requestHash: 'h', trust: env.trust })).identity.clientId).toBe('GCC:QA:GOV:GCCGW:gateway');
    expect(await codeOf(verifyHttpResponse({ signature: inCall, status: 201, body: responseBody, requestHash: 'h', trust: env.trust }))).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
    const request = await signHttpRequest({ signer: { ...signerOf(qa), offloadSigning: false }, method: 'POST', pathAndQuery: '/graphql', body, purpose: 'p', clientId: qa.clientId });
    expect((await verifyHttpRequest({ signature: request.signature, method: 'POST', pathAndQuery: '/graphql', body, trust: { ...env.trust, offloadSignatureChecks: false } })).identity.clientId).toBe(qa.clientId);
  });

  it('does not accept a response signature as a request signature (crit profile)', async () => {
    const signature = await signHttpResponse({ signer: signerOf(qa), status: 200, body, requestHash: 'x' });
    expect(await codeOf(verifyHttpRequest({ signature, method: 'POST', pathAndQuery: '/', body, trust: env.trust }))).toBe('ERR_TRUST_JWS_CRIT');
  });
});

describe('event signatures', () => {
  it('signs the RFC 8785 canonical event and checks the source', async () => {
    const event = { specversion: '1.0', id: 'e-1', source: qa.clientId, type: 'gcc.hr.employment.ended.v1', data: { b: 1, a: 'x' } };
    const signature = await signEvent({ event, signer: signerOf(qa) });
    // Member order does not matter: the canonical form is signed.
    const reordered = { data: { a: 'x', b: 1 }, type: event.type, source: event.source, id: 'e-1', specversion: '1.0' };
    expect((await verifyEvent({ event: reordered, signature, trust: env.trust })).identity.clientId).toBe(qa.clientId);
    expect(await codeOf(verifyEvent({ event: { ...event, data: { a: 'y', b: 1 } }, signature, trust: env.trust }))).toBe('ERR_TRUST_JWS_BAD_SIGNATURE');
    const spoofed = { ...event, source: 'GCC:QA:GOV:MOF:payroll' };
    const spoofSig = await signEvent({ event: spoofed, signer: signerOf(qa) });
    expect(await codeOf(verifyEvent({ event: spoofed, signature: spoofSig, trust: env.trust }))).toBe('ERR_TRUST_JWS_BINDING_MISMATCH');
  });

  it('refuses deeply nested events in bounded time', async () => {
    let data: unknown = 1;
    for (let i = 0; i < 5000; i++) data = { d: data };
    const event = { id: 'e-2', source: qa.clientId, data } as const;
    expect(await codeOf(verifyEvent({ event, signature: 'x..y', trust: env.trust }))).toBe('ERR_TRUST_INPUT_TOO_LARGE');
  });
});

describe('JWS attacks', () => {
  const payload = new TextEncoder().encode('evidence');
  let good: string;
  beforeAll(async () => {
    good = await signDetached({ payload, privateKey: qa.key.privateKey, certificates: qa.chain, signingTime: env.clock.now() });
  });
  const verify = (jws: string, trust: SignatureTrust = env.trust): Promise<string> => codeOf(verifySignature({ jws, payload, trust }));

  it('accepts the untouched signature', async () => {
    expect(await verify(good)).toBe('accepted');
  });

  it('refuses alg none', async () => {
    const h = { ...header(good), alg: 'none' };
    expect(await verify(`${b64url(h)}..`)).toBe('ERR_TRUST_JWS_ALG_NOT_ALLOWED');
  });

  it('refuses HS256 keyed with the signer public key', async () => {
    const h = { ...header(good), alg: 'HS256' };
    const input = `${b64url(h)}.${Buffer.from(payload).toString()}`;
    const pub = createPublicKey(qa.key.privateKey).export({ format: 'pem', type: 'spki' });
    const mac = createHmac('sha256', pub).update(input).digest('base64url');
    expect(await verify(`${b64url(h)}..${mac}`)).toBe('ERR_TRUST_JWS_ALG_NOT_ALLOWED');
  });

  it('refuses an algorithm that does not fit the key type (ES384 on a P-256 key)', async () => {
    const h = { ...header(good), alg: 'ES384' };
    expect(await verify(`${b64url(h)}..${good.split('.')[2]}`)).toBe('ERR_TRUST_JWS_ALG_NOT_ALLOWED');
  });

  it('refuses RS256 unless configured, and accepts it when it is', async () => {
    const sa = env.pki.states.SA.gateway?.server as LoadedIdentity;
    const rsaKey = sa.key;
    const leaf = await issueCertificate({
      subject: 'C=SA, O=MHRSD, CN=rsa signer', subjectKey: rsaKey, issuer: { certificate: env.pki.states.SA.intermediate.certificate, key: env.pki.states.SA.intermediate.key },
      profile: 'signing', notBefore: env.clock.now(), notAfter: new Date(env.clock.now().getTime() + 86_400_000), rsaScheme: 'pss',
      subjectAltNames: { uri: ['urn:gcc:client:SA:GOV:MHRSD:rsa'] }, ocspUrls: ['http://x/ocsp'],
    });
    const jws = await signDetached({ payload, privateKey: rsaKey.privateKey, certificates: [leaf, env.pki.states.SA.intermediate.certificate], signingTime: env.clock.now(), algorithm: 'RS256' });
    expect(await verify(jws)).toBe('ERR_TRUST_JWS_ALG_NOT_ALLOWED');
    expect(await verify(jws, { ...env.trust, algorithms: ['ES256', 'PS256', 'RS256'] })).toBe('accepted');
  });

  it.each([
    ['its own name', 'C=QA, O=Rogue, CN=Rogue Root', 'ERR_TRUST_NO_PATH'],
    ["the real QA root's name", 'C=QA, O=State of Qatar, CN=QA Government Root CA', 'ERR_TRUST_BAD_SIGNATURE'],
  ])('refuses x5c chaining to an untrusted root carrying %s', async (_label, rootName, code) => {
    const rogueKey = await generateKeyPair('ec-p256');
    const rogueRoot = await issueCertificate({ subject: rootName, subjectKey: rogueKey, profile: 'root-ca', notBefore: new Date('2026-01-01'), notAfter: new Date('2030-01-01') });
    const leafKey = await generateKeyPair('ec-p256');
    const leaf = await issueCertificate({ subject: 'C=QA, CN=rogue', subjectKey: leafKey, issuer: { certificate: rogueRoot, key: rogueKey }, profile: 'signing', notBefore: new Date('2026-01-01'), notAfter: new Date('2030-01-01'), subjectAltNames: { uri: [qa.clientId.replace('GCC:', 'urn:gcc:client:')] } });
    const jws = await signDetached({ payload, privateKey: leafKey.privateKey, certificates: [leaf, rogueRoot], signingTime: env.clock.now() });
    expect(await verify(jws)).toBe(code);
  });

  it("refuses a leaf from another state's CA claiming a QA identity", async () => {
    const sa = env.pki.states.SA;
    const key = await generateKeyPair('ec-p256');
    const leaf = await issueCertificate({
      subject: 'C=SA, CN=impostor', subjectKey: key, issuer: { certificate: sa.intermediate.certificate, key: sa.intermediate.key }, rsaScheme: 'pss',
      profile: 'signing', notBefore: new Date('2026-01-01'), notAfter: new Date('2027-06-01'), subjectAltNames: { uri: ['urn:gcc:client:QA:GOV:CSGDB:hr-portal'] },
    });
    const jws = await signDetached({ payload, privateKey: key.privateKey, certificates: [leaf, sa.intermediate.certificate], signingTime: env.clock.now() });
    expect(await verify(jws)).toBe('ERR_TRUST_IDENTITY_STATE_MISMATCH');
  });

  it('refuses an expired signer certificate', async () => {
    const trust = { ...env.trust, chainCache: undefined, clock: { now: () => new Date('2028-01-01T00:00:00Z') } };
    expect(await verify(good, trust)).toBe('ERR_TRUST_CERT_EXPIRED');
  });

  it('refuses a revoked signer (the demo revoked agency)', async () => {
    const revoked = (env.pki.states.QA.agencies.find((a) => a.revoked) as { signing: LoadedIdentity }).signing;
    const jws = await signDetached({ payload, privateKey: revoked.key.privateKey, certificates: revoked.chain, signingTime: env.clock.now() });
    expect(await verify(jws)).toBe('ERR_TRUST_CERT_REVOKED');
  });

  it('refuses a suspended signer and accepts it again once reinstated', async () => {
    const bh = (env.pki.states.BH.agencies[0] as { signing: LoadedIdentity }).signing;
    const jws = await signDetached({ payload, privateKey: bh.key.privateKey, certificates: bh.chain, signingTime: env.clock.now() });
    const trust = { ...env.trust, chainCache: undefined };
    env.services.revoked.set(bh.certificate.serialNumberHex, { revokedAt: new Date(env.clock.now().getTime() - 60_000), reason: 'certificateHold' });
    env.revocation.clearCaches();
    expect(await verify(jws, trust)).toBe('ERR_TRUST_CERT_ON_HOLD');
    env.services.revoked.delete(bh.certificate.serialNumberHex);
    env.revocation.clearCaches();
    expect(await verify(jws, trust)).toBe('accepted');
  });

  it('refuses a certificate without the signing EKU (an mTLS client certificate)', async () => {
    const client = (env.pki.states.QA.agencies[0] as { client: LoadedIdentity }).client;
    const jws = await signDetached({ payload, privateKey: client.key.privateKey, certificates: client.chain, signingTime: env.clock.now() });
    expect(await verify(jws)).toBe('ERR_TRUST_EXTENDED_KEY_USAGE');
  });

  it('refuses b64 tricks: b64 true, b64 missing from crit, and an attached payload', async () => {
    const h = header(good);
    const sig = good.split('.')[2];
    expect(await verify(`${b64url({ ...h, b64: true })}..${sig}`)).toBe('ERR_TRUST_JWS_CRIT');
    expect(await verify(`${b64url({ ...h, crit: ['sigT'] })}..${sig}`)).toBe('ERR_TRUST_JWS_CRIT');
    expect(await verify(`${good.split('.')[0]}.${b64url('evidence')}.${sig}`)).toBe('ERR_TRUST_JWS_MALFORMED');
  });

  it('refuses unknown crit parameters and crit names absent from the header', async () => {
    const h = header(good);
    const sig = good.split('.')[2];
    expect(await verify(`${b64url({ ...h, crit: ['b64', 'sigT', 'exp'], exp: 1 })}..${sig}`)).toBe('ERR_TRUST_JWS_CRIT');
    expect(await verify(`${b64url({ ...h, crit: ['b64', 'sigT', 'gcc.htm'] })}..${sig}`)).toBe('ERR_TRUST_JWS_CRIT');
  });

  it('refuses keys from jwk or a mismatching x5t#S256', async () => {
    const h = header(good);
    const sig = good.split('.')[2];
    expect(await verify(`${b64url({ ...h, jwk: { kty: 'EC' } })}..${sig}`)).toBe('ERR_TRUST_JWS_MALFORMED');
    expect(await verify(`${b64url({ ...h, 'x5t#S256': 'AAAA' })}..${sig}`)).toBe('ERR_TRUST_JWS_MALFORMED');
  });

  it('refuses oversized and deeply nested headers in bounded time', async () => {
    const h = header(good);
    expect(await verify(`${b64url({ ...h, pad: 'x'.repeat(40_000) })}..AA`)).toBe('ERR_TRUST_INPUT_TOO_LARGE');
    let nested: unknown = 1;
    for (let i = 0; i < 50; i++) nested = [nested];
    expect(await verify(`${b64url({ ...h, n: nested })}..AA`)).toBe('ERR_TRUST_INPUT_TOO_LARGE');
    expect(await verify(`${b64url({ ...h, x5c: new Array(6).fill((h.x5c as string[])[0]) })}..AA`)).toBe('ERR_TRUST_JWS_MALFORMED');
  });

  it('refuses the same forgeries on the cached hot path as through jose', async () => {
    const sig = good.split('.')[2] as string;
    const bytes = Buffer.from(sig, 'base64url');
    const flipped = Buffer.from(bytes);
    flipped[5] = (flipped[5] as number) ^ 1;
    const forgeries = [
      `${good.split('.')[0]}..${flipped.toString('base64url')}`,
      `${good.split('.')[0]}..${bytes.subarray(0, 63).toString('base64url')}`,
      `${good.split('.')[0]}..${Buffer.concat([bytes, Buffer.from([0])]).toString('base64url')}`,
      `${good.split('.')[0]}..`,
    ];
    const warm: SignatureTrust = { ...env.trust, chainCache: new (await import('./verify-signature.js')).ValidatedChainCache() };
    expect(await verify(good, warm)).toBe('accepted');
    expect(await verify(good, warm)).toBe('accepted');
    for (const forged of forgeries) {
      expect([await verify(forged, warm), await verify(forged, { ...env.trust, chainCache: undefined })]).toEqual(['ERR_TRUST_JWS_BAD_SIGNATURE', 'ERR_TRUST_JWS_BAD_SIGNATURE']);
    }
    expect(await codeOf(verifySignature({ jws: good, payload: new TextEncoder().encode('evidencE'), trust: warm }))).toBe('ERR_TRUST_JWS_BAD_SIGNATURE');
  });

  it('throws TypeError when called without a payload', async () => {
    await expect(verifySignature({ jws: good, payload: 'x' as unknown as Uint8Array, trust: env.trust })).rejects.toThrow(TypeError);
  });
});
