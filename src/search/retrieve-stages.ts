import type { Chunk } from '../core/document.js';
import type { Embedder } from '../embedders/types.js';
import { describeFilter, type MetadataFilter } from './filter.js';
import { retrieveFiltered } from './filter-fallback.js';
import {
  type FusedCandidate,
  type FusionInput,
  type FusionOptions,
  fuse,
  normalizeScores,
} from './fusion.js';
import type { RetrieveContext, RetrievedHit, Retriever } from './retriever.js';
import type { Candidate, StageTrace } from './types.js';

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * One retriever of a search and the number of candidates taken from it.
 *
 * @example
 * ```ts
 * const stage: RetrieverStage = { retriever: new Bm25Retriever(bm25), depth: 100 };
 * ```
 */
export interface RetrieverStage {
  retriever: Retriever;
  depth: number;
}

/**
 * What {@link runRetrieverStages} returns: the stage traces (one per retriever, then `fusion` when several ran),
 * the final list, the fused candidates with their per-list account, and each list's hits as the retriever gave them.
 *
 * @example
 * ```ts
 * const { stages, candidates, fused } = await runRetrieverStages('refund delay', { retrievers, fusion: {} });
 * stages.map((s) => s.stage); // ['bm25', 'vector', 'fusion']
 * ```
 */
export interface RetrieverStagesResult {
  stages: StageTrace[];
  /** Fused when several retrievers ran, else the single retriever's list. */
  candidates: Candidate[];
  /** The fused candidates by chunk id; null when one retriever ran. */
  fused: Map<string, FusedCandidate> | null;
  /** The fusion method used, or null. */
  method: string | null;
  /** Each list's hits by chunk id, with their 1-based rank (for the ledger). */
  hits: Map<string, Map<string, { rank: number; hit: RetrievedHit }>>;
  /** The query embedding, when one was computed or given. */
  queryVector?: Float32Array;
}

/**
 * The retrieval half of every search (pipeline, {@link HybridRetriever}, {@link RetrieverSearch}): embed the query
 * once when an embedder is given, run each retriever to its depth (raw and normalised scores: the normalisation
 * fusion uses, `'none'` with RRF or a single list), and fuse the lists when there are several.
 *
 * @example
 * ```ts
 * const result = await runRetrieverStages('refund delay', {
 *   retrievers: [{ retriever: new Bm25Retriever(bm25), depth: 100 }, { retriever: new VectorRetriever(index, embedder), depth: 100 }],
 *   fusion: { method: 'rrf', rrfK: 60 },
 *   embedder,
 * });
 * result.fused?.get(result.candidates[0]!.chunkId)?.foundBy; // ['bm25', 'vector']
 * ```
 */
export async function runRetrieverStages(
  query: string,
  plan: {
    retrievers: readonly RetrieverStage[];
    fusion: Omit<FusionOptions, 'depth'>;
    /** Embeds the query once for every dense retriever (not when `context.queryVector` is given). */
    embedder?: Embedder | null;
    context?: RetrieveContext;
    /**
     * Only chunks whose metadata match: given to retrievers that declare `nativeFilter`, post-filtered exactly for
     * the others (see {@link retrieveFiltered}), reading metadata from `chunkOf`.
     */
    filter?: MetadataFilter | undefined;
    /** The chunk a search knows by id (its metadata is what a post-filter tests). */
    chunkOf?: ((chunkId: string) => Chunk | null | undefined | Promise<Chunk | null | undefined>) | undefined;
  },
): Promise<RetrieverStagesResult> {
  const several = plan.retrievers.length > 1;
  const { fusion } = plan;
  const normalization = several && fusion.method !== 'rrf' ? (fusion.normalization ?? 'minmax') : 'none';
  let context: RetrieveContext = plan.context ?? {};
  let embedMs = 0;
  if (!context.queryVector && plan.embedder) {
    const t0 = performance.now();
    const [queryVector] = await plan.embedder.embed([query], { kind: 'query' });
    embedMs = performance.now() - t0;
    if (queryVector) context = { ...context, queryVector };
  }
  const stages: StageTrace[] = [];
  const lists: FusionInput[] = [];
  const hits = new Map<string, Map<string, { rank: number; hit: RetrievedHit }>>();
  for (const { retriever: r, depth } of plan.retrievers) {
    const t0 = performance.now();
    const filtered = plan.filter
      ? await retrieveFiltered(r, query, depth, context, plan.filter, plan.chunkOf ?? (() => undefined))
      : null;
    const got = (filtered ? filtered.hits : await r.retrieve(query, depth, context)).slice(0, depth);
    const norms = normalizeScores(
      got.map((h) => h.score),
      normalization,
    );
    const candidates: Candidate[] = got.map((h, i) => ({
      chunkId: h.chunkId,
      docId: h.docId,
      rank: i + 1,
      score: h.score,
      normalized: norms[i]!,
    }));
    // The query's embedding is part of the first dense list's time.
    const extra = r.kind === 'dense' ? embedMs : 0;
    if (extra > 0) embedMs = 0;
    stages.push({
      stage: r.name,
      params: { depth, ...r.params(context), kind: r.kind, normalization, ...(filtered?.params ?? {}) },
      candidates,
      durationMs: round3(performance.now() - t0 + extra),
    });
    lists.push({ list: r.name, candidates });
    hits.set(r.name, new Map(got.map((h, i) => [h.chunkId, { rank: i + 1, hit: h }])));
  }
  const queryVector = context.queryVector;
  if (!several) {
    return {
      stages,
      candidates: stages[0]?.candidates ?? [],
      fused: null,
      method: null,
      hits,
      ...(queryVector ? { queryVector } : {}),
    };
  }
  const t0 = performance.now();
  const result = fuse(lists, fusion);
  const candidates: Candidate[] = result.candidates.map(({ chunkId, docId, rank, score, normalized }) => ({
    chunkId,
    docId,
    rank,
    score,
    normalized,
  }));
  const depth = Object.fromEntries(plan.retrievers.map((s) => [s.retriever.name, s.depth]));
  stages.push({
    stage: 'fusion',
    params: { ...result.params, depth, ...(plan.filter ? { filter: describeFilter(plan.filter) } : {}) },
    candidates,
    durationMs: round3(performance.now() - t0),
  });
  return {
    stages,
    candidates,
    fused: new Map(result.candidates.map((c) => [c.chunkId, c])),
    method: result.params.method,
    hits,
    ...(queryVector ? { queryVector } : {}),
  };
}
