import type { Chunker } from '../chunkers/types.js';
import type { Chunk, Document, DocumentInput } from '../core/document.js';
import { checkInteger, checkNumber, invalidArgument } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';
import { Bm25Index } from './bm25.js';
import { Bm25Retriever } from './builtin-retrievers.js';
import { SEARCH_DEFAULTS } from './defaults.js';
import { checkFilter } from './filter.js';
import { HybridRetriever, resolveDepth } from './hybrid.js';
import type { LoadOptions, SaveOptions } from './persist.js';
import {
  type IndexReport,
  type PipelineConfig,
  type PipelineConfigJSON,
  type PipelineViewOptions,
  resolvePipelineConfig,
  type SearchOptions,
} from './pipeline-config.js';
import { type ChunkedDocument, type PipelineState, PipelineStore } from './pipeline-store.js';
import { resolveView } from './pipeline-view.js';
import type { Reranker } from './rerank/types.js';
import type { Retriever } from './retriever.js';
import { runSearch } from './search-core.js';
import { checkSearchOptionKeys } from './search-options.js';
import type { SearchResult, VectorSearchIndex } from './types.js';
import { ExactVectorIndex, VectorIndex } from './vector.js';

export type {
  IndexReport,
  PipelineConfig,
  PipelineConfigJSON,
  PipelineViewOptions,
  SearchOptions,
  VectorConfig,
} from './pipeline-config.js';
export type { ChunkedDocument, PipelineState } from './pipeline-store.js';

/** @internal What persistence and views hand the constructor instead of building new stores. */
interface PipelineInternals {
  bm25?: Bm25Index;
  /** The loaded vector index, or the one a view searches instead of its stores' (`view({ vectorIndex })`). */
  vectorIndex?: VectorSearchIndex;
  /** A view: the stores of the pipeline it views. */
  store?: PipelineStore;
}

const isBlank = (text: string) => !/\S/.test(text);

/**
 * chunker -> embedder -> BM25 + vector index -> fusion -> re-ranker, built from one config object, with incremental
 * updates and a full trace and per-hit ledger on every search.
 *
 * The `bm25` and `vector` config are shorthand for two {@link Retriever}s ({@link Bm25Retriever},
 * {@link VectorRetriever}, see {@link RetrievalPipeline.retrievers}); a search runs them through the same core as
 * {@link RetrieverSearch} ({@link runSearch}: retriever stages, fusion, re-rank, `minScore`). Defaults:
 * {@link SEARCH_DEFAULTS}, {@link FUSION_DEFAULTS}.
 *
 * Consistency: the chunk store, the BM25 index and the vector index always hold the same chunk ids (blank chunks are
 * not indexed). `updateDocuments` re-chunks only documents whose text (sha256) or metadata changed, and embeds only
 * chunks whose id is new (chunk ids hash their text and offsets, so an unchanged chunk keeps its vector).
 *
 * @example
 * ```ts
 * const pipeline = new RetrievalPipeline({ chunker: 'recursive:400/0:chars', embedder: new HashingEmbedder() });
 * await pipeline.addDocuments([{ id: 'handbook', text: 'Refunds take 5 days.\n\nShipping is free.' }]);
 * const { hits, trace } = await pipeline.search('how long do refunds take?', { k: 3 });
 * hits[0].ledger.bm25?.explanation.terms; // per-term contributions
 * ```
 */
export class RetrievalPipeline {
  /** The chunker in use. */
  readonly chunker: Chunker;
  /** The embedder, when the vector stage is on (or one was given). */
  readonly embedder: Embedder | undefined;
  /** The BM25 index, or null when BM25 is off. */
  readonly bm25: Bm25Index | null;
  /** The vector index, or null when the vector stage is off. */
  readonly vectorIndex: VectorSearchIndex | null;
  /** The re-ranker, if any. */
  readonly reranker: Reranker | undefined;
  /** The BM25 + vector retrieval and fusion stages. */
  readonly retriever: HybridRetriever;
  private readonly resolved: PipelineConfigJSON;
  private readonly store: PipelineStore;

  constructor(config: PipelineConfig, internal?: PipelineInternals) {
    const { chunker, embedder, reranker, resolved } = resolvePipelineConfig(config);
    this.chunker = chunker;
    this.embedder = embedder;
    this.reranker = reranker;
    this.resolved = resolved;
    const shared = internal?.store;
    const bm25 =
      resolved.bm25 === false ? null : (shared?.bm25 ?? internal?.bm25 ?? new Bm25Index(resolved.bm25));
    const vector = resolved.vector;
    let vectorIndex: VectorSearchIndex | null = null;
    if (vector !== false) {
      vectorIndex = internal?.vectorIndex ?? shared?.vectorIndex ?? null;
      if (!vectorIndex) {
        const { index, metric, ...hnsw } = vector;
        const dimensions = embedder!.dimensions;
        vectorIndex =
          index === 'exact'
            ? new ExactVectorIndex({ dimensions, metric })
            : new VectorIndex({ dimensions, metric, ...hnsw });
      }
    }
    this.bm25 = bm25;
    this.vectorIndex = vectorIndex;
    this.store = shared ?? new PipelineStore(chunker, embedder, bm25, vectorIndex, resolved.embedBatchSize);
    const kind = vector === false ? null : vector.index;
    const index = vectorIndex;
    this.retriever = new HybridRetriever({
      bm25,
      vector:
        index && embedder
          ? {
              index,
              embedder,
              params: () =>
                kind === 'hnsw'
                  ? { index: kind, efSearch: (index as { efSearch?: number }).efSearch ?? null }
                  : { index: kind },
            }
          : null,
      fusion: resolved.fusion,
      depth: resolved.depth,
      docIdOf: (id) => this.store.chunks.get(id)?.docId ?? null,
      chunks: (id) => this.store.chunks.get(id),
    });
  }

  /** The resolved configuration as plain JSON (chunker spec, embedder id and dimensions, depths, fusion...). */
  get config(): PipelineConfigJSON {
    // Plain JSON copy; a custom analyzer function (tokenizer/stemmer) shows as '[function]'.
    return JSON.parse(
      JSON.stringify(this.resolved, (_key, value) => (typeof value === 'function' ? '[function]' : value)),
    ) as PipelineConfigJSON;
  }

  /**
   * The pipeline's retrievers, as every search runs them: `bm25` ({@link Bm25Retriever}) and/or `vector`
   * ({@link VectorRetriever}), in that order.
   */
  get retrievers(): readonly Retriever[] {
    return this.retriever.retrievers;
  }

  /** Counts of documents, chunks and vectors. */
  get stats(): { documents: number; chunks: number; vectors: number; bm25: number } {
    return {
      documents: this.store.docs.size,
      chunks: this.store.chunks.size,
      vectors: this.vectorIndex?.size ?? 0,
      bm25: this.bm25?.size ?? 0,
    };
  }

  /** Ids of every indexed document, in insertion order. */
  documentIds(): string[] {
    return [...this.store.docs.keys()];
  }

  /** Ids of every indexed chunk. */
  chunkIds(): string[] {
    return [...this.store.chunks.keys()];
  }

  /** The document `id` as indexed, or undefined. */
  getDocument(id: string): Document | undefined {
    return this.store.docs.get(id)?.doc;
  }

  /** The chunk `id`, or undefined. */
  getChunk(id: string): Chunk | undefined {
    return this.store.chunks.get(id);
  }

  /** The indexed chunks of document `docId`, in document order ([] for an unknown document). */
  chunksOf(docId: string): Chunk[] {
    const entry = this.store.docs.get(docId);
    return entry ? entry.chunkIds.map((id) => this.store.chunks.get(id)!) : [];
  }

  /** The stored embedding of chunk `chunkId`, or undefined (unknown chunk, or no vector stage). */
  getVector(chunkId: string): Float32Array | undefined {
    return this.store.vectors.get(chunkId);
  }

  /**
   * Index new documents. A document id already indexed (or repeated in `docs`) throws `INVALID_ARGUMENT`; use
   * {@link RetrievalPipeline.updateDocuments} to replace documents.
   */
  async addDocuments(docs: DocumentInput[]): Promise<IndexReport> {
    return this.store.add(docs);
  }

  /**
   * Index new documents with the chunks you already have (made and timed elsewhere, or by another splitter turned
   * into offset-carrying chunks) instead of the pipeline's chunker. Every chunk must be exact,
   * `document.text.slice(start, end) === chunk.text` with `chunk.docId` the document's id; anything else throws
   * `INVALID_ARGUMENT` naming the item and chunk (e.g. `items[0].chunks[2].text`). A document id already indexed
   * throws as in {@link RetrievalPipeline.addDocuments}. Blank chunks are not indexed.
   *
   * @example
   * ```ts
   * const document = { id: 'faq', text: 'Refunds take 5 days. Shipping is free.' };
   * const chunks = new RecursiveChunker({ size: 20 }).chunkSync(document);
   * const pipeline = new RetrievalPipeline({ chunker: 'recursive:20/0' });
   * await pipeline.addChunks([{ document, chunks }]); // indexes exactly `chunks`, without chunking again
   * ```
   */
  async addChunks(items: readonly ChunkedDocument[]): Promise<IndexReport> {
    return this.store.addChunks(items);
  }

  /**
   * Add or replace documents. Documents with the same text and metadata are left alone; changed ones are re-chunked,
   * chunks that disappeared are removed from every index, and only chunks with a new id are embedded.
   */
  async updateDocuments(docs: DocumentInput[]): Promise<IndexReport> {
    return this.store.update(docs);
  }

  /** Remove documents and all their chunks from every index. Unknown ids are ignored (and not reported). */
  async removeDocuments(ids: string[]): Promise<IndexReport> {
    return this.store.remove(ids);
  }

  /**
   * A pipeline over the same stores that runs only some of the retrievers and/or no (or another) re-ranker, or
   * searches another vector index ({@link PipelineViewOptions.vectorIndex}): for comparing BM25-only, dense-only and
   * hybrid, or exact and HNSW vectors, on one index without building it again. Nothing is copied; documents added
   * through either are seen by both.
   *
   * @example
   * ```ts
   * const pipeline = new RetrievalPipeline({ chunker: 'none', embedder: new HashingEmbedder(), reranker: new MmrReranker() });
   * await pipeline.addDocuments([{ id: 'faq', text: 'Refunds take 5 days.' }]);
   * const bm25Only = pipeline.view({ retrievers: ['bm25'], reranker: false });
   * (await bm25Only.search('refund')).trace.stages.map((s) => s.stage); // ['bm25']
   * ```
   *
   * @example
   * ```ts
   * // The same chunks, BM25 list and fusion over an exact index and over HNSW (npm install hnswlib-node).
   * const exact = new RetrievalPipeline({ chunker: 'none', embedder: new HashingEmbedder(), vector: { index: 'exact' } });
   * await exact.addDocuments([{ id: 'faq', text: 'Refunds take 5 days.' }, { id: 'ship', text: 'Shipping is free.' }]);
   * const ids = exact.chunkIds().filter((id) => exact.getVector(id));
   * const hnsw = new VectorIndex({ dimensions: exact.embedder!.dimensions, efSearch: 100 });
   * await hnsw.add(ids, ids.map((id) => exact.getVector(id)!));
   * const approximate = exact.view({ vectorIndex: hnsw });
   * (await approximate.search('refund')).trace.stages[1].params; // { depth: 100, metric: 'cosine', index: 'hnsw', efSearch: 100, ... }
   * ```
   */
  view(options: PipelineViewOptions = {}): RetrievalPipeline {
    const { config, vectorIndex } = resolveView(options, {
      chunker: this.chunker,
      embedder: this.embedder,
      reranker: this.reranker,
      resolved: this.resolved,
      retrievers: this.retrievers.map((r) => r.name as 'bm25' | 'vector'),
      vectorIds: () => this.store.vectors.keys(),
    });
    return new RetrievalPipeline(config, { store: this.store, ...(vectorIndex ? { vectorIndex } : {}) });
  }

  /**
   * Search. Returns the top `k` hits, each with its ledger, and the full trace: every stage's candidate list (BM25
   * and vector lists complete to their depth, so fusion can be replayed), raw and normalised scores, ranks,
   * parameters and duration.
   *
   * @example
   * ```ts
   * const { hits, trace } = await pipeline.search('refund delay', { k: 5, fusion: { method: 'weighted', normalization: 'zscore' } });
   * ```
   */
  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    if (typeof query !== 'string' || isBlank(query)) invalidArgument('query', query, 'a non-empty string');
    if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
    checkSearchOptionKeys(options);
    const k = checkInteger('k', options.k ?? SEARCH_DEFAULTS.k, 1);
    const minScore = options.minScore === undefined ? undefined : checkNumber('minScore', options.minScore);
    const depth = resolveDepth('depth', options.depth, this.resolved.depth);
    const fusion = { ...this.retriever.fusion, ...(options.fusion ?? {}) };
    const { chunks, vectors } = this.store;
    return runSearch(
      query,
      {
        retrievers: this.retrievers.map((retriever) => ({
          retriever,
          depth: retriever instanceof Bm25Retriever ? depth.bm25 : depth.vector,
        })),
        fusion,
        embedder: this.vectorIndex && this.embedder ? this.embedder : null,
        reranker: this.reranker ? { reranker: this.reranker, depth: this.resolved.rerankDepth } : null,
        chunks: {
          chunk: (id) => chunks.get(id)!,
          lookup: (id) => chunks.get(id),
          vector: (id) => vectors.get(id),
        },
      },
      {
        k,
        minScore,
        rerank: options.rerank,
        queryVector: options.queryVector,
        filter: options.filter === undefined ? undefined : checkFilter(options.filter),
      },
    );
  }

  /**
   * Save the whole index to folder `dir`: a consistent snapshot (queued updates are applied first, later ones wait),
   * verified, then swapped in atomically. See {@link savePipeline}.
   */
  save(dir: string, options: SaveOptions = {}): Promise<void> {
    // Queued now (not after the import), so the snapshot is the state once the calls made before save() are done.
    return this.store.exclusive(async () => {
      const { writeIndex } = await import('./persist/save.js');
      await writeIndex(this, dir, options);
    });
  }

  /** @internal Run `task` in the mutation queue: after queued add/update/remove calls, before later ones. */
  withMutationLock<T>(task: () => Promise<T>): Promise<T> {
    return this.store.exclusive(task);
  }

  /**
   * Load an index saved by {@link RetrievalPipeline.save}. See {@link loadPipeline}.
   *
   * @example
   * ```ts
   * const pipeline = await RetrievalPipeline.load('my-index', { embedder: new HashingEmbedder() });
   * ```
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<RetrievalPipeline> {
    const { loadPipeline } = await import('./persist.js');
    return loadPipeline(dir, options);
  }

  /** @internal Snapshot of the stores, for persistence. */
  exportState(): PipelineState {
    return this.store.exportState();
  }

  /** @internal Fill an empty pipeline's stores from a snapshot (the indexes are given to the constructor). */
  importState(state: PipelineState): void {
    this.store.importState(state);
  }

  /**
   * Chunks indexed by BM25 but not in the vector index because they embed to the zero vector (no token the
   * embedder knows, e.g. a row of numbers under GloVe), for which cosine similarity is undefined.
   */
  chunksWithoutVector(): string[] {
    return this.vectorIndex ? [...this.store.noVector] : [];
  }
}
