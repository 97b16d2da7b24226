import { createChunker } from '../chunkers/spec.js';
import type { Chunker } from '../chunkers/types.js';
import { type Chunk, type DocumentInput, makeChunk, toDocument } from '../core/document.js';
import { checkInteger, invalidArgument } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';
import type { Bm25Options } from './bm25.js';
import { FUSION_DEFAULTS, SEARCH_DEFAULTS } from './defaults.js';
import type { MetadataFilter } from './filter.js';
import { type FusionOptions, fuse } from './fusion.js';
import { resolveDepth } from './hybrid.js';
import type { Reranker } from './rerank/types.js';
import type { VectorSearchIndex } from './types.js';

/**
 * Vector-index settings of a {@link RetrievalPipeline}.
 *
 * @example
 * ```ts
 * const v: VectorConfig = { index: 'hnsw', metric: 'cosine', M: 16, efConstruction: 200, efSearch: 100 };
 * ```
 */
export interface VectorConfig {
  /** `'hnsw'` (approximate, hnswlib-node; default) or `'exact'` (brute force; small corpora, recall baselines). */
  index?: 'hnsw' | 'exact';
  /** `'cosine'` (default) or `'ip'` (inner product). */
  metric?: 'cosine' | 'ip';
  /** HNSW graph degree. Default: {@link VectorIndex}'s. */
  M?: number;
  /** HNSW build beam width. Default: {@link VectorIndex}'s. */
  efConstruction?: number;
  /** HNSW search beam width. Default: {@link VectorIndex}'s. */
  efSearch?: number;
  /** HNSW segment size (graphs of at most this many vectors, searched and merged). Default: {@link VectorIndex}'s. */
  segmentSize?: number;
}

/**
 * The one config object of a {@link RetrievalPipeline}.
 *
 * @example
 * ```ts
 * const config: PipelineConfig = {
 *   chunker: 'recursive:400/0:chars',
 *   embedder: new HashingEmbedder({ dimensions: 256 }),
 *   bm25: { preset: 'anserini' },
 *   vector: { index: 'exact' },
 *   fusion: { method: 'rrf', rrfK: 60 },
 *   depth: { bm25: 100, vector: 100 },
 *   reranker: new MmrReranker({ lambda: 0.7 }),
 *   rerankDepth: 20,
 * };
 * ```
 */
export interface PipelineConfig {
  /**
   * A chunker, or a spec string for `createChunker` (e.g. `'recursive:400/0:chars'`). The special spec `'none'`
   * makes one chunk per document (the whole text). Required.
   */
  chunker: Chunker | string;
  /** Embeds chunks and queries for the vector stage. Default none (then the vector stage is off). */
  embedder?: Embedder;
  /** BM25 options, or `false` to turn BM25 off. Default `{}` (anserini preset). */
  bm25?: Bm25Options | false;
  /** Vector-index settings, or `false` to turn the vector stage off. Default `{}` when an embedder is given. */
  vector?: VectorConfig | false;
  /** How the BM25 and vector lists are fused when both run. Default {@link FUSION_DEFAULTS} (RRF, k 60). */
  fusion?: Omit<FusionOptions, 'depth'>;
  /** Candidates taken from each retriever (all kept in the trace). Default {@link SEARCH_DEFAULTS}.depth (100 each). */
  depth?: { bm25?: number; vector?: number };
  /** Re-ranks the top candidates after fusion. Default none. */
  reranker?: Reranker;
  /** Candidates handed to the re-ranker: `max(rerankDepth, k)`. Default {@link SEARCH_DEFAULTS}.rerankDepth (20). */
  rerankDepth?: number;
  /** Texts per `embedder.embed` call while indexing. Default {@link SEARCH_DEFAULTS}.embedBatchSize (256). */
  embedBatchSize?: number;
}

/**
 * The resolved, plain-JSON form of a {@link PipelineConfig} (stored in saved indexes).
 *
 * @example
 * ```ts
 * pipeline.config.depth; // { bm25: 100, vector: 100 }
 * ```
 */
export interface PipelineConfigJSON {
  chunker: string;
  embedder: { id: string; dimensions: number } | null;
  bm25: Bm25Options | false;
  vector: (VectorConfig & { index: 'hnsw' | 'exact'; metric: 'cosine' | 'ip' }) | false;
  fusion: Omit<FusionOptions, 'depth'>;
  depth: { bm25: number; vector: number };
  reranker: string | null;
  rerankDepth: number;
  embedBatchSize: number;
}

/**
 * Options of {@link RetrievalPipeline.search}.
 *
 * @example
 * ```ts
 * await pipeline.search('refunds', { k: 5, depth: { bm25: 20 }, fusion: { method: 'weighted' }, rerank: false });
 * ```
 */
export interface SearchOptions {
  /** Number of hits. Default {@link SEARCH_DEFAULTS}.k (10). */
  k?: number;
  /** Override the configured retriever depths for this query. */
  depth?: { bm25?: number; vector?: number };
  /** Override the configured fusion for this query. */
  fusion?: Omit<FusionOptions, 'depth'>;
  /** Run the configured re-ranker. Default `true` (when one is configured). */
  rerank?: boolean;
  /**
   * Drop hits whose final score (of the last stage that ran: re-rank, fusion, vector or BM25) is below this: the
   * "no relevant context" threshold `ragscope bench` suggests per configuration (its abstention table). With no
   * hit left the result is empty. Default: keep every hit.
   */
  minScore?: number;
  /** The query's embedding, when the caller already has it (e.g. why-not replays); skips embedding the query. */
  queryVector?: Float32Array;
  /** Only chunks whose metadata (document metadata included) match: BM25 filters inside its search, the vector list is post-filtered exactly. */
  filter?: MetadataFilter;
}

/**
 * What {@link RetrievalPipeline.addDocuments} / `updateDocuments` / `removeDocuments` did.
 *
 * @example
 * ```ts
 * const report = await pipeline.updateDocuments(docs);
 * report.chunksEmbedded; // only the chunks whose text changed
 * ```
 */
export interface IndexReport {
  /** Documents that were new. */
  added: string[];
  /** Documents whose text or metadata changed (re-chunked; only new chunk texts embedded). */
  updated: string[];
  /** Documents given again with the same text and metadata (nothing done). */
  unchanged: string[];
  /** Documents removed. */
  removed: string[];
  /** Chunks added to / removed from the indexes. */
  chunksAdded: number;
  chunksRemoved: number;
  /** Chunk texts sent to the embedder. */
  chunksEmbedded: number;
  /** New chunks left out of the vector index because they embed to the zero vector (cosine undefined). */
  chunksWithoutVector: string[];
}

/** One chunk per document: the whole text. Spec `'none'`. @internal */
export class WholeDocumentChunker implements Chunker {
  readonly spec = 'none';
  async chunk(input: DocumentInput): Promise<Chunk[]> {
    const doc = toDocument(input);
    return [makeChunk(doc, 0, 0, doc.text.length, this.spec)];
  }
  async chunkWithTrace(input: DocumentInput) {
    return { chunks: await this.chunk(input), boundaries: [] };
  }
}

/**
 * A pipeline's config checked and resolved: its chunker, embedder and re-ranker, and the plain-JSON form. Bad input
 * throws `INVALID_ARGUMENT` naming the field. @internal
 */
export function resolvePipelineConfig(config: PipelineConfig): {
  chunker: Chunker;
  embedder: Embedder | undefined;
  reranker: Reranker | undefined;
  resolved: PipelineConfigJSON;
} {
  if (config === null || typeof config !== 'object')
    invalidArgument('config', config, 'a PipelineConfig object');
  const { embedder } = config;
  let chunker: Chunker;
  if (typeof config.chunker === 'string') {
    chunker =
      config.chunker === 'none'
        ? new WholeDocumentChunker()
        : createChunker(config.chunker, embedder ? { embedder } : {});
  } else if (
    config.chunker &&
    typeof config.chunker === 'object' &&
    typeof config.chunker.chunk === 'function'
  ) {
    chunker = config.chunker;
  } else {
    return invalidArgument(
      'config.chunker',
      config.chunker,
      "a Chunker or a chunker spec string ('none' for whole documents)",
    );
  }
  if (embedder !== undefined && (typeof embedder?.embed !== 'function' || !(embedder.dimensions >= 1))) {
    invalidArgument('config.embedder', embedder, 'an Embedder');
  }
  const bm25 = config.bm25 ?? {};
  if (bm25 !== false && (bm25 === null || typeof bm25 !== 'object')) {
    invalidArgument('config.bm25', bm25, 'Bm25Options or false');
  }
  let vector = config.vector ?? (embedder ? {} : false);
  if (vector !== false && (vector === null || typeof vector !== 'object')) {
    invalidArgument('config.vector', vector, 'a VectorConfig or false');
  }
  if (vector !== false && !embedder) {
    invalidArgument('config.embedder', embedder, 'an Embedder when config.vector is set');
  }
  if (bm25 === false && vector === false) {
    invalidArgument('config', { bm25, vector }, 'a config with BM25 or a vector stage (both are off)');
  }
  if (vector !== false) {
    const index = vector.index ?? 'hnsw';
    const metric = vector.metric ?? 'cosine';
    if (index !== 'hnsw' && index !== 'exact')
      invalidArgument('config.vector.index', index, "'hnsw' or 'exact'");
    if (metric !== 'cosine' && metric !== 'ip')
      invalidArgument('config.vector.metric', metric, "'cosine' or 'ip'");
    vector = { ...vector, index, metric };
  }
  const fusion = { method: FUSION_DEFAULTS.method, ...(config.fusion ?? {}) };
  // Validate now rather than at the first search.
  fuse([], fusion);
  const d = SEARCH_DEFAULTS.depth;
  const depth = resolveDepth('config.depth', config.depth, { bm25: d, vector: d });
  const reranker = config.reranker;
  if (reranker !== undefined && typeof reranker?.rerank !== 'function') {
    invalidArgument('config.reranker', reranker, 'a Reranker');
  }
  const resolved: PipelineConfigJSON = {
    chunker: chunker.spec,
    embedder: embedder ? { id: embedder.id, dimensions: embedder.dimensions } : null,
    bm25: bm25 === false ? false : { ...bm25 },
    vector: vector as PipelineConfigJSON['vector'],
    fusion,
    depth,
    reranker: reranker ? reranker.id : null,
    rerankDepth: checkInteger('config.rerankDepth', config.rerankDepth ?? SEARCH_DEFAULTS.rerankDepth, 1),
    embedBatchSize: checkInteger(
      'config.embedBatchSize',
      config.embedBatchSize ?? SEARCH_DEFAULTS.embedBatchSize,
      1,
    ),
  };
  return { chunker, embedder, reranker, resolved };
}

/**
 * Which parts of a pipeline a {@link RetrievalPipeline.view} runs. The view shares the pipeline's stores (documents,
 * chunks, vectors, indexes): nothing is copied, and an update made through either is seen by both.
 *
 * @example
 * ```ts
 * const lexical = pipeline.view({ retrievers: ['bm25'], reranker: false });
 * (await lexical.search('refund delay')).trace.stages.map((s) => s.stage); // ['bm25']
 * ```
 */
export interface PipelineViewOptions {
  /** The retrievers it runs, among the pipeline's own (`'bm25'`, `'vector'`). Default: all of them. */
  retrievers?: ReadonlyArray<'bm25' | 'vector'>;
  /** Run the pipeline's re-ranker (`true`, the default), none (`false`), or this one. */
  reranker?: boolean | Reranker;
  /** Candidates handed to the view's re-ranker. Default: the pipeline's `rerankDepth`. */
  rerankDepth?: number;
  /**
   * The vector index the view's `vector` retriever searches instead of the pipeline's own: e.g. an HNSW
   * {@link VectorIndex} built from the pipeline's vectors ({@link RetrievalPipeline.getVector}), to compare it with an
   * exact index on the same chunks, BM25 list and fusion. A {@link VectorIndex} or {@link ExactVectorIndex} with the
   * embedder's dimensions holding exactly the pipeline's vectors (checked); the view's `config.vector` describes it
   * and its trace records its `efSearch`. The view only searches it: chunks added or removed later (through either
   * pipeline) change the pipeline's own index, not this one, so make the view again after such changes.
   * Default: the pipeline's index.
   */
  vectorIndex?: VectorSearchIndex;
}

/** An {@link IndexReport} with nothing done. @internal */
export function emptyReport(): IndexReport {
  return {
    added: [],
    updated: [],
    unchanged: [],
    removed: [],
    chunksAdded: 0,
    chunksRemoved: 0,
    chunksEmbedded: 0,
    chunksWithoutVector: [],
  };
}
