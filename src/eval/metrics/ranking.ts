import { checkInteger, RagscopeError } from '../../core/errors.js';
import type { Judgments } from '../types.js';

/*
 * Document-ranking metrics with trec_eval (9.0.x) semantics. A ranking is an array of document ids, best first.
 * Differences from trec_eval, on purpose:
 * - We take the ranking in the order given. trec_eval re-sorts a run by score (descending), breaking ties by
 *   document id in DEScending string order; pass rankings already in the order you want scored.
 * - A document id appearing twice in one ranking is an error here (trec_eval would count it twice).
 */

/** Relevance threshold: trec_eval's default `-l 1` (a grade >= 1 is relevant). */
const RELEVANT = 1;

function relevantCount(rels: Judgments): number {
  let n = 0;
  for (const id in rels) if ((rels[id] ?? 0) >= RELEVANT) n++;
  return n;
}

function checkRanking(ranked: readonly string[]): void {
  if (!Array.isArray(ranked)) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `ranked must be an array of document ids, got ${typeof ranked}`,
      {
        param: 'ranked',
      },
    );
  }
  const seen = new Set<string>();
  for (const id of ranked) {
    if (seen.has(id)) {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `ranked must not list a document twice, got ${JSON.stringify(id)} twice (map chunk hits to documents with docRunFromChunks first)`,
        { param: 'ranked', value: id },
      );
    }
    seen.add(id);
  }
}

function isRel(rels: Judgments, id: string): boolean {
  return (rels[id] ?? 0) >= RELEVANT;
}

/**
 * trec_eval `recall_k`: relevant documents in the top `k` divided by all relevant documents judged for the
 * question. 0 when the question has no relevant document (as trec_eval).
 *
 * @example
 * ```ts
 * recallAt(['a', 'b', 'c'], { a: 1, c: 1, z: 1 }, 2); // 1/3
 * ```
 */
export function recallAt(ranked: readonly string[], rels: Judgments, k: number): number {
  checkInteger('k', k, 1);
  checkRanking(ranked);
  const numRel = relevantCount(rels);
  if (numRel === 0) return 0;
  let hits = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (isRel(rels, ranked[i]!)) hits++;
  return hits / numRel;
}

/**
 * trec_eval `P_k`: relevant documents in the top `k` divided by `k` (always `k`, even when fewer than `k`
 * documents were retrieved, as trec_eval).
 *
 * @example
 * ```ts
 * precisionAt(['a', 'b'], { a: 1 }, 5); // 0.2
 * ```
 */
export function precisionAt(ranked: readonly string[], rels: Judgments, k: number): number {
  checkInteger('k', k, 1);
  checkRanking(ranked);
  let hits = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (isRel(rels, ranked[i]!)) hits++;
  return hits / k;
}

/**
 * trec_eval `success_k` (hit rate): 1 when at least one relevant document is in the top `k`, else 0.
 *
 * @example
 * ```ts
 * successAt(['a', 'b', 'c'], { c: 1 }, 2); // 0
 * successAt(['a', 'b', 'c'], { c: 1 }, 3); // 1
 * ```
 */
export function successAt(ranked: readonly string[], rels: Judgments, k: number): number {
  checkInteger('k', k, 1);
  checkRanking(ranked);
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (isRel(rels, ranked[i]!)) return 1;
  return 0;
}

/**
 * trec_eval `recip_rank`: 1 / rank of the first relevant document, 0 if none. With `k`, only the top `k`
 * count (MRR@k; named `recip_rank_cut_k` here, trec_eval has no cut variant).
 *
 * @example
 * ```ts
 * reciprocalRank(['a', 'b', 'c'], { c: 1 }); // 1/3
 * reciprocalRank(['a', 'b', 'c'], { c: 1 }, 2); // 0
 * ```
 */
export function reciprocalRank(ranked: readonly string[], rels: Judgments, k?: number): number {
  if (k !== undefined) checkInteger('k', k, 1);
  checkRanking(ranked);
  const n = k === undefined ? ranked.length : Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (isRel(rels, ranked[i]!)) return 1 / (i + 1);
  return 0;
}

/**
 * trec_eval `ndcg_cut_k`: DCG@k / ideal DCG@k, with gain = the judged grade (only grades > 0 gain),
 * discount log2(rank + 1), and the ideal ranking built from ALL judged grades of the question (including
 * judged documents that are missing from the corpus, as trec_eval). 0 when nothing is relevant.
 *
 * @example
 * ```ts
 * ndcgAt(['a', 'b'], { b: 1 }, 10); // 1 / log2(3) ≈ 0.6309
 * ```
 */
export function ndcgAt(ranked: readonly string[], rels: Judgments, k: number): number {
  checkInteger('k', k, 1);
  checkRanking(ranked);
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) {
    const gain = rels[ranked[i]!] ?? 0;
    if (gain > 0) dcg += gain / Math.log2(i + 2);
  }
  const ideal = Object.values(rels)
    .filter((g) => g > 0)
    .sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += ideal[i]! / Math.log2(i + 2);
  return idcg > 0 ? dcg / idcg : 0;
}

/**
 * trec_eval `map` (average precision) for one question: the sum of precision at the rank of each retrieved
 * relevant document, divided by the number of relevant documents judged (retrieved or not). With `k`,
 * only the top `k` are looked at (`map_cut_k`; the divisor stays the number of relevant documents).
 *
 * @example
 * ```ts
 * averagePrecision(['a', 'b', 'c'], { a: 1, c: 1 }); // (1/1 + 2/3) / 2 ≈ 0.8333
 * ```
 */
export function averagePrecision(ranked: readonly string[], rels: Judgments, k?: number): number {
  if (k !== undefined) checkInteger('k', k, 1);
  checkRanking(ranked);
  const numRel = relevantCount(rels);
  if (numRel === 0) return 0;
  const n = k === undefined ? ranked.length : Math.min(k, ranked.length);
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (isRel(rels, ranked[i]!)) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / numRel;
}
