import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../errors/gateway-error.js';
import { DAY_MILLIS, HOUR_MILLIS, MINUTE_MILLIS, QualityStore, readMeasurements } from './quality-store.js';
import { percentileMillis } from './slo-arithmetic.js';
import type { CallClass } from './call-outcome.js';

/** A clock the test moves by hand. */
function clock(start: number): { now: () => number; set: (t: number) => void; advance: (millis: number) => void } {
  let current = start;
  return { now: () => current, set: (t) => (current = t), advance: (millis) => (current += millis) };
}

const START = Date.UTC(2026, 10, 20, 10, 0, 30);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gccgw-quality-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function record(store: QualityStore, n: number, failures: number, latency: number, state: 'QA' | 'SA' | 'probe' = 'QA'): void {
  for (let i = 0; i < n; i++) {
    const callClass: CallClass = i < failures ? 'failure' : 'success';
    store.record({ service: 'mawared', state, class: callClass, latencyMillis: latency, codes: callClass === 'failure' ? ['ERR_SUBGRAPH_TIMEOUT'] : [] });
  }
}

describe('QualityStore', () => {
  it('keeps what was recorded across a restart: the counts, the failures, the latencies and the error codes', () => {
    const time = clock(START);
    const store = QualityStore.open({ dir, now: time.now });
    record(store, 100, 3, 40);
    time.advance(MINUTE_MILLIS);
    record(store, 50, 0, 400, 'SA');
    store.close();

    const reopened = QualityStore.open({ dir, now: time.now });
    const all = reopened.window({ service: 'mawared' }, START - HOUR_MILLIS);
    expect(all.requests).toBe(150);
    expect(all.failures).toBe(3);
    expect(all.errors.get('ERR_SUBGRAPH_TIMEOUT')).toBe(3);
    expect(reopened.window({ service: 'mawared', state: 'SA' }, START - HOUR_MILLIS).requests).toBe(50);
    expect(reopened.series()).toEqual([
      { service: 'mawared', state: 'QA' },
      { service: 'mawared', state: 'SA' },
    ]);
    reopened.close();
  });

  it('writes a minute once it is over and leaves the current one in memory until then', () => {
    const time = clock(START);
    const store = QualityStore.open({ dir, now: time.now });
    record(store, 10, 0, 5);
    store.flush();
    expect(readMeasurements(dir, 0, Date.now() + DAY_MILLIS)).toHaveLength(0);
    time.advance(MINUTE_MILLIS);
    store.flush();
    const lines = readMeasurements(dir, 0, START + DAY_MILLIS);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ v: 1, r: 'm', t: '2026-11-20T10:00:00.000Z', s: 'mawared', st: 'QA', n: 10, f: 0 });
    store.close();
  });

  it('cuts a torn last line on open (a crash in the middle of a write) and keeps every whole line', () => {
    const time = clock(START);
    const store = QualityStore.open({ dir, now: time.now });
    record(store, 7, 1, 30);
    time.advance(MINUTE_MILLIS);
    store.close();
    const file = join(dir, 'measurements', '2026-11-20.jsonl');
    const whole = readFileSync(file, 'utf8');
    appendFileSync(file, '{"v":1,"r":"m","t":"2026-11-20T10:01:00.000Z","s":"mawared","st":"QA","n":3,');
    // The torn line is skipped by readers...
    expect(readMeasurements(dir, 0, START + DAY_MILLIS)).toHaveLength(1);
    // ...and cut off by the next writer.
    const reopened = QualityStore.open({ dir, now: time.now });
    expect(readFileSync(file, 'utf8')).toBe(whole);
    expect(reopened.window({ service: 'mawared' }, START - HOUR_MILLIS)).toMatchObject({ requests: 7, failures: 1 });
    reopened.close();
  });

  it('compacts old days to hour buckets without changing counts or percentiles, and deletes days past retention', () => {
    const time = clock(START);
    const store = QualityStore.open({ dir, now: time.now, compactAfterDays: 2, retentionDays: 40 });
    // One day of traffic, 3 minutes an hour, latencies varying by hour.
    for (let hour = 0; hour < 24; hour++) {
      for (let minute = 0; minute < 3; minute++) {
        time.set(Date.UTC(2026, 10, 20, hour, minute, 10));
        record(store, 20, hour === 5 ? 2 : 0, 10 + hour * 30);
      }
    }
    time.set(Date.UTC(2026, 10, 21, 0, 0, 10));
    store.close();
    const before = readMeasurements(dir, Date.UTC(2026, 10, 20), Date.UTC(2026, 10, 21));
    expect(before).toHaveLength(72);
    writeFileSync(join(dir, 'measurements', '2026-09-01.jsonl'), '');

    // Three days later the day is compacted; the September file is past the 40-day retention.
    time.set(Date.UTC(2026, 10, 24, 12));
    const later = QualityStore.open({ dir, now: time.now, compactAfterDays: 2, retentionDays: 40 });
    const after = readMeasurements(dir, Date.UTC(2026, 10, 20), Date.UTC(2026, 10, 21));
    expect(after).toHaveLength(24);
    expect(after.every((line) => line.r === 'h')).toBe(true);
    const sum = (lines: typeof before): { n: number; f: number; p95: number | null } => {
      const h = new Array<number>(lines[0]!.h.length).fill(0);
      for (const line of lines) line.h.forEach((c, i) => (h[i] = (h[i] as number) + c));
      return { n: lines.reduce((a, l) => a + l.n, 0), f: lines.reduce((a, l) => a + l.f, 0), p95: percentileMillis(h, 0.95) };
    };
    expect(sum(after)).toEqual(sum(before));
    expect(sum(after)).toMatchObject({ n: 1440, f: 6 });
    expect(existsSync(join(dir, 'measurements', '2026-09-01.jsonl'))).toBe(false);
    expect(readdirSync(join(dir, 'measurements')).some((f) => f.endsWith('.tmp'))).toBe(false);
    later.close();
  });

  it('answers windows by minute up to two hours and by hour beyond, and charts by slot', () => {
    const time = clock(Date.UTC(2026, 10, 20, 0, 0, 5));
    const store = QualityStore.open({ dir, now: time.now });
    for (let hour = 0; hour < 48; hour++) {
      time.set(Date.UTC(2026, 10, 20, hour, 30));
      record(store, 10, hour % 12 === 0 ? 1 : 0, 50);
    }
    time.set(Date.UTC(2026, 10, 21, 23, 45));
    expect(store.window({ service: 'mawared' }, time.now() - 5 * MINUTE_MILLIS).requests).toBe(0);
    expect(store.window({ service: 'mawared' }, time.now() - 20 * MINUTE_MILLIS).requests).toBe(10);
    // 24 h, counted in whole hours: the 24 hours ending with the current one.
    expect(store.window({ service: 'mawared' }, time.now() - DAY_MILLIS)).toMatchObject({ requests: 240, failures: 2 });
    const history = store.history({ service: 'mawared' }, 6 * HOUR_MILLIS, 8);
    expect(history).toHaveLength(8);
    expect(history.map((slot) => slot.bucket.requests)).toEqual([60, 60, 60, 60, 60, 60, 60, 60]);
    expect(history[0]?.startMillis).toBe(Date.UTC(2026, 10, 20, 0));
    store.close();
  });

  it('refuses a directory another live process has open, and takes over the lock of a dead one', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'LOCK'), String(process.ppid));
    expect(() => QualityStore.open({ dir })).toThrow(GatewayError);
    expect(() => QualityStore.open({ dir })).toThrow(`in use by process ${process.ppid}`);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'LOCK'), gone.stdout);
    const store = QualityStore.open({ dir });
    expect(readFileSync(join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid));
    expect(() => QualityStore.open({ dir })).toThrow('already open in this process');
    store.close();
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);
  });
});
