import type { EvidenceLog } from './evidence-log.js';
import type { EvidenceRetention, RetentionOutcome } from './evidence-retention.js';

export interface RetentionSchedulerOptions {
  readonly log: EvidenceLog;
  readonly retention: EvidenceRetention;
  /** How often a pass runs. The first runs right after start, so a removal a crash interrupted is finished at once. @default 3_600_000 */
  readonly checkIntervalMillis?: number;
  readonly onError?: (error: unknown) => void;
  readonly onPass?: (outcome: RetentionOutcome) => void;
}

/**
 * Runs retention passes in the gateway process, next to the CheckpointScheduler: one pass at start,
 * then one every `checkIntervalMillis`, never two at once, none while the log refuses appends (a
 * removal must be recorded first). A failed pass is reported and retried at the next interval;
 * it never stops the gateway.
 */
export class RetentionScheduler {
  readonly #options: RetentionSchedulerOptions;
  readonly #first: NodeJS.Timeout;
  readonly #timer: NodeJS.Timeout;
  readonly #stopping = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: RetentionSchedulerOptions) {
    this.#options = options;
    const every = options.checkIntervalMillis ?? 3_600_000;
    if (!(every >= 1)) throw new TypeError('checkIntervalMillis must be positive');
    this.#first = setTimeout(() => this.#tick(), 0);
    this.#timer = setInterval(() => this.#tick(), every);
    this.#first.unref();
    this.#timer.unref();
  }

  /** Runs a pass now (or waits for the one running) and returns when it is over. */
  async runNow(): Promise<void> {
    this.#tick();
    await this.#running;
  }

  #tick(): void {
    if (this.#stopping.signal.aborted || this.#running !== undefined || !this.#options.log.healthy) return;
    this.#running = this.#options.retention
      .apply(this.#options.log, { signal: this.#stopping.signal })
      .then((outcome) => this.#options.onPass?.(outcome))
      .catch((error: unknown) => this.#options.onError?.(error))
      .finally(() => {
        this.#running = undefined;
      });
  }

  /**
   * Stops scheduling and waits for a pass in progress, which stops after its current batch (the
   * log must not close under it; a batch's removal is complete or, if the process dies, finished
   * at the next start).
   */
  async stop(): Promise<void> {
    this.#stopping.abort();
    clearTimeout(this.#first);
    clearInterval(this.#timer);
    await this.#running;
  }
}
