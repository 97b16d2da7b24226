import { RagscopeError } from '../../core/errors.js';

/**
 * Mean and population standard deviation of a list of per-question scores.
 *
 * @example
 * ```ts
 * const { mean, std, n } = meanStd([0.2, 0.4]); // 0.3, 0.1, 2
 * ```
 */
export interface MeanStd {
  mean: number;
  /** Population standard deviation (divides by n, as numpy's default `np.std` used by Chroma's report). */
  std: number;
  /** Number of values. */
  n: number;
}

/**
 * Mean and population standard deviation (numpy `np.std`, as Chroma's tables report "mean ± std").
 * An empty list gives `{ mean: 0, std: 0, n: 0 }`; a non-finite value throws `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * meanStd([1, 0, 1, 0]); // { mean: 0.5, std: 0.5, n: 4 }
 * ```
 */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: 0, std: 0, n: 0 };
  let sum = 0;
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RagscopeError('INVALID_ARGUMENT', `values[${i}] must be a finite number, got ${String(v)}`, {
        param: `values[${i}]`,
        value: v,
      });
    }
    sum += v;
  });
  const mean = sum / n;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / n), n };
}
