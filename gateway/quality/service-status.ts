import type { SloConfig } from '../config/gateway-config.js';
import type { MemberStateCode } from './call-outcome.js';
import type { CloudHealthEvent } from './cloud-health-incidents.js';
import { summariseFeedback, type FeedbackEntry } from './feedback-log.js';
import type { MeasurementBucket } from './measurement-bucket.js';
import type { ProbeResult } from './probe-runner.js';
import { DAY_MILLIS, HOUR_MILLIS, MINUTE_MILLIS, type QualityStore } from './quality-store.js';
import { availability, burnRate, errorBudget, percentileMillis } from './slo-arithmetic.js';
import { reasonText, type Bilingual } from './status-strings.js';

/**
 * The status of the shared services: the model behind `/status` and `/status.json`. Its JSON form
 * is a documented contract (docs/operations/service-quality.md, "status.json"); `version` changes
 * when a field changes meaning or goes away.
 */
export interface QualityStatus {
  readonly version: 1;
  readonly generatedAt: string;
  /** The worst state of any service. */
  readonly overall: ServiceState;
  readonly services: readonly ServiceStatus[];
  readonly incidents: readonly Incident[];
  readonly cloudHealth: { readonly enabled: boolean; readonly refreshedAt: string | null; readonly lastError: string | null };
}

export type ServiceState = 'operational' | 'degraded' | 'outage' | 'no-data';
export type WindowName = '24h' | '7d' | '30d';

export interface ServiceStatus {
  readonly service: string;
  readonly title: Bilingual;
  readonly state: ServiceState;
  /** Why it is not operational, with the text in both languages. */
  readonly reasons: ReadonlyArray<StateReason & { readonly text: Bilingual }>;
  readonly probe: ProbeStatus | null;
  readonly slos: readonly SloStatus[];
  /** All callers of the service (probes included), for the charts: 24 hours, 28 quarter-days, 30 days. */
  readonly history: Readonly<Record<WindowName, readonly HistoryPoint[]>>;
  readonly feedback: { readonly days: 30; readonly count: number; readonly meanRating: number | null };
}

export interface StateReason {
  readonly code: 'probes-failing' | 'probe-failed' | 'traffic-failing' | 'fast-burn' | 'slow';
  readonly value?: number;
  /** The member state of the SLO concerned, or null for the service-wide one. */
  readonly state?: MemberStateCode | null;
}

export interface ProbeStatus {
  readonly lastAt: string;
  readonly ok: boolean;
  readonly latencyMillis: number;
  readonly codes: readonly string[];
  readonly consecutiveFailures: number;
  /** Outcomes of the latest runs, oldest first. */
  readonly recent: readonly boolean[];
}

export interface WindowStatus {
  readonly requests: number;
  readonly failures: number;
  readonly clientErrors: number;
  readonly availability: number | null;
  readonly p50Millis: number | null;
  readonly p95Millis: number | null;
  readonly p99Millis: number | null;
}

export interface SloStatus {
  /** Callers the objective covers: one member state, or null for all. */
  readonly state: MemberStateCode | null;
  readonly availabilityTarget: number;
  readonly latencyP95TargetMillis: number;
  readonly errorBudgetPeriodDays: number;
  readonly windows: Readonly<Record<WindowName, WindowStatus>>;
  readonly errorBudget: {
    readonly periodDays: number;
    readonly requests: number;
    readonly failures: number;
    readonly allowedFailures: number;
    readonly remainingFailures: number;
    /** Share of the budget left (1 untouched, 0 spent, negative overspent); null without calls. */
    readonly remainingRatio: number | null;
  };
  readonly burnRate: { readonly '5m': number | null; readonly '1h': number | null; readonly '6h': number | null };
  /** Over the error-budget period; null without calls. */
  readonly meetsAvailability: boolean | null;
  readonly meetsLatency: boolean | null;
}

export interface HistoryPoint {
  readonly start: string;
  readonly requests: number;
  readonly failures: number;
  readonly availability: number | null;
  readonly p95Millis: number | null;
}

export interface Incident {
  readonly id: string;
  readonly kind: 'cloud-health' | 'probe-failure' | 'error-budget-burn';
  readonly service: string;
  readonly severity: 'information' | 'warning' | 'outage';
  readonly title: Bilingual;
  readonly startedAt: string;
  readonly region?: string;
}

/**
 * When a service is not operational. Probes see a service that gets no traffic; traffic sees what
 * callers live through; the burn rate says whether the error budget is going too fast.
 */
export const STATE_RULES = {
  /** This many failed probes in a row: outage. One failed probe: degraded. */
  outageAfterFailedProbes: 3,
  /** Traffic of the last 5 minutes with at least this many calls... */
  trafficMinCalls: 10,
  /** ...failing this much: outage. */
  trafficOutageFailureRatio: 0.5,
  /**
   * Fast burn, as the SRE workbook's first multiwindow alert (ch. 5, "Alerting on SLOs"): over both
   * the last hour and the last 5 minutes, the budget is spent 14.4 times faster than sustainable
   * (2 % of a 30-day budget in one hour): degraded.
   */
  fastBurnRate: 14.4,
  /** Burn rates and the latency rule need at least this many calls in the hour. */
  minCallsInHour: 10,
} as const;

const WINDOWS: Readonly<Record<WindowName, { readonly millis: number; readonly slotMillis: number; readonly slots: number }>> = {
  '24h': { millis: DAY_MILLIS, slotMillis: HOUR_MILLIS, slots: 24 },
  '7d': { millis: 7 * DAY_MILLIS, slotMillis: 6 * HOUR_MILLIS, slots: 28 },
  '30d': { millis: 30 * DAY_MILLIS, slotMillis: DAY_MILLIS, slots: 30 },
};

export interface ServiceStatusInput {
  readonly slos: readonly SloConfig[];
  /** Services with a probe (shown even without an SLO). */
  readonly probedServices: readonly string[];
  readonly titles: Readonly<Record<string, Bilingual>>;
  readonly store: QualityStore;
  readonly probes: (service: string) => readonly ProbeResult[];
  readonly feedback: (fromDay: string) => readonly FeedbackEntry[];
  readonly cloudHealth: { readonly enabled: boolean; readonly service: string; readonly events: readonly CloudHealthEvent[]; readonly refreshedAt: number | undefined; readonly lastError: string | undefined };
  readonly now: number;
}

/** The services shown: those with an SLO, in configuration order, then those only probed. */
export function statusServices(slos: readonly SloConfig[], probedServices: readonly string[]): string[] {
  return [...new Set([...slos.map((s) => s.service), ...probedServices])];
}

export function computeQualityStatus(input: ServiceStatusInput): QualityStatus {
  const { now } = input;
  const feedbackFrom = new Date(now - 30 * DAY_MILLIS).toISOString().slice(0, 10);
  const feedback = input.feedback(feedbackFrom);
  const services = statusServices(input.slos, input.probedServices).map((service) => serviceStatus(input, service, feedback));
  const incidents: Incident[] = [];
  for (const service of services) {
    if (service.probe !== null && !service.probe.ok) {
      const history = input.probes(service.service);
      const firstFailure = history[history.length - service.probe.consecutiveFailures];
      const outage = service.probe.consecutiveFailures >= STATE_RULES.outageAfterFailedProbes;
      incidents.push({
        id: `probe-${service.service}`,
        kind: 'probe-failure',
        service: service.service,
        severity: outage ? 'outage' : 'warning',
        title: {
          en: `${service.title.en}: ${service.probe.consecutiveFailures === 1 ? 'the last probe' : `${service.probe.consecutiveFailures} probes in a row`} failed (${service.probe.codes.join(', ')})`,
          ar: `${service.title.ar}: عدد الفحوص المتتالية التي أخفقت: ${service.probe.consecutiveFailures} (${service.probe.codes.join(', ')})`,
        },
        startedAt: new Date(firstFailure?.at ?? now).toISOString(),
      });
    }
    for (const reason of service.reasons) {
      if (reason.code !== 'fast-burn') continue;
      incidents.push({
        id: `burn-${service.service}-${reason.state ?? 'all'}`,
        kind: 'error-budget-burn',
        service: service.service,
        severity: 'warning',
        title: { en: `${service.title.en}: ${reason.text.en}`, ar: `${service.title.ar}: ${reason.text.ar}` },
        startedAt: new Date(now - HOUR_MILLIS).toISOString(),
      });
    }
  }
  if (input.cloudHealth.enabled) {
    for (const event of input.cloudHealth.events) {
      incidents.push({
        id: event.id,
        kind: 'cloud-health',
        service: input.cloudHealth.service,
        severity: event.severity === 'OUTAGE' ? 'outage' : event.severity === 'WARNING' ? 'warning' : 'information',
        title: { en: event.title.en, ar: event.title.ar },
        startedAt: event.startedAt,
        region: event.region,
      });
    }
  }
  const rank: Record<Incident['severity'], number> = { outage: 0, warning: 1, information: 2 };
  incidents.sort((a, b) => rank[a.severity] - rank[b.severity] || (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  return {
    version: 1,
    generatedAt: new Date(now).toISOString(),
    overall: worst(services.map((s) => s.state)),
    services,
    incidents,
    cloudHealth: {
      enabled: input.cloudHealth.enabled,
      refreshedAt: input.cloudHealth.refreshedAt !== undefined ? new Date(input.cloudHealth.refreshedAt).toISOString() : null,
      lastError: input.cloudHealth.lastError ?? null,
    },
  };
}

function serviceStatus(input: ServiceStatusInput, service: string, feedback: readonly FeedbackEntry[]): ServiceStatus {
  const { store, now } = input;
  const slos = input.slos.filter((s) => s.service === service).map((slo) => sloStatus(store, slo, now));
  const reasons: StateReason[] = [];
  let state: ServiceState = 'operational';
  const raise = (to: ServiceState, reason: StateReason): void => {
    reasons.push(reason);
    state = worst([state, to]);
  };

  const history = input.probes(service);
  const last = history.at(-1);
  let probe: ProbeStatus | null = null;
  if (last !== undefined) {
    let consecutiveFailures = 0;
    for (let i = history.length - 1; i >= 0 && history[i]?.ok === false; i--) consecutiveFailures++;
    probe = { lastAt: new Date(last.at).toISOString(), ok: last.ok, latencyMillis: round(last.latencyMillis, 1), codes: last.codes, consecutiveFailures, recent: history.map((r) => r.ok) };
    if (consecutiveFailures >= STATE_RULES.outageAfterFailedProbes) raise('outage', { code: 'probes-failing', value: consecutiveFailures });
    else if (!last.ok) raise('degraded', { code: 'probe-failed' });
  }

  // Member-state traffic of the last five minutes (probes excluded: they have their own rule).
  const recent = store.window({ service }, now - 5 * MINUTE_MILLIS);
  const recentProbes = store.window({ service, state: 'probe' }, now - 5 * MINUTE_MILLIS);
  const trafficCalls = recent.requests - recentProbes.requests;
  const trafficFailures = recent.failures - recentProbes.failures;
  if (trafficCalls >= STATE_RULES.trafficMinCalls && trafficFailures / trafficCalls >= STATE_RULES.trafficOutageFailureRatio) {
    raise('outage', { code: 'traffic-failing', value: Math.round((100 * trafficFailures) / trafficCalls) });
  }

  for (const slo of input.slos.filter((s) => s.service === service)) {
    const selector = { service, state: slo.state };
    const hour = store.window(selector, now - HOUR_MILLIS);
    if (hour.requests < STATE_RULES.minCallsInHour) continue;
    const fiveMinutes = store.window(selector, now - 5 * MINUTE_MILLIS);
    const longBurn = burnRate(slo.availabilityTarget, hour.requests, hour.failures) ?? 0;
    const shortBurn = burnRate(slo.availabilityTarget, fiveMinutes.requests, fiveMinutes.failures) ?? 0;
    if (longBurn >= STATE_RULES.fastBurnRate && shortBurn >= STATE_RULES.fastBurnRate) {
      raise('degraded', { code: 'fast-burn', value: round(longBurn, 1), state: slo.state ?? null });
    }
    const p95 = percentileMillis(hour.latency, 0.95);
    if (p95 !== null && p95 > slo.latencyP95TargetMillis) raise('degraded', { code: 'slow', value: Math.round(p95), state: slo.state ?? null });
  }

  if (probe === null && state === 'operational' && store.window({ service }, now - HOUR_MILLIS).requests === 0) state = 'no-data';

  const summary = summariseFeedback(feedback.filter((f) => f.s === service));
  const historyOf = (window: WindowName): HistoryPoint[] =>
    store.history({ service }, WINDOWS[window].slotMillis, WINDOWS[window].slots).map(({ startMillis, bucket }) => ({
      start: new Date(startMillis).toISOString(),
      requests: bucket.requests,
      failures: bucket.failures,
      availability: availability(bucket.requests, bucket.failures),
      p95Millis: roundOrNull(percentileMillis(bucket.latency, 0.95)),
    }));
  return {
    service,
    title: input.titles[service] ?? { en: service, ar: service },
    state,
    reasons: reasons.map((reason) => ({ ...reason, text: reasonText(reason) })),
    probe,
    slos,
    history: { '24h': historyOf('24h'), '7d': historyOf('7d'), '30d': historyOf('30d') },
    feedback: { days: 30, count: summary.count, meanRating: summary.meanRating === null ? null : round(summary.meanRating, 2) },
  };
}

function sloStatus(store: QualityStore, slo: SloConfig, now: number): SloStatus {
  const selector = { service: slo.service, state: slo.state };
  const windows = Object.fromEntries((Object.keys(WINDOWS) as WindowName[]).map((name) => [name, windowStatus(store.window(selector, now - WINDOWS[name].millis))])) as Record<WindowName, WindowStatus>;
  const period = store.window(selector, now - slo.errorBudgetPeriodDays * DAY_MILLIS);
  const budget = errorBudget(slo.availabilityTarget, period.requests, period.failures);
  const burn = (millis: number): number | null => {
    const window = store.window(selector, now - millis);
    const rate = burnRate(slo.availabilityTarget, window.requests, window.failures);
    return rate === null ? null : round(rate, 3);
  };
  const periodAvailability = availability(period.requests, period.failures);
  const periodP95 = percentileMillis(period.latency, 0.95);
  return {
    state: slo.state ?? null,
    availabilityTarget: slo.availabilityTarget,
    latencyP95TargetMillis: slo.latencyP95TargetMillis,
    errorBudgetPeriodDays: slo.errorBudgetPeriodDays,
    windows,
    errorBudget: {
      periodDays: slo.errorBudgetPeriodDays,
      requests: period.requests,
      failures: period.failures,
      allowedFailures: round(budget.allowedFailures, 3),
      remainingFailures: round(budget.remainingFailures, 3),
      remainingRatio: budget.remainingRatio === null ? null : round(budget.remainingRatio, 6),
    },
    burnRate: { '5m': burn(5 * MINUTE_MILLIS), '1h': burn(HOUR_MILLIS), '6h': burn(6 * HOUR_MILLIS) },
    meetsAvailability: periodAvailability === null ? null : periodAvailability >= slo.availabilityTarget,
    meetsLatency: periodP95 === null ? null : periodP95 <= slo.latencyP95TargetMillis,
  };
}

export function windowStatus(bucket: MeasurementBucket): WindowStatus {
  return {
    requests: bucket.requests,
    failures: bucket.failures,
    clientErrors: bucket.clientErrors,
    availability: availability(bucket.requests, bucket.failures),
    p50Millis: roundOrNull(percentileMillis(bucket.latency, 0.5)),
    p95Millis: roundOrNull(percentileMillis(bucket.latency, 0.95)),
    p99Millis: roundOrNull(percentileMillis(bucket.latency, 0.99)),
  };
}

function worst(states: readonly ServiceState[]): ServiceState {
  const order: ServiceState[] = ['outage', 'degraded', 'operational', 'no-data'];
  for (const candidate of order) if (states.includes(candidate)) return candidate;
  return 'no-data';
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value, 1);
}
