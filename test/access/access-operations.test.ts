/**
 * Access control over time and configuration: the trust list expiring under a running gateway,
 * per-client rate limits, trusted-documents mode, and the sample member-state client run as a
 * real program against the mutual-TLS port.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '../../trust/testing/demo-environment.js';
import { TrustedDocuments } from '../../gateway/access/limits/trusted-documents.js';
import { packageRoot } from '../../schemas/schema-files.js';
import { postGraphQL, startTestGateway, testPki } from '../support/gateway-harness.js';
import { gatewayCaBundle, memberCredentials, mtlsRequest, signedPost } from '../support/member-client.js';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;
let gateway: Gateway | undefined;

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const ENTITY = '{ governmentEntity(state: QA, code: "MOF") { code } }';

describe('the trust list in force', () => {
  it('refuses member traffic once the trust list is past nextUpdate plus grace, and says so in /readyz', async () => {
    const pki = await testPki();
    const clock = new TestClock(new Date());
    gateway = await startTestGateway({ trust: { nextUpdateGraceSeconds: 60 } }, { clock });
    const ca = gatewayCaBundle(pki);
    const qa = memberCredentials(pki.states.QA.agencies[0]!);
    const before = await signedPost(gateway.urls.mtls.graphql, { credentials: qa, ca, payload: { query: ENTITY } });
    expect(before.status).toBe(200);

    clock.set(new Date(Date.parse(pki.trustList.nextUpdate) + 61_000));
    const after = await signedPost(gateway.urls.mtls.graphql, { credentials: qa, ca, payload: { query: ENTITY } });
    expect(after.status).toBe(503);
    expect(after.body.errors?.[0]?.extensions).toMatchObject({ code: 'ERR_TRUST_LIST_EXPIRED', origin: 'gateway' });
    const ready = await mtlsRequest(`${gateway.urls.mtls.base}/readyz`, { method: 'GET', ca });
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({ status: 'not-ready', trustList: { status: 'expired' } });
  });
});

describe('per-client limits', () => {
  it('answers 429 with retry-after once a client has used its burst', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gccgw-policy-'));
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(
      policyFile,
      [
        'version: 1',
        'purposes:',
        '  - { code: AUDIT_OVERSIGHT, legalBasis: test, description: { en: test, ar: اختبار } }',
        'defaults:',
        '  allowSensitivities: [PUBLIC, INTERNAL]',
        '  limits: { requestsPerMinute: 6, burst: 2, maxConcurrent: 5, introspection: false }',
        'rules: []',
        '',
      ].join('\n'),
    );
    gateway = await startTestGateway({ access: { policyFile } });
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof postGraphQL>> | undefined;
    for (let i = 0; i < 3; i++) {
      last = await postGraphQL(gateway.graphqlUrl, { query: ENTITY });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(last?.body.errors?.[0]?.extensions?.['code']).toBe('ERR_RATE_LIMITED');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('trusted documents', () => {
  it('runs only operations from the manifest, by id or by their exact text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gccgw-documents-'));
    const manifestFile = join(dir, 'trusted-documents.json');
    const documents = await TrustedDocuments.load(manifestFile, { allowMissing: true });
    const added = await documents.addSource('query Entity { governmentEntity(state: QA, code: "MOF") { code name { en } } }');
    const entry = added.added[0]!;
    gateway = await startTestGateway({ access: { trustedDocuments: { mode: 'enforce', manifestFile } } });

    const byId = await postGraphQL(gateway.graphqlUrl, { documentId: `sha256:${entry.id}` });
    expect(byId.status).toBe(200);
    expect(byId.body.data).toEqual({ governmentEntity: { code: 'MOF', name: { en: expect.any(String) } } });
    const byText = await postGraphQL(gateway.graphqlUrl, { query: entry.body });
    expect(byText.status).toBe(200);
    const other = await postGraphQL(gateway.graphqlUrl, { query: ENTITY });
    expect(other.body.errors?.[0]?.extensions?.['code']).toBe('ERR_DOCUMENT_NOT_TRUSTED');
    const unknown = await postGraphQL(gateway.graphqlUrl, { documentId: `sha256:${'0'.repeat(64)}` });
    expect(unknown.body.errors?.[0]?.extensions?.['code']).toBe('ERR_DOCUMENT_UNKNOWN');
  });
});

describe('the sample member-state client (examples/member-client.mjs)', () => {
  it('calls the mutual-TLS port with a signed request and a purpose, and verifies the signed answer', async () => {
    gateway = await startTestGateway();
    const pki = gateway.pki;
    // Asynchronously: the gateway answering it runs in this process.
    const run = (args: string[]): Promise<{ status: number | null; out: Record<string, unknown>; stderr: string }> =>
      new Promise((resolve) => {
        execFile(process.execPath, [join(packageRoot(), 'examples', 'member-client.mjs'), '--pki', pki.dir, '--url', gateway!.urls.mtls.graphql, '--json', ...args], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
          resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, out: stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>), stderr });
        });
      });
    const ok = await run(['--state', 'QA', '--purpose', 'EMPLOYMENT_VERIFICATION']);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.out).toMatchObject({ status: 200, signedBy: gateway.trust.gatewayClientId, answer: { data: { governmentEntity: { code: 'MOF' } } } });

    // Saudi Arabia asks for a Qatari budget: refused by the policy, and the refusal is signed too.
    const denied = await run(['--state', 'SA', '--purpose', 'PENSION_PROTECTION', '--query', '{ budget(entity: { state: QA, code: "MOF" }, fiscalYear: 2026) { appropriated } }']);
    expect(denied.status).toBe(1);
    expect(denied.out).toMatchObject({ status: 403, signedBy: gateway.trust.gatewayClientId, answer: { errors: [{ extensions: { code: 'ERR_POLICY_DENIED' } }] } });
  }, 90_000);
});
