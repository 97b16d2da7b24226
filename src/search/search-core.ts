import type { Chunk } from '../core/document.js';
import type { Embedder } from '../embedders/types.js';
import { Bm25Retriever, VectorRetriever } from './builtin-retrievers.js';
import type { MetadataFilter } from './filter.js';
import type { FusionOptions } from './fusion.js';
import type { Reranker } from './rerank/types.js';
import { runRerankStage } from './rerank-stage.js';
import { type RetrieverStage, type RetrieverStagesResult, runRetrieverStages } from './retrieve-stages.js';
import type { RetrieveContext } from './retriever.js';
import type { Candidate, Ledger, SearchHit, SearchResult, SearchTrace } from './types.js';

/**
 * Everything one search runs: the retrievers (each to its depth), the fusion, an optional re-ranker, and where the
 * chunks' texts and vectors come from. {@link RetrievalPipeline} and {@link RetrieverSearch} both build one and hand
 * it to {@link runSearch}.
 *
 * @example
 * ```ts
 * const plan: SearchPlan = {
 *   retrievers: [{ retriever: new Bm25Retriever(bm25), depth: 100 }],
 *   fusion: { method: 'rrf' },
 *   embedder: null,
 *   reranker: null,
 *   chunks: { chunk: (id) => store.get(id)! },
 * };
 * ```
 */
export interface SearchPlan {
  retrievers: readonly RetrieverStage[];
  fusion: Omit<FusionOptions, 'depth'>;
  /** Embeds the query once for the dense retrievers; its id is recorded in the trace. */
  embedder: Embedder | null;
  /** The re-ranker and how many candidates it gets (at least `k`). */
  reranker: { reranker: Reranker; depth: number } | null;
  chunks: {
    /** The chunk of a candidate (hits carry it). */
    chunk(chunkId: string, docId: string): Promise<Chunk> | Chunk;
    /** The chunk if the search knows it (a metadata filter reads its metadata); else the retriever's `getChunk`. */
    lookup?(chunkId: string): Chunk | undefined;
    /** A chunk's stored vector, for re-rankers that ask. */
    vector?(chunkId: string): Float32Array | undefined;
  };
}

/**
 * One query's settings in {@link runSearch}.
 *
 * @example
 * ```ts
 * const q: SearchRequest = { k: 5, minScore: 0.2, rerank: true };
 * ```
 */
export interface SearchRequest {
  k: number;
  minScore?: number | undefined;
  /** Run the plan's re-ranker. Default true. */
  rerank?: boolean | undefined;
  /** The query's embedding when the caller has it (the query is not embedded again). */
  queryVector?: Float32Array | undefined;
  /** Only chunks whose metadata match (checked already, see `checkFilter`), through every retriever. */
  filter?: MetadataFilter | undefined;
}

/**
 * The one search core: retriever stages → fusion → re-rank → `minScore` cut-off → hits, each with its ledger
 * (`bm25`/`vector` for the built-in lists, `lists` for every list, `fusion`, `rerank`), and the full trace.
 *
 * @example
 * ```ts
 * const { hits, trace } = await runSearch('refund delay', plan, { k: 5 });
 * hits[0]?.ledger.lists?.bm25?.rank; // 1
 * ```
 */
export async function runSearch(
  query: string,
  plan: SearchPlan,
  request: SearchRequest,
): Promise<SearchResult> {
  const { k, minScore } = request;
  const context: RetrieveContext = request.queryVector ? { queryVector: request.queryVector } : {};
  const retrieved = await runRetrieverStages(query, {
    retrievers: plan.retrievers,
    fusion: plan.fusion,
    embedder: plan.embedder,
    context,
    filter: request.filter,
    chunkOf: plan.chunks.lookup ? (id) => plan.chunks.lookup!(id) : undefined,
  });
  const { stages } = retrieved;
  let current: Candidate[] = retrieved.candidates;
  let reranked: Map<string, NonNullable<Ledger['rerank']>> | null = null;
  if (plan.reranker && request.rerank !== false && current.length > 0) {
    const depth = Math.max(plan.reranker.depth, k);
    const r = await runRerankStage(
      query,
      current,
      { reranker: plan.reranker.reranker, depth },
      {
        text: async (c) => (await plan.chunks.chunk(c.chunkId, c.docId)).text,
        ...(plan.chunks.vector ? { vector: plan.chunks.vector } : {}),
      },
      retrieved.queryVector ? { queryVector: retrieved.queryVector } : {},
    );
    stages.push(r.stage);
    current = r.list;
    reranked = r.ledger;
  }
  const kept = current.slice(0, k).filter((c) => minScore === undefined || c.score >= minScore);
  const hits: SearchHit[] = [];
  for (const [i, c] of kept.entries()) {
    hits.push({
      chunk: await plan.chunks.chunk(c.chunkId, c.docId),
      score: c.score,
      rank: i + 1,
      ledger: ledgerOf(query, c.chunkId, plan, retrieved, reranked),
    });
  }
  const trace: SearchTrace = {
    version: 1,
    query,
    k,
    ...(plan.embedder ? { embedderId: plan.embedder.id } : {}),
    stages,
  };
  return { hits, trace };
}

function ledgerOf(
  query: string,
  chunkId: string,
  plan: SearchPlan,
  retrieved: RetrieverStagesResult,
  reranked: Map<string, NonNullable<Ledger['rerank']>> | null,
): Ledger {
  const lists: NonNullable<Ledger['lists']> = {};
  for (const [name, m] of retrieved.hits) {
    const e = m.get(chunkId);
    if (e)
      lists[name] = {
        rank: e.rank,
        score: e.hit.score,
        ...(e.hit.explanation ? { explanation: e.hit.explanation } : {}),
      };
  }
  const retrieverOf = (name: string) => plan.retrievers.find((s) => s.retriever.name === name)?.retriever;
  const bm25 = retrieverOf('bm25');
  const vector = retrieverOf('vector');
  const b = lists.bm25;
  const v = lists.vector;
  const f = retrieved.fused?.get(chunkId);
  return {
    bm25:
      b && bm25 instanceof Bm25Retriever
        ? { rank: b.rank, score: b.score, explanation: bm25.index.explain(query, chunkId) }
        : null,
    vector:
      v && vector instanceof VectorRetriever
        ? { rank: v.rank, score: v.score, metric: vector.index.metric }
        : null,
    lists,
    fusion: f
      ? {
          method: retrieved.method ?? '',
          rank: f.rank,
          score: f.score,
          contributions: f.contributions.map((x) => ({ ...x })),
          foundBy: [...f.foundBy],
        }
      : null,
    rerank: reranked?.get(chunkId) ?? null,
  };
}
