import { cosine } from '../core/vectors.js';
/**
 * Small numeric helpers for the semantic chunkers, matching NumPy's definitions so that thresholds agree with
 * LangChain's SemanticChunker.
 * @internal
 */

/** Arithmetic mean; 0 for an empty list. @internal */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** Population standard deviation (`np.std`, ddof 0). @internal */
export function std(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i]! - m) ** 2;
  return Math.sqrt(s / values.length);
}

/** `np.percentile(values, p)` with the default linear interpolation; `p` in [0, 100]. 0 for an empty list. @internal */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

/**
 * `np.gradient(values)` with unit spacing: central differences inside, one-sided differences at both ends.
 * A single value has gradient `[0]`.
 * @internal
 */
export function gradient(values: ArrayLike<number>): number[] {
  const n = values.length;
  if (n === 0) return [];
  if (n === 1) return [0];
  const out = new Array<number>(n);
  out[0] = values[1]! - values[0]!;
  out[n - 1] = values[n - 1]! - values[n - 2]!;
  for (let i = 1; i < n - 1; i++) out[i] = (values[i + 1]! - values[i - 1]!) / 2;
  return out;
}

/**
 * Cosine distance `1 - cos(a, b)`. When either vector is zero the similarity is taken as 0 (distance 1), as
 * LangChain's `cosine_similarity` does.
 * @internal
 */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return 1 - cosine(a, b);
}
