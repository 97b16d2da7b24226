import type { Chunk } from '../../core/document.js';
import type { HitRef, RetrieverKind } from '../../report/types.js';
import type { BenchProgressEvent } from '../bench.js';
import { docRunFromChunks } from '../metrics/chunk-relevance.js';
import {
  averagePrecision,
  ndcgAt,
  precisionAt,
  recallAt,
  reciprocalRank,
  successAt,
} from '../metrics/ranking.js';
import { type indexRanges, precisionOmega, spanMetrics } from '../metrics/spans.js';
import type { CharRange, EvalQuestion } from '../types.js';
import type { IndexedConfig } from './index-config.js';
import type { BenchInsights } from './insights.js';
import { touchingIndex } from './omega.js';
import { hitRefs } from './provenance.js';
import { runsFromTrace } from './rankings.js';
import type { ResolvedBench } from './resolve.js';
import { variantRun } from './variants.js';

/** What one configuration (chunker x retriever) scored over the questions. @internal */
export interface Scored {
  /** questionId -> metric -> value */
  perQuery: Map<string, Record<string, number>>;
  /** questionId -> top-k chunk positions */
  hits: Map<string, HitRef[]>;
  failures: EvalQuestion[];
  searchMs: number;
}

/**
 * Search every question once on an indexed chunker configuration and score every retriever from that search's
 * trace (query variants search their rewrites too; parent-child configurations score the parents), at every
 * cut-off; feeds each question to `insights` and emits a `search` progress event per question. @internal
 */
export async function scoreQuestions(
  plan: ResolvedBench,
  config: IndexedConfig,
  questions: readonly EvalQuestion[],
  ctx: { emit: (e: BenchProgressEvent) => void; insights: BenchInsights },
): Promise<Map<RetrieverKind, Scored>> {
  const { mode, k, maxK, cutoffs, primary, filter, retrievers, variants } = plan;
  const { pipeline, parents, omegaIndex, spec, base } = config;
  const { emit, insights } = ctx;
  const scored = new Map<RetrieverKind, Scored>(
    plan.scoredKinds.map((r) => [r, { perQuery: new Map(), hits: new Map(), failures: [], searchMs: 0 }]),
  );
  const getChunk = (id: string) => parents?.get(id) ?? pipeline.getChunk(id) ?? undefined;
  let omegaOf: { q: EvalQuestion; index: ReturnType<typeof indexRanges> } | null = null;
  const scoreIds = (q: EvalQuestion, ids: string[]) => {
    if (mode === 'docs')
      return docScores(
        q,
        ids.map((id) => getChunk(id)!),
        k,
      );
    if (omegaOf?.q !== q) omegaOf = { q, index: touchingIndex(q.spans ?? [], omegaIndex!) };
    return spanScores(
      q,
      ids.slice(0, k).map((id) => getChunk(id)!),
      omegaOf.index,
      k,
    );
  };
  insights.startChunker(spec, getChunk);
  for (const [qi, q] of questions.entries()) {
    const { trace } = await pipeline.search(q.text, { k: maxK, ...(filter ? { filter } : {}) });
    const runs = runsFromTrace(trace, retrievers);
    for (const v of variants) {
      const original = runs.get(v.base) ?? runsFromTrace(trace, [v.base]).get(v.base)!;
      runs.set(v.id, await variantRun(pipeline, q.text, v, original, maxK, filter));
    }
    if (parents) for (const run of runs.values()) run.chunkIds = parents.map(run.chunkIds);
    for (const [retriever, run] of runs) {
      const s = scored.get(retriever)!;
      s.searchMs += run.ms;
      const values: Record<string, number> = {};
      for (const atK of cutoffs) {
        Object.assign(
          values,
          mode === 'spans'
            ? spanScores(
                q,
                run.chunkIds.slice(0, atK).map((id) => getChunk(id)!),
                omegaIndex!,
                atK,
              )
            : docScores(
                q,
                run.chunkIds.map((id) => getChunk(id)!),
                atK,
              ),
        );
      }
      s.perQuery.set(q.id, values);
      s.hits.set(q.id, hitRefs(run.chunkIds.slice(0, k).map((id) => getChunk(id)!)));
      const failed = mode === 'spans' ? values[`recall@${k}`]! < 1 : values[primary] === 0;
      if (failed) s.failures.push(q);
    }
    insights.observe(
      q,
      trace,
      runs,
      (r) => scored.get(r)!.perQuery.get(q.id)!,
      (ids) => scoreIds(q, parents ? parents.map(ids) : ids),
    );
    emit({ ...base, phase: 'search', done: qi + 1, total: questions.length });
  }
  insights.endChunker();
  return scored;
}

/** Chroma's span metrics of the top chunks at cut-off `k`. */
function spanScores(
  q: EvalQuestion,
  top: Chunk[],
  omega: ReturnType<typeof indexRanges>,
  k: number,
): Record<string, number> {
  const gold = q.spans as CharRange[];
  const s = spanMetrics(gold, top);
  return {
    [`recall@${k}`]: s.recall,
    [`precision@${k}`]: s.precision,
    [`iou@${k}`]: s.iou,
    [`precision_omega@${k}`]: precisionOmega(gold, omega).precisionOmega,
  };
}

/** trec_eval document metrics at cut-off `k`, chunk hits max-pooled to documents. */
function docScores(q: EvalQuestion, ranked: Chunk[], k: number): Record<string, number> {
  const rels = q.relevantDocs ?? {};
  const docIds = docRunFromChunks(ranked).docIds;
  return {
    [`ndcg_cut@${k}`]: ndcgAt(docIds, rels, k),
    [`recall@${k}`]: recallAt(docIds, rels, k),
    [`P@${k}`]: precisionAt(docIds, rels, k),
    recip_rank: reciprocalRank(docIds, rels),
    map: averagePrecision(docIds, rels),
    [`success@${k}`]: successAt(docIds, rels, k),
  };
}
