import { hash } from 'node:crypto';
import { Counter, Gauge } from 'prom-client';
import type { Logger } from 'pino';
import type { AdapterEvent, AdapterEventSink } from '../../adapters/kit/index.js';
import { canonicalize, eventLeafHash, isTrustError, parseClientId, signEventBatchLeaves, verifyEvent } from '../../trust/index.js';
import type { GatewayTrust } from '../access/gateway-trust.js';
import type { EventsConfig } from '../config/gateway-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { assertCloudEventAttributes, createCloudEvent, InvalidEventError, toTransportRecord, type CloudEvent, type TransportRecord } from './cloud-event.js';
import { domainOf, EventCatalogue, topicFor, type EventSensitivity, type MemberState } from './event-catalogue.js';
import { EmbeddedEventTransport } from './embedded-event-transport.js';
import { EventOutbox, type OutboxEntry } from './event-outbox.js';
import { EventProcessor, SeenEventIds, signable, signCloudEvent } from './event-processor.js';
import type { EventSubscription, EventTransport } from './event-transport.js';
import { KafkaEventTransport } from './kafka-event-transport.js';
import { BatchCursors, decodeEventCursor, ReceivedEventStore, type ReadEventsPage, type ReceivedEvent } from './received-event-store.js';

/** The event type whose verified arrival makes the gateway refresh its revocation state. */
export const CERTIFICATE_REVOKED_EVENT = 'gcc.trust.certificate.revoked.v1';

/** Who an event is for: one member state (`gcc.<state>.<domain>`) or all (`gcc.all.<domain>`). */
export type EventAudience = MemberState | 'all';

/** A delivered event as readers see it: the entry, its catch-up cursor and its data's sensitivity. */
export interface EventDelivery {
  readonly entry: ReceivedEvent;
  /** Catch-up position just after this event, for `events(after:)`. */
  readonly cursor: string;
  readonly sensitivity: EventSensitivity;
}

/** What `publishEvent` carries: the event as its producer signed it, and who it is for. */
export interface SignedEventInput {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly data: unknown;
  /** The producer's detached JWS over the RFC 8785 canonical event (`ce_jws`). */
  readonly signature: string;
  readonly audience: EventAudience;
}

/** One page of `events(after:)`. */
export interface CatchUpPage extends Omit<ReadEventsPage, 'edges'> {
  readonly edges: readonly EventDelivery[];
}

export interface PublishedEvent {
  readonly eventId: string;
  readonly topic: string;
}

/** Which topics a reader from `state` may see: its own state's and the broadcast ones. */
export function readableTopics(state: MemberState): (topic: string) => boolean {
  const own = `gcc.${state.toLowerCase()}.`;
  return (topic) => (topic.startsWith(own) || topic.startsWith('gcc.all.')) && !topic.endsWith('.dlq');
}

export interface GatewayEvents {
  /** The gateway's member state (from its signing certificate's ClientId). */
  readonly state: MemberState;
  readonly catalogue: EventCatalogue;
  readonly transport: EventTransport;
  /** Topics this gateway consumes: its own state's and the broadcast ones, for every domain. */
  readonly topics: readonly string[];
  readonly consumerGroup: string;
  /** Where adapters hand their domain events: signed by the gateway, written to the outbox. */
  readonly adapterSink: AdapterEventSink;
  /**
   * Publishes an event signed by its producer (the GraphQL `publishEvent`): verifies the signature
   * (path validation, revocation, signer = `source`), that `source` is the caller, and the data
   * against its schema; then writes it to the outbox. Throws `GatewayError` (ERR_EVENT_*).
   */
  publish(input: SignedEventInput, callerClientId: string | undefined): Promise<PublishedEvent>;
  /** Publishes an event the gateway itself produces (source = the gateway's ClientId, signed by it). */
  publishAsGateway(event: AdapterEvent, audience?: EventAudience): Promise<PublishedEvent>;
  /** Catch-up for a reader of `state`: one page of verified events after `after`. */
  catchUp(options: { readonly state: MemberState; readonly after?: string | undefined; readonly types?: readonly string[] | undefined; readonly first: number }): CatchUpPage;
  /** Live events for a reader of `state`, from now on; end it with `return()`. */
  subscribe(options: { readonly state: MemberState; readonly types?: readonly string[] | undefined }): AsyncIterableIterator<EventDelivery>;
  /** Replays a partition from an offset through the consumer pipeline (verification and dedupe again). */
  replay(topic: string, partition: number, offset: number): Promise<void>;
  /** Replays every partition of a topic from a time. */
  replayFromTime(topic: string, time: Date): Promise<void>;
  /** Resolves when everything written to the outbox so far has been published. */
  drained(): Promise<void>;
  /** Live subscribers. */
  readonly subscriberCount: number;
  close(): Promise<void>;
}

export interface StartGatewayEventsOptions {
  readonly config: EventsConfig;
  readonly trust: GatewayTrust;
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics;
  /**
   * Called for each verified `gcc.trust.certificate.revoked.v1` whose producer belongs to the
   * state of the revoking CA; the runtime refreshes revocation state (`trust.refreshRevocation()`).
   */
  readonly onCertificateRevoked?: (event: CloudEvent) => void | Promise<void>;
  /** Events queued per live subscriber before it is ended as too slow. @default 1000 */
  readonly subscriberQueueMax?: number;
}

/**
 * The gateway's events machinery (DESIGN.md, "Cross-border events"): the configured transport, the
 * durable outbox and its relay, the consumer pipeline (signature, schema, dedupe, dead letters) on
 * the gateway's own state's topics and the broadcast ones, the store of verified events for
 * catch-up, live fan-out to subscribers, the adapters' sink, and the revocation trigger.
 */
export async function startGatewayEvents(options: StartGatewayEventsOptions): Promise<GatewayEvents> {
  const { config, trust } = options;
  const logger = options.logger.child({ component: 'events' });
  const identity = parseClientId(trust.gatewayClientId);
  if (identity === undefined) throw new GatewayError('ERR_CONFIG_INVALID', { message: `the gateway's ClientId ${trust.gatewayClientId} is not a valid ClientId` });
  const state = identity.state;
  const catalogue = EventCatalogue.load();
  const topics = catalogue.domains.flatMap((domain) => [topicFor(state, domain), topicFor('all', domain)]);
  const consumerGroup = config.consumerGroup ?? `gccgw.${trust.gatewayClientId}`;
  const subscriberQueueMax = options.subscriberQueueMax ?? 1000;
  const metrics = options.metrics !== undefined ? eventMetrics(options.metrics) : undefined;

  const transport: EventTransport =
    config.transport === 'kafka'
      ? new KafkaEventTransport({
          brokers: config.kafka?.brokers ?? [],
          clientId: config.kafka?.clientId ?? 'gccgw',
          partitions: config.kafka?.partitions ?? 3,
          requestTimeoutMillis: config.kafka?.requestTimeoutMillis ?? 10_000,
          ssl: config.kafka?.ssl ?? false,
          logger,
        })
      : new EmbeddedEventTransport({ dir: config.embedded.dir, partitions: config.embedded.partitions, logger });
  const cleanups: Array<() => Promise<void> | void> = [() => transport.close()];
  const closeAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.warn({ err: error }, 'error while stopping events');
      }
    }
  };

  try {
    const store = ReceivedEventStore.open({ dir: config.received.dir, maxEvents: config.received.maxEvents, logger });
    cleanups.push(() => store.close());
    const seen = new SeenEventIds();
    for (const id of store.recentIds(seen.capacity)) seen.add(id);

    const subscribers = new Set<Subscriber>();
    const revocationHandler = async (event: CloudEvent): Promise<void> => {
      const issuerState = (event.data as { state?: unknown }).state;
      const producerState = parseClientId(event.source)?.state;
      if (issuerState !== producerState) {
        // Anyone trusted may sign events, but only the revoking CA's state may announce its revocations.
        logger.warn({ eventId: event.id, source: event.source, issuerState }, 'revocation event from another state than the CA\u2019s: no refresh');
        return;
      }
      logger.info({ eventId: event.id, source: event.source, serialNumber: (event.data as { serialNumber?: unknown }).serialNumber }, 'certificate revoked: refreshing revocation state');
      await options.onCertificateRevoked?.(event);
    };

    const processor = new EventProcessor({
      catalogue,
      // The consumer checks the records of a batch at once (up to a revocation event, which takes
      // effect before the next record is checked; see EventProcessor.handleBatch): a known signer's
      // P-256 verification runs on the libuv thread pool, off the event loop (~100 µs per event
      // there, ~12 µs here; bench/events/README.md).
      trust: { ...trust.signatureTrust, offloadSignatureChecks: true },
      transport,
      seen,
      logger,
      // A revocation refreshes revocation state before the records after it are verified.
      flushAfter: (event) => event.type === CERTIFICATE_REVOKED_EVENT,
      deliver: async (deliveries) => {
        // Kept (written, then indexed) before any subscriber is offered them, as catch-up readers see them.
        const { before, entries } = await store.appendBatch(deliveries.map(({ event, record }) => ({ position: record, event })));
        // Each event's cursor is the position just after it, made only if its subscriber reads it.
        const cursors = subscribers.size > 0 ? new BatchCursors(before, entries) : undefined;
        for (let i = 0; i < deliveries.length; i++) {
          const entry = entries[i];
          const { event } = deliveries[i] as (typeof deliveries)[number];
          if (entry !== undefined) {
            metrics?.delivered.inc({ type: event.type });
            if (cursors !== undefined) {
              const sensitivity = catalogue.sensitivityOf(event.type);
              const index = i;
              for (const subscriber of subscribers) subscriber.offer(entry, sensitivity, (readable) => cursors.after(index, readable));
            }
          }
          if (event.type === CERTIFICATE_REVOKED_EVENT) await revocationHandler(event);
        }
      },
    });

    /**
     * Batch signing (events.signing.mode: batch): the relay signs the events of each batch it
     * publishes that carry a leaf hash with one JWS over their Merkle root, and gives each its
     * inclusion proof. Installed whatever the mode, so entries queued in batch mode before a
     * restart in event mode are still signed. Re-sent batches are signed again (new JWS, same ids).
     */
    const signBatch = async (entries: readonly OutboxEntry[]): Promise<TransportRecord[]> => {
      const leaves = entries.flatMap((entry) => (entry.leaf !== undefined ? [Buffer.from(entry.leaf, 'base64url')] : []));
      if (leaves.length === 0) return entries.map((entry) => entry.record);
      const batch = await signEventBatchLeaves({ leafHashes: leaves, signer: trust.signer });
      let next = 0;
      return entries.map((entry) => (entry.leaf === undefined ? entry.record : { ...entry.record, headers: { ...entry.record.headers, ce_jws: batch.jws, ce_jwsproof: batch.proofs[next++] as string } }));
    };

    const outbox = new EventOutbox({ dir: config.outbox.dir, transport, batchSize: config.outbox.batchSize, retryMillis: config.outbox.retryMillis, prepare: signBatch, logger });
    outbox.start();
    cleanups.push(() => outbox.close());

    const subscription: EventSubscription = await transport.subscribe({ groupId: consumerGroup, topics, fromBeginning: config.startAt === 'earliest', handle: processor.handle, handleBatch: processor.handleBatch });
    cleanups.push(() => subscription.close());
    cleanups.push(() => {
      for (const subscriber of subscribers) subscriber.end();
    });

    /** `leaf`: the event is unsigned and the relay signs it in a batch (base64url Merkle leaf hash). */
    const enqueue = async (event: CloudEvent, audience: EventAudience, leaf?: string, valueJson?: string): Promise<PublishedEvent> => {
      const topic = topicFor(audience, domainOf(event.type));
      try {
        const record = toTransportRecord(event, topic, valueJson);
        await outbox.add([leaf !== undefined ? { record, leaf } : record]);
      } catch (cause) {
        logger.error({ err: cause, eventId: event.id, topic }, 'could not write the event to the outbox');
        throw new GatewayError('ERR_EVENTS_UNAVAILABLE', { cause });
      }
      metrics?.published.inc({ topic });
      return { eventId: event.id, topic };
    };

    const publish = async (input: SignedEventInput, callerClientId: string | undefined): Promise<PublishedEvent> => {
      let event: CloudEvent;
      try {
        event = { specversion: '1.0', id: input.id, source: input.source, type: input.type, subject: input.subject, time: input.time, datacontenttype: 'application/json', data: input.data as Record<string, unknown>, jws: input.signature };
        assertCloudEventAttributes(event);
      } catch (cause) {
        throw new GatewayError('ERR_EVENT_INVALID', { message: cause instanceof InvalidEventError ? `The event is not a valid CloudEvent: ${cause.message}` : undefined, cause });
      }
      // The caller publishes as itself only (X-Road style: the signer, the source and the TLS client are one member).
      if (callerClientId === undefined || event.source !== callerClientId) {
        throw new GatewayError('ERR_EVENT_SOURCE_NOT_CALLER', { message: `The event source ${event.source} is not the calling client${callerClientId !== undefined ? ` ${callerClientId}` : ''}.` });
      }
      if (!catalogue.has(event.type)) throw new GatewayError('ERR_EVENT_TYPE_UNKNOWN', { message: `No event type ${event.type} in the catalogue; known types: ${catalogue.types.join(', ')}.` });
      try {
        const { jws: _jws, ...signable } = event;
        await verifyEvent({ event: signable, signature: input.signature, trust: trust.signatureTrust });
      } catch (cause) {
        if (!isTrustError(cause)) throw cause;
        throw new GatewayError('ERR_EVENT_SIGNATURE_INVALID', { message: `The event signature was refused: ${cause.message}`, cause, details: { trustCode: cause.code } });
      }
      try {
        catalogue.validate(event);
      } catch (cause) {
        if (!(cause instanceof InvalidEventError)) throw cause;
        throw new GatewayError('ERR_EVENT_SCHEMA_INVALID', { message: cause.message, cause });
      }
      return enqueue(event, input.audience);
    };

    const publishAsGateway = async (adapterEvent: AdapterEvent, audience?: EventAudience): Promise<PublishedEvent> => {
      // A JSON round trip drops `undefined` members, which RFC 8785 canonical JSON cannot carry.
      const data = JSON.parse(JSON.stringify(adapterEvent.data)) as Record<string, unknown>;
      // Canonicalised once (RFC 8785, depth as for the whole event): the deterministic id, the
      // signing input or leaf hash, and the record value are all built from this one string.
      const canonicalData = canonicalize(data, { maxDepth: 31 });
      const unsigned = createCloudEvent({
        // The same adapter event always gets the same id, so a re-sent one is dropped as a duplicate.
        id: deterministicEventId(adapterEvent.type, adapterEvent.subject, adapterEvent.time, data, canonicalData),
        source: trust.gatewayClientId,
        type: adapterEvent.type,
        subject: adapterEvent.subject,
        time: adapterEvent.time,
        data,
      });
      catalogue.validate(unsigned);
      const to = audience ?? defaultAudience(unsigned, state);
      if (config.signing.mode === 'batch') return enqueue(unsigned, to, eventLeafHash(signable(unsigned), canonicalData).toString('base64url'), canonicalData);
      return enqueue(await signCloudEvent(unsigned, trust.signer, canonicalData), to, undefined, canonicalData);
    };

    const gatewayEvents: GatewayEvents = {
      state,
      catalogue,
      transport,
      topics,
      consumerGroup,
      adapterSink: {
        publish: async (event) => {
          await publishAsGateway(event);
        },
      },
      publish,
      publishAsGateway,
      catchUp: ({ state: readerState, after, types, first }) => {
        const typeSet = types !== undefined && types.length > 0 ? new Set(types) : undefined;
        const page = store.read({
          readable: readableTopics(readerState),
          ...(after !== undefined ? { after: decodeEventCursor(after) } : {}),
          ...(typeSet !== undefined ? { types: typeSet } : {}),
          first,
        });
        return { ...page, edges: page.edges.map((edge) => ({ ...edge, sensitivity: catalogue.sensitivityOf(edge.entry.event.type) })) };
      },
      subscribe: ({ state: readerState, types }) => {
        const subscriber = new Subscriber(readableTopics(readerState), types !== undefined && types.length > 0 ? new Set(types) : undefined, subscriberQueueMax, () => {
          subscribers.delete(subscriber);
          metrics?.subscribers.set(subscribers.size);
        });
        subscribers.add(subscriber);
        metrics?.subscribers.set(subscribers.size);
        return subscriber;
      },
      replay: (topic, partition, offset) => subscription.seek(topic, partition, offset),
      replayFromTime: (topic, time) => subscription.seekToTime(topic, time),
      drained: () => outbox.drained(),
      get subscriberCount() {
        return subscribers.size;
      },
      close: closeAll,
    };
    logger.info({ transport: transport.kind, state, topics, consumerGroup, received: store.size, outboxPending: outbox.pending }, 'events started');
    return gatewayEvents;
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Where an event the gateway produces goes when its producer did not say: an employment change to
 * the national's home state (pension protection extension), a secondment to the host entity's
 * state, trust events to everyone, anything else to the gateway's own state.
 */
export function defaultAudience(event: CloudEvent, ownState: MemberState): EventAudience {
  const data = event.data as Record<string, unknown>;
  const stateIn = (value: unknown): MemberState | undefined => (typeof value === 'string' && /^(BH|KW|OM|QA|SA|AE)$/.test(value) ? (value as MemberState) : undefined);
  if (event.type.startsWith('gcc.trust.')) return 'all';
  if (event.type.startsWith('gcc.hr.employment.')) return stateIn(data['nationality']) ?? ownState;
  if (event.type === 'gcc.hr.secondment.requested.v1') return stateIn((data['hostEntity'] as { state?: unknown } | undefined)?.state) ?? ownState;
  return ownState;
}

/**
 * A stable id for an event the gateway produces: SHA-256 of its canonical content, as a UUID-shaped
 * string. `canonicalData`, when given, must be `canonicalize(data)`; the RFC 8785 object
 * `{ data, subject, time, type }` (members in §3.2.3 order) is then joined around it.
 */
export function deterministicEventId(type: string, subject: string, time: string, data: unknown, canonicalData?: string): string {
  const canonical =
    canonicalData === undefined
      ? canonicalize({ type, subject, time, data })
      : `{"data":${canonicalData},"subject":${canonicalize(subject)},"time":${canonicalize(time)},"type":${canonicalize(type)}}`;
  const hex = hash('sha256', canonical, 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * One live subscriber: a bounded queue between the consumer pipeline (which must not wait for a
 * slow WebSocket client) and the subscription's iterator. A subscriber that falls `max` events
 * behind is ended with ERR_EVENT_STREAM_OVERFLOW; it catches up with `events(after:)`.
 */
class Subscriber implements AsyncIterableIterator<EventDelivery> {
  readonly #queue: EventDelivery[] = [];
  #waiting: ((result: IteratorResult<EventDelivery>) => void) | undefined;
  #failWaiting: ((error: unknown) => void) | undefined;
  #done = false;
  #error: GatewayError | undefined;

  constructor(
    private readonly readable: (topic: string) => boolean,
    private readonly types: ReadonlySet<string> | undefined,
    private readonly max: number,
    private readonly onEnd: () => void,
  ) {}

  offer(entry: ReceivedEvent, sensitivity: EventSensitivity, cursorFor: (readable: (topic: string) => boolean) => string): void {
    if (this.#done || !this.readable(entry.topic) || (this.types !== undefined && !this.types.has(entry.event.type))) return;
    const readable = this.readable;
    let cursor: string | undefined;
    // The cursor is encoded when the subscription reads it (off the consumer's batch).
    const delivery: EventDelivery = {
      entry,
      sensitivity,
      get cursor() {
        return (cursor ??= cursorFor(readable));
      },
    };
    if (this.#waiting !== undefined) {
      const resolve = this.#waiting;
      this.#waiting = undefined;
      this.#failWaiting = undefined;
      resolve({ value: delivery, done: false });
      return;
    }
    if (this.#queue.length >= this.max) {
      this.#error = new GatewayError('ERR_EVENT_STREAM_OVERFLOW');
      this.#queue.length = 0;
      this.#finish();
      return;
    }
    this.#queue.push(delivery);
  }

  /** Ends the stream (gateway stopping). */
  end(): void {
    this.#finish();
  }

  next(): Promise<IteratorResult<EventDelivery>> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve({ value: queued, done: false });
    if (this.#error !== undefined) {
      const error = this.#error;
      this.#error = undefined;
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<EventDelivery>> {
    this.#queue.length = 0;
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<EventDelivery> {
    return this;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.onEnd();
    const resolve = this.#waiting;
    const reject = this.#failWaiting;
    this.#waiting = undefined;
    this.#failWaiting = undefined;
    if (this.#error !== undefined && reject !== undefined) {
      const error = this.#error;
      this.#error = undefined;
      reject(error);
    } else {
      resolve?.({ value: undefined, done: true });
    }
  }
}

function eventMetrics(metrics: GatewayMetrics): { published: Counter<'topic'>; delivered: Counter<'type'>; subscribers: Gauge } {
  const registers = [metrics.registry];
  const existing = (name: string): unknown => metrics.registry.getSingleMetric(name);
  return {
    published: (existing('gccgw_events_published_total') as Counter<'topic'> | undefined) ?? new Counter({ name: 'gccgw_events_published_total', help: 'Events written to the outbox, by topic', labelNames: ['topic'], registers }),
    delivered: (existing('gccgw_events_delivered_total') as Counter<'type'> | undefined) ?? new Counter({ name: 'gccgw_events_delivered_total', help: 'Events verified and delivered, by type', labelNames: ['type'], registers }),
    subscribers: (existing('gccgw_events_subscribers') as Gauge | undefined) ?? new Gauge({ name: 'gccgw_events_subscribers', help: 'Live event subscriptions', registers }),
  };
}
