import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SloConfig } from '../config/gateway-config.js';
import type { CallerState } from './call-outcome.js';
import type { CloudHealthEvent } from './cloud-health-incidents.js';
import type { ProbeResult } from './probe-runner.js';
import { DAY_MILLIS, MINUTE_MILLIS, QualityStore } from './quality-store.js';
import { computeQualityStatus, type ServiceStatusInput } from './service-status.js';

const NOW = Date.UTC(2026, 10, 22, 12, 30);
const SLOS: SloConfig[] = [
  { service: 'mawared', availabilityTarget: 0.995, latencyP95TargetMillis: 800, errorBudgetPeriodDays: 30 },
  { service: 'mawared', state: 'QA', availabilityTarget: 0.999, latencyP95TargetMillis: 500, errorBudgetPeriodDays: 30 },
  { service: 'gov-cloud', availabilityTarget: 0.99, latencyP95TargetMillis: 1500, errorBudgetPeriodDays: 30 },
];

let dir: string;
let now: number;
let store: QualityStore;
let probes: Map<string, ProbeResult[]>;
let events: CloudHealthEvent[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gccgw-status-'));
  now = NOW;
  store = QualityStore.open({ dir, now: () => now });
  probes = new Map();
  events = [];
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Generated traffic at a given time: `calls` calls of which the first `failures` failed, all at `latency` ms. */
function traffic(at: number, service: string, state: CallerState, calls: number, failures: number, latency = 50): void {
  const saved = now;
  now = at;
  for (let i = 0; i < calls; i++) {
    store.record({ service, state, class: i < failures ? 'failure' : 'success', latencyMillis: latency, codes: i < failures ? ['ERR_UPSTREAM_TIMEOUT'] : [] });
  }
  now = saved;
}

function probe(service: string, ...outcomes: boolean[]): void {
  probes.set(
    service,
    outcomes.map((ok, i) => ({ service, at: NOW - (outcomes.length - i) * 30_000, ok, latencyMillis: 12, codes: ok ? [] : ['ERR_SUBGRAPH_UNAVAILABLE'] })),
  );
}

function status(): ReturnType<typeof computeQualityStatus> {
  const input: ServiceStatusInput = {
    slos: SLOS,
    probedServices: ['mawared', 'gov-cloud'],
    titles: { mawared: { en: 'Mawared', ar: 'موارد' } },
    store,
    probes: (service) => probes.get(service) ?? [],
    feedback: () => [
      { v: 1, d: '2026-11-20', s: 'mawared', st: 'QA', c: 'WEB', r: 5 },
      { v: 1, d: '2026-11-21', s: 'mawared', st: 'SA', c: 'APP', r: 2 },
    ],
    cloudHealth: { enabled: true, service: 'gov-cloud', events, refreshedAt: NOW - 10_000, lastError: undefined },
    now,
  };
  return computeQualityStatus(input);
}

describe('the status of a service', () => {
  it('computes availability, percentiles and the error budget left from generated traffic: 10,000 calls, 37 failures', () => {
    // Spread over ten days: 1,000 calls a day from SA, the failures on day 3. Windows are whole
    // hours ending with the current one, so "the last 7 days" start at 13:00 seven days ago.
    for (let day = 1; day <= 10; day++) traffic(NOW - day * DAY_MILLIS + 45 * MINUTE_MILLIS, 'mawared', 'SA', 1_000, day === 3 ? 37 : 0, 40);
    probe('mawared', true, true);
    const mawared = status().services.find((s) => s.service === 'mawared')!;
    expect(mawared.state).toBe('operational');
    const wide = mawared.slos.find((s) => s.state === null)!;
    expect(wide.windows['30d']).toMatchObject({ requests: 10_000, failures: 37, availability: 0.9963 });
    expect(wide.windows['7d']).toMatchObject({ requests: 7_000, failures: 37 });
    expect(wide.windows['24h']).toMatchObject({ requests: 1_000, failures: 0, availability: 1 });
    expect(wide.errorBudget).toEqual({ periodDays: 30, requests: 10_000, failures: 37, allowedFailures: 50, remainingFailures: 13, remainingRatio: 0.26 });
    expect(wide.meetsAvailability).toBe(true);
    // All at 40 ms, in the (25, 50] bucket: p50 is 25 + 25 * 0.5.
    expect(wide.windows['30d'].p50Millis).toBe(37.5);
    // The QA objective sees no QA traffic: no data, not 100 %.
    const qa = mawared.slos.find((s) => s.state === 'QA')!;
    expect(qa.windows['30d']).toMatchObject({ requests: 0, availability: null });
    expect(qa.errorBudget.remainingRatio).toBeNull();
    expect(mawared.feedback).toEqual({ days: 30, count: 2, meanRating: 3.5 });
    expect(mawared.history['30d']).toHaveLength(30);
    expect(mawared.history['30d'].reduce((sum, point) => sum + point.requests, 0)).toBe(10_000);
  });

  it('is an outage after three failed probes in a row, with an incident since the first of them', () => {
    probe('gov-cloud', true, false, false, false);
    const result = status();
    const cloud = result.services.find((s) => s.service === 'gov-cloud')!;
    expect(cloud.state).toBe('outage');
    expect(cloud.reasons.map((r) => r.code)).toEqual(['probes-failing']);
    expect(cloud.probe).toMatchObject({ ok: false, consecutiveFailures: 3, codes: ['ERR_SUBGRAPH_UNAVAILABLE'] });
    expect(result.overall).toBe('outage');
    const incident = result.incidents.find((i) => i.kind === 'probe-failure')!;
    expect(incident).toMatchObject({ service: 'gov-cloud', severity: 'outage', startedAt: new Date(NOW - 90_000).toISOString() });
  });

  it('is degraded after one failed probe', () => {
    probe('gov-cloud', true, true, false);
    const cloud = status().services.find((s) => s.service === 'gov-cloud')!;
    expect(cloud.state).toBe('degraded');
    expect(cloud.reasons[0]?.text.en).toBe('The last probe failed');
  });

  it('is degraded when the error budget burns 14.4 times too fast over both the last hour and the last 5 minutes', () => {
    probe('mawared', true);
    // 1,000 calls in the hour, 100 failed: burn rate 20 against 99.5 %; the last 5 minutes as bad.
    for (let minute = 1; minute <= 50; minute++) traffic(NOW - minute * MINUTE_MILLIS, 'mawared', 'SA', 20, 2);
    const result = status();
    const mawared = result.services.find((s) => s.service === 'mawared')!;
    expect(mawared.state).toBe('degraded');
    expect(mawared.reasons).toEqual([expect.objectContaining({ code: 'fast-burn', value: 20, state: null })]);
    expect(mawared.slos.find((s) => s.state === null)?.burnRate['1h']).toBe(20);
    expect(result.incidents.map((i) => i.kind)).toEqual(['error-budget-burn']);
  });

  it('stays operational when the last hour burned fast but the last 5 minutes are clean (the incident is over)', () => {
    probe('mawared', true);
    for (let minute = 10; minute <= 50; minute++) traffic(NOW - minute * MINUTE_MILLIS, 'mawared', 'SA', 20, 4);
    for (let minute = 1; minute <= 5; minute++) traffic(NOW - minute * MINUTE_MILLIS, 'mawared', 'SA', 20, 0);
    expect(status().services.find((s) => s.service === 'mawared')?.state).toBe('operational');
  });

  it('is an outage when half of the member-state calls of the last 5 minutes fail, whatever the probes say', () => {
    probe('mawared', true, true);
    traffic(NOW - 2 * MINUTE_MILLIS, 'mawared', 'KW', 20, 12);
    const mawared = status().services.find((s) => s.service === 'mawared')!;
    expect(mawared.state).toBe('outage');
    expect(mawared.reasons.map((r) => [r.code, r.value])).toContainEqual(['traffic-failing', 60]);
  });

  it('is degraded when p95 over the last hour is above a state\u2019s objective, naming the state', () => {
    probe('mawared', true);
    traffic(NOW - 10 * MINUTE_MILLIS, 'mawared', 'QA', 40, 0, 700);
    const mawared = status().services.find((s) => s.service === 'mawared')!;
    expect(mawared.state).toBe('degraded');
    expect(mawared.reasons).toEqual([expect.objectContaining({ code: 'slow', state: 'QA' })]);
    expect(mawared.reasons[0]?.text.en).toContain('Qatar');
  });

  it('has no data without probes or traffic', () => {
    const lonely = computeQualityStatus({ ...inputWithout(), now });
    expect(lonely.services.map((s) => s.state)).toEqual(['no-data', 'no-data']);
    expect(lonely.overall).toBe('no-data');
  });

  it('lists the government cloud\u2019s active health events as incidents, outages first', () => {
    probe('gov-cloud', true);
    events = [
      { id: 'she-1', region: 'qa-central-1', serviceKind: 'COMPUTE', severity: 'INFORMATION', title: { en: 'Maintenance', ar: 'صيانة' }, startedAt: '2026-11-22T06:00:00Z' },
      { id: 'she-2', region: 'qa-north-1', serviceKind: 'STORAGE', severity: 'OUTAGE', title: { en: 'Storage down', ar: 'انقطاع التخزين' }, startedAt: '2026-11-22T05:00:00Z' },
    ];
    const result = status();
    expect(result.incidents.map((i) => [i.id, i.kind, i.severity, i.service])).toEqual([
      ['she-2', 'cloud-health', 'outage', 'gov-cloud'],
      ['she-1', 'cloud-health', 'information', 'gov-cloud'],
    ]);
    // Incidents reported by the cloud do not change the measured state.
    expect(result.services.find((s) => s.service === 'gov-cloud')?.state).toBe('operational');
  });
});

function inputWithout(): Omit<ServiceStatusInput, 'now'> {
  return {
    slos: SLOS,
    probedServices: [],
    titles: {},
    store,
    probes: () => [],
    feedback: () => [],
    cloudHealth: { enabled: false, service: 'gov-cloud', events: [], refreshedAt: undefined, lastError: undefined },
  };
}

