import { RagscopeError } from '../../core/errors.js';
import type { Judgments } from '../types.js';
import { averagePrecision, ndcgAt, precisionAt, recallAt, reciprocalRank, successAt } from './ranking.js';

/**
 * A metric bound to its cut-off: scores one ranking against one question's judgments.
 *
 * @example
 * ```ts
 * const fn: RankingMetricFn = parseRankingMetric('recall@10').fn;
 * fn(['a', 'b'], { b: 1 }); // 1
 * ```
 */
export type RankingMetricFn = (ranked: readonly string[], rels: Judgments) => number;

/**
 * A parsed metric name: its canonical trec_eval-style name and the function that computes it.
 *
 * @example
 * ```ts
 * const { name, fn } = parseRankingMetric('ndcg@10'); // name === 'ndcg_cut_10'
 * ```
 */
export interface RankingMetric {
  /** Canonical name: `recall_10`, `P_5`, `success_1`, `recip_rank`, `recip_rank_cut_10`, `ndcg_cut_10`, `map`, `map_cut_10`. */
  name: string;
  fn: RankingMetricFn;
}

const WITH_K: Record<
  string,
  { canonical: string; fn: (r: readonly string[], j: Judgments, k: number) => number }
> = {
  recall: { canonical: 'recall', fn: recallAt },
  p: { canonical: 'P', fn: precisionAt },
  precision: { canonical: 'P', fn: precisionAt },
  success: { canonical: 'success', fn: successAt },
  hit: { canonical: 'success', fn: successAt },
  hitrate: { canonical: 'success', fn: successAt },
  hit_rate: { canonical: 'success', fn: successAt },
  ndcg: { canonical: 'ndcg_cut', fn: ndcgAt },
  ndcg_cut: { canonical: 'ndcg_cut', fn: ndcgAt },
  recip_rank: { canonical: 'recip_rank_cut', fn: reciprocalRank },
  recip_rank_cut: { canonical: 'recip_rank_cut', fn: reciprocalRank },
  mrr: { canonical: 'recip_rank_cut', fn: reciprocalRank },
  map: { canonical: 'map_cut', fn: averagePrecision },
  map_cut: { canonical: 'map_cut', fn: averagePrecision },
};

/**
 * Parse a metric name. trec_eval names (`recall_10`, `P_5`, `success_1`, `recip_rank`, `ndcg_cut_10`, `map`,
 * `map_cut_100`) and friendly aliases (`recall@10`, `precision@5`, `hit@1`, `hitrate@1`, `mrr`, `mrr@10`,
 * `ndcg@10`, `map@10`) are accepted, case-insensitively except for trec_eval's `P`. MRR@k is named
 * `recip_rank_cut_k` (trec_eval only has the uncut `recip_rank`).
 * Throws `INVALID_ARGUMENT` naming the metric for anything else.
 *
 * @example
 * ```ts
 * parseRankingMetric('ndcg@10').name; // 'ndcg_cut_10'
 * parseRankingMetric('mrr').name; // 'recip_rank'
 * parseRankingMetric('P_5').fn(['a', 'b'], { a: 1 }); // 0.2
 * ```
 */
export function parseRankingMetric(name: string): RankingMetric {
  if (typeof name !== 'string') {
    throw new RagscopeError('INVALID_ARGUMENT', `metric must be a string, got ${typeof name}`, {
      param: 'metric',
    });
  }
  const lower = name.trim().toLowerCase();
  if (lower === 'recip_rank' || lower === 'mrr')
    return { name: 'recip_rank', fn: (r, j) => reciprocalRank(r, j) };
  if (lower === 'map') return { name: 'map', fn: (r, j) => averagePrecision(r, j) };
  const m = /^([a-z_]+?)(?:@|_)(\d+)$/.exec(lower);
  const entry = m ? WITH_K[m[1]!] : undefined;
  const k = m ? Number(m[2]) : 0;
  if (!entry || !(k >= 1) || !Number.isSafeInteger(k)) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `metric must be one of recall@k, P@k, success@k (hit rate), recip_rank / mrr@k, ndcg@k, map / map@k ` +
        `(or trec_eval names recall_k, P_k, success_k, ndcg_cut_k, map_cut_k) with k >= 1, got ${JSON.stringify(name)}`,
      { param: 'metric', value: name },
    );
  }
  return { name: `${entry.canonical}_${k}`, fn: (r, j) => entry.fn(r, j, k) };
}
