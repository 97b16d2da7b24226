import { RagscopeError } from '../../core/errors.js';
import type { Judgments } from '../types.js';
import { parseRankingMetric } from './names.js';

/**
 * Scores of one question.
 *
 * @example
 * ```ts
 * const worst = evaluateRun(run, qrels, ['ndcg@10']).perQuery.filter((q) => q.scores.ndcg_cut_10 === 0);
 * ```
 */
export interface QueryScores {
  /** Question id. */
  queryId: string;
  /** Canonical metric name -> score. */
  scores: Record<string, number>;
}

/**
 * Result of {@link evaluateRun}.
 *
 * @example
 * ```ts
 * const { mean, skippedNoJudgments } = evaluateRun(run, qrels, ['ndcg@10', 'recall@100']);
 * ```
 */
export interface RunEvaluation {
  /** Canonical metric names, in the order asked. */
  metrics: string[];
  /** One record per evaluated question, in the order of the judgments object. */
  perQuery: QueryScores[];
  /** Mean of each metric over `perQuery` (0 when no question was evaluated). */
  mean: Record<string, number>;
  /** Questions in the run that have no judgments at all: skipped, as trec_eval does. */
  skippedNoJudgments: string[];
  /** Questions with judgments but absent from the run (scored 0, or skipped with `missing: 'skip'`). */
  missingFromRun: string[];
}

/**
 * Options of {@link evaluateRun}.
 *
 * @example
 * ```ts
 * evaluateRun(run, qrels, ['map'], { missing: 'skip' }); // like plain trec_eval
 * ```
 */
export interface EvaluateRunOptions {
  /**
   * What to do with a question that has judgments but no entry in the run. `'zero'` (default) scores it 0 on
   * every metric, like `trec_eval -c`; `'skip'` leaves it out of the means, like plain `trec_eval`.
   */
  missing?: 'zero' | 'skip';
}

/**
 * Score a whole run against judgments (trec_eval semantics; see {@link parseRankingMetric} for names).
 * Questions are those of `qrels`: a run entry without any judgments is skipped (trec_eval evaluates only
 * judged queries) and listed in `skippedNoJudgments`. A judged question whose grades are all <= 0 IS
 * evaluated and scores 0 on recall, nDCG, MAP and MRR (as trec_eval). Rankings are scored in the order given;
 * trec_eval instead re-sorts a run by score, breaking ties by document id in descending order.
 *
 * @example
 * ```ts
 * const res = evaluateRun({ q1: ['a', 'b'], q2: ['c'] }, { q1: { b: 1 }, q2: { c: 1 } }, ['recall@1', 'mrr']);
 * res.mean; // { recall_1: 0.5, recip_rank: 0.75 }
 * res.perQuery[0]; // { queryId: 'q1', scores: { recall_1: 0, recip_rank: 0.5 } }
 * ```
 */
export function evaluateRun(
  run: Record<string, readonly string[]>,
  qrels: Record<string, Judgments>,
  metrics: readonly string[],
  options: EvaluateRunOptions = {},
): RunEvaluation {
  const missing = options.missing ?? 'zero';
  if (missing !== 'zero' && missing !== 'skip') {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `missing must be 'zero' or 'skip', got ${JSON.stringify(missing)}`,
      {
        param: 'missing',
        value: missing,
      },
    );
  }
  if (!Array.isArray(metrics) || metrics.length === 0) {
    throw new RagscopeError('INVALID_ARGUMENT', 'metrics must be a non-empty array of metric names', {
      param: 'metrics',
      value: metrics,
    });
  }
  const parsed = metrics.map(parseRankingMetric);
  const names = parsed.map((m) => m.name);
  const perQuery: QueryScores[] = [];
  const missingFromRun: string[] = [];
  for (const qid of Object.keys(qrels)) {
    const ranked = Object.hasOwn(run, qid) ? run[qid] : undefined;
    if (ranked === undefined) {
      missingFromRun.push(qid);
      if (missing === 'skip') continue;
    }
    const scores: Record<string, number> = {};
    for (const m of parsed) scores[m.name] = ranked === undefined ? 0 : m.fn(ranked, qrels[qid]!);
    perQuery.push({ queryId: qid, scores });
  }
  const skippedNoJudgments = Object.keys(run).filter((qid) => !Object.hasOwn(qrels, qid));
  return { metrics: names, perQuery, mean: meanScores(perQuery, names), skippedNoJudgments, missingFromRun };
}

/**
 * Mean of each named score over per-question records (0 for an empty list).
 *
 * @example
 * ```ts
 * meanScores([{ queryId: 'a', scores: { P_5: 0.2 } }, { queryId: 'b', scores: { P_5: 0.4 } }], ['P_5']); // { P_5: 0.3 }
 * ```
 */
export function meanScores(
  perQuery: readonly QueryScores[],
  names: readonly string[],
): Record<string, number> {
  const mean: Record<string, number> = {};
  for (const name of names) {
    let sum = 0;
    for (const q of perQuery) sum += q.scores[name] ?? 0;
    mean[name] = perQuery.length === 0 ? 0 : sum / perQuery.length;
  }
  return mean;
}
