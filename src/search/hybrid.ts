import type { Chunk } from '../core/document.js';
import { checkInteger, invalidArgument } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';
import type { Bm25Index } from './bm25.js';
import {
  Bm25Retriever,
  docIdOfChunkId,
  type VectorRetriever,
  type VectorRetrieverOptions,
} from './builtin-retrievers.js';
import { FUSION_DEFAULTS, SEARCH_DEFAULTS } from './defaults.js';
import { type FusedCandidate, type FusionOptions, fuse } from './fusion.js';
import { runRetrieverStages } from './retrieve-stages.js';
import { createRetriever } from './retrievers/registry.js';
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
  /** Fusion used when both retrievers run. Default {@link FUSION_DEFAULTS} (RRF, k 60). */
  fusion?: Omit<FusionOptions, 'depth'>;
  /** Candidates taken from each retriever. Default {@link SEARCH_DEFAULTS}.depth (100 each). */
  depth?: { bm25?: number; vector?: number };
  /**
   * Document id of a vector hit (the vector index stores chunk ids only), or `null` to drop the hit (e.g. a chunk
   * removed meanwhile). Default: the part of the id before its last `#` (ragscope chunk ids are `docId#index.hash`).
   */
  docIdOf?: (chunkId: string) => string | null;
  /** The indexed chunk by id: lets BM25 apply a metadata filter inside its search (see {@link Bm25Retriever}). */
  chunks?: (chunkId: string) => Chunk | undefined;
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
 * its depth) with raw and normalised scores, and the fused list. The indexes run as a {@link Bm25Retriever} and a
 * {@link VectorRetriever} through the same stages as every search ({@link runRetrieverStages}); use it directly
 * over indexes you manage yourself. Defaults: depth {@link SEARCH_DEFAULTS}, fusion {@link FUSION_DEFAULTS}.
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
  /** The same indexes as {@link Retriever}s, in list order (`bm25`, then `vector`). */
  readonly retrievers: ReadonlyArray<Bm25Retriever | VectorRetriever>;

  constructor(options: HybridRetrieverOptions) {
    if (options === null || typeof options !== 'object')
      invalidArgument('options', options, 'an options object');
    this.bm25 = options.bm25 ?? null;
    this.vector = options.vector ?? null;
    if (!this.bm25 && !this.vector) invalidArgument('options', options, 'an object with bm25 and/or vector');
    this.fusion = { method: FUSION_DEFAULTS.method, ...(options.fusion ?? {}) };
    fuse([], this.fusion); // validate now
    const d = SEARCH_DEFAULTS.depth;
    this.depth = resolveDepth('depth', options.depth, { bm25: d, vector: d });
    // The built-ins are built as any registered retriever is.
    const retrievers: Array<Bm25Retriever | VectorRetriever> = [];
    if (this.bm25)
      retrievers.push(
        createRetriever(
          'bm25',
          { bm25: this.bm25 },
          options.chunks ? { chunks: options.chunks } : {},
        ) as Bm25Retriever,
      );
    if (this.vector) {
      const { index, embedder, params } = this.vector;
      const vectorOptions: VectorRetrieverOptions = {
        docIdOf: options.docIdOf ?? docIdOfChunkId,
        ...(params ? { params } : {}),
      };
      retrievers.push(
        createRetriever('vector', { vectorIndex: index, embedder }, { ...vectorOptions }) as VectorRetriever,
      );
    }
    this.retrievers = retrievers;
  }

  /** Run both retrievers and fuse their lists. */
  async retrieve(query: string, options: RetrieveOptions = {}): Promise<RetrieveResult> {
    if (typeof query !== 'string') invalidArgument('query', query, 'a string');
    const depth = resolveDepth('depth', options.depth, this.depth);
    const r = await runRetrieverStages(query, {
      retrievers: this.retrievers.map((retriever) => ({
        retriever,
        depth: retriever instanceof Bm25Retriever ? depth.bm25 : depth.vector,
      })),
      fusion: { ...this.fusion, ...(options.fusion ?? {}) },
      embedder: this.vector?.embedder ?? null,
      context: options.queryVector ? { queryVector: options.queryVector } : {},
    });
    return {
      stages: r.stages,
      candidates: r.candidates,
      fused: r.fused,
      method: r.method,
      ...(r.queryVector ? { queryVector: r.queryVector } : {}),
    };
  }
}
