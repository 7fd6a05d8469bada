/**
 * Member-state access over the real mutual-TLS port: every refusal path of the issue, and the
 * allowed path end to end with the gateway's response signature verified as a member state would.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  derToPem,
  issueCertificate,
  keyPairFromPem,
  makeIdentity,
  parseCertificate,
  pemToDer,
  privateKeyPem,
  signHttpRequest,
  TrustListHolder,
  RevocationChecker,
  ValidatedChainCache,
  globalFetch,
  type DemoPkiManifest,
  type SignatureTrust,
} from '../../trust/index.js';
import { cachedTestKey } from '../../trust/testing/cached-keys.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { listSegments } from '../../gateway/audit/evidence-log.js';
import { until } from '../support/until.js';
import { startTestGateway, postGraphQL } from '../support/gateway-harness.js';
import { gatewayCaBundle, memberCredentials, mtlsRequest, signedPost, verifyGatewayResponse, type MemberCredentials } from '../support/member-client.js';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

let gateway: Gateway;
let pki: DemoPkiManifest;
let ca: string;
let qa: MemberCredentials;
let sa: MemberCredentials;
let kw: MemberCredentials;
let revoked: MemberCredentials;
let trust: SignatureTrust;

const ENTITY = '{ governmentEntity(state: QA, code: "MOF") { code name { en } } }';
const EMPLOYEE = `query Employee($nationalId: String!, $state: MemberState!) {
  employee(nationalId: $nationalId, issuingState: $state) { employeeNumber nationality name { en } status }
}`;

function agency(state: keyof DemoPkiManifest['states'], index = 0): MemberCredentials {
  const files = pki.states[state].agencies[index];
  if (files === undefined) throw new Error(`no agency ${index} in ${state}`);
  return memberCredentials(files);
}

function codeOf(response: { body: { errors?: Array<{ extensions?: Record<string, unknown> }> } }): unknown {
  return response.body.errors?.[0]?.extensions?.['code'];
}

/** A national of `state` on Mawared's sandbox (looked up through the demo port, as the QA demo client). */
async function nationalOf(state: string): Promise<string> {
  const response = await postGraphQL(
    gateway.graphqlUrl,
    { query: `{ employees(filter: { nationality: "${state}" }, first: 1) { edges { node { nationalId } } } }` },
    { 'x-gccgw-purpose': 'EMPLOYMENT_VERIFICATION' },
  );
  const id = (response.body.data?.['employees'] as { edges: Array<{ node: { nationalId: string } }> } | undefined)?.edges[0]?.node.nationalId;
  if (id === undefined) throw new Error(`no ${state} national in the sandbox: ${response.text}`);
  return id;
}

beforeAll(async () => {
  gateway = await startTestGateway();
  pki = gateway.pki;
  ca = gatewayCaBundle(pki);
  qa = agency('QA');
  sa = agency('SA');
  kw = agency('KW');
  revoked = agency('QA', 1);
  const holder = new TrustListHolder({ operatorAnchors: [pemToDer(readFileSync(pki.operator.rootCert, 'utf8'))] });
  await holder.loadFile(pki.trustList.signed);
  // The member's own view: it trusts the gateway through the same trust list.
  trust = {
    trustList: () => holder.current(),
    revocation: new RevocationChecker({ fetch: globalFetch, ocspUrlsFor: () => [gateway.trust.demoServices?.ocsp.url ?? ''], crlUrlsFor: (cert) => gateway.trust.demoServices?.crlUrlsFor(cert) ?? [] }),
    chainCache: new ValidatedChainCache(),
  };
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
});

describe('the mutual-TLS port', () => {
  it('answers a signed query with a purpose, and signs the answer bound to the request', async () => {
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: qa, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: { query: ENTITY } });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ governmentEntity: { code: 'MOF', name: { en: expect.any(String) } } });
    expect(response.headers['x-gccgw-request-hash']).toBe(response.requestHash);
    await expect(verifyGatewayResponse(response, response.requestHash as string, trust)).resolves.toBe(gateway.trust.gatewayClientId);
    // A response verified against another request's hash is refused.
    await expect(verifyGatewayResponse(response, 'A'.repeat(43), trust)).rejects.toMatchObject({ code: 'ERR_TRUST_JWS_BINDING_MISMATCH' });
  });

  it('writes the request and response signatures and hashes into the evidence record', async () => {
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: qa, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: { query: ENTITY }, headers: { 'x-request-id': 'evidence-mtls-0001' } });
    expect(response.status).toBe(200);
    const records = listSegments(gateway.auditDir as string).flatMap((s) =>
      readFileSync(s.path, 'utf8').split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { body: Record<string, unknown> }).body),
    );
    const record = records.find((r) => r['requestId'] === 'evidence-mtls-0001');
    expect(record).toMatchObject({
      clientId: qa.clientId,
      authenticatedBy: 'mtls',
      purpose: 'EMPLOYMENT_VERIFICATION',
      requestSignature: expect.stringMatching(/^ey[^.]+\.\.[^.]+$/),
      requestHash: response.requestHash,
      responseSignature: response.headers['x-gccgw-signature'],
      outcome: 'success',
    });
    expect(record?.['responseHash']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a connection without a client certificate', async () => {
    const response = await mtlsRequest(gateway.urls.mtls.graphql, { ca, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: ENTITY }) });
    expect(response.status).toBe(401);
    expect(codeOf(response)).toBe('ERR_CLIENT_CERT_REQUIRED');
    expect(response.body.errors?.[0]?.extensions?.['correlationId']).toEqual(response.headers['x-request-id']);
  });

  it('refuses a client certificate from a CA that is not on the trust list', async () => {
    const rogueRootKey = await cachedTestKey('rogue/root', 'ec-p256');
    const rogueRoot = await issueCertificate({ subject: 'C=QA, CN=Rogue Root', subjectKey: rogueRootKey, profile: 'root-ca', notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000) });
    const leafKey = await cachedTestKey('rogue/leaf', 'ec-p256');
    const identity = makeIdentity('QA', 'GOV', 'CSGDB', 'hr-portal');
    const leaf = await issueCertificate({
      subject: `C=QA, CN=${identity.clientId}`, subjectKey: leafKey, profile: 'client', issuer: { certificate: rogueRoot, key: rogueRootKey },
      subjectAltNames: { uri: [identity.uri] }, notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000),
    });
    const rogue: MemberCredentials = { ...qa, tls: { key: privateKeyPem(leafKey), cert: derToPem(leaf.der) } };
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: rogue, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: { query: ENTITY } });
    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('ERR_TRUST_NO_PATH');
  });

  it('refuses a revoked client certificate', async () => {
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: revoked, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: { query: ENTITY } });
    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('ERR_TRUST_CERT_REVOKED');
  });

  it('refuses an expired client certificate', async () => {
    const state = pki.states.QA;
    const intermediate = { certificate: parseCertificate(pemToDer(readFileSync(state.intermediateCert, 'utf8'))), key: keyPairFromPem(readFileSync(state.intermediateKey, 'utf8')) };
    const key = await cachedTestKey('expired/client', 'ec-p256');
    const identity = makeIdentity('QA', 'GOV', 'CSGDB', 'hr-portal');
    const cert = await issueCertificate({
      subject: `C=QA, O=CSGDB, CN=${identity.clientId}`, subjectKey: key, profile: 'client', issuer: intermediate,
      subjectAltNames: { uri: [identity.uri] }, notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000),
    });
    const expired: MemberCredentials = { ...qa, tls: { key: privateKeyPem(key), cert: derToPem(cert.der) + readFileSync(state.intermediateCert, 'utf8') } };
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: expired, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: { query: ENTITY } });
    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('ERR_TRUST_CERT_EXPIRED');
  });

  it("refuses a certificate whose identity names another state than its CA's", async () => {
    const state = pki.states.SA;
    const intermediate = { certificate: parseCertificate(pemToDer(readFileSync(state.intermediateCert, 'utf8'))), key: keyPairFromPem(readFileSync(state.intermediateKey, 'utf8')) };
    const key = await cachedTestKey('cross-state/client', 'ec-p256');
    const identity = makeIdentity('QA', 'GOV', 'CSGDB', 'hr-portal');
    const cert = await issueCertificate({
      subject: `C=SA, O=Impostor, CN=${identity.clientId}`, subjectKey: key, profile: 'client', issuer: intermediate,
      subjectAltNames: { uri: [identity.uri] }, notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000),
    });
    const impostor: MemberCredentials = { ...qa, tls: { key: privateKeyPem(key), cert: derToPem(cert.der) + readFileSync(state.intermediateCert, 'utf8') } };
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: impostor, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: { query: ENTITY } });
    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('ERR_TRUST_IDENTITY_STATE_MISMATCH');
  });
});

describe('signed requests', () => {
  it('refuses a signature that does not verify', async () => {
    const body = Buffer.from(JSON.stringify({ query: ENTITY }));
    const signed = await signHttpRequest({ signer: qa.signer, method: 'POST', pathAndQuery: '/graphql', body, purpose: 'EMPLOYMENT_VERIFICATION', clientId: qa.clientId });
    const [header, , sig] = signed.signature.split('.');
    const broken = `${header}..${(sig as string).startsWith('A') ? 'B' : 'A'}${(sig as string).slice(1)}`;
    const response = await mtlsRequest(gateway.urls.mtls.graphql, { ca, tls: qa.tls, headers: { 'content-type': 'application/json', 'x-gccgw-signature': broken, 'x-gccgw-purpose': 'EMPLOYMENT_VERIFICATION' }, body });
    expect(response.status).toBe(401);
    expect(codeOf(response)).toBe('ERR_TRUST_JWS_BAD_SIGNATURE');
  });

  it('refuses a body changed after signing (the detached JWS covers the body bytes)', async () => {
    const response = await signedPost(gateway.urls.mtls.graphql, {
      credentials: qa, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: { query: ENTITY },
      tamper: (body) => Buffer.from(body.toString('utf8').replace('MOF', 'MOI')),
    });
    expect(response.status).toBe(401);
    expect(codeOf(response)).toBe('ERR_TRUST_JWS_BAD_SIGNATURE');
  });

  it('refuses a replayed nonce', async () => {
    const body = Buffer.from(JSON.stringify({ query: ENTITY }));
    const signed = await signHttpRequest({ signer: qa.signer, method: 'POST', pathAndQuery: '/graphql', body, purpose: 'EMPLOYMENT_VERIFICATION', clientId: qa.clientId });
    const send = (): ReturnType<typeof mtlsRequest> =>
      mtlsRequest(gateway.urls.mtls.graphql, { ca, tls: qa.tls, headers: { 'content-type': 'application/json', 'x-gccgw-signature': signed.signature, 'x-gccgw-purpose': 'EMPLOYMENT_VERIFICATION' }, body });
    expect((await send()).status).toBe(200);
    const replay = await send();
    expect(replay.status).toBe(401);
    expect(codeOf(replay)).toBe('ERR_TRUST_JWS_REPLAY');
  });

  it('refuses a signature made too long ago', async () => {
    const stale = { ...qa, signer: { ...qa.signer, clock: { now: () => new Date(Date.now() - 20 * 60_000) } } };
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: stale, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: { query: ENTITY } });
    expect(response.status).toBe(401);
    expect(codeOf(response)).toBe('ERR_TRUST_JWS_STALE');
  });

  it('refuses a request signed by another member than the TLS client', async () => {
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: qa, signer: sa, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: { query: ENTITY } });
    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('ERR_SIGNER_NOT_CLIENT');
  });

  it('refuses a purpose header that differs from the signed purpose', async () => {
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: qa, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: { query: ENTITY }, headers: { 'x-gccgw-purpose': 'BUDGET_REVIEW' } });
    expect(response.status).toBe(400);
    expect(codeOf(response)).toBe('ERR_PURPOSE_MISMATCH');
  });

  it('refuses an unsigned request for fields that are not public, and answers one that is', async () => {
    const refused = await signedPost(gateway.urls.mtls.graphql, { credentials: qa, ca, unsigned: true, payload: { query: '{ governmentEntity(state: QA, code: "MOF") { headcount } }' } });
    expect(codeOf(refused)).toBe('ERR_REQUEST_SIGNATURE_REQUIRED');
    expect(refused.status).toBe(401);
    const allowed = await signedPost(gateway.urls.mtls.graphql, { credentials: qa, ca, unsigned: true, payload: { query: ENTITY } });
    expect(allowed.status).toBe(200);
    expect(allowed.body.data?.['governmentEntity']).toMatchObject({ code: 'MOF' });
  });
});

describe('purpose and policy', () => {
  it('requires a purpose for personal fields', async () => {
    const nationalId = await nationalOf('QA');
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: qa, ca, payload: { query: EMPLOYEE, variables: { nationalId, state: 'QA' } } });
    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('ERR_PURPOSE_REQUIRED');
  });

  it('refuses a purpose that is not a legal basis of the policy', async () => {
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: qa, ca, purpose: 'CURIOSITY', payload: { query: ENTITY } });
    expect(response.status).toBe(400);
    expect(codeOf(response)).toBe('ERR_PURPOSE_UNKNOWN');
  });

  it('refuses the whole operation when one field is denied, naming every denied field', async () => {
    const nationalId = await nationalOf('SA');
    const query = `{ employee(nationalId: "${nationalId}", issuingState: SA) { name { en } payrollSummaries(from: "2026-01", to: "2026-03") { month net } } }`;
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: sa, ca, purpose: 'PENSION_PROTECTION', payload: { query } });
    expect(response.status).toBe(403);
    expect(codeOf(response)).toBe('ERR_POLICY_DENIED');
    expect(response.body.data).toBeUndefined();
    const denied = response.body.errors?.[0]?.extensions?.['denied'] as string[];
    expect(denied).toEqual(expect.arrayContaining(['Employee.payrollSummaries', 'PayrollSummary.net']));
    expect(denied).not.toContain('LocalizedName.en');
  });

  it("lets a state read its own nationals' employment and refuses another state's national (row policy)", async () => {
    const own = await nationalOf('KW');
    const allowed = await signedPost(gateway.urls.mtls.graphql, { credentials: kw, ca, purpose: 'PENSION_PROTECTION', payload: { query: EMPLOYEE, variables: { nationalId: own, state: 'KW' } } });
    expect(allowed.status).toBe(200);
    expect(allowed.body.data?.['employee']).toMatchObject({ nationality: 'KW' });
    const other = await nationalOf('QA');
    const refused = await signedPost(gateway.urls.mtls.graphql, { credentials: kw, ca, purpose: 'PENSION_PROTECTION', payload: { query: EMPLOYEE, variables: { nationalId: other, state: 'QA' } } });
    expect(codeOf(refused)).toBe('ERR_POLICY_ROW_DENIED');
    expect(refused.body.data?.['employee'] ?? null).toBeNull();
  });
});

describe('limits', () => {
  const post = (query: string, extra: Partial<Parameters<typeof signedPost>[1]> = {}): ReturnType<typeof signedPost> =>
    signedPost(gateway.urls.mtls.graphql, { credentials: qa, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: { query }, ...extra });

  it('refuses an operation nested too deep', async () => {
    let selection = 'code';
    for (let i = 0; i < 8; i++) selection = `employees(first: 1) { edges { node { entity { ${selection} } } } }`;
    const response = await post(`{ governmentEntity(state: QA, code: "MOF") { ${selection} } }`);
    expect(response.status).toBe(400);
    expect(codeOf(response)).toBe('ERR_LIMIT_DEPTH');
  });

  it('refuses an alias bomb', async () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: governmentEntity(state: QA, code: "MOF") { code }`).join(' ');
    const response = await post(`{ ${aliases} }`);
    expect(response.status).toBe(400);
    expect(['ERR_LIMIT_ALIASES', 'ERR_LIMIT_ROOT_FIELDS']).toContain(codeOf(response));
  });

  it('refuses an operation whose estimated cost is over the limit', async () => {
    const response = await post('{ employees(first: 100) { edges { node { employmentHistory { entity { organizationUnits { name { en } } } } } } } }');
    expect(response.status).toBe(400);
    expect(codeOf(response)).toBe('ERR_LIMIT_COST');
  });

  it('refuses a batch when batching is off', async () => {
    const response = await signedPost(gateway.urls.mtls.graphql, { credentials: qa, ca, purpose: 'EMPLOYMENT_VERIFICATION', payload: [{ query: ENTITY }, { query: ENTITY }] });
    expect(response.status).toBe(400);
    expect(codeOf(response)).toBe('ERR_LIMIT_BATCH');
  });

  it('refuses a body over the size limit', async () => {
    const response = await post(`{ governmentEntity(state: QA, code: "${'X'.repeat(1_100_000)}") { code } }`);
    expect(response.status).toBe(413);
    expect(codeOf(response)).toBe('ERR_BODY_TOO_LARGE');
  });

  it('refuses introspection to a client the policy does not allow it, and leaks no field suggestions', async () => {
    const introspection = await signedPost(gateway.urls.mtls.graphql, { credentials: sa, ca, purpose: 'PENSION_PROTECTION', payload: { query: '{ __schema { types { name } } }' } });
    expect(introspection.status).toBe(403);
    expect(codeOf(introspection)).toBe('ERR_INTROSPECTION_DISABLED');
    const typo = await signedPost(gateway.urls.mtls.graphql, { credentials: sa, ca, purpose: 'PENSION_PROTECTION', payload: { query: '{ governmentEntity(state: QA, code: "MOF") { nam } }' } });
    expect(codeOf(typo)).toBe('ERR_GRAPHQL_VALIDATION_FAILED');
    expect(typo.text).not.toMatch(/Did you mean/);
    expect(typo.text).not.toContain('"name"');
  });
});

describe('subscriptions on the mutual-TLS port', () => {
  const SUBSCRIPTION = 'subscription { eventReceived { id type } }';

  /** A graphql-ws client over wss with the member's TLS certificate and the given upgrade headers. */
  function subscribe(headers: Record<string, string>): { errors: unknown[]; dispose: () => void } {
    const errors: unknown[] = [];
    const tls = qa.tls;
    class MemberWebSocket extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols, { ...tls, ca, headers });
      }
    }
    const client = createClient({ url: gateway.urls.mtls.subscriptions, webSocketImpl: MemberWebSocket, retryAttempts: 0, lazy: false, onNonLazyError: (error) => errors.push(error) });
    const dispose = client.subscribe({ query: SUBSCRIPTION }, { next: () => undefined, error: (error) => errors.push(error), complete: () => undefined });
    return { errors, dispose: () => { dispose(); void client.dispose(); } };
  }

  it('refuses an unsigned subscription to personal data, and accepts a signed upgrade', async () => {
    const unsigned = subscribe({ 'x-gccgw-purpose': 'EMPLOYMENT_VERIFICATION' });
    await until(() => unsigned.errors.length > 0, 10_000);
    expect(JSON.stringify(unsigned.errors[0])).toContain('ERR_REQUEST_SIGNATURE_REQUIRED');
    unsigned.dispose();

    const before = gateway.events?.subscriberCount ?? 0;
    const upgrade = await signHttpRequest({ signer: qa.signer, method: 'GET', pathAndQuery: '/graphql', body: new Uint8Array(0), purpose: 'EMPLOYMENT_VERIFICATION', clientId: qa.clientId });
    const signed = subscribe({ 'x-gccgw-purpose': 'EMPLOYMENT_VERIFICATION', 'x-gccgw-signature': upgrade.signature });
    await until(() => (gateway.events?.subscriberCount ?? 0) > before, 10_000);
    expect(signed.errors).toEqual([]);
    signed.dispose();
  });
});
