import type { Comparison, TiedWithBest } from '../../report/types.js';

/** Significance level below which a paired test separates a configuration from the best one. @internal */
export const TIE_ALPHA = 0.05;

/**
 * The configurations whose paired comparison against `best` (on `metric`) has `pValue >= alpha`: the data cannot
 * tell them from the best one.
 * @internal
 */
export function tiedWithBest(
  comparisons: readonly Comparison[],
  best: string,
  metric: string,
  alpha = TIE_ALPHA,
): TiedWithBest {
  const ids = comparisons
    .filter((c) => c.b === best && c.metric === metric && c.pValue >= alpha)
    .map((c) => c.a);
  return { metric, alpha, best, ids };
}
