import { randomUUID } from 'node:crypto';

/**
 * A cross-border event: CloudEvents 1.0 (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md)
 * with JSON data. `source` is the producer's ClientId, `subject` the entity it is about.
 */
export interface CloudEvent<T = Record<string, unknown>> {
  readonly specversion: '1.0';
  readonly id: string;
  /** The producing member system's ClientId, e.g. `GCC:QA:GOV:CSGDB:hr-portal` (an absolute URI). */
  readonly source: string;
  /** e.g. `gcc.hr.employment.ended.v1`. */
  readonly type: string;
  readonly subject: string;
  /** RFC 3339. */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: T;
  /**
   * Detached JWS (`ce_jws`): over the RFC 8785 canonical event without `jws` and `jwsproof`, or,
   * for a batch-signed event, over the Merkle root of its batch. Absent until signed.
   */
  readonly jws?: string;
  /** A batch-signed event's inclusion proof (`ce_jwsproof`: leaf index, tree size, audit path). */
  readonly jwsproof?: string;
}

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(
    message: string,
    /** Machine-readable reason, carried to the dead-letter topic. */
    readonly reason: 'malformed' | 'schema' | 'signature' | 'unknown-type',
  ) {
    super(message);
  }
}

const TYPE = /^gcc(\.[a-z][a-z0-9-]*)+\.v[0-9]+$/;
const SOURCE = /^GCC:(BH|KW|OM|QA|SA|AE):[A-Z0-9]{2,16}:[A-Za-z0-9-]{1,64}(:[A-Za-z0-9._-]{1,64})?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function createCloudEvent<T extends Record<string, unknown>>(init: { source: string; type: string; subject: string; data: T; id?: string; time?: string }): CloudEvent<T> {
  const event: CloudEvent<T> = {
    specversion: '1.0',
    id: init.id ?? randomUUID(),
    source: init.source,
    type: init.type,
    subject: init.subject,
    time: init.time ?? new Date().toISOString(),
    datacontenttype: 'application/json',
    data: init.data,
  };
  assertCloudEventAttributes(event);
  return event;
}

/** Checks the context attributes (CloudEvents §3.1, with this project's stricter formats). */
export function assertCloudEventAttributes(event: CloudEvent<unknown>): void {
  const fail = (message: string): never => {
    throw new InvalidEventError(message, 'malformed');
  };
  if (event.specversion !== '1.0') fail(`specversion must be "1.0"`);
  if (typeof event.id !== 'string' || event.id.length === 0 || event.id.length > 128) fail('id must be a string of 1 to 128 characters');
  if (typeof event.source !== 'string' || !SOURCE.test(event.source)) fail(`source must be a ClientId (GCC:<STATE>:<CLASS>:<MEMBER>[:<SUBSYSTEM>]), got "${String(event.source).slice(0, 80)}"`);
  if (typeof event.type !== 'string' || !TYPE.test(event.type)) fail(`type must look like gcc.<domain>.<name>.v<N>, got "${String(event.type).slice(0, 80)}"`);
  if (typeof event.subject !== 'string' || event.subject.length === 0 || event.subject.length > 200) fail('subject must be a string of 1 to 200 characters');
  if (typeof event.time !== 'string' || !RFC3339.test(event.time) || Number.isNaN(Date.parse(event.time))) fail('time must be an RFC 3339 timestamp');
  if (event.datacontenttype !== 'application/json') fail('datacontenttype must be application/json');
  if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) fail('data must be a JSON object');
}

/** One record as transports carry it. */
export interface TransportRecord {
  readonly topic: string;
  /** Partition key: the event subject, so events about one entity stay in order. */
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: string;
  /** Milliseconds since the epoch; the transport sets it when absent. */
  readonly timestamp?: number;
}

/**
 * CloudEvents Kafka protocol binding, binary content mode (§3.2): context attributes as `ce_`
 * headers, `content-type` header, the data as the record value, the subject as the key.
 */
export function toTransportRecord(event: CloudEvent<unknown>, topic: string, /** The data as JSON, when the caller has it (e.g. its canonical form). */ valueJson?: string): TransportRecord {
  const headers: Record<string, string> = {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_subject: event.subject,
    ce_time: event.time,
    'content-type': event.datacontenttype,
  };
  if (event.jws !== undefined) headers['ce_jws'] = event.jws;
  if (event.jwsproof !== undefined) headers['ce_jwsproof'] = event.jwsproof;
  return { topic, key: event.subject, headers, value: valueJson ?? JSON.stringify(event.data), timestamp: Date.parse(event.time) };
}

export function fromTransportRecord(record: Pick<TransportRecord, 'headers' | 'value'>): CloudEvent {
  const h = record.headers;
  let data: unknown;
  try {
    data = JSON.parse(record.value);
  } catch {
    throw new InvalidEventError('the record value is not JSON', 'malformed');
  }
  const event = {
    specversion: h['ce_specversion'],
    id: h['ce_id'],
    source: h['ce_source'],
    type: h['ce_type'],
    subject: h['ce_subject'],
    time: h['ce_time'],
    datacontenttype: h['content-type'],
    data,
    ...(h['ce_jws'] !== undefined ? { jws: h['ce_jws'] } : {}),
    ...(h['ce_jwsproof'] !== undefined ? { jwsproof: h['ce_jwsproof'] } : {}),
  } as CloudEvent;
  assertCloudEventAttributes(event);
  return event;
}
