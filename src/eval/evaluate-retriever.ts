import { checkInteger, invalidArgument } from '../core/errors.js';
import type { RetrievedHit, Retriever } from '../search/retriever.js';
import { missingRetrieverMembers } from '../search/retriever.js';
import { docRunFromChunks } from './metrics/chunk-relevance.js';
import { evaluateRun, type RunEvaluation } from './metrics/evaluate.js';
import { evaluateSpans, qrelsOf, type SpanEvaluation } from './metrics/evaluate-spans.js';
import type { CharRange, EvalDataset } from './types.js';

/**
 * Options of {@link evaluateRetriever}.
 *
 * @example
 * ```ts
 * const o: EvaluateRetrieverOptions = { k: 10, metrics: ['ndcg_cut@10', 'recall@10'] };
 * ```
 */
export interface EvaluateRetrieverOptions {
  /** Cut-off: hits asked of the retriever per question. Default 10. */
  k?: number;
  /** trec_eval-named document metrics (results use canonical names: `ndcg_cut_10`...). Default `['ndcg_cut@k', 'recall@k', 'recip_rank']`. */
  metrics?: readonly string[];
  /** Questions evaluated at once. Default 4. */
  concurrency?: number;
}

/**
 * What {@link evaluateRetriever} measured, and what it could not.
 *
 * @example
 * ```ts
 * const r: RetrieverEvaluation = await evaluateRetriever(mine, dataset);
 * r.docs?.mean.ndcg_cut_10; // document-level score
 * r.cannotCheck; // e.g. ['span metrics: the retriever cannot return chunk offsets (no getChunk)']
 * ```
 */
export interface RetrieverEvaluation {
  retriever: string;
  params: Record<string, unknown>;
  k: number;
  /** Document metrics (hits max-pooled to documents), when questions have document judgments. */
  docs?: RunEvaluation;
  /**
   * Character-span metrics (Chroma's protocol), when questions have gold spans and hits have offsets. PrecisionΩ is
   * NaN: it needs every chunk of the collection, which a retriever does not list.
   */
  spans?: SpanEvaluation;
  /** Each question's hits, in order. */
  hits: Record<string, RetrievedHit[]>;
  /** What could not be measured, and why. */
  cannotCheck: string[];
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Evaluate ANY {@link Retriever} (a LangChain retriever, a Postgres table, your own service) on a dataset: the
 * same trec_eval document metrics as `bench` (chunk hits max-pooled to documents), and Chroma's span recall,
 * precision and IoU when the questions have gold spans and the retriever can give each hit's offsets
 * (`getChunk`). What it cannot measure is listed in `cannotCheck`, never scored as zero.
 *
 * @example
 * ```ts
 * const ds = await loadJsonl('questions.jsonl', { corpus: 'docs/' });
 * const result = await evaluateRetriever(fromLangChainRetriever(myRetriever, { documents: ds.documents }), ds, { k: 5 });
 * console.log(result.spans?.summary.recall.mean, result.cannotCheck);
 * ```
 */
export async function evaluateRetriever(
  retriever: Retriever,
  dataset: EvalDataset,
  options: EvaluateRetrieverOptions = {},
): Promise<RetrieverEvaluation> {
  const missing = missingRetrieverMembers(retriever);
  if (missing.length > 0)
    invalidArgument('retriever', retriever, `a Retriever (missing: ${missing.join(', ')})`);
  if (!dataset || !Array.isArray(dataset.questions)) invalidArgument('dataset', dataset, 'an EvalDataset');
  const k = checkInteger('options.k', options.k ?? 10, 1);
  const concurrency = checkInteger('options.concurrency', options.concurrency ?? 4, 1);
  const metrics = options.metrics ?? [`ndcg_cut@${k}`, `recall@${k}`, 'recip_rank'];
  const lists = await mapLimit(dataset.questions, concurrency, (q) => retriever.retrieve(q.text, k));
  const hits: Record<string, RetrievedHit[]> = {};
  dataset.questions.forEach((q, i) => {
    hits[q.id] = lists[i]!.slice(0, k);
  });
  const cannotCheck: string[] = [];
  const result: RetrieverEvaluation = {
    retriever: retriever.name,
    params: retriever.params(),
    k,
    hits,
    cannotCheck,
  };

  const qrels = qrelsOf(dataset.questions);
  if (Object.keys(qrels).length > 0) {
    const run: Record<string, string[]> = {};
    for (const [qid, h] of Object.entries(hits)) run[qid] = docRunFromChunks(h).docIds;
    result.docs = evaluateRun(run, qrels, metrics);
  }

  const withSpans = dataset.questions.filter((q) => q.spans && q.spans.length > 0);
  if (withSpans.length > 0) {
    if (typeof retriever.getChunk !== 'function') {
      cannotCheck.push('span metrics: the retriever cannot return chunk offsets (no getChunk)');
    } else {
      const ranges: Record<string, CharRange[]> = {};
      let unlocated = 0;
      for (const q of withSpans) {
        ranges[q.id] = [];
        for (const h of hits[q.id]!) {
          const c = await retriever.getChunk(h.chunkId);
          if (c) ranges[q.id]!.push({ docId: c.docId, start: c.start, end: c.end });
          else unlocated++;
        }
      }
      if (unlocated > 0)
        cannotCheck.push(
          `span metrics: ${unlocated} hits could not be located in their source documents (counted as retrieving nothing)`,
        );
      const spans = evaluateSpans(withSpans, ranges, []);
      // PrecisionΩ needs every chunk of the collection, which a retriever does not list: not a zero, unknown.
      for (const p of spans.perQuery) p.precisionOmega = Number.NaN;
      spans.summary.precisionOmega = { mean: Number.NaN, std: Number.NaN, n: 0 };
      result.spans = spans;
      cannotCheck.push('PrecisionΩ: it needs every chunk of the collection, which a retriever does not list');
    }
  }
  return result;
}
