import type { CharRange, EvalQuestion, Judgments } from '../types.js';
import { indexRanges, precisionOmega, spanMetrics } from './spans.js';
import { type MeanStd, meanStd } from './summary.js';

/**
 * Span scores of one question.
 *
 * @example
 * ```ts
 * evaluateSpans(questions, run, chunks).perQuery[0]; // { queryId: '0', recall: 1, precision: 0.12, iou: 0.12, precisionOmega: 0.3 }
 * ```
 */
export interface SpanQueryScores {
  queryId: string;
  recall: number;
  precision: number;
  iou: number;
  precisionOmega: number;
}

/**
 * Result of {@link evaluateSpans}.
 *
 * @example
 * ```ts
 * const { summary } = evaluateSpans(questions, run, chunks);
 * console.log(`IoU ${(100 * summary.iou.mean).toFixed(1)} ± ${(100 * summary.iou.std).toFixed(1)}`);
 * ```
 */
export interface SpanEvaluation {
  /** One record per question with gold spans, in question order. */
  perQuery: SpanQueryScores[];
  /** Mean ± population std of each metric over `perQuery` (Chroma's "mean ± std"). */
  summary: { recall: MeanStd; precision: MeanStd; iou: MeanStd; precisionOmega: MeanStd };
  /** Questions without gold spans (not scored). */
  skippedNoSpans: string[];
  /** Questions with spans but no entry in `retrieved` (scored as retrieving nothing). */
  missingFromRun: string[];
}

/**
 * Score a span run the way Chroma's report does: for each question with gold spans, {@link spanMetrics} of
 * its retrieved chunk ranges (pass the top-k, e.g. 5) and {@link precisionOmega} over all chunks of the
 * collection, then mean ± std over questions.
 *
 * @example
 * ```ts
 * const ds = await loadChromaSpans('../shared/data/chroma');
 * const res = evaluateSpans(ds.questions, { '0': top5ChunksOfQuestion0, ... }, allChunks);
 * res.summary.iou; // { mean, std, n: 472 }
 * ```
 */
export function evaluateSpans(
  questions: readonly EvalQuestion[],
  retrieved: Record<string, readonly CharRange[]>,
  allChunks: readonly CharRange[],
): SpanEvaluation {
  const index = indexRanges(allChunks);
  const perQuery: SpanQueryScores[] = [];
  const skippedNoSpans: string[] = [];
  const missingFromRun: string[] = [];
  for (const q of questions) {
    if (!q.spans || q.spans.length === 0) {
      skippedNoSpans.push(q.id);
      continue;
    }
    const hits = Object.hasOwn(retrieved, q.id) ? retrieved[q.id]! : undefined;
    if (!hits) missingFromRun.push(q.id);
    const s = spanMetrics(q.spans, hits ?? []);
    const omega = precisionOmega(q.spans, index).precisionOmega;
    perQuery.push({
      queryId: q.id,
      recall: s.recall,
      precision: s.precision,
      iou: s.iou,
      precisionOmega: omega,
    });
  }
  const pick = (k: keyof Omit<SpanQueryScores, 'queryId'>) => meanStd(perQuery.map((p) => p[k]));
  return {
    perQuery,
    summary: {
      recall: pick('recall'),
      precision: pick('precision'),
      iou: pick('iou'),
      precisionOmega: pick('precisionOmega'),
    },
    skippedNoSpans,
    missingFromRun,
  };
}

/**
 * The judgments of a list of questions, keyed by question id, ready for {@link evaluateRun}. Questions
 * without `relevantDocs` are left out (trec_eval skips unjudged queries).
 *
 * @example
 * ```ts
 * const ds = await loadBeir('../shared/data/scifact');
 * evaluateRun(run, qrelsOf(ds.questions), ['ndcg@10', 'recall@100']);
 * ```
 */
export function qrelsOf(questions: readonly EvalQuestion[]): Record<string, Judgments> {
  const out: Record<string, Judgments> = {};
  for (const q of questions) if (q.relevantDocs) out[q.id] = q.relevantDocs;
  return out;
}
