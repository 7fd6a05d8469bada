import { parse } from 'graphql';
import type { Logger } from 'pino';
import type { SupergraphOperationRunner } from './supergraph-operation-runner.js';

/** An active service-health event of the government cloud, as the status page shows it. */
export interface CloudHealthEvent {
  readonly id: string;
  readonly region: string;
  readonly serviceKind: string;
  readonly severity: 'INFORMATION' | 'WARNING' | 'OUTAGE';
  readonly title: { readonly en: string; readonly ar: string };
  readonly startedAt: string;
}

/** The root field of the government cloud's subgraph contract (schemas/subgraphs/gov-cloud.graphql). */
const FIELD = 'serviceHealthEvents';
const QUERY = parse(`query QualityCloudHealthIncidents {
  ${FIELD}(filter: { status: ACTIVE }, first: 100) {
    edges { node { id region serviceKind severity title { en ar } startedAt } }
  }
}`);

export interface CloudHealthIncidentsOptions {
  readonly runner: SupergraphOperationRunner;
  readonly refreshSeconds: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * Keeps the government cloud's active service-health events, read through the supergraph like any
 * query (so the gateway stays ignorant of the adapter: it only knows the published contract). When
 * the loaded supergraph has no such field the list is empty; when the read fails, the last good
 * list is kept and `lastError` says why.
 */
export class CloudHealthIncidents {
  readonly #options: CloudHealthIncidentsOptions;
  readonly #now: () => number;
  #events: readonly CloudHealthEvent[] = [];
  #refreshedAt: number | undefined;
  #lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: CloudHealthIncidentsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get events(): readonly CloudHealthEvent[] {
    return this.#events;
  }

  get refreshedAt(): number | undefined {
    return this.#refreshedAt;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  start(): void {
    const tick = (): void => {
      void this.refresh().finally(() => {
        if (this.#stopped) return;
        this.#timer = setTimeout(tick, this.#options.refreshSeconds * 1000);
        this.#timer.unref();
      });
    };
    this.#timer = setTimeout(tick, 500);
    this.#timer.unref();
  }

  /** Reads the active events now. */
  refresh(): Promise<void> {
    this.#running ??= this.#refresh().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  async #refresh(): Promise<void> {
    const { runner, logger } = this.#options;
    if (!runner.hasQueryField(FIELD)) {
      this.#events = [];
      this.#lastError = undefined;
      this.#refreshedAt = this.#now();
      return;
    }
    const { result } = await runner.run({ document: QUERY, timeoutMillis: 10_000, label: 'cloud-health' });
    const edges = (result.data?.[FIELD] as { edges?: Array<{ node?: unknown }> } | null | undefined)?.edges;
    if ((result.errors !== undefined && result.errors.length > 0) || !Array.isArray(edges)) {
      this.#lastError = result.errors?.[0]?.message ?? 'no data';
      logger.warn({ reason: this.#lastError }, 'could not read the government cloud service health; keeping the last known incidents');
      return;
    }
    this.#events = edges.map((edge) => edge.node).filter(isCloudHealthEvent);
    this.#lastError = undefined;
    this.#refreshedAt = this.#now();
  }
}

function isCloudHealthEvent(value: unknown): value is CloudHealthEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Partial<CloudHealthEvent>;
  return (
    typeof event.id === 'string' &&
    typeof event.region === 'string' &&
    typeof event.serviceKind === 'string' &&
    (event.severity === 'INFORMATION' || event.severity === 'WARNING' || event.severity === 'OUTAGE') &&
    typeof event.title?.en === 'string' &&
    typeof event.title.ar === 'string' &&
    typeof event.startedAt === 'string'
  );
}
