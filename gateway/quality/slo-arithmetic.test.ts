import { describe, expect, it } from '@jest/globals';
import {
  addHistogram,
  availability,
  bucketIndex,
  burnRate,
  emptyHistogram,
  errorBudget,
  histogramCount,
  LATENCY_BUCKET_BOUNDS_MILLIS,
  percentileMillis,
  type LatencyHistogram,
} from './slo-arithmetic.js';

/** Generated traffic: `count` calls, the first `failures` of them failed, latencies from `latency(i)`. */
function traffic(count: number, failures: number, latency: (i: number) => number): { total: number; failed: number; histogram: LatencyHistogram } {
  const histogram = emptyHistogram();
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const index = bucketIndex(latency(i));
    histogram[index] = (histogram[index] as number) + 1;
    if (i < failures) failed++;
  }
  return { total: count, failed, histogram };
}

describe('availability and error budgets', () => {
  it('gives availability 0.9963 for 10,000 calls with exactly 37 failures', () => {
    const { total, failed } = traffic(10_000, 37, () => 20);
    expect(availability(total, failed)).toBe(0.9963);
  });

  it('computes the budget of a 99.5 % target by hand: 50 failures allowed, 37 spent (74 %), 13 left (26 %)', () => {
    const budget = errorBudget(0.995, 10_000, 37);
    expect(budget.allowedFailures).toBe(50);
    expect(budget.consumedFailures).toBe(37);
    expect(budget.remainingFailures).toBe(13);
    expect(budget.consumedRatio).toBe(0.74);
    expect(budget.remainingRatio).toBeCloseTo(0.26, 12);
  });

  it('reports an overspent budget as negative, and exactly spent as zero', () => {
    expect(errorBudget(0.999, 10_000, 10).remainingRatio).toBe(0);
    const over = errorBudget(0.999, 10_000, 25);
    expect(over.remainingFailures).toBe(-15);
    expect(over.consumedRatio).toBe(2.5);
    expect(over.remainingRatio).toBe(-1.5);
  });

  it('computes burn rates: 0.74 for the month above, 14.4 for 72 failures in 1,000 calls against 99.5 %', () => {
    expect(burnRate(0.995, 10_000, 37)).toBe(0.74);
    expect(burnRate(0.995, 1_000, 72)).toBeCloseTo(14.4, 12);
    expect(burnRate(0.995, 1_000, 0)).toBe(0);
  });

  it('says "no data" (null), not 100 %, when there were no calls', () => {
    expect(availability(0, 0)).toBeNull();
    expect(burnRate(0.99, 0, 0)).toBeNull();
    expect(errorBudget(0.99, 0, 0).remainingRatio).toBeNull();
  });

  it('refuses impossible counts and targets', () => {
    expect(() => availability(10, 11)).toThrow(RangeError);
    expect(() => availability(-1, 0)).toThrow(RangeError);
    expect(() => errorBudget(1, 10, 0)).toThrow(RangeError);
    expect(() => burnRate(0, 10, 0)).toThrow(RangeError);
  });
});

describe('percentiles from fixed-bucket histograms', () => {
  it('puts a latency in the first bucket whose bound is not below it', () => {
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(1)).toBe(0);
    expect(bucketIndex(1.01)).toBe(1);
    expect(bucketIndex(100)).toBe(LATENCY_BUCKET_BOUNDS_MILLIS.indexOf(100));
    expect(bucketIndex(100.5)).toBe(LATENCY_BUCKET_BOUNDS_MILLIS.indexOf(150));
    expect(bucketIndex(999_999)).toBe(LATENCY_BUCKET_BOUNDS_MILLIS.length);
  });

  it('finds p50, p95 and p99 of generated traffic by linear interpolation inside the bucket', () => {
    // 1,000 calls: 900 at 40 ms (bucket 25-50), 80 at 180 ms (150-200), 20 at 700 ms (500-750).
    const { histogram } = traffic(1_000, 0, (i) => (i < 900 ? 40 : i < 980 ? 180 : 700));
    expect(histogramCount(histogram)).toBe(1_000);
    // p50: rank 500 of the 900 in (25, 50]: 25 + 25 * 500/900.
    expect(percentileMillis(histogram, 0.5)).toBeCloseTo(25 + (25 * 500) / 900, 9);
    // p95: rank 950, the 50th of the 80 in (150, 200]: 150 + 50 * 50/80 = 181.25.
    expect(percentileMillis(histogram, 0.95)).toBe(181.25);
    // p99: rank 990, the 10th of the 20 in (500, 750]: 500 + 250 * 10/20 = 625.
    expect(percentileMillis(histogram, 0.99)).toBe(625);
  });

  it('gives the same percentiles for merged minute histograms as for one histogram of all calls', () => {
    const latency = (i: number): number => ((i * 7919) % 2_000) + 0.5;
    const whole = traffic(6_000, 0, latency).histogram;
    const merged = emptyHistogram();
    for (let minute = 0; minute < 60; minute++) addHistogram(merged, traffic(100, 0, (i) => latency(minute * 100 + i)).histogram);
    expect(merged).toEqual(whole);
    for (const q of [0.5, 0.95, 0.99]) expect(percentileMillis(merged, q)).toBe(percentileMillis(whole, q));
  });

  it('answers the highest finite bound for a rank in the open bucket, and null without data', () => {
    const { histogram } = traffic(100, 0, (i) => (i < 90 ? 10 : 60_000));
    expect(percentileMillis(histogram, 0.95)).toBe(30_000);
    expect(percentileMillis(emptyHistogram(), 0.95)).toBeNull();
    expect(() => percentileMillis(histogram, 0)).toThrow(RangeError);
  });
});
