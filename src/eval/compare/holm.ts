/**
 * Holm's step-down adjustment of p-values for `m` comparisons: sort ascending, multiply the i-th smallest (0-based)
 * by `m - i`, enforce monotonicity, cap at 1. Returns adjusted p-values in the input order. Controls the family-wise
 * error rate without assuming independence, and is uniformly more powerful than Bonferroni.
 * @internal
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
