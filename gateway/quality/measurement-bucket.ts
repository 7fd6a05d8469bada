import { isCallerState, type CallClass, type CallerState } from './call-outcome.js';
import { addHistogram, bucketIndex, emptyHistogram, histogramCount, LATENCY_BUCKET_BOUNDS_MILLIS, type LatencyHistogram } from './slo-arithmetic.js';

/** The calls of one series (service, caller state) in one time slot, merged: counts add up. */
export interface MeasurementBucket {
  requests: number;
  failures: number;
  clientErrors: number;
  latency: LatencyHistogram;
  /** Error codes seen (failures and client errors), with their counts. */
  errors: Map<string, number>;
}

/** A bucket holds at most this many distinct error codes; the rest count under `OTHER`. */
const MAX_CODES_PER_BUCKET = 32;

export function emptyBucket(): MeasurementBucket {
  return { requests: 0, failures: 0, clientErrors: 0, latency: emptyHistogram(), errors: new Map() };
}

export function addCall(bucket: MeasurementBucket, callClass: CallClass, latencyMillis: number, codes: readonly string[]): void {
  bucket.requests += 1;
  if (callClass === 'failure') bucket.failures += 1;
  else if (callClass === 'client_error') bucket.clientErrors += 1;
  const index = bucketIndex(latencyMillis);
  bucket.latency[index] = (bucket.latency[index] as number) + 1;
  for (const code of codes) addCode(bucket, code, 1);
}

export function mergeBucket(into: MeasurementBucket, from: MeasurementBucket): void {
  into.requests += from.requests;
  into.failures += from.failures;
  into.clientErrors += from.clientErrors;
  addHistogram(into.latency, from.latency);
  for (const [code, count] of from.errors) addCode(into, code, count);
}

function addCode(bucket: MeasurementBucket, code: string, count: number): void {
  const key = bucket.errors.has(code) || bucket.errors.size < MAX_CODES_PER_BUCKET ? code : 'OTHER';
  bucket.errors.set(key, (bucket.errors.get(key) ?? 0) + count);
}

/**
 * One stored line (JSON lines, one bucket per line):
 *
 *     {"v":1,"r":"m","t":"2026-11-22T10:05:00.000Z","s":"mawared","st":"QA","n":120,"f":2,"c":1,
 *      "h":[0,3,...],"e":{"ERR_SUBGRAPH_TIMEOUT":2,"ERR_BAD_USER_INPUT":1}}
 *
 * v: format version; r: resolution, `m` a minute or `h` an hour (after compaction); t: start of
 * the slot (UTC); s: service; st: caller state (member state, `unknown` or `probe`); n: calls;
 * f: failures; c: client errors; h: latency histogram over LATENCY_BUCKET_BOUNDS_MILLIS; e: error
 * codes. Several lines may hold the same slot and series (e.g. around a restart): readers add them.
 */
export interface StoredBucketLine {
  readonly v: 1;
  readonly r: 'm' | 'h';
  readonly t: string;
  readonly s: string;
  readonly st: CallerState;
  readonly n: number;
  readonly f: number;
  readonly c: number;
  readonly h: readonly number[];
  readonly e?: Readonly<Record<string, number>>;
}

export function toLine(resolution: 'm' | 'h', startMillis: number, service: string, state: CallerState, bucket: MeasurementBucket): StoredBucketLine {
  return {
    v: 1,
    r: resolution,
    t: new Date(startMillis).toISOString(),
    s: service,
    st: state,
    n: bucket.requests,
    f: bucket.failures,
    c: bucket.clientErrors,
    h: [...bucket.latency],
    ...(bucket.errors.size > 0 ? { e: Object.fromEntries(bucket.errors) } : {}),
  };
}

export function fromLine(line: StoredBucketLine): MeasurementBucket {
  return {
    requests: line.n,
    failures: line.f,
    clientErrors: line.c,
    latency: [...line.h],
    errors: new Map(Object.entries(line.e ?? {})),
  };
}

const count = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

/** Whether a parsed line is a well-formed bucket (the crash-recovery and readers' acceptance test). */
export function isStoredBucketLine(value: unknown): value is StoredBucketLine {
  if (typeof value !== 'object' || value === null) return false;
  const line = value as Partial<StoredBucketLine>;
  if (line.v !== 1 || (line.r !== 'm' && line.r !== 'h')) return false;
  if (typeof line.t !== 'string' || Number.isNaN(Date.parse(line.t))) return false;
  if (typeof line.s !== 'string' || !/^[a-z][a-z0-9-]{0,62}$/.test(line.s) || !isCallerState(line.st)) return false;
  if (!count(line.n) || !count(line.f) || !count(line.c) || line.f + line.c > line.n) return false;
  if (!Array.isArray(line.h) || line.h.length !== LATENCY_BUCKET_BOUNDS_MILLIS.length + 1 || !line.h.every(count) || histogramCount(line.h) !== line.n) return false;
  if (line.e !== undefined && (typeof line.e !== 'object' || line.e === null || !Object.values(line.e).every(count))) return false;
  return true;
}
