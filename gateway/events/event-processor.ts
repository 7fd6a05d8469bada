import type { Logger } from 'pino';
import { EventBatchSignatureCache, isTrustError, signEvent, verifyBatchedEvent, verifyEvent, type SignableEvent, type SignatureTrust, type Signer } from '../../trust/index.js';
import { fromTransportRecord, InvalidEventError, type CloudEvent, type TransportRecord } from './cloud-event.js';
import { deadLetterTopicFor, type EventCatalogue } from './event-catalogue.js';
import type { DeliveredRecord, EventTransport } from './event-transport.js';

/** The CloudEvent as signed: every attribute but the signature and the inclusion proof. */
export function signable(event: CloudEvent): SignableEvent {
  const { jws: _jws, jwsproof: _proof, ...rest } = event;
  return rest;
}

/**
 * Signs an event as its producer: a detached JWS (trust module, JAdES baseline style with x5c) over
 * the RFC 8785 canonical form of the event without `jws`. The signer's ClientId must be the
 * event's `source`; verification refuses it otherwise.
 */
export async function signCloudEvent(event: CloudEvent, signer: Signer, /** `canonicalize(event.data)`, when the caller has it. */ canonicalData?: string): Promise<CloudEvent> {
  const { jws: _jws, jwsproof: _proof, ...rest } = event;
  return { ...rest, jws: await signEvent({ event: rest, signer, ...(canonicalData !== undefined ? { canonicalData } : {}) }) };
}

/** Event ids already delivered, bounded (oldest forgotten first). */
export class SeenEventIds {
  readonly #ids = new Set<string>();
  constructor(readonly capacity = 100_000) {}
  has(id: string): boolean {
    return this.#ids.has(id);
  }
  add(id: string): void {
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) this.#ids.delete(this.#ids.values().next().value as string);
  }
}

export interface EventProcessorOptions {
  readonly catalogue: EventCatalogue;
  /** How signatures are checked: trust list, revocation, clock. */
  readonly trust: SignatureTrust;
  /** Where dead letters go (the same transport the records came from). */
  readonly transport: EventTransport;
  /** Receives the valid, new events of each batch of records, in record order; each event once. */
  readonly deliver: (deliveries: readonly EventDeliveryItem[]) => Promise<void>;
  readonly seen?: SeenEventIds;
  /**
   * Events after which the rest of a batch is verified only once this one is delivered (e.g. a
   * revocation, which must take effect for the very next record).
   */
  readonly flushAfter?: (event: CloudEvent) => boolean;
  /** Batch signatures already verified (batch-signed events). @default a cache of 1024 */
  readonly batchSignatures?: EventBatchSignatureCache;
  readonly logger?: Logger;
}

/** A verified event and the record it came in. */
export interface EventDeliveryItem {
  readonly event: CloudEvent;
  readonly record: DeliveredRecord;
}

export type DeadLetterReason = InvalidEventError['reason'];

/**
 * What a consumer does with each record (DESIGN.md, "Consumers verify signature and schema,
 * deduplicate by event id, and send what fails to a dead-letter topic with the reason"):
 * parse the CloudEvent, verify its signature (path validation, revocation, identity = `source`;
 * a batch-signed event by its inclusion proof and the batch's JWS), validate its data against the
 * schema of its type, drop it if its id was delivered before, then deliver. An event that fails a
 * check goes to `<topic>.dlq` with the reason in headers; nothing unverified is ever delivered
 * (fail closed: an unsigned event is a dead letter too).
 *
 * Records come in batches (a partition's records in offset order): the valid ones are delivered
 * with one `deliver` call, then the refused ones dead-lettered with one publish. If either throws,
 * the transport delivers the whole batch again; repeats are dropped by id.
 */
export class EventProcessor {
  readonly #options: EventProcessorOptions;
  readonly #seen: SeenEventIds;
  readonly #batchSignatures: EventBatchSignatureCache;

  constructor(options: EventProcessorOptions) {
    this.#options = options;
    this.#seen = options.seen ?? new SeenEventIds();
    this.#batchSignatures = options.batchSignatures ?? new EventBatchSignatureCache();
  }

  /** For `EventTransport.subscribe({ handle })`: one record. */
  readonly handle = (record: DeliveredRecord): Promise<void> => this.handleBatch([record]);

  /** For `EventTransport.subscribe({ handleBatch })`. Throws only for delivery failures (redelivered). */
  readonly handleBatch = async (records: readonly DeliveredRecord[]): Promise<void> => {
    let deliveries: EventDeliveryItem[] = [];
    let refused: Array<{ record: DeliveredRecord; error: InvalidEventError }> = [];
    const flush = async (): Promise<void> => {
      if (deliveries.length > 0) {
        await this.#options.deliver(deliveries);
        for (const { event } of deliveries) this.#seen.add(event.id);
      }
      if (refused.length > 0) await this.#deadLetter(refused);
      deliveries = [];
      refused = [];
    };
    const inBatch = new Set<string>();
    // One at a time: a known signer is verified synchronously, and an unknown one (path validation,
    // OCSP) is then validated once, not once per record of the batch.
    for (const record of records) {
      const outcome = await this.#check(record);
      if (outcome instanceof InvalidEventError) {
        refused.push({ record, error: outcome });
      } else if (this.#seen.has(outcome.id) || inBatch.has(outcome.id)) {
        this.#options.logger?.debug({ eventId: outcome.id, topic: record.topic }, 'duplicate event dropped');
      } else {
        inBatch.add(outcome.id);
        deliveries.push({ event: outcome, record });
        if (this.#options.flushAfter?.(outcome) === true) await flush();
      }
    }
    await flush();
  };

  /** The verified event, or why it is refused. Throws only for failures that are not the record's fault. */
  async #check(record: DeliveredRecord): Promise<CloudEvent | InvalidEventError> {
    try {
      const event = fromTransportRecord(record);
      if (event.jws === undefined) throw new InvalidEventError('the event is not signed', 'signature');
      try {
        if (event.jwsproof !== undefined) {
          await verifyBatchedEvent({ event: signable(event), signature: event.jws, proof: event.jwsproof, trust: this.#options.trust, cache: this.#batchSignatures });
        } else {
          await verifyEvent({ event: signable(event), signature: event.jws, trust: this.#options.trust });
        }
      } catch (error) {
        if (!isTrustError(error)) throw error;
        throw Object.assign(new InvalidEventError(`signature refused: ${error.message}`, 'signature'), { trustCode: error.code });
      }
      this.#options.catalogue.validate(event);
      return event;
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      return error;
    }
  }

  async #deadLetter(refused: ReadonlyArray<{ record: DeliveredRecord; error: InvalidEventError }>): Promise<void> {
    const letters = refused.map(({ record, error }): TransportRecord => {
      const trustCode = (error as InvalidEventError & { trustCode?: string }).trustCode;
      return {
        topic: deadLetterTopicFor(record.topic),
        key: record.key,
        value: record.value,
        headers: {
          ...record.headers,
          dlq_reason: error.reason,
          dlq_message: error.message.slice(0, 500),
          ...(trustCode !== undefined ? { dlq_code: trustCode } : {}),
          dlq_origin_topic: record.topic,
          dlq_origin_partition: String(record.partition),
          dlq_origin_offset: String(record.offset),
        },
      };
    });
    await this.#options.transport.publish(letters);
    for (const { record, error } of refused) {
      const trustCode = (error as InvalidEventError & { trustCode?: string }).trustCode;
      this.#options.logger?.warn({ topic: record.topic, offset: record.offset, reason: error.reason, code: trustCode }, `event sent to the dead-letter topic: ${error.message}`);
    }
  }
}
