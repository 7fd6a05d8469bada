import type { Logger } from 'pino';
import { isTrustError, signEvent, verifyEvent, type SignableEvent, type SignatureTrust, type Signer } from '../../trust/index.js';
import { fromTransportRecord, InvalidEventError, type CloudEvent, type TransportRecord } from './cloud-event.js';
import { deadLetterTopicFor, type EventCatalogue } from './event-catalogue.js';
import type { DeliveredRecord, EventTransport } from './event-transport.js';

/** The CloudEvent as signed: every attribute but the signature itself. */
function signable(event: CloudEvent): SignableEvent {
  const { jws: _jws, ...rest } = event;
  return { ...rest };
}

/**
 * Signs an event as its producer: a detached JWS (trust module, JAdES baseline style with x5c) over
 * the RFC 8785 canonical form of the event without `jws`. The signer's ClientId must be the
 * event's `source`; verification refuses it otherwise.
 */
export async function signCloudEvent(event: CloudEvent, signer: Signer): Promise<CloudEvent> {
  const { jws: _jws, ...rest } = event;
  return { ...rest, jws: await signEvent({ event: signable(event), signer }) };
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
  /** Receives each valid, new event once. */
  readonly deliver: (event: CloudEvent, record: DeliveredRecord) => Promise<void>;
  readonly seen?: SeenEventIds;
  readonly logger?: Logger;
}

export type DeadLetterReason = InvalidEventError['reason'];

/**
 * What a consumer does with each record (DESIGN.md, "Consumers verify signature and schema,
 * deduplicate by event id, and send what fails to a dead-letter topic with the reason"):
 * parse the CloudEvent, verify its signature (path validation, revocation, identity = `source`),
 * validate its data against the schema of its type, drop it if its id was delivered before, then
 * deliver. An event that fails a check goes to `<topic>.dlq` with the reason in headers; nothing
 * unverified is ever delivered (fail closed: an unsigned event is a dead letter too).
 */
export class EventProcessor {
  readonly #options: EventProcessorOptions;
  readonly #seen: SeenEventIds;

  constructor(options: EventProcessorOptions) {
    this.#options = options;
    this.#seen = options.seen ?? new SeenEventIds();
  }

  /** For `EventTransport.subscribe({ handle })`. Throws only for delivery failures (redelivered). */
  readonly handle = async (record: DeliveredRecord): Promise<void> => {
    let event: CloudEvent;
    try {
      event = fromTransportRecord(record);
      if (event.jws === undefined) throw new InvalidEventError('the event is not signed', 'signature');
      try {
        await verifyEvent({ event: signable(event), signature: event.jws, trust: this.#options.trust });
      } catch (error) {
        if (!isTrustError(error)) throw error;
        throw Object.assign(new InvalidEventError(`signature refused: ${error.message}`, 'signature'), { trustCode: error.code });
      }
      this.#options.catalogue.validate(event);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      await this.#deadLetter(record, error);
      return;
    }
    if (this.#seen.has(event.id)) {
      this.#options.logger?.debug({ eventId: event.id, topic: record.topic }, 'duplicate event dropped');
      return;
    }
    await this.#options.deliver(event, record);
    this.#seen.add(event.id);
  };

  async #deadLetter(record: DeliveredRecord, error: InvalidEventError): Promise<void> {
    const trustCode = (error as InvalidEventError & { trustCode?: string }).trustCode;
    const letter: TransportRecord = {
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
    await this.#options.transport.publish([letter]);
    this.#options.logger?.warn({ topic: record.topic, offset: record.offset, reason: error.reason, code: trustCode }, `event sent to the dead-letter topic: ${error.message}`);
  }
}
