/**
 * The arithmetic of service-level objectives, as pure functions over counts and fixed-bucket
 * latency histograms. Everything the status page, the reports and the Prometheus gauges say about
 * availability, percentiles and error budgets is computed here, so it is tested once.
 *
 * Vocabulary (Google SRE book, ch. 4 "Service Level Objectives"; SRE workbook, ch. 5 "Alerting on
 * SLOs"):
 * - availability = good calls / all calls, over a window;
 * - error budget = the failures the target allows over the budget period: (1 - target) * calls;
 * - burn rate = observed failure ratio / allowed failure ratio (1 means the budget lasts exactly
 *   the period; 14.4 over one hour spends 2 % of a 30-day budget).
 */

/**
 * Upper bounds (inclusive) of the latency buckets, in milliseconds; a last, open bucket takes
 * everything slower. Fixed for ever: stored histograms of any age merge by adding counts, which is
 * what makes percentiles over merged minutes, hours, states or months computable. Changing them
 * needs a new store version.
 */
export const LATENCY_BUCKET_BOUNDS_MILLIS: readonly number[] = [
  1, 2.5, 5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000, 30_000,
];

/** Counts per bucket: index i counts latencies <= bounds[i] (and > bounds[i-1]); the last index is the open bucket. */
export type LatencyHistogram = number[];

export function emptyHistogram(): LatencyHistogram {
  return new Array<number>(LATENCY_BUCKET_BOUNDS_MILLIS.length + 1).fill(0);
}

/** The bucket a latency falls in. */
export function bucketIndex(latencyMillis: number): number {
  const bounds = LATENCY_BUCKET_BOUNDS_MILLIS;
  // Binary search for the first bound >= latency.
  let low = 0;
  let high = bounds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((bounds[middle] as number) >= latencyMillis) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Adds `from` into `into` (same bucket layout). */
export function addHistogram(into: LatencyHistogram, from: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i] = (into[i] as number) + (from[i] ?? 0);
}

export function histogramCount(histogram: readonly number[]): number {
  let total = 0;
  for (const count of histogram) total += count;
  return total;
}

/**
 * The q-quantile (0 < q <= 1) of the latencies counted in a histogram, in milliseconds, or null
 * without data. Like Prometheus' `histogram_quantile`: find the bucket holding the rank q * count
 * and interpolate linearly inside it (the first bucket starts at 0); a rank in the open bucket
 * answers the highest finite bound, since nothing is known above it.
 */
export function percentileMillis(histogram: readonly number[], q: number): number | null {
  if (!(q > 0 && q <= 1)) throw new RangeError(`quantile must be in (0, 1], got ${q}`);
  const total = histogramCount(histogram);
  if (total === 0) return null;
  const rank = q * total;
  const bounds = LATENCY_BUCKET_BOUNDS_MILLIS;
  let cumulative = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i] as number;
    if (count > 0 && cumulative + count >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1] as number;
      const lower = i === 0 ? 0 : (bounds[i - 1] as number);
      const upper = bounds[i] as number;
      return lower + ((upper - lower) * (rank - cumulative)) / count;
    }
    cumulative += count;
  }
  return bounds[bounds.length - 1] as number;
}

/** Good calls / all calls, or null when there were no calls (no data is not 100 %). */
export function availability(total: number, failures: number): number | null {
  assertCounts(total, failures);
  return total === 0 ? null : (total - failures) / total;
}

/**
 * A target as parts per million, so that budgets are exact for the targets people write
 * (0.995 -> 995000; 1 - 0.995 in floating point is 0.0050000000000000044).
 */
export function targetPartsPerMillion(target: number): number {
  if (!(target > 0 && target < 1)) throw new RangeError(`an availability target must be in (0, 1), got ${target}`);
  return Math.round(target * 1_000_000);
}

export interface ErrorBudget {
  /** Failures the target allows for these calls: (1 - target) * total. */
  readonly allowedFailures: number;
  /** Failures that happened. */
  readonly consumedFailures: number;
  /** Allowed minus consumed; negative once the budget is overspent. */
  readonly remainingFailures: number;
  /** consumed / allowed (0 = untouched, 1 = exactly spent, > 1 = overspent); null without calls. */
  readonly consumedRatio: number | null;
  /** 1 - consumedRatio (may be negative); null without calls. */
  readonly remainingRatio: number | null;
}

/** The error budget of a window: how many failures the target allows and how much of that is spent. */
export function errorBudget(target: number, total: number, failures: number): ErrorBudget {
  assertCounts(total, failures);
  const allowedPpm = 1_000_000 - targetPartsPerMillion(target);
  const allowedFailures = (total * allowedPpm) / 1_000_000;
  if (total === 0) return { allowedFailures: 0, consumedFailures: 0, remainingFailures: 0, consumedRatio: null, remainingRatio: null };
  const consumedRatio = (failures * 1_000_000) / (total * allowedPpm);
  return { allowedFailures, consumedFailures: failures, remainingFailures: allowedFailures - failures, consumedRatio, remainingRatio: 1 - consumedRatio };
}

/**
 * How fast a window spends the budget: its failure ratio divided by the ratio the target allows.
 * Null without calls.
 */
export function burnRate(target: number, total: number, failures: number): number | null {
  assertCounts(total, failures);
  if (total === 0) return null;
  const allowedPpm = 1_000_000 - targetPartsPerMillion(target);
  return (failures * 1_000_000) / (total * allowedPpm);
}

function assertCounts(total: number, failures: number): void {
  if (!Number.isInteger(total) || !Number.isInteger(failures) || total < 0 || failures < 0 || failures > total) {
    throw new RangeError(`counts must be whole numbers with 0 <= failures <= total, got ${failures}/${total}`);
  }
}
