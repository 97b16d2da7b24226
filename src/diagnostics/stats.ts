import type { HistogramBin } from '../report/types.js';

export type { HistogramBin };

/**
 * Small statistics helpers shared by the reports.
 * @internal
 */

/**
 * Summary of a numeric sample: count, min, max, mean and the usual quantiles.
 *
 * @example
 * ```ts
 * const d: Distribution = describe([27, 40, 40]);
 * d; // { count: 3, min: 27, max: 40, mean: 35.67, p5: 28.3, p25: 33.5, p50: 40, p75: 40, p95: 40 }
 * describe([]).mean; // NaN (count 0)
 * ```
 */
export interface Distribution {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Quantiles 0.05, 0.25, 0.5, 0.75, 0.95 (linear interpolation between order statistics). */
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
}

/** Linear-interpolation quantile of an ASCENDING sorted array (NaN when empty). @internal */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

/**
 * Describe a sample. An empty sample gives `count: 0` and NaN everywhere else.
 *
 * @example
 * ```ts
 * describe([1, 2, 3, 4]).p50; // 2.5
 * ```
 */
export function describe(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n === 0 ? Number.NaN : sorted.reduce((s, v) => s + v, 0) / n;
  return {
    count: n,
    min: n === 0 ? Number.NaN : sorted[0]!,
    max: n === 0 ? Number.NaN : sorted[n - 1]!,
    mean,
    p5: quantileSorted(sorted, 0.05),
    p25: quantileSorted(sorted, 0.25),
    p50: quantileSorted(sorted, 0.5),
    p75: quantileSorted(sorted, 0.75),
    p95: quantileSorted(sorted, 0.95),
  };
}

/**
 * Equal-width histogram over `[lo, hi]` with `bins` bins (values outside are clamped into the end bins).
 *
 * @example
 * ```ts
 * histogram([0, 0.5, 1], 2, 0, 1); // [{ from: 0, to: 0.5, count: 1 }, { from: 0.5, to: 1, count: 2 }]
 * ```
 */
export function histogram(values: readonly number[], bins: number, lo: number, hi: number): HistogramBin[] {
  const width = hi > lo ? (hi - lo) / bins : 1;
  const out: HistogramBin[] = [];
  for (let i = 0; i < bins; i++) out.push({ from: lo + i * width, to: lo + (i + 1) * width, count: 0 });
  for (const v of values) {
    let i = hi > lo ? Math.floor((v - lo) / width) : 0;
    if (i < 0) i = 0;
    if (i >= bins) i = bins - 1;
    out[i]!.count++;
  }
  return out;
}
