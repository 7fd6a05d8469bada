import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { GatewayError } from '../errors/gateway-error.js';
import { parseJsonLine, recoverJsonLines } from '../util/json-lines-file.js';
import type { CallClass, CallerState } from './call-outcome.js';
import { addCall, emptyBucket, fromLine, isStoredBucketLine, mergeBucket, toLine, type MeasurementBucket, type StoredBucketLine } from './measurement-bucket.js';
import { acquireDirectoryLock, releaseDirectoryLock } from '../util/directory-lock.js';

export const MINUTE_MILLIS = 60_000;
export const HOUR_MILLIS = 60 * MINUTE_MILLIS;
export const DAY_MILLIS = 24 * HOUR_MILLIS;

/** Minutes kept in memory at minute resolution (burn-rate windows of 5 minutes and 1 hour need them). */
const RECENT_MINUTES = 120;
const MEASUREMENTS_DIR = 'measurements';
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

export interface QualityStoreOptions {
  /** The store's directory (`quality.dir`); measurements go to `<dir>/measurements/<YYYY-MM-DD>.jsonl`. */
  readonly dir: string;
  /** Day files older than this are deleted. @default 400 */
  readonly retentionDays?: number;
  /** Day files older than this are compacted from minute to hour buckets. @default 2 */
  readonly compactAfterDays?: number;
  /** How many days are loaded into memory for windows and charts. @default 31 */
  readonly memoryDays?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** One measured call. */
export interface Measurement {
  readonly service: string;
  readonly state: CallerState;
  readonly latencyMillis: number;
  readonly class: CallClass;
  readonly codes: readonly string[];
}

/** Which series a question is about: one service, and one caller state or all of them. */
export interface SeriesSelector {
  readonly service: string;
  /** Undefined: every state of the service, probes included. */
  readonly state?: CallerState | undefined;
}

/**
 * The measurement time series of the embedded mode: per (service, caller state), one bucket a
 * minute with counts and a fixed-bucket latency histogram, appended as JSON lines to one file per
 * UTC day. Durable and crash-safe like the other logs here: a minute is written and fsync'd once
 * it is over (and the current one at close); on open, a torn last line is cut off
 * (`recoverJsonLines`). Old days are compacted to hour buckets (written to a temporary file,
 * fsync'd, then renamed over the day file, so a crash leaves either version whole) and deleted
 * after the retention period. One process writes a directory at a time.
 *
 * The last `memoryDays` are also held in memory by hour (and the last two hours by minute), so the
 * status page and the Prometheus gauges never read files.
 */
export class QualityStore {
  readonly dir: string;
  readonly #measurementsDir: string;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;
  readonly #retentionDays: number;
  readonly #compactAfterDays: number;
  readonly #memoryDays: number;
  /** Not yet on disk, by minute start, then series key. */
  readonly #pending = new Map<number, Map<string, MeasurementBucket>>();
  readonly #minutes = new Map<string, Map<number, MeasurementBucket>>();
  readonly #hours = new Map<string, Map<number, MeasurementBucket>>();
  #lastMaintenanceDay = '';
  #closed = false;

  private constructor(options: QualityStoreOptions) {
    this.dir = options.dir;
    this.#measurementsDir = join(options.dir, MEASUREMENTS_DIR);
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
    this.#retentionDays = options.retentionDays ?? 400;
    this.#compactAfterDays = options.compactAfterDays ?? 2;
    this.#memoryDays = options.memoryDays ?? 31;
  }

  /**
   * Opens (or creates) a store: takes the directory's lock, recovers a torn tail, compacts and
   * prunes old days, loads recent ones. Refuses (ERR_CONFIG_INVALID) a directory another live
   * process has open: two writers would cut each other's lines on recovery.
   */
  static open(options: QualityStoreOptions): QualityStore {
    const store = new QualityStore(options);
    mkdirSync(store.#measurementsDir, { recursive: true });
    acquireLock(options.dir);
    try {
      store.#recoverAndLoad();
    } catch (error) {
      releaseLock(options.dir);
      throw error;
    }
    return store;
  }

  #recoverAndLoad(): void {
    for (const name of readdirSync(this.#measurementsDir)) {
      // A compaction that did not finish leaves its temporary file; the day file is still whole.
      if (name.endsWith('.tmp')) rmSync(join(this.#measurementsDir, name), { force: true });
    }
    // Only the newest files are ever appended to, so only they can end in a torn line.
    for (const file of dayFiles(this.#measurementsDir).slice(-2)) {
      const recovered = recoverJsonLines(join(this.#measurementsDir, file.name), (line) => isStoredBucketLine(parseJsonLine(line)));
      if (recovered.droppedBytes > 0) this.#logger?.warn({ file: file.name, droppedBytes: recovered.droppedBytes }, 'quality store: cut a torn or damaged tail');
    }
    this.maintain();
    this.#load();
  }

  /** Adds one call to the current minute. */
  record(measurement: Measurement): void {
    if (this.#closed) return;
    const now = this.#now();
    const key = seriesKey(measurement.service, measurement.state);
    const minute = floorTo(now, MINUTE_MILLIS);
    for (const bucket of [
      slot(mapOf(this.#pending, minute), key),
      slot(mapOf(this.#minutes, key), minute),
      slot(mapOf(this.#hours, key), floorTo(now, HOUR_MILLIS)),
    ]) {
      addCall(bucket, measurement.class, measurement.latencyMillis, measurement.codes);
    }
  }

  /**
   * Writes every minute that is over (all minutes with `all`, e.g. at close) and fsyncs; drops
   * memory that fell out of the windows; runs compaction and retention once a day.
   */
  flush(all = false): void {
    const now = this.#now();
    const currentMinute = floorTo(now, MINUTE_MILLIS);
    const byDay = new Map<string, StoredBucketLine[]>();
    for (const [minute, series] of [...this.#pending].sort(([a], [b]) => a - b)) {
      if (!all && minute >= currentMinute) continue;
      for (const [key, bucket] of series) {
        const { service, state } = parseSeriesKey(key);
        mapOf(byDay, dayKey(minute), () => []).push(toLine('m', minute, service, state, bucket));
      }
      this.#pending.delete(minute);
    }
    for (const [day, lines] of byDay) appendLines(join(this.#measurementsDir, `${day}.jsonl`), lines);

    for (const minutes of this.#minutes.values()) {
      for (const minute of minutes.keys()) if (minute < currentMinute - RECENT_MINUTES * MINUTE_MILLIS) minutes.delete(minute);
    }
    const oldestHour = floorTo(now, HOUR_MILLIS) - this.#memoryDays * DAY_MILLIS;
    for (const hours of this.#hours.values()) {
      for (const hour of hours.keys()) if (hour < oldestHour) hours.delete(hour);
    }
    if (dayKey(now) !== this.#lastMaintenanceDay) this.maintain();
  }

  /** Writes everything, including the minute in progress. Later records are ignored. */
  close(): void {
    if (this.#closed) return;
    try {
      this.flush(true);
    } finally {
      this.#closed = true;
      releaseLock(this.dir);
    }
  }

  /** The series seen in memory (service and state), sorted. */
  series(): Array<{ service: string; state: CallerState }> {
    return [...new Set([...this.#hours.keys(), ...this.#minutes.keys()])].sort().map(parseSeriesKey);
  }

  /**
   * The calls of the selected series from `fromMillis` to now, merged. Windows of up to two hours
   * are counted by minute, longer ones by hour, in whole slots: the slot in progress and those
   * after the one holding `fromMillis` (so "the last 24 hours" are the 24 hourly slots ending with
   * the current hour, as on the charts).
   */
  window(selector: SeriesSelector, fromMillis: number): MeasurementBucket {
    const now = this.#now();
    const fine = now - fromMillis <= RECENT_MINUTES * MINUTE_MILLIS;
    const unit = fine ? MINUTE_MILLIS : HOUR_MILLIS;
    const start = floorTo(fromMillis, unit) + (fromMillis % unit === 0 ? 0 : unit);
    const total = emptyBucket();
    for (const [key, slots] of fine ? this.#minutes : this.#hours) {
      if (!matches(key, selector)) continue;
      for (const [at, bucket] of slots) if (at >= start) mergeBucket(total, bucket);
    }
    return total;
  }

  /**
   * Merged buckets of the selected series for consecutive slots of `slotMillis` (a multiple of an
   * hour) ending with the slot that holds now, oldest first: the data of a chart.
   */
  history(selector: SeriesSelector, slotMillis: number, slots: number): Array<{ readonly startMillis: number; readonly bucket: MeasurementBucket }> {
    if (slotMillis % HOUR_MILLIS !== 0 || slotMillis <= 0) throw new RangeError('history slots are whole hours');
    const now = this.#now();
    const lastStart = floorTo(now, slotMillis);
    const firstStart = lastStart - (slots - 1) * slotMillis;
    const out = Array.from({ length: slots }, (_, i) => ({ startMillis: firstStart + i * slotMillis, bucket: emptyBucket() }));
    for (const [key, hours] of this.#hours) {
      if (!matches(key, selector)) continue;
      for (const [hour, bucket] of hours) {
        const index = Math.floor((hour - firstStart) / slotMillis);
        const target = out[index];
        if (target !== undefined) mergeBucket(target.bucket, bucket);
      }
    }
    return out;
  }

  /** Compaction of old days to hour buckets, and deletion of days past retention. */
  maintain(): void {
    const now = this.#now();
    this.#lastMaintenanceDay = dayKey(now);
    const today = floorTo(now, DAY_MILLIS);
    for (const file of dayFiles(this.#measurementsDir)) {
      const path = join(this.#measurementsDir, file.name);
      const age = Math.round((today - file.dayMillis) / DAY_MILLIS);
      if (age > this.#retentionDays) {
        rmSync(path, { force: true });
        this.#logger?.info({ file: file.name }, 'quality store: deleted a day past retention');
      } else if (age > this.#compactAfterDays) {
        compactDayFile(path);
      }
    }
  }

  #load(): void {
    const now = this.#now();
    const oldestHour = floorTo(now, HOUR_MILLIS) - this.#memoryDays * DAY_MILLIS;
    const oldestMinute = floorTo(now, MINUTE_MILLIS) - RECENT_MINUTES * MINUTE_MILLIS;
    for (const file of dayFiles(this.#measurementsDir)) {
      if (file.dayMillis + DAY_MILLIS <= oldestHour) continue;
      for (const line of readBucketLines(join(this.#measurementsDir, file.name))) {
        const at = Date.parse(line.t);
        const key = seriesKey(line.s, line.st);
        if (at >= oldestHour) mergeBucket(slot(mapOf(this.#hours, key), floorTo(at, HOUR_MILLIS)), fromLine(line));
        if (line.r === 'm' && at >= oldestMinute) mergeBucket(slot(mapOf(this.#minutes, key), at), fromLine(line));
      }
    }
  }
}

function acquireLock(dir: string): void {
  acquireDirectoryLock(dir, {
    sameProcess: 'refuse',
    refuse: (refusal) => {
      if (refusal.kind === 'io') return refusal.cause;
      return new GatewayError('ERR_CONFIG_INVALID', {
        message:
          refusal.kind === 'in-use'
            ? `the service-quality store ${dir} is in use by process ${refusal.owner} (quality.dir must differ per gateway)`
            : refusal.kind === 'same-process'
              ? `the service-quality store ${dir} is already open in this process`
              : `cannot lock the service-quality store ${dir}`,
      });
    },
  });
}

const releaseLock = releaseDirectoryLock;

/** Reads the stored buckets from `fromMillis` (inclusive) to `toMillis` (exclusive), without changing any file. */
export function readMeasurements(dir: string, fromMillis: number, toMillis: number): StoredBucketLine[] {
  const measurementsDir = join(dir, MEASUREMENTS_DIR);
  if (!existsSync(measurementsDir)) return [];
  const out: StoredBucketLine[] = [];
  for (const file of dayFiles(measurementsDir)) {
    if (file.dayMillis + DAY_MILLIS <= fromMillis || file.dayMillis >= toMillis) continue;
    for (const line of readBucketLines(join(measurementsDir, file.name))) {
      const at = Date.parse(line.t);
      if (at >= fromMillis && at < toMillis) out.push(line);
    }
  }
  return out;
}

/**
 * The well-formed lines of a day file. A reader never truncates (a running gateway may be
 * appending): a torn or damaged line is skipped.
 */
function readBucketLines(path: string): StoredBucketLine[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return [];
  }
  const out: StoredBucketLine[] = [];
  let position = 0;
  while (position < bytes.length) {
    const end = bytes.indexOf(0x0a, position);
    if (end < 0) break;
    const parsed = parseJsonLine<unknown>(bytes.subarray(position, end));
    if (isStoredBucketLine(parsed)) out.push(parsed);
    position = end + 1;
  }
  return out;
}

/** Rewrites a day file with one hour bucket per series and hour; no-op when it has no minute lines. */
function compactDayFile(path: string): void {
  const lines = readBucketLines(path);
  if (!lines.some((line) => line.r === 'm')) return;
  const merged = new Map<string, { hour: number; service: string; state: CallerState; bucket: MeasurementBucket }>();
  for (const line of lines) {
    const hour = floorTo(Date.parse(line.t), HOUR_MILLIS);
    const key = `${hour}\u0000${seriesKey(line.s, line.st)}`;
    let entry = merged.get(key);
    if (entry === undefined) {
      entry = { hour, service: line.s, state: line.st, bucket: emptyBucket() };
      merged.set(key, entry);
    }
    mergeBucket(entry.bucket, fromLine(line));
  }
  const ordered = [...merged.values()].sort((a, b) => a.hour - b.hour || a.service.localeCompare(b.service) || a.state.localeCompare(b.state));
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, ordered.map((e) => `${JSON.stringify(toLine('h', e.hour, e.service, e.state, e.bucket))}\n`).join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDirectory(dirname(path));
}

function appendLines(path: string, lines: readonly StoredBucketLine[]): void {
  if (lines.length === 0) return;
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

function dayFiles(dir: string): Array<{ name: string; dayMillis: number }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const day = DAY_FILE.exec(name)?.[1];
      const dayMillis = day !== undefined ? Date.parse(`${day}T00:00:00.000Z`) : Number.NaN;
      return Number.isNaN(dayMillis) ? [] : [{ name, dayMillis }];
    })
    .sort((a, b) => a.dayMillis - b.dayMillis);
}

export function floorTo(millis: number, unit: number): number {
  return millis - (((millis % unit) + unit) % unit);
}

/** `YYYY-MM-DD` of a time, in UTC. */
export function dayKey(millis: number): string {
  return new Date(millis).toISOString().slice(0, 10);
}

function seriesKey(service: string, state: CallerState): string {
  return `${service}\u0000${state}`;
}

function parseSeriesKey(key: string): { service: string; state: CallerState } {
  const at = key.indexOf('\u0000');
  return { service: key.slice(0, at), state: key.slice(at + 1) as CallerState };
}

function matches(key: string, selector: SeriesSelector): boolean {
  const { service, state } = parseSeriesKey(key);
  return service === selector.service && (selector.state === undefined || selector.state === state);
}

function mapOf<K, V>(map: Map<K, V>, key: K, create: () => V = () => new Map() as V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

function slot<K>(map: Map<K, MeasurementBucket>, key: K): MeasurementBucket {
  return mapOf(map, key, emptyBucket);
}
