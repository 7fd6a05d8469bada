import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { issueCertificate } from '../pki/issue-certificate.js';
import { generateKeyPair } from '../pki/key-pair.js';
import { buildTimestampResponse } from '../servers/tsa-server.js';
import { nodeFetch, startDemoEnvironment, type DemoEnvironment } from '../testing/demo-environment.js';
import { buildTimestampRequest, requestTimestamp, verifyTimestampResponse } from './timestamp.js';
import { code } from '../testing/trust-error-code.js';

let env: DemoEnvironment;
const data = new TextEncoder().encode('evidence log checkpoint #42');


beforeAll(async () => {
  env = await startDemoEnvironment();
});

afterAll(async () => {
  await env.close();
});

describe('RFC 3161 timestamps', () => {
  it('gets a verified timestamp from the test TSA over HTTP', async () => {
    const result = await requestTimestamp({ url: env.services.tsa?.url ?? '', data, fetch: nodeFetch, trustList: env.holder.current() });
    expect(result.genTime).toEqual(env.clock.now());
    expect(result.tsa.subject).toContain('QA Time Stamping Authority');
    expect(result.token.length).toBeGreaterThan(500);
  });

  it('refuses a timestamp over other data or with another nonce', () => {
    const tsa = env.pki.states.QA.tsa;
    if (!tsa) throw new Error('no TSA');
    const request = buildTimestampRequest(data);
    const response = buildTimestampResponse({ request: request.der, signer: tsa, genTime: env.clock.now() });
    const list = env.holder.current();
    expect(code(() => verifyTimestampResponse({ response, request, trustList: list }))).toBe('accepted');
    const other = buildTimestampRequest(new TextEncoder().encode('other'));
    expect(code(() => verifyTimestampResponse({ response, request: other, trustList: list }))).toBe('ERR_TRUST_TSP_MISMATCH');
    expect(code(() => verifyTimestampResponse({ response, request: { ...request, nonce: '01' }, trustList: list }))).toBe('ERR_TRUST_TSP_MISMATCH');
  });

  it('refuses a token whose signature was tampered with', () => {
    const tsa = env.pki.states.QA.tsa;
    if (!tsa) throw new Error('no TSA');
    const request = buildTimestampRequest(data);
    const response = buildTimestampResponse({ request: request.der, signer: tsa, genTime: env.clock.now() });
    const tampered = new Uint8Array(response);
    tampered[tampered.length - 2] = (tampered[tampered.length - 2] as number) ^ 0xff;
    expect(code(() => verifyTimestampResponse({ response: tampered, request, trustList: env.holder.current() }))).toBe('ERR_TRUST_TSP_INVALID');
  });

  it('refuses a TSA that is not on the trust list, and a certificate without the critical timeStamping EKU', async () => {
    const qa = env.pki.states.QA;
    const key = await generateKeyPair('ec-p256');
    const unlisted = await issueCertificate({ subject: 'C=QA, CN=Unlisted TSA', subjectKey: key, issuer: { certificate: qa.intermediate.certificate, key: qa.intermediate.key }, profile: 'tsa', notBefore: new Date('2026-01-01'), notAfter: new Date('2027-06-01') });
    const request = buildTimestampRequest(data);
    const response = buildTimestampResponse({ request: request.der, signer: { certificate: unlisted, key, chain: [qa.intermediate.certificate] }, genTime: env.clock.now() });
    expect(code(() => verifyTimestampResponse({ response, request, trustList: env.holder.current() }))).toBe('ERR_TRUST_TSA_NOT_LISTED');
    const signingCert = qa.agencies[0]?.signing;
    if (!signingCert) throw new Error('no agency');
    const wrongEku = buildTimestampResponse({ request: request.der, signer: { certificate: signingCert.certificate, key: signingCert.key }, genTime: env.clock.now() });
    expect(code(() => verifyTimestampResponse({ response: wrongEku, request, trustList: env.holder.current() }))).toBe('ERR_TRUST_TSP_INVALID');
  });

  it('refuses a rejection status', () => {
    const request = buildTimestampRequest(data);
    expect(code(() => verifyTimestampResponse({ response: new Uint8Array([0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02]), request, trustList: env.holder.current() }))).toBe('ERR_TRUST_TSP_INVALID');
  });
});
