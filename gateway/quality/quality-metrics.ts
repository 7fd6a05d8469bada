import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SloConfig } from '../config/gateway-config.js';
import type { CallClass, CallerState } from './call-outcome.js';
import type { FeedbackEntry } from './feedback-log.js';
import type { FeedbackRejection } from './feedback-subgraph.js';
import type { ProbeResult } from './probe-runner.js';
import { DAY_MILLIS, type QualityStore } from './quality-store.js';
import { errorBudget, LATENCY_BUCKET_BOUNDS_MILLIS } from './slo-arithmetic.js';

/** The `state` label of an SLO that covers all callers. */
export const ALL_STATES_LABEL = 'all';

/**
 * Service-quality metrics, registered in the gateway's registry beside GatewayMetrics (served at
 * /metrics). In the distributed mode every gateway exports its own counts and Prometheus adds
 * them up: docs/operations/prometheus-recording-rules.yaml turns them into availability, latency
 * and burn-rate series and alerts. Labels are bounded: services are the supergraph's subgraphs
 * (plus `gateway`), states are the six member states plus `unknown` and `probe`.
 */
export class QualityMetrics {
  readonly calls: Counter<'service' | 'state' | 'outcome'>;
  readonly callDuration: Histogram<'service' | 'state'>;
  readonly probeUp: Gauge<'service'>;
  readonly probeDuration: Gauge<'service'>;
  readonly availabilityTarget: Gauge<'service' | 'state'>;
  readonly latencyTarget: Gauge<'service' | 'state'>;
  readonly errorBudgetRemaining: Gauge<'service' | 'state'>;
  readonly feedback: Counter<'service' | 'channel' | 'rating'>;
  readonly feedbackRejected: Counter<'reason'>;

  constructor(registry: Registry, options: { readonly slos: readonly SloConfig[]; readonly store: () => QualityStore | undefined; readonly now?: () => number }) {
    const registers = [registry];
    const now = options.now ?? Date.now;
    this.calls = new Counter({
      name: 'gccgw_quality_calls_total',
      help: 'Calls to each shared service (subgraph calls after retries; `gateway`: whole operations) by caller member state and outcome (success, client_error, failure).',
      labelNames: ['service', 'state', 'outcome'] as const,
      registers,
    });
    this.callDuration = new Histogram({
      name: 'gccgw_quality_call_duration_seconds',
      help: 'Duration of calls to each shared service, retries included, by caller member state.',
      labelNames: ['service', 'state'] as const,
      buckets: LATENCY_BUCKET_BOUNDS_MILLIS.map((millis) => millis / 1000),
      registers,
    });
    this.probeUp = new Gauge({ name: 'gccgw_quality_probe_up', help: '1 when the last synthetic probe of the service succeeded, else 0.', labelNames: ['service'] as const, registers });
    this.probeDuration = new Gauge({ name: 'gccgw_quality_probe_duration_seconds', help: 'Duration of the last synthetic probe of the service.', labelNames: ['service'] as const, registers });
    this.availabilityTarget = new Gauge({
      name: 'gccgw_quality_slo_availability_target_ratio',
      help: `Availability objective of the service for callers of a member state (state="${ALL_STATES_LABEL}": all callers).`,
      labelNames: ['service', 'state'] as const,
      registers,
    });
    this.latencyTarget = new Gauge({
      name: 'gccgw_quality_slo_latency_p95_target_seconds',
      help: `p95 latency objective of the service for callers of a member state (state="${ALL_STATES_LABEL}": all callers).`,
      labelNames: ['service', 'state'] as const,
      registers,
    });
    const slos = options.slos;
    this.errorBudgetRemaining = new Gauge({
      name: 'gccgw_quality_error_budget_remaining_ratio',
      help: 'Share of the error budget left over the objective\u2019s period, as this gateway measured it (1 untouched, 0 spent, negative overspent).',
      labelNames: ['service', 'state'] as const,
      registers,
      collect() {
        const store = options.store();
        if (store === undefined) return;
        for (const slo of slos) {
          const window = store.window({ service: slo.service, state: slo.state }, now() - slo.errorBudgetPeriodDays * DAY_MILLIS);
          const budget = errorBudget(slo.availabilityTarget, window.requests, window.failures);
          if (budget.remainingRatio !== null) this.set({ service: slo.service, state: slo.state ?? ALL_STATES_LABEL }, budget.remainingRatio);
        }
      },
    });
    this.feedback = new Counter({
      name: 'gccgw_quality_feedback_total',
      help: 'Channel feedback recorded, by service, channel and rating (1-5).',
      labelNames: ['service', 'channel', 'rating'] as const,
      registers,
    });
    this.feedbackRejected = new Counter({ name: 'gccgw_quality_feedback_rejected_total', help: 'Feedback refused, by reason.', labelNames: ['reason'] as const, registers });
    for (const slo of slos) {
      const labels = { service: slo.service, state: slo.state ?? ALL_STATES_LABEL };
      this.availabilityTarget.set(labels, slo.availabilityTarget);
      this.latencyTarget.set(labels, slo.latencyP95TargetMillis / 1000);
    }
  }

  call(service: string, state: CallerState, outcome: CallClass, latencyMillis: number): void {
    this.calls.inc({ service, state, outcome });
    this.callDuration.observe({ service, state }, latencyMillis / 1000);
  }

  probe(result: ProbeResult): void {
    this.probeUp.set({ service: result.service }, result.ok ? 1 : 0);
    this.probeDuration.set({ service: result.service }, result.latencyMillis / 1000);
  }

  feedbackAccepted(entry: FeedbackEntry): void {
    this.feedback.inc({ service: entry.s, channel: entry.c, rating: String(entry.r) });
  }

  feedbackRefused(reason: FeedbackRejection): void {
    this.feedbackRejected.inc({ reason });
  }
}
