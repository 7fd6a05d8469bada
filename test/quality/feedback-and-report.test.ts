import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QualityReport } from '../../gateway/quality/quality-report.js';
import { packageRoot } from '../../schemas/schema-files.js';
import { JOIN_QUERY, postGraphQL, startTestGateway } from '../support/gateway-harness.js';

/**
 * Channel feedback through the gateway's GraphQL endpoint (the gateway-owned `quality` subgraph),
 * then `gccgw quality report` over the same store, as a child process.
 */
type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const SUBMIT = `mutation Rate($service: String!, $rating: Int!, $comment: String, $channel: FeedbackChannel!) {
  submitServiceFeedback(service: $service, rating: $rating, comment: $comment, channel: $channel) { service rating channel recordedOn commentStored commentRedacted }
}`;
const BIN = join(packageRoot(), 'bin', 'gccgw.js');
const COMMENT = 'Fast answer. My number is 0097455123456, email me at fatima@example.qa';

let root: string;
let qualityDir: string;
let auditDir: string;
let gateway: Gateway;
const month = new Date().toISOString().slice(0, 7);

function report(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, 'quality', 'report', '--month', month, '--dir', qualityDir, ...args], { encoding: 'utf8', timeout: 60_000, cwd: root, env: { ...process.env, GCCGW_CONFIG: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gccgw-feedback-it-'));
  qualityDir = join(root, 'quality');
  auditDir = join(root, 'audit');
  gateway = await startTestGateway({ audit: { dir: auditDir }, quality: { dir: qualityDir, feedback: { rateLimit: { burst: 4, refillPerMinute: 1 } } } });
});

afterAll(async () => {
  await gateway.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('channel feedback through the gateway', () => {
  it('lists the services that take feedback and records a rating, keeping no identity and no personal data', async () => {
    const services = await postGraphQL(gateway.graphqlUrl, { query: '{ feedbackServices }' });
    expect(services.body).toEqual({ data: { feedbackServices: ['mawared', 'gov-cloud'] } });

    const response = await postGraphQL(gateway.graphqlUrl, { query: SUBMIT, variables: { service: 'mawared', rating: 5, comment: COMMENT, channel: 'APP' } });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.['submitServiceFeedback']).toMatchObject({ service: 'mawared', rating: 5, channel: 'APP', commentStored: true, commentRedacted: true });
    for (const [rating, channel] of [
      [3, 'WEB'],
      [4, 'WEB'],
    ] as const) {
      expect((await postGraphQL(gateway.graphqlUrl, { query: SUBMIT, variables: { service: 'mawared', rating, channel } })).body.errors).toBeUndefined();
    }

    const stored = readFileSync(join(qualityDir, 'feedback', `${month}.jsonl`), 'utf8');
    expect(stored.trim().split('\n')).toHaveLength(3);
    // The demo caller is GCC:QA:GOV:CSGDB:hr-portal: only "QA" may remain of it.
    expect(stored).not.toMatch(/CSGDB|hr-portal|GCC:/);
    expect(stored).not.toMatch(/0097455123456|fatima|example\.qa/);
    expect(stored).toContain('"st":"QA"');
    // The evidence log records the exchange (who called, the fields, hashes of the variables): the comment's text is not in it.
    const segments = join(auditDir, 'segments');
    const evidence = readdirSync(segments).map((file) => readFileSync(join(segments, file), 'utf8')).join('\n');
    expect(evidence).toContain('"coordinate":"Mutation.submitServiceFeedback"');
    expect(evidence).not.toContain('fatima');
  });

  it('refuses bad input with ERR_BAD_USER_INPUT and a flood with ERR_RATE_LIMITED, each with the correlation id', async () => {
    const bad = await postGraphQL(gateway.graphqlUrl, { query: SUBMIT, variables: { service: 'mawared', rating: 9, channel: 'WEB' } }, { 'x-request-id': 'feedback-bad-0001' });
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'ERR_BAD_USER_INPUT', origin: 'client', correlationId: 'feedback-bad-0001' });
    // The burst of 4 is spent (three accepted, one refused above).
    const limited = await postGraphQL(gateway.graphqlUrl, { query: SUBMIT, variables: { service: 'gov-cloud', rating: 1, channel: 'SOCIAL' } }, { 'x-request-id': 'feedback-flood-0001' });
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({ code: 'ERR_RATE_LIMITED', origin: 'client', correlationId: 'feedback-flood-0001', retryAfterSeconds: 60 });
    const metrics = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    expect(metrics).toContain('gccgw_quality_feedback_total{service="mawared",channel="WEB",rating="4"} 1');
    expect(metrics).toContain('gccgw_quality_feedback_rejected_total{reason="rate_limited"} 1');
  });
});

describe('gccgw quality report', () => {
  beforeAll(async () => {
    for (let i = 0; i < 4; i++) await postGraphQL(gateway.graphqlUrl, { query: JOIN_QUERY, variables: { state: 'QA', code: 'MOF', month: '2026-10' } });
    // The report reads files: stop the gateway so the minute in progress is written.
    await gateway.stop();
  });

  it('reports the month as JSON: calls, availability, latency, budget and feedback per service and state', () => {
    const result = report('--format', 'json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as QualityReport;
    expect(parsed.month).toBe(month);
    const mawaredQa = parsed.rows.find((r) => r.service === 'mawared' && r.state === 'QA');
    expect(mawaredQa).toMatchObject({ requests: 4, failures: 0, availability: 1, slo: { scope: 'state', availabilityTarget: 0.999 } });
    expect(mawaredQa?.p95Millis).toEqual(expect.any(Number));
    expect(mawaredQa?.feedback).toMatchObject({ count: 3, meanRating: 4, ratings: [0, 0, 1, 1, 1] });
    expect(mawaredQa?.feedback.byChannel).toEqual({ WEB: { count: 2, meanRating: 3.5, ratings: [0, 0, 1, 1, 0] }, APP: { count: 1, meanRating: 5, ratings: [0, 0, 0, 0, 1] } });
    const gatewayAll = parsed.rows.find((r) => r.service === 'gateway' && r.state === 'all');
    expect(gatewayAll?.requests).toBeGreaterThanOrEqual(10);
    expect(gatewayAll?.topErrorCodes.map((c) => c.code)).toEqual(expect.arrayContaining(['ERR_BAD_USER_INPUT', 'ERR_RATE_LIMITED']));
  });

  it('writes CSV and Arabic HTML to a file', () => {
    const csv = report('--format', 'csv');
    expect(csv.status).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^month,service,state,requests,failures,/);
    expect(csv.stdout).toContain(`${month},mawared,QA,4,0,0,1,`);
    const out = join(root, 'report.html');
    const html = report('--format', 'html', '--lang', 'ar', '--out', out);
    expect(html.status).toBe(0);
    expect(html.stderr).toContain(`wrote the html report for ${month}`);
    expect(readFileSync(out, 'utf8')).toContain('<html lang="ar" dir="rtl">');
  });

  it('refuses a bad month or format and says why', () => {
    const badMonth = report('--format', 'json', '--month', '2026-13');
    expect(badMonth.status).toBe(1);
    expect(badMonth.stderr).toContain('[ERR_BAD_USER_INPUT] --month must be YYYY-MM');
    const badFormat = report('--format', 'pdf');
    expect(badFormat.status).toBe(1);
    expect(badFormat.stderr).toContain('--format must be one of html, csv, json');
  });
});
