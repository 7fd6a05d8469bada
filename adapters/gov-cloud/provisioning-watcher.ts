import type { Logger } from 'pino';
import type { AdapterEvent, AdapterEventSink } from '../kit/index.js';
import { FINAL_PHASES, type GovCloudClient, type OperationResource } from './gov-cloud-client.js';

/** CloudEvents type published when a provisioning request reaches a final state. */
export const PROVISIONING_COMPLETED_EVENT = 'gcc.cloud.provisioning.completed.v1';

export interface ProvisioningWatcherOptions {
  readonly client: GovCloudClient;
  /** Where completed requests are published; without one they are only logged. */
  readonly events?: AdapterEventSink;
  readonly logger: Logger;
  /** Shortest wait between two polls, whatever `Retry-After` says. @default 200 */
  readonly minPollIntervalMillis?: number;
  /** Longest wait between two polls. @default 10000 */
  readonly maxPollIntervalMillis?: number;
  /** Give up following one request after this long (it can still be read on demand). @default 600000 */
  readonly maxWatchMillis?: number;
}

/**
 * Follows each provisioning request this adapter submitted until it is final (long-running
 * operation polling, paced by the cloud's `Retry-After`), and publishes one
 * `gcc.cloud.provisioning.completed.v1` event per request through the kit's `AdapterEventSink`:
 * the hook the events capability wires to its durable outbox. States seen on demand
 * (`provisioningRequest`, `cancelProvisioning`) are reported too; an id is published once.
 * Timers are unref'd: following requests never keeps the process alive.
 */
export class ProvisioningWatcher {
  readonly #options: ProvisioningWatcherOptions;
  readonly #published = new Set<string>();
  readonly #watching = new Set<string>();

  constructor(options: ProvisioningWatcherOptions) {
    this.#options = options;
  }

  /** Starts following an operation in the background. */
  watch(operation: OperationResource, operationUrl: URL): void {
    if (this.#observeFinal(operation) || this.#watching.has(operation.name)) return;
    this.#watching.add(operation.name);
    const { client, logger } = this.#options;
    void client
      .pollUntilFinal(operationUrl, {
        minIntervalMillis: this.#options.minPollIntervalMillis ?? 200,
        maxIntervalMillis: this.#options.maxPollIntervalMillis ?? 10_000,
        maxWaitMillis: this.#options.maxWatchMillis ?? 600_000,
        maxConsecutiveFailures: 5,
        onPoll: (current) => this.observe(current),
      })
      .catch((error: unknown) => logger.warn({ err: error, provisioningRequest: operation.name }, 'stopped following a provisioning request'))
      .finally(() => this.#watching.delete(operation.name));
  }

  /** Reports a state seen elsewhere; publishes when it is final and not yet published. */
  async observe(operation: OperationResource): Promise<void> {
    this.#observeFinal(operation);
    await Promise.resolve();
  }

  #observeFinal(operation: OperationResource): boolean {
    if (!FINAL_PHASES.has(operation.properties.phase)) return false;
    if (this.#published.has(operation.name)) return true;
    if (this.#published.size >= 10_000) this.#published.delete(this.#published.values().next().value as string);
    this.#published.add(operation.name);
    const event = completedEvent(operation);
    const { events, logger } = this.#options;
    logger.info({ provisioningRequest: operation.name, state: event.data['state'] }, 'provisioning request finished');
    if (events !== undefined) {
      void events.publish(event).catch((error: unknown) => {
        // Let a later observation try again.
        this.#published.delete(operation.name);
        logger.error({ err: error, provisioningRequest: operation.name }, 'could not publish the provisioning event');
      });
    }
    return true;
  }
}

const STATE: Record<string, string> = { Succeeded: 'SUCCEEDED', Failed: 'FAILED', Rejected: 'REJECTED', Canceled: 'CANCELLED' };

/** The event for a final operation; `data` carries no personal data, only the request's facts. */
export function completedEvent(operation: OperationResource): AdapterEvent {
  const { properties } = operation;
  return {
    type: PROVISIONING_COMPLETED_EVENT,
    subject: operation.name,
    time: operation.endTime ?? properties.lastUpdatedTime,
    data: {
      requestId: operation.name,
      tenantId: properties.tenantId,
      state: STATE[properties.phase] ?? properties.phase,
      resourceId: properties.resourceId,
      kind: properties.request.kind,
      sku: properties.request.sku,
      region: properties.request.location,
      submittedAt: operation.startTime,
      ...(operation.error !== undefined ? { failure: { code: operation.error.code, message: operation.error.message } } : {}),
    },
  };
}
