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
  /**
   * Records of one batch whose checks are in flight at once (see `handleBatch`); 1 checks them one
   * after another. With `trust.offloadSignatureChecks`, a known signer's signature is then checked
   * on the libuv thread pool while the event loop goes on with the next record. @default 64
   */
  readonly checkConcurrency?: number;
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
  readonly #checkConcurrency: number;

  constructor(options: EventProcessorOptions) {
    if (options.checkConcurrency !== undefined && !(Number.isSafeInteger(options.checkConcurrency) && options.checkConcurrency >= 1)) throw new TypeError('checkConcurrency must be a positive integer');
    this.#options = options;
    this.#checkConcurrency = options.checkConcurrency ?? 64;
    this.#seen = options.seen ?? new SeenEventIds();
    this.#batchSignatures = options.batchSignatures ?? new EventBatchSignatureCache();
  }

  /** For `EventTransport.subscribe({ handle })`: one record. */
  readonly handle = (record: DeliveredRecord): Promise<void> => this.handleBatch([record]);

  /**
   * For `EventTransport.subscribe({ handleBatch })`. Throws only for delivery failures (redelivered).
   *
   * The outcome is the one of checking and handling the records strictly one after another, but the
   * checks overlap: the records are parsed first, and the batch is cut into runs, each ending at a
   * record whose declared type `flushAfter` reacts to (e.g. a revocation; decided before its
   * signature is checked, which can only make a run shorter). Within a run nothing the records do
   * can change trust state (only a flush does, and it comes after the run's last record), so the
   * run's checks run at once (`checkConcurrency` in flight): first one record per producer (`source`)
   * and per batch signature, so that an unknown chain is path-validated and a batch JWS verified
   * once, not once per record, then all the others. The outcomes are then handled in record order
   * (dedupe, dead letters, delivery, flush), and the next run is checked only after that.
   */
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
    const parsed = records.map((record) => parseRecord(record));
    for (let start = 0; start < records.length; ) {
      const end = this.#runEnd(parsed, start);
      const outcomes = await this.#checkRun(parsed, start, end);
      for (let i = start; i < end; i++) {
        const record = records[i] as DeliveredRecord;
        const outcome = outcomes[i - start] as CloudEvent | InvalidEventError;
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
      start = end;
    }
    await flush();
  };

  /** The end (exclusive) of the run starting at `start`: just after the first record `flushAfter` may react to. */
  #runEnd(parsed: ReadonlyArray<CloudEvent | InvalidEventError>, start: number): number {
    const flushAfter = this.#options.flushAfter;
    if (flushAfter === undefined) return parsed.length;
    for (let i = start; i < parsed.length; i++) {
      const event = parsed[i];
      // A record that does not parse is refused whatever its signature: it never flushes.
      if (!(event instanceof InvalidEventError) && flushAfter(event as CloudEvent)) return i + 1;
    }
    return parsed.length;
  }

  /** The outcomes of the checks of `parsed[from..to)`, in that order. */
  async #checkRun(parsed: ReadonlyArray<CloudEvent | InvalidEventError>, from: number, to: number): Promise<Array<CloudEvent | InvalidEventError>> {
    const outcomes = new Array<CloudEvent | InvalidEventError>(to - from);
    // First a record per producer and per batch signature (each may need the slow path once), then the rest.
    const first: number[] = [];
    const rest: number[] = [];
    const sources = new Set<string>();
    const batchSignatures = new Set<string>();
    for (let i = from; i < to; i++) {
      const event = parsed[i] as CloudEvent | InvalidEventError;
      if (event instanceof InvalidEventError) {
        outcomes[i - from] = event;
        continue;
      }
      const batchSignature = event.jwsproof !== undefined ? event.jws : undefined;
      const newSource = !sources.has(event.source);
      const newBatch = batchSignature !== undefined && !batchSignatures.has(batchSignature);
      if (newSource) sources.add(event.source);
      if (newBatch) batchSignatures.add(batchSignature);
      (newSource || newBatch ? first : rest).push(i);
    }
    await this.#checkAll(parsed, first, outcomes, from);
    await this.#checkAll(parsed, rest, outcomes, from);
    return outcomes;
  }

  /** Checks `parsed[i]` for each i of `indices`, at most `checkConcurrency` at once, into `outcomes[i - from]`. */
  async #checkAll(parsed: ReadonlyArray<CloudEvent | InvalidEventError>, indices: readonly number[], outcomes: Array<CloudEvent | InvalidEventError>, from: number): Promise<void> {
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < indices.length) {
        const i = indices[next++] as number;
        try {
          outcomes[i - from] = await this.#check(parsed[i] as CloudEvent);
        } catch (error) {
          // Not the record's fault (e.g. revocation status unreachable): the batch is delivered again.
          failed = true;
          throw error;
        }
      }
    };
    const workers = Math.min(this.#checkConcurrency, indices.length);
    if (workers === 1) return worker();
    await Promise.all(Array.from({ length: workers }, worker));
  }

  /** The verified event, or why it is refused. Throws only for failures that are not the record's fault. */
  async #check(event: CloudEvent): Promise<CloudEvent | InvalidEventError> {
    try {
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

/** The CloudEvent a record carries (not yet verified), or why it is not one. */
function parseRecord(record: DeliveredRecord): CloudEvent | InvalidEventError {
  try {
    return fromTransportRecord(record);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    return error;
  }
}
