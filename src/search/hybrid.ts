import { checkInteger, invalidArgument } from '../core/errors.js';
import { norm } from '../core/vectors.js';
import type { Embedder } from '../embedders/types.js';
import type { Bm25Index } from './bm25.js';
import {
  type FusedCandidate,
  type FusionInput,
  type FusionOptions,
  fuse,
  normalizeScores,
} from './fusion.js';
import type { Candidate, StageTrace, VectorSearchIndex } from './types.js';

/**
 * Options of {@link HybridRetriever}.
 *
 * @example
 * ```ts
 * const opts: HybridRetrieverOptions = { bm25, vector: { index, embedder }, fusion: { method: 'rrf' }, depth: { bm25: 100, vector: 100 } };
 * ```
 */
export interface HybridRetrieverOptions {
  /** The lexical retriever. Default none. At least one of `bm25` and `vector` is required. */
  bm25?: Bm25Index | null;
  /** The dense retriever: an index and the embedder of its vectors (queries are embedded with `kind: 'query'`). */
  vector?: {
    index: VectorSearchIndex;
    embedder: Embedder;
    /** Extra parameters recorded in the vector stage's trace (e.g. `{ index: 'hnsw', efSearch: 64 }`). */
    params?: () => Record<string, unknown>;
  } | null;
  /** Fusion used when both retrievers run. Default `{ method: 'rrf', rrfK: 60 }`. */
  fusion?: Omit<FusionOptions, 'depth'>;
  /** Candidates taken from each retriever. Default `{ bm25: 100, vector: 100 }`. */
  depth?: { bm25?: number; vector?: number };
  /**
   * Document id of a vector hit (the vector index stores chunk ids only), or `null` to drop the hit (e.g. a chunk
   * removed meanwhile). Default: the part of the id before its last `#` (ragscope chunk ids are `docId#index.hash`).
   */
  docIdOf?: (chunkId: string) => string | null;
}

/**
 * Per-call overrides of {@link HybridRetriever.retrieve}.
 *
 * @example
 * ```ts
 * // Both fields override the retriever's own settings for this call only (defaults: depth 100 each, RRF with k 60).
 * const options: RetrieveOptions = { depth: { bm25: 50, vector: 200 }, fusion: { method: 'weighted', weights: { vector: 2 } } };
 * const { candidates } = await retriever.retrieve('refund delay', options);
 * ```
 */
export interface RetrieveOptions {
  depth?: { bm25?: number; vector?: number };
  fusion?: Omit<FusionOptions, 'depth'>;
  /** The query's embedding, when the caller already has it: the query is not embedded again. */
  queryVector?: Float32Array;
}

/**
 * What {@link HybridRetriever.retrieve} returns.
 *
 * @example
 * ```ts
 * const { stages, candidates, fused } = await retriever.retrieve('refund delay');
 * stages.map((s) => s.stage); // ['bm25', 'vector', 'fusion']
 * ```
 */
export interface RetrieveResult {
  /** The `bm25`, `vector` and (when both ran) `fusion` stage traces, plain JSON. */
  stages: StageTrace[];
  /** The final list: fused when both retrievers ran, else the single retriever's list. */
  candidates: Candidate[];
  /** The fused candidates with contributions and `foundBy`, by chunk id; null when only one retriever ran. */
  fused: Map<string, FusedCandidate> | null;
  /** The fusion method used, or null. */
  method: string | null;
  /** The query embedding, when the vector stage ran. */
  queryVector?: Float32Array;
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

const defaultDocIdOf = (id: string) => {
  const at = id.lastIndexOf('#');
  return at > 0 ? id.slice(0, at) : id;
};

/**
 * Validate a `{ bm25?, vector? }` depth object (positive integers; unknown keys and non-objects such as `'10'` are
 * errors, not silently ignored) and fill in `defaults`. @internal
 */
export function resolveDepth(
  param: string,
  depth: unknown,
  defaults: { bm25: number; vector: number },
): { bm25: number; vector: number } {
  if (depth === undefined) return { ...defaults };
  if (depth === null || typeof depth !== 'object' || Array.isArray(depth)) {
    invalidArgument(param, depth, '{ bm25?: number, vector?: number } (candidates per retriever)');
  }
  const d = depth as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (key !== 'bm25' && key !== 'vector')
      invalidArgument(param, depth, "an object with keys 'bm25'/'vector'");
  }
  return {
    bm25: checkInteger(`${param}.bm25`, d.bm25 ?? defaults.bm25, 1),
    vector: checkInteger(`${param}.vector`, d.vector ?? defaults.vector, 1),
  };
}

/**
 * BM25 + vector retrieval fused into one list, with every stage recorded: each retriever's full candidate list (to
 * its depth) with raw and normalised scores, and the fused list. {@link RetrievalPipeline} uses it for its first
 * stages; use it directly over indexes you manage yourself.
 *
 * Normalised scores in the `bm25`/`vector` stages are those fusion used (`min-max`/`z-score` for `weighted` and
 * `combmnz`); with `rrf`, or when a single retriever runs, `normalized` equals `score`.
 *
 * @example
 * ```ts
 * const retriever = new HybridRetriever({ bm25, vector: { index, embedder }, fusion: { method: 'weighted', normalization: 'minmax' } });
 * const { candidates, fused } = await retriever.retrieve('how long do refunds take?');
 * fused?.get(candidates[0].chunkId)?.contributions; // [{ list: 'bm25', ... }, { list: 'vector', ... }]
 * ```
 */
export class HybridRetriever {
  readonly bm25: Bm25Index | null;
  readonly vector: HybridRetrieverOptions['vector'];
  readonly fusion: Omit<FusionOptions, 'depth'>;
  readonly depth: { bm25: number; vector: number };
  private readonly docIdOf: (chunkId: string) => string | null;

  constructor(options: HybridRetrieverOptions) {
    if (options === null || typeof options !== 'object')
      invalidArgument('options', options, 'an options object');
    this.bm25 = options.bm25 ?? null;
    this.vector = options.vector ?? null;
    if (!this.bm25 && !this.vector) invalidArgument('options', options, 'an object with bm25 and/or vector');
    this.fusion = { method: 'rrf', ...(options.fusion ?? {}) };
    fuse([], this.fusion); // validate now
    this.depth = resolveDepth('depth', options.depth, { bm25: 100, vector: 100 });
    this.docIdOf = options.docIdOf ?? defaultDocIdOf;
  }

  /** Run both retrievers and fuse their lists. */
  async retrieve(query: string, options: RetrieveOptions = {}): Promise<RetrieveResult> {
    if (typeof query !== 'string') invalidArgument('query', query, 'a string');
    const depth = resolveDepth('depth', options.depth, this.depth);
    const fusionOptions = { ...this.fusion, ...(options.fusion ?? {}) };
    const both = this.bm25 !== null && Boolean(this.vector);
    const normalization =
      both && fusionOptions.method !== 'rrf' ? (fusionOptions.normalization ?? 'minmax') : ('none' as const);
    const stages: StageTrace[] = [];
    const lists: FusionInput[] = [];
    const toCandidates = (hits: Array<{ id: string; docId: string; score: number }>): Candidate[] => {
      const normalized = normalizeScores(
        hits.map((h) => h.score),
        normalization,
      );
      return hits.map((h, i) => ({
        chunkId: h.id,
        docId: h.docId,
        rank: i + 1,
        score: h.score,
        normalized: normalized[i]!,
      }));
    };

    if (this.bm25) {
      const t0 = performance.now();
      const candidates = toCandidates(this.bm25.search(query, depth.bm25));
      stages.push({
        stage: 'bm25',
        params: {
          depth: depth.bm25,
          k1: this.bm25.k1,
          b: this.bm25.b,
          analyzer: this.bm25.analyzer.id,
          normalization,
          chunks: this.bm25.size,
        },
        candidates,
        durationMs: round3(performance.now() - t0),
      });
      lists.push({ list: 'bm25', candidates });
    }

    let queryVector: Float32Array | undefined;
    if (this.vector) {
      const { index, embedder } = this.vector;
      const t0 = performance.now();
      const qv = options.queryVector ?? (await embedder.embed([query], { kind: 'query' }))[0];
      queryVector = qv;
      const params: Record<string, unknown> = {
        depth: depth.vector,
        metric: index.metric,
        ...(this.vector.params?.() ?? {}),
        embedder: embedder.id,
        normalization,
        chunks: index.size,
      };
      let found: Array<{ id: string; docId: string; score: number }> = [];
      if (!qv || norm(qv) === 0) params.skipped = 'the query embeds to the zero vector (no known token)';
      else if (index.size > 0) {
        for (const h of await index.search(qv, depth.vector)) {
          const docId = Number.isFinite(h.score) ? this.docIdOf(h.id) : null;
          if (docId !== null) found.push({ id: h.id, docId, score: h.score });
        }
      }
      found = found.slice(0, depth.vector);
      const candidates = toCandidates(found);
      stages.push({ stage: 'vector', params, candidates, durationMs: round3(performance.now() - t0) });
      lists.push({ list: 'vector', candidates });
    }

    if (!both)
      return {
        stages,
        candidates: lists[0]!.candidates as Candidate[],
        fused: null,
        method: null,
        queryVector,
      };
    const t0 = performance.now();
    const result = fuse(lists, fusionOptions);
    const candidates: Candidate[] = result.candidates.map(({ chunkId, docId, rank, score, normalized }) => ({
      chunkId,
      docId,
      rank,
      score,
      normalized,
    }));
    stages.push({
      stage: 'fusion',
      params: { ...result.params, depth },
      candidates,
      durationMs: round3(performance.now() - t0),
    });
    return {
      stages,
      candidates,
      fused: new Map(result.candidates.map((c) => [c.chunkId, c])),
      method: result.params.method,
      queryVector,
    };
  }
}
