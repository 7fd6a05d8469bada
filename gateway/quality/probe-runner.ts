import { parse, type DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import type { ProbeConfig } from '../config/gateway-config.js';
import { normaliseErrorCode } from './call-outcome.js';
import type { SupergraphOperationRunner } from './supergraph-operation-runner.js';

/** One probe run. A probe fails when its answer carries any error or does not come in time. */
export interface ProbeResult {
  readonly service: string;
  /** When it finished (epoch millis). */
  readonly at: number;
  readonly ok: boolean;
  readonly latencyMillis: number;
  /** Error codes of a failed run. */
  readonly codes: readonly string[];
}

/** Probe results kept per service, newest last. */
const HISTORY = 20;
/** The first run waits at most this long after start, so the status page has data quickly. */
const FIRST_RUN_MAX_DELAY_MILLIS = 2_000;

interface ScheduledProbe {
  readonly config: ProbeConfig;
  readonly document: DocumentNode;
  timer: NodeJS.Timeout | undefined;
  running: Promise<ProbeResult> | undefined;
}

export interface ProbeRunnerOptions {
  readonly probes: readonly ProbeConfig[];
  readonly runner: SupergraphOperationRunner;
  readonly onResult: (result: ProbeResult) => void;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * Runs each configured probe's health query every `intervalSeconds` through the gateway's own
 * execution path (SupergraphOperationRunner). A probe never overlaps itself: a run still going when
 * the next is due makes that next one wait.
 */
export class ProbeRunner {
  readonly #probes: ScheduledProbe[];
  readonly #options: ProbeRunnerOptions;
  readonly #now: () => number;
  readonly #history = new Map<string, ProbeResult[]>();
  #stopped = false;

  constructor(options: ProbeRunnerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#probes = options.probes.map((config) => ({ config, document: parse(config.query), timer: undefined, running: undefined }));
  }

  start(): void {
    for (const probe of this.#probes) {
      const first = Math.min(probe.config.intervalSeconds * 1000, FIRST_RUN_MAX_DELAY_MILLIS) * (0.5 + Math.random() / 2);
      this.#schedule(probe, first);
    }
  }

  /** Runs every probe (or those of one service) now, and waits for the results. */
  async runOnce(service?: string): Promise<ProbeResult[]> {
    return Promise.all(this.#probes.filter((p) => service === undefined || p.config.service === service).map((p) => this.#run(p)));
  }

  /** The latest results of a service's probes, oldest first. */
  history(service: string): readonly ProbeResult[] {
    return this.#history.get(service) ?? [];
  }

  get services(): string[] {
    return [...new Set(this.#probes.map((p) => p.config.service))];
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const probe of this.#probes) clearTimeout(probe.timer);
    await Promise.allSettled(this.#probes.map((p) => p.running));
  }

  #schedule(probe: ScheduledProbe, delayMillis: number): void {
    if (this.#stopped) return;
    probe.timer = setTimeout(() => {
      void this.#run(probe).finally(() => this.#schedule(probe, probe.config.intervalSeconds * 1000));
    }, delayMillis);
    probe.timer.unref();
  }

  #run(probe: ScheduledProbe): Promise<ProbeResult> {
    if (probe.running !== undefined) return probe.running;
    const { service, timeoutMillis } = probe.config;
    probe.running = this.#options.runner
      .run({ document: probe.document, timeoutMillis, label: `probe-${service}` })
      .then(({ result, durationMillis }) => {
        const errors = result.errors ?? [];
        const outcome: ProbeResult = {
          service,
          at: this.#now(),
          ok: errors.length === 0,
          latencyMillis: durationMillis,
          codes: errors.map((e) => normaliseErrorCode(e.extensions?.['code'])),
        };
        if (!outcome.ok) this.#options.logger.warn({ service, codes: outcome.codes, reason: errors[0]?.message }, `probe of "${service}" failed`);
        const history = this.#history.get(service) ?? [];
        history.push(outcome);
        if (history.length > HISTORY) history.shift();
        this.#history.set(service, history);
        if (!this.#stopped) {
          try {
            this.#options.onResult(outcome);
          } catch (error) {
            this.#options.logger.error({ err: error, service }, 'recording a probe result failed');
          }
        }
        return outcome;
      })
      .finally(() => {
        probe.running = undefined;
      });
    return probe.running;
  }
}
