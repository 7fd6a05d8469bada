import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { QualityConfig } from '../config/gateway-config.js';
import { isGatewayRequestContext, type GatewayRequestContext } from '../federation/request-context.js';
import type { SubgraphCall, SubgraphCallObserver } from '../federation/subgraph-executor.js';
import type { GatewayOwnedSubgraph } from '../runtime/gateway-owned-subgraphs.js';
import { classifyErrors, memberStateOf, type CallClass, type CallerState } from './call-outcome.js';
import { CloudHealthIncidents } from './cloud-health-incidents.js';
import { FeedbackLog } from './feedback-log.js';
import { createQualitySubgraph } from './feedback-subgraph.js';
import { ProbeRunner, type ProbeResult } from './probe-runner.js';
import { QualityMetrics } from './quality-metrics.js';
import { QualityStore } from './quality-store.js';
import { computeQualityStatus, statusServices, type QualityStatus } from './service-status.js';
import { createStatusRouter } from './status-routes.js';
import { SupergraphOperationRunner } from './supergraph-operation-runner.js';

/** The measured service that stands for whole GraphQL operations, end to end. */
export const GATEWAY_SERVICE = 'gateway';
/** Minute buckets are written this often (each minute once it is over). */
const FLUSH_INTERVAL_MILLIS = 5_000;
/** /status and /status.json are computed at most this often. */
const STATUS_CACHE_MILLIS = 1_000;

export interface ServiceQualityOptions {
  readonly config: QualityConfig;
  /** The gateway's metrics registry; the quality metrics are registered in it. */
  readonly registry: Registry;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * The service-quality component, as the runtime sees it: it measures real traffic (an observer for
 * the subgraph executors and an Apollo plugin for whole operations), runs the probes, keeps the
 * store, serves `/status` and `/status.json`, and owns the `quality` subgraph (channel feedback).
 *
 * Lifecycle: `open` before the supergraph is built (the runtime needs the subgraph, the observer
 * and the plugin), `start` once the gateway serves, `stop` when it stops. With `enabled: false`
 * only the subgraph exists, and its mutation refuses with ERR_FEEDBACK_DISABLED, so a supergraph
 * composed with it works on every gateway whatever its configuration.
 */
export class ServiceQuality {
  readonly enabled: boolean;
  readonly subgraph: GatewayOwnedSubgraph;
  /** For `SupergraphGateway({ onSubgraphCall })`; undefined when disabled. */
  readonly subgraphCallObserver: SubgraphCallObserver | undefined;
  readonly #config: QualityConfig;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #store: QualityStore | undefined;
  readonly #feedback: FeedbackLog | undefined;
  readonly #metrics: QualityMetrics | undefined;
  #runner: SupergraphOperationRunner | undefined;
  #probes: ProbeRunner | undefined;
  #incidents: CloudHealthIncidents | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #cached: { at: number; status: QualityStatus } | undefined;
  #stopped = false;

  private constructor(options: ServiceQualityOptions) {
    const { config } = options;
    this.#config = config;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.enabled = config.enabled;
    if (config.enabled) {
      const memoryDays = Math.max(31, ...config.slos.map((s) => s.errorBudgetPeriodDays + 1));
      this.#store = QualityStore.open({ dir: config.dir, retentionDays: config.retentionDays, compactAfterDays: config.compactAfterDays, memoryDays, now: this.#now, logger: this.#logger });
      try {
        this.#feedback = FeedbackLog.open({ dir: config.dir, retentionDays: config.retentionDays, now: this.#now, logger: this.#logger });
      } catch (error) {
        this.#store.close();
        throw error;
      }
      const store = this.#store;
      this.#metrics = new QualityMetrics(options.registry, { slos: config.slos, store: () => store, now: this.#now });
    }
    const metrics = this.#metrics;
    this.subgraph = createQualitySubgraph({
      feedback: config.feedback,
      log: this.#feedback,
      services: () => statusServices(config.slos, config.probes.map((p) => p.service)).filter((s) => s !== GATEWAY_SERVICE),
      now: this.#now,
      ...(metrics !== undefined ? { onAccepted: (entry) => metrics.feedbackAccepted(entry), onRejected: (reason) => metrics.feedbackRefused(reason) } : {}),
    });
    this.subgraphCallObserver = config.enabled ? (call) => this.#observeSubgraphCall(call) : undefined;
  }

  static open(options: ServiceQualityOptions): ServiceQuality {
    return new ServiceQuality(options);
  }

  /** Apollo Server plugins: the `gateway` service's measurement of whole operations. */
  get plugins(): Array<ApolloServerPlugin<GatewayRequestContext>> {
    if (!this.enabled) return [];
    return [
      {
        requestDidStart: async () => {
          const started = process.hrtime.bigint();
          return {
            willSendResponse: async (requestContext) => {
              const body = requestContext.response.body;
              const errors = body.kind === 'single' ? body.singleResult.errors : undefined;
              const outcome = classifyErrors(errors);
              this.#record(GATEWAY_SERVICE, memberStateOf(requestContext.contextValue.clientId), outcome.class, Number(process.hrtime.bigint() - started) / 1e6, outcome.codes);
            },
          };
        },
      },
    ];
  }

  /** Routers for every listener (`createApp({ routers })`): /status, /status.json. */
  get routers(): Router[] {
    return this.enabled ? [createStatusRouter({ status: () => this.status() })] : [];
  }

  /** Starts the probes, the incident reader and the store's flushing, against the serving supergraph. */
  start(gateway: Pick<GatewayInterface, 'onSchemaLoadOrUpdate'>): void {
    if (!this.enabled || this.#stopped || this.#runner !== undefined) return;
    const store = this.#store as QualityStore;
    this.#runner = new SupergraphOperationRunner({ gateway, logger: this.#logger });
    this.#probes = new ProbeRunner({
      probes: this.#config.probes,
      runner: this.#runner,
      logger: this.#logger,
      now: this.#now,
      onResult: (result) => this.#onProbe(result),
    });
    this.#probes.start();
    if (this.#config.cloudHealthIncidents.enabled) {
      this.#incidents = new CloudHealthIncidents({ runner: this.#runner, refreshSeconds: this.#config.cloudHealthIncidents.refreshSeconds, logger: this.#logger, now: this.#now });
      this.#incidents.start();
    }
    this.#flushTimer = setInterval(() => {
      try {
        store.flush();
      } catch (error) {
        this.#logger.error({ err: error }, 'could not write service-quality measurements; keeping them in memory and trying again');
      }
    }, FLUSH_INTERVAL_MILLIS);
    this.#flushTimer.unref();
  }

  /** The probe runner, once started (e.g. to run the probes now). */
  get probes(): ProbeRunner | undefined {
    return this.#probes;
  }

  get incidents(): CloudHealthIncidents | undefined {
    return this.#incidents;
  }

  /** The current status (cached for a second). */
  status(): QualityStatus {
    const store = this.#store;
    if (store === undefined) throw new TypeError('service quality is disabled');
    const now = this.#now();
    if (this.#cached !== undefined && now - this.#cached.at < STATUS_CACHE_MILLIS && now >= this.#cached.at) return this.#cached.status;
    const status = computeQualityStatus({
      slos: this.#config.slos,
      probedServices: this.#config.probes.map((p) => p.service),
      titles: this.#config.serviceTitles,
      store,
      probes: (service) => this.#probes?.history(service) ?? [],
      feedback: (fromDay) => this.#feedback?.recent(fromDay) ?? [],
      cloudHealth: {
        enabled: this.#config.cloudHealthIncidents.enabled,
        service: this.#config.cloudHealthIncidents.service,
        events: this.#incidents?.events ?? [],
        refreshedAt: this.#incidents?.refreshedAt,
        lastError: this.#incidents?.lastError,
      },
      now,
    });
    this.#cached = { at: now, status };
    return status;
  }

  /** Forgets the cached status (tests, after running probes on demand). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#flushTimer);
    await this.#probes?.stop();
    await this.#incidents?.stop();
    this.#runner?.close();
    try {
      this.#store?.close();
    } catch (error) {
      this.#logger.error({ err: error }, 'could not write the last service-quality measurements');
    }
  }

  #observeSubgraphCall(call: SubgraphCall): void {
    // The gateway's own probes and incident reads are recorded as probes, not as member-state traffic.
    if (this.#runner?.isSynthetic(call.context) === true) return;
    const clientId = isGatewayRequestContext(call.context) ? call.context.clientId : undefined;
    const outcome = classifyErrors(call.result.errors);
    this.#record(call.subgraph, memberStateOf(clientId), outcome.class, call.durationMillis, outcome.codes);
  }

  #onProbe(result: ProbeResult): void {
    this.#metrics?.probe(result);
    this.#record(result.service, 'probe', result.ok ? 'success' : 'failure', result.latencyMillis, result.codes);
    this.#cached = undefined;
  }

  #record(service: string, state: CallerState, callClass: CallClass, latencyMillis: number, codes: readonly string[]): void {
    if (this.#stopped) return;
    this.#store?.record({ service, state, class: callClass, latencyMillis, codes });
    this.#metrics?.call(service, state, callClass, latencyMillis);
  }
}
