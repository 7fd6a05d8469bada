import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QualityStatus } from '../../gateway/quality/service-status.js';
import { JOIN_QUERY, postGraphQL, startTestGateway } from '../support/gateway-harness.js';
import { until } from '../support/until.js';

/**
 * Service quality on a running embedded gateway, over real sockets: member-state traffic and
 * probes measured per service and state, /status and /status.json, Prometheus metrics, the
 * government cloud's incidents, a failing national system, and the store surviving a restart.
 */
type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

const PROBES = [
  { service: 'mawared', query: 'query ProbeMawared { governmentEntity(state: QA, code: "MOF") { code } }', intervalSeconds: 3600, timeoutMillis: 3000 },
  { service: 'gov-cloud', query: 'query ProbeCloud { serviceHealthEvents(first: 1) { totalCount } }', intervalSeconds: 3600, timeoutMillis: 3000 },
];
const VARIABLES = { state: 'QA', code: 'MOF', month: '2026-10' };

let qualityDir: string;
let gateway: Gateway;

function start(): Promise<Gateway> {
  return startTestGateway({
    quality: { dir: qualityDir, probes: PROBES, cloudHealthIncidents: { enabled: true, refreshSeconds: 3600 } },
    subgraphs: { defaults: { timeoutMillis: 2_000, retry: { maxAttempts: 1, backoffMillis: 10 }, circuitBreaker: { enabled: false } } },
  });
}

async function statusJson(): Promise<QualityStatus> {
  gateway.quality.invalidate();
  const response = await fetch(`${gateway.baseUrl}/status.json`);
  expect(response.status).toBe(200);
  return (await response.json()) as QualityStatus;
}

const serviceOf = (status: QualityStatus, name: string): QualityStatus['services'][number] => {
  const service = status.services.find((s) => s.service === name);
  if (service === undefined) throw new Error(`no ${name} in status.json`);
  return service;
};

beforeAll(async () => {
  qualityDir = mkdtempSync(join(tmpdir(), 'gccgw-quality-it-'));
  gateway = await start();
});

afterAll(async () => {
  await gateway.stop();
  rmSync(qualityDir, { recursive: true, force: true });
});

describe('service quality on a running gateway', () => {
  it('measures member-state traffic per service and caller state, apart from the gateway\u2019s own probes', async () => {
    await gateway.quality.probes?.runOnce();
    for (let i = 0; i < 6; i++) {
      const response = await postGraphQL(gateway.graphqlUrl, { query: JOIN_QUERY, variables: VARIABLES });
      expect(response.body.errors).toBeUndefined();
    }
    // A refused request (page size over the maximum) is a client error: a call, but not a failure.
    const refused = await postGraphQL(gateway.graphqlUrl, { query: '{ governmentEntities(first: 1000) { totalCount } }' });
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('ERR_BAD_USER_INPUT');

    const status = await statusJson();
    expect(status.version).toBe(1);
    const mawaredQa = serviceOf(status, 'mawared').slos.find((s) => s.state === 'QA');
    expect(mawaredQa?.windows['24h']).toMatchObject({ requests: 7, failures: 0, clientErrors: 1, availability: 1 });
    const gatewayWide = serviceOf(status, 'gateway').slos.find((s) => s.state === null);
    expect(gatewayWide?.windows['24h']).toMatchObject({ requests: 7, failures: 0, clientErrors: 1 });
    // Probes are their own series, never attributed to a member state or to "unknown".
    expect(serviceOf(status, 'mawared').probe).toMatchObject({ ok: true, consecutiveFailures: 0 });
    const metrics = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
    expect(metrics).toContain('gccgw_quality_calls_total{service="mawared",state="QA",outcome="success"} 6');
    expect(metrics).toContain('gccgw_quality_calls_total{service="mawared",state="QA",outcome="client_error"} 1');
    expect(metrics).toContain('gccgw_quality_calls_total{service="gov-cloud",state="QA",outcome="success"} 6');
    expect(metrics).toMatch(/gccgw_quality_calls_total\{service="mawared",state="probe",outcome="success"\} [1-9]/);
    expect(metrics).not.toMatch(/gccgw_quality_calls_total\{service="[a-z-]+",state="unknown"/);
    expect(metrics).toContain('gccgw_quality_slo_availability_target_ratio{service="mawared",state="QA"} 0.999');
    expect(metrics).toContain('gccgw_quality_error_budget_remaining_ratio{service="mawared",state="QA"} 1');
  });

  it('lists the government cloud\u2019s active service-health events as incidents, read through the supergraph', async () => {
    await gateway.quality.incidents?.refresh();
    const status = await statusJson();
    const cloud = status.incidents.filter((i) => i.kind === 'cloud-health');
    // The sandbox seeds three active events.
    expect(cloud).toHaveLength(3);
    for (const incident of cloud) {
      expect(incident.service).toBe('gov-cloud');
      expect(incident.title.en).not.toBe('');
      expect(incident.title.ar).toMatch(/[\u0600-\u06FF]/);
    }
    expect(status.cloudHealth).toMatchObject({ enabled: true, lastError: null });
  });

  it('serves /status in English and Arabic under a strict Content-Security-Policy', async () => {
    const en = await fetch(`${gateway.baseUrl}/status`);
    expect(en.status).toBe(200);
    expect(en.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = en.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|script-src/);
    expect(en.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await en.text()).toContain('<html lang="en" dir="ltr">');
    const ar = await (await fetch(`${gateway.baseUrl}/status?lang=ar`)).text();
    expect(ar).toContain('<html lang="ar" dir="rtl">');
    expect(ar).toContain('موارد للموارد البشرية والمالية');
    const css = await fetch(`${gateway.baseUrl}/status/status.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const slash = await fetch(`${gateway.baseUrl}/status/`, { redirect: 'manual' });
    expect(slash.status).toBe(301);
  });

  it('turns a failing national system into failed calls, failed probes, an outage and an incident', async () => {
    const sandbox = gateway.urls.sandboxes['gov-cloud'];
    if (sandbox === undefined) throw new Error('no gov-cloud sandbox');
    const faults = (settings: object): Promise<Response> => fetch(`${sandbox}/__sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
    expect((await faults({ down: true })).status).toBe(200);
    try {
      for (let i = 0; i < 3; i++) {
        const response = await postGraphQL(gateway.graphqlUrl, { query: '{ cloudSkus { name } }' });
        expect(response.body.errors?.map((e) => e.extensions?.['code'])).toEqual(['ERR_UPSTREAM_UNAVAILABLE']);
      }
      for (let i = 0; i < 3; i++) await gateway.quality.probes?.runOnce('gov-cloud');
      const status = await statusJson();
      const cloud = serviceOf(status, 'gov-cloud');
      expect(cloud.state).toBe('outage');
      expect(cloud.probe).toMatchObject({ ok: false, consecutiveFailures: 3 });
      expect(cloud.slos[0]?.windows['24h'].failures).toBeGreaterThanOrEqual(6);
      expect(serviceOf(status, 'mawared').slos.find((s) => s.state === 'QA')?.windows['24h'].failures).toBe(0);
      expect(status.incidents[0]).toMatchObject({ kind: 'probe-failure', service: 'gov-cloud', severity: 'outage' });
      expect(status.overall).toBe('outage');
      const metrics = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
      expect(metrics).toContain('gccgw_quality_probe_up{service="gov-cloud"} 0');
      expect(metrics).toContain('gccgw_quality_calls_total{service="gov-cloud",state="QA",outcome="failure"} 3');
    } finally {
      await faults({ down: false });
    }
    // The probe passes again, but the hour's failures still burn the budget far too fast.
    await gateway.quality.probes?.runOnce('gov-cloud');
    const recovered = serviceOf(await statusJson(), 'gov-cloud');
    expect(recovered.probe).toMatchObject({ ok: true, consecutiveFailures: 0 });
    expect(recovered.state).toBe('degraded');
    expect(recovered.reasons.map((r) => r.code)).toEqual(['fast-burn']);
  });

  it('keeps the measurements across a restart', async () => {
    const before = serviceOf(await statusJson(), 'mawared').slos.find((s) => s.state === 'QA')?.windows['24h'].requests;
    expect(before).toBe(7);
    await gateway.stop();
    gateway = await start();
    await until(async () => serviceOf(await statusJson(), 'mawared').slos.find((s) => s.state === 'QA')?.windows['24h'].requests === before);
    const status = await statusJson();
    expect(serviceOf(status, 'gov-cloud').slos[0]?.windows['24h'].failures).toBeGreaterThanOrEqual(6);
  });
});
