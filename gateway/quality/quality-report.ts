import type { SloConfig } from '../config/gateway-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import { CALLER_STATES, originOfCode, type CallerState } from './call-outcome.js';
import { readFeedbackMonth, summariseFeedback, type FeedbackSummary } from './feedback-log.js';
import { emptyBucket, fromLine, mergeBucket, type MeasurementBucket } from './measurement-bucket.js';
import { readMeasurements } from './quality-store.js';
import type { WindowStatus } from './service-status.js';
import { availability, errorBudget, percentileMillis } from './slo-arithmetic.js';
import type { Bilingual } from './status-strings.js';

/**
 * The monthly service-quality report: per service, for all callers and per caller state, the
 * calls, availability, p50/p95/p99 latency, error-budget burn against the SLO, the most frequent
 * error codes and the channel feedback. Built from the store's files alone (no running gateway
 * needed). Its JSON form is the `json` output of `gccgw quality report`.
 */
export interface QualityReport {
  readonly version: 1;
  /** YYYY-MM, a UTC calendar month. */
  readonly month: string;
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  readonly rows: readonly ReportRow[];
}

/** One row: the same measured figures as a status window, for the month. */
export interface ReportRow extends WindowStatus {
  readonly service: string;
  readonly title: Bilingual;
  /** `all` callers, or one caller state (a member state, `unknown`, or `probe` for the gateway's probes). */
  readonly state: 'all' | CallerState;
  /** The objective that applies: the state's own, else the service-wide one. */
  readonly slo: { readonly scope: 'service' | 'state'; readonly availabilityTarget: number; readonly latencyP95TargetMillis: number } | null;
  /** Failures allowed by the target for this month's calls, and the share of that spent (1 = all of it). */
  readonly errorBudget: { readonly allowedFailures: number; readonly failures: number; readonly burn: number | null } | null;
  readonly meetsAvailability: boolean | null;
  readonly meetsLatency: boolean | null;
  readonly topErrorCodes: ReadonlyArray<{ readonly code: string; readonly count: number; readonly origin: string }>;
  readonly feedback: FeedbackSummary;
}

export interface BuildReportOptions {
  /** The store directory (`quality.dir`). */
  readonly dir: string;
  readonly month: string;
  readonly slos: readonly SloConfig[];
  readonly titles?: Readonly<Record<string, Bilingual>>;
  readonly now?: () => number;
}

const TOP_CODES = 5;

/** The first and the next month's first millisecond of `YYYY-MM`; refuses anything else. */
export function monthRange(month: string): { from: number; to: number } {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (match === null) throw new GatewayError('ERR_BAD_USER_INPUT', { message: `--month must be YYYY-MM, got "${month}"` });
  const year = Number(match[1]);
  const monthIndex = Number(match[2]) - 1;
  return { from: Date.UTC(year, monthIndex, 1), to: Date.UTC(year, monthIndex + 1, 1) };
}

export function buildQualityReport(options: BuildReportOptions): QualityReport {
  const { from, to } = monthRange(options.month);
  const buckets = new Map<string, Map<CallerState, MeasurementBucket>>();
  for (const line of readMeasurements(options.dir, from, to)) {
    let byState = buckets.get(line.s);
    if (byState === undefined) {
      byState = new Map();
      buckets.set(line.s, byState);
    }
    let bucket = byState.get(line.st);
    if (bucket === undefined) {
      bucket = emptyBucket();
      byState.set(line.st, bucket);
    }
    mergeBucket(bucket, fromLine(line));
  }
  const feedback = readFeedbackMonth(options.dir, options.month);
  const sloServices = [...new Set(options.slos.map((s) => s.service))];
  const otherServices = [...new Set([...buckets.keys(), ...feedback.map((f) => f.s)])].filter((s) => !sloServices.includes(s)).sort();
  const rows: ReportRow[] = [];
  for (const service of [...sloServices, ...otherServices]) {
    const byState = buckets.get(service) ?? new Map<CallerState, MeasurementBucket>();
    const all = emptyBucket();
    for (const bucket of byState.values()) mergeBucket(all, bucket);
    const serviceFeedback = feedback.filter((f) => f.s === service);
    const title = options.titles?.[service] ?? { en: service, ar: service };
    const sloFor = (state: 'all' | CallerState): ReportRow['slo'] => {
      const own = state === 'all' ? undefined : options.slos.find((s) => s.service === service && s.state === state);
      const wide = options.slos.find((s) => s.service === service && s.state === undefined);
      const slo = own ?? wide;
      return slo === undefined ? null : { scope: own !== undefined ? 'state' : 'service', availabilityTarget: slo.availabilityTarget, latencyP95TargetMillis: slo.latencyP95TargetMillis };
    };
    rows.push(row(service, title, 'all', all, sloFor('all'), summariseFeedback(serviceFeedback)));
    const states = CALLER_STATES.filter((state) => byState.has(state) || serviceFeedback.some((f) => f.st === state) || options.slos.some((s) => s.service === service && s.state === state));
    for (const state of states) {
      rows.push(row(service, title, state, byState.get(state) ?? emptyBucket(), sloFor(state), summariseFeedback(serviceFeedback.filter((f) => f.st === state))));
    }
  }
  return {
    version: 1,
    month: options.month,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    generatedAt: new Date((options.now ?? Date.now)()).toISOString(),
    rows,
  };
}

function row(service: string, title: Bilingual, state: 'all' | CallerState, bucket: MeasurementBucket, slo: ReportRow['slo'], feedback: FeedbackSummary): ReportRow {
  const measuredAvailability = availability(bucket.requests, bucket.failures);
  const p95 = percentileMillis(bucket.latency, 0.95);
  const budget = slo === null ? undefined : errorBudget(slo.availabilityTarget, bucket.requests, bucket.failures);
  const topErrorCodes = [...bucket.errors]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, TOP_CODES)
    .map(([code, count]) => ({ code, count, origin: originOfCode(code) ?? 'unknown' }));
  return {
    service,
    title,
    state,
    requests: bucket.requests,
    failures: bucket.failures,
    clientErrors: bucket.clientErrors,
    availability: measuredAvailability,
    p50Millis: round1(percentileMillis(bucket.latency, 0.5)),
    p95Millis: round1(p95),
    p99Millis: round1(percentileMillis(bucket.latency, 0.99)),
    slo,
    errorBudget: budget === undefined ? null : { allowedFailures: Math.round(budget.allowedFailures * 1000) / 1000, failures: bucket.failures, burn: budget.consumedRatio },
    meetsAvailability: slo === null || measuredAvailability === null ? null : measuredAvailability >= slo.availabilityTarget,
    meetsLatency: slo === null || p95 === null ? null : p95 <= slo.latencyP95TargetMillis,
    topErrorCodes,
    feedback,
  };
}

function round1(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}
