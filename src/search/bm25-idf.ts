/**
 * Lucene/Anserini BM25 idf, `ln(1 + (N − df + 0.5)/(df + 0.5))`: always positive.
 *
 * @example
 * ```ts
 * idfOf(4, 3); // ln(10/7) ≈ 0.3567
 * ```
 */
export function idfOf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}
