import type { Logger } from 'pino';
import type { AdapterEvent, AdapterEventSink } from '../kit/index.js';
import type { MawaredClient } from './mawared-client.js';
import type { EmploymentChangeRow } from './sandbox/mawared-sandbox.js';

export const EMPLOYMENT_STARTED_EVENT = 'gcc.hr.employment.started.v1';
export const EMPLOYMENT_ENDED_EVENT = 'gcc.hr.employment.ended.v1';

const GCC_STATES = new Set(['BH', 'KW', 'OM', 'QA', 'SA', 'AE']);
const REASON: Record<string, string> = {
  Resignation: 'RESIGNATION',
  Retirement: 'RETIREMENT',
  EndOfContract: 'END_OF_CONTRACT',
  Termination: 'TERMINATION',
  Death: 'DEATH',
  Transfer: 'TRANSFER',
  Other: 'OTHER',
};
/** Rows read per poll. */
const PAGE = 100;

export interface EmploymentChangeFeedOptions {
  readonly client: MawaredClient;
  readonly events: AdapterEventSink;
  readonly logger: Logger;
  /** Wait between two polls when the feed had nothing new. @default 1000 */
  readonly pollIntervalMillis?: number;
}

/**
 * Follows Mawared's employment change feed (`EmploymentChanges`, ordered by `Sequence`) and
 * publishes `gcc.hr.employment.started.v1` / `gcc.hr.employment.ended.v1` for GCC nationals through
 * the kit's `AdapterEventSink`: the home state of a national learns when their employment in
 * another member state starts or ends (pension protection extension).
 *
 * It starts from the beginning of the feed and moves past a row only once the sink has taken it
 * (the gateway's sink writes it to its durable outbox), so nothing is skipped; a restart re-sends
 * what the feed still holds, and consumers drop the repeats by event id (the gateway gives the
 * same change the same id). Timers are unref'd; `close()` stops polling.
 */
export class EmploymentChangeFeed {
  readonly #options: EmploymentChangeFeedOptions;
  #lastSequence = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: EmploymentChangeFeedOptions) {
    this.#options = options;
  }

  /** The last sequence number handed to the sink. */
  get position(): number {
    return this.#lastSequence;
  }

  start(): void {
    if (this.#closed || this.#timer !== undefined || this.#running !== undefined) return;
    this.#schedule(0);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Reads and publishes what is new; returns the number of rows handled. */
  async pollOnce(): Promise<number> {
    const { rows } = await this.#options.client.query<EmploymentChangeRow>('EmploymentChanges', {
      filter: [{ field: 'Sequence', op: 'gt', value: this.#lastSequence }],
      orderBy: ['Sequence'],
      top: PAGE,
    });
    let handled = 0;
    for (const row of rows) {
      if (this.#closed) break;
      const event = employmentEvent(row);
      if (event !== undefined) await this.#options.events.publish(event);
      this.#lastSequence = row.Sequence;
      handled += 1;
    }
    return handled;
  }

  #schedule(delayMillis: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.pollOnce().then(
        (handled) => {
          this.#running = undefined;
          // A full page means more is waiting: read on at once.
          this.#schedule(handled === PAGE ? 0 : (this.#options.pollIntervalMillis ?? 1000));
        },
        (error: unknown) => {
          this.#running = undefined;
          this.#options.logger.warn({ err: error, after: this.#lastSequence }, 'reading the Mawared employment change feed failed; will retry');
          this.#schedule(Math.max(this.#options.pollIntervalMillis ?? 1000, 1000));
        },
      );
    }, delayMillis);
    this.#timer.unref();
  }
}

/** The event for one change, or undefined when it is not about a GCC national (not cross-border). */
export function employmentEvent(row: EmploymentChangeRow): AdapterEvent | undefined {
  if (!GCC_STATES.has(row.Nationality)) return undefined;
  const common = {
    employeeNumber: row.EmployeeNumber,
    person: { nationalId: row.NationalId, issuingState: row.IssuingState },
    nationality: row.Nationality,
    entity: { state: row.EntityState, code: row.EntityCode },
  };
  if (row.Kind === 'Started') {
    return { type: EMPLOYMENT_STARTED_EVENT, subject: row.EmployeeNumber, time: row.RecordedAt, data: { ...common, startDate: row.Date, grade: row.Grade } };
  }
  return { type: EMPLOYMENT_ENDED_EVENT, subject: row.EmployeeNumber, time: row.RecordedAt, data: { ...common, endDate: row.Date, reason: REASON[row.Reason ?? 'Other'] ?? 'OTHER' } };
}
