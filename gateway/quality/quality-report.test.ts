import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../errors/gateway-error.js';
import type { SloConfig } from '../config/gateway-config.js';
import type { CallerState } from './call-outcome.js';
import { FeedbackLog, type FeedbackChannel } from './feedback-log.js';
import { QualityStore } from './quality-store.js';
import { buildQualityReport, monthRange, type QualityReport } from './quality-report.js';
import { renderReportCsv, renderReportHtml } from './quality-report-formats.js';

const SLOS: SloConfig[] = [
  { service: 'mawared', availabilityTarget: 0.995, latencyP95TargetMillis: 800, errorBudgetPeriodDays: 30 },
  { service: 'mawared', state: 'QA', availabilityTarget: 0.999, latencyP95TargetMillis: 500, errorBudgetPeriodDays: 30 },
];

let dir: string;
let report: QualityReport;

/**
 * Generated November 2026: from QA 8,000 calls with 20 failures (timeouts) and 30 client errors,
 * 95 % at 40 ms and 5 % at 900 ms; from SA 2,000 calls with 17 failures, all at 120 ms. Traffic in
 * October and December must not count. Feedback: QA WEB 5, 4, 4; SA APP 2.
 */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gccgw-report-'));
  let now = 0;
  const store = QualityStore.open({ dir, now: () => now, compactAfterDays: 31, retentionDays: 400 });
  const calls = (at: number, state: CallerState, count: number, failures: number, clientErrors: number, latency: (i: number) => number): void => {
    now = at;
    for (let i = 0; i < count; i++) {
      const failed = i < failures;
      const refused = !failed && i < failures + clientErrors;
      store.record({
        service: 'mawared',
        state,
        class: failed ? 'failure' : refused ? 'client_error' : 'success',
        latencyMillis: latency(i),
        codes: failed ? ['ERR_SUBGRAPH_TIMEOUT'] : refused ? ['ERR_BAD_USER_INPUT'] : [],
      });
    }
    store.flush(true);
  };
  for (let day = 1; day <= 8; day++) calls(Date.UTC(2026, 10, day * 3, 9), 'QA', 1_000, day === 2 ? 20 : 0, day === 5 ? 30 : 0, (i) => (i % 20 === 19 ? 900 : 40));
  calls(Date.UTC(2026, 10, 30, 23, 59), 'SA', 2_000, 17, 0, () => 120);
  calls(Date.UTC(2026, 9, 31, 23, 59), 'QA', 500, 500, 0, () => 5);
  calls(Date.UTC(2026, 11, 1, 0, 0), 'QA', 500, 500, 0, () => 5);
  now = Date.UTC(2026, 11, 2);
  store.close();

  const feedback = (day: string, st: 'QA' | 'SA', c: FeedbackChannel, r: number): void => {
    log.append({ v: 1, d: day, s: 'mawared', st, c, r });
  };
  const log = FeedbackLog.open({ dir, now: () => Date.UTC(2026, 10, 30) });
  feedback('2026-11-03', 'QA', 'WEB', 5);
  feedback('2026-11-04', 'QA', 'WEB', 4);
  feedback('2026-11-05', 'QA', 'WEB', 4);
  feedback('2026-11-06', 'SA', 'APP', 2);
  report = buildQualityReport({ dir, month: '2026-11', slos: SLOS, titles: { mawared: { en: 'Mawared', ar: 'موارد' } }, now: () => Date.UTC(2026, 11, 2) });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const rowOf = (state: string): QualityReport['rows'][number] => {
  const row = report.rows.find((r) => r.service === 'mawared' && r.state === state);
  if (row === undefined) throw new Error(`no row for ${state}`);
  return row;
};

describe('the monthly report', () => {
  it('counts only the month\u2019s calls, per state and for all callers', () => {
    expect(report.rows.map((r) => r.state)).toEqual(['all', 'QA', 'SA']);
    expect(rowOf('all')).toMatchObject({ requests: 10_000, failures: 37, clientErrors: 30, availability: 0.9963 });
    expect(rowOf('QA')).toMatchObject({ requests: 8_000, failures: 20, availability: 0.9975 });
    expect(rowOf('SA')).toMatchObject({ requests: 2_000, failures: 17, availability: 0.9915 });
  });

  it('computes the error-budget burn against the objective that applies: the state\u2019s own, else the service\u2019s', () => {
    // All callers against 99.5 %: 50 failures allowed, 37 spent.
    expect(rowOf('all').errorBudget).toEqual({ allowedFailures: 50, failures: 37, burn: 0.74 });
    expect(rowOf('all').meetsAvailability).toBe(true);
    // QA against its own 99.9 %: 8 allowed, 20 spent: burnt 2.5 times over.
    expect(rowOf('QA').slo).toEqual({ scope: 'state', availabilityTarget: 0.999, latencyP95TargetMillis: 500 });
    expect(rowOf('QA').errorBudget).toEqual({ allowedFailures: 8, failures: 20, burn: 2.5 });
    expect(rowOf('QA').meetsAvailability).toBe(false);
    // SA falls back to the service's 99.5 %: 10 allowed, 17 spent.
    expect(rowOf('SA').slo?.scope).toBe('service');
    expect(rowOf('SA').errorBudget).toEqual({ allowedFailures: 10, failures: 17, burn: 1.7 });
  });

  it('gives p50, p95 and p99 from the merged histograms', () => {
    // QA: 7,600 at 40 ms in (25, 50], 400 at 900 ms in (750, 1000]. p50: rank 4,000 -> 25 + 25 * 4000/7600;
    // p95: rank 7,600, the last of the fast ones -> 50; p99: rank 7,920, the 320th of 400 -> 750 + 250 * 0.8.
    expect(rowOf('QA')).toMatchObject({ p50Millis: 38.2, p95Millis: 50, p99Millis: 950 });
    expect(rowOf('QA').meetsLatency).toBe(true);
    expect(rowOf('SA')).toMatchObject({ p50Millis: 125, p95Millis: 147.5, p99Millis: 149.5 });
  });

  it('lists the top error codes with their origin', () => {
    expect(rowOf('all').topErrorCodes).toEqual([
      { code: 'ERR_SUBGRAPH_TIMEOUT', count: 37, origin: 'upstream' },
      { code: 'ERR_BAD_USER_INPUT', count: 30, origin: 'client' },
    ]);
  });

  it('sums up channel feedback: count, mean and distribution by channel', () => {
    expect(rowOf('all').feedback).toMatchObject({ count: 4, meanRating: 3.75, ratings: [0, 1, 0, 2, 1] });
    expect(rowOf('QA').feedback.byChannel).toEqual({ WEB: { count: 3, meanRating: 13 / 3, ratings: [0, 0, 0, 2, 1] } });
    expect(rowOf('SA').feedback.byChannel.APP).toEqual({ count: 1, meanRating: 2, ratings: [0, 1, 0, 0, 0] });
  });

  it('writes CSV by RFC 4180, one line per service and state', () => {
    const csv = renderReportCsv(report);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'month,service,state,requests,failures,client_errors,availability,p50_ms,p95_ms,p99_ms,slo_scope,availability_target,latency_p95_target_ms,error_budget_allowed_failures,error_budget_burn,meets_availability,meets_latency,top_error_codes,feedback_count,feedback_mean_rating,feedback_ratings_1_to_5,feedback_by_channel',
    );
    expect(lines[2]).toBe('2026-11,mawared,QA,8000,20,30,0.9975,38.2,50,950,state,0.999,500,8,2.5,false,true,ERR_BAD_USER_INPUT:30;ERR_SUBGRAPH_TIMEOUT:20,3,4.333,0;0;0;2;1,WEB:3:4.333');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
  });

  it('writes a self-contained HTML document, in Arabic right to left', () => {
    const html = renderReportHtml(report, 'ar');
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain('تقرير جودة الخدمات');
    expect(html).toContain('موارد');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('refuses a month that is not YYYY-MM', () => {
    expect(monthRange('2026-02')).toEqual({ from: Date.UTC(2026, 1, 1), to: Date.UTC(2026, 2, 1) });
    for (const bad of ['2026-13', '2026-1', 'November']) expect(() => monthRange(bad)).toThrow(GatewayError);
  });
});
