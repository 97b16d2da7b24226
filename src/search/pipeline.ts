import { createHash } from 'node:crypto';
import { indexText } from '../chunkers/contextual.js';
import { createChunker } from '../chunkers/spec.js';
import type { Chunker } from '../chunkers/types.js';
import {
  type Chunk,
  type Document,
  type DocumentInput,
  makeChunk,
  metadataJson,
  toDocument,
} from '../core/document.js';
import { checkInteger, checkNumber, invalidArgument, RagscopeError } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';
import { Bm25Index, type Bm25Options } from './bm25.js';
import { checkFilter, type MetadataFilter } from './filter.js';
import { retrieveHybridFiltered } from './filter-fallback.js';
import { type FusionOptions, fuse } from './fusion.js';
import { HybridRetriever, resolveDepth } from './hybrid.js';
import type { LoadOptions, SaveOptions } from './persist.js';
import type { Reranker } from './rerank/types.js';
import { checkSearchOptionKeys } from './search-options.js';
import type {
  Candidate,
  FusionContribution,
  Ledger,
  SearchHit,
  SearchResult,
  SearchTrace,
  VectorSearchIndex,
} from './types.js';
import { ExactVectorIndex, VectorIndex } from './vector.js';

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
  /** How the BM25 and vector lists are fused when both run. Default `{ method: 'rrf', rrfK: 60 }`. */
  fusion?: Omit<FusionOptions, 'depth'>;
  /** Candidates taken from each retriever (they are all kept in the trace). Default `{ bm25: 100, vector: 100 }`. */
  depth?: { bm25?: number; vector?: number };
  /** Re-ranks the top candidates after fusion. Default none. */
  reranker?: Reranker;
  /** Candidates handed to the re-ranker: `max(rerankDepth, k)`. Default 20. */
  rerankDepth?: number;
  /** Texts per `embedder.embed` call while indexing. Default 256. */
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
  /** Number of hits. Default 10. */
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
  /** Only chunks whose metadata (document metadata included) match; each list is post-filtered exactly. */
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

interface DocEntry {
  doc: Document;
  textHash: string;
  metaJson: string;
  chunkIds: string[];
}

/** @internal State moved in and out by persistence. */
export interface PipelineState {
  docs: Array<{ doc: Document; textHash: string; chunkIds: string[] }>;
  chunks: Chunk[];
  vectors: Map<string, Float32Array>;
}

/** One chunk per document: the whole text. Spec `'none'`. */
class WholeDocumentChunker implements Chunker {
  readonly spec = 'none';
  async chunk(input: DocumentInput): Promise<Chunk[]> {
    const doc = toDocument(input);
    return [makeChunk(doc, 0, 0, doc.text.length, this.spec)];
  }
  async chunkWithTrace(input: DocumentInput) {
    return { chunks: await this.chunk(input), boundaries: [] };
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const round3 = (ms: number) => Math.round(ms * 1000) / 1000;
const isBlank = (text: string) => !/\S/.test(text);

/**
 * chunker -> embedder -> BM25 + vector index -> fusion -> re-ranker, built from one config object, with incremental
 * updates and a full trace and per-hit ledger on every search.
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
  private readonly docs = new Map<string, DocEntry>();
  private readonly chunks = new Map<string, Chunk>();
  private readonly vectors = new Map<string, Float32Array>();
  private readonly noVector = new Set<string>();
  private mutations: Promise<void> = Promise.resolve();

  constructor(config: PipelineConfig, internal?: { bm25?: Bm25Index; vectorIndex?: VectorSearchIndex }) {
    if (config === null || typeof config !== 'object')
      invalidArgument('config', config, 'a PipelineConfig object');
    const { chunker, embedder } = config;
    if (typeof chunker === 'string') {
      this.chunker =
        chunker === 'none'
          ? new WholeDocumentChunker()
          : createChunker(chunker, embedder ? { embedder } : {});
    } else if (chunker && typeof chunker === 'object' && typeof chunker.chunk === 'function') {
      this.chunker = chunker;
    } else {
      invalidArgument(
        'config.chunker',
        chunker,
        "a Chunker or a chunker spec string ('none' for whole documents)",
      );
    }
    if (embedder !== undefined && (typeof embedder?.embed !== 'function' || !(embedder.dimensions >= 1))) {
      invalidArgument('config.embedder', embedder, 'an Embedder');
    }
    this.embedder = embedder;
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
    const fusionConfig = { method: 'rrf' as const, ...(config.fusion ?? {}) };
    // Validate now rather than at the first search.
    fuse([], fusionConfig);
    const depth = resolveDepth('config.depth', config.depth, { bm25: 100, vector: 100 });
    const reranker = config.reranker;
    if (reranker !== undefined && typeof reranker?.rerank !== 'function') {
      invalidArgument('config.reranker', reranker, 'a Reranker');
    }
    this.reranker = reranker;
    this.resolved = {
      chunker: this.chunker.spec,
      embedder: embedder ? { id: embedder.id, dimensions: embedder.dimensions } : null,
      bm25: bm25 === false ? false : { ...bm25 },
      vector: vector as PipelineConfigJSON['vector'],
      fusion: fusionConfig,
      depth,
      reranker: reranker ? reranker.id : null,
      rerankDepth: checkInteger('config.rerankDepth', config.rerankDepth ?? 20, 1),
      embedBatchSize: checkInteger('config.embedBatchSize', config.embedBatchSize ?? 256, 1),
    };
    this.bm25 = bm25 === false ? null : (internal?.bm25 ?? new Bm25Index(bm25));
    if (vector === false) this.vectorIndex = null;
    else if (internal?.vectorIndex) this.vectorIndex = internal.vectorIndex;
    else {
      const { index, metric, ...hnsw } = vector as VectorConfig;
      const dimensions = embedder!.dimensions;
      this.vectorIndex =
        index === 'exact'
          ? new ExactVectorIndex({ dimensions, metric })
          : new VectorIndex({ dimensions, metric, ...hnsw });
    }
    const vectorIndex = this.vectorIndex;
    const kind = this.resolved.vector === false ? null : this.resolved.vector.index;
    this.retriever = new HybridRetriever({
      bm25: this.bm25,
      vector:
        vectorIndex && embedder
          ? {
              index: vectorIndex,
              embedder,
              params: () =>
                kind === 'hnsw'
                  ? { index: kind, efSearch: (vectorIndex as { efSearch?: number }).efSearch ?? null }
                  : { index: kind },
            }
          : null,
      fusion: fusionConfig,
      depth,
      docIdOf: (id) => this.chunks.get(id)?.docId ?? null,
    });
  }

  /** The resolved configuration as plain JSON (chunker spec, embedder id and dimensions, depths, fusion...). */
  get config(): PipelineConfigJSON {
    // Plain JSON copy; a custom analyzer function (tokenizer/stemmer) shows as '[function]'.
    return JSON.parse(
      JSON.stringify(this.resolved, (_key, value) => (typeof value === 'function' ? '[function]' : value)),
    ) as PipelineConfigJSON;
  }

  /** Counts of documents, chunks and vectors. */
  get stats(): { documents: number; chunks: number; vectors: number; bm25: number } {
    return {
      documents: this.docs.size,
      chunks: this.chunks.size,
      vectors: this.vectorIndex?.size ?? 0,
      bm25: this.bm25?.size ?? 0,
    };
  }

  /** Ids of every indexed document, in insertion order. */
  documentIds(): string[] {
    return [...this.docs.keys()];
  }

  /** Ids of every indexed chunk. */
  chunkIds(): string[] {
    return [...this.chunks.keys()];
  }

  /** The document `id` as indexed, or undefined. */
  getDocument(id: string): Document | undefined {
    return this.docs.get(id)?.doc;
  }

  /** The chunk `id`, or undefined. */
  getChunk(id: string): Chunk | undefined {
    return this.chunks.get(id);
  }

  /** The indexed chunks of document `docId`, in document order ([] for an unknown document). */
  chunksOf(docId: string): Chunk[] {
    const entry = this.docs.get(docId);
    return entry ? entry.chunkIds.map((id) => this.chunks.get(id)!) : [];
  }

  /** The stored embedding of chunk `chunkId`, or undefined (unknown chunk, or no vector stage). */
  getVector(chunkId: string): Float32Array | undefined {
    return this.vectors.get(chunkId);
  }

  /**
   * Index new documents. A document id already indexed (or repeated in `docs`) throws `INVALID_ARGUMENT`; use
   * {@link RetrievalPipeline.updateDocuments} to replace documents.
   */
  async addDocuments(docs: DocumentInput[]): Promise<IndexReport> {
    const normalized = this.normalizeInputs(docs);
    return this.exclusive(() => {
      normalized.forEach((doc, i) => {
        if (this.docs.has(doc.id)) {
          throw new RagscopeError(
            'INVALID_ARGUMENT',
            `docs[${i}].id ${JSON.stringify(doc.id)} is already indexed; use updateDocuments to replace it`,
            { param: `docs[${i}].id`, value: doc.id },
          );
        }
      });
      return this.upsert(normalized);
    });
  }

  /** Run index mutations one at a time, in call order (concurrent add/update/remove calls queue up). */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.mutations.then(task, task);
    this.mutations = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Add or replace documents. Documents with the same text and metadata are left alone; changed ones are re-chunked,
   * chunks that disappeared are removed from every index, and only chunks with a new id are embedded.
   */
  async updateDocuments(docs: DocumentInput[]): Promise<IndexReport> {
    const normalized = this.normalizeInputs(docs);
    return this.exclusive(() => this.upsert(normalized));
  }

  /** Remove documents and all their chunks from every index. Unknown ids are ignored (and not reported). */
  async removeDocuments(ids: string[]): Promise<IndexReport> {
    if (!Array.isArray(ids)) invalidArgument('ids', ids, 'an array of document ids');
    return this.exclusive(() => this.remove(ids));
  }

  private async remove(ids: string[]): Promise<IndexReport> {
    const report = emptyReport();
    const dropped: string[] = [];
    for (const id of new Set(ids)) {
      const entry = this.docs.get(id);
      if (!entry) continue;
      for (const c of entry.chunkIds) dropped.push(c);
      this.docs.delete(id);
      report.removed.push(id);
    }
    await this.dropChunks(dropped);
    report.chunksRemoved = dropped.length;
    return report;
  }

  private normalizeInputs(docs: DocumentInput[]): Document[] {
    if (!Array.isArray(docs)) invalidArgument('docs', docs, 'an array of documents');
    const seen = new Set<string>();
    return docs.map((input, i) => {
      const doc = toDocument(input);
      if (seen.has(doc.id)) invalidArgument(`docs[${i}].id`, doc.id, 'unique within the batch');
      seen.add(doc.id);
      return { id: doc.id, text: doc.text, metadata: doc.metadata ?? {} };
    });
  }

  private async upsert(docs: Document[]): Promise<IndexReport> {
    const report = emptyReport();
    // 1. Decide and chunk (no state change yet, so a failing chunker/embedder leaves the pipeline as it was).
    const work: Array<{ doc: Document; textHash: string; metaJson: string; chunks: Chunk[] }> = [];
    for (const doc of docs) {
      const textHash = sha256(doc.text);
      const metaJson = metadataJson(doc);
      const old = this.docs.get(doc.id);
      if (old && old.textHash === textHash && old.metaJson === metaJson) {
        report.unchanged.push(doc.id);
        continue;
      }
      (old ? report.updated : report.added).push(doc.id);
      const chunks = (await this.chunker.chunk(doc)).filter((c) => !isBlank(c.text));
      work.push({ doc, textHash, metaJson, chunks });
    }
    // 2. Embed chunks whose id is new.
    const toEmbed = work.flatMap((w) => w.chunks.filter((c) => !this.chunks.has(c.id)));
    const newVectors = new Map<string, Float32Array>();
    if (this.vectorIndex && this.embedder && toEmbed.length > 0) {
      const size = this.resolved.embedBatchSize;
      for (let i = 0; i < toEmbed.length; i += size) {
        const batch = toEmbed.slice(i, i + size);
        const vectors = await this.embedder.embed(
          batch.map((c) => indexText(c, 'embed')),
          { kind: 'passage' },
        );
        if (!Array.isArray(vectors) || vectors.length !== batch.length) {
          throw new RagscopeError(
            'INVALID_ARGUMENT',
            `embedder ${this.embedder.id} returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${batch.length} texts`,
            { param: 'embedder' },
          );
        }
        batch.forEach((c, j) => {
          const v = vectors[j]!;
          if (v.length !== this.embedder!.dimensions) {
            throw new RagscopeError(
              'INVALID_ARGUMENT',
              `embedder ${this.embedder!.id} returned a vector of length ${v.length}, expected ${this.embedder!.dimensions}`,
              { param: 'embedder.dimensions' },
            );
          }
          let sq = 0;
          for (let d = 0; d < v.length; d++) {
            const x = v[d]!;
            if (!Number.isFinite(x)) {
              throw new RagscopeError(
                'INVALID_ARGUMENT',
                `embedder ${this.embedder!.id} returned a non-finite value ${x} at [${d}] for chunk ${c.id}`,
                { param: 'embedder', chunk: c.id },
              );
            }
            sq += x * x;
          }
          // Cosine is undefined for the zero vector (a text with no known token): such a chunk stays searchable
          // by BM25 and is listed by chunksWithoutVector().
          if (sq === 0 && this.vectorIndex!.metric === 'cosine') report.chunksWithoutVector.push(c.id);
          else newVectors.set(c.id, v);
        });
      }
      report.chunksEmbedded = toEmbed.length;
    }
    // 3. Commit: drop chunks that disappeared, add new ones, refresh kept ones (metadata may have changed).
    const dropped: string[] = [];
    const added: Chunk[] = [];
    for (const { doc, textHash, metaJson, chunks } of work) {
      const old = this.docs.get(doc.id);
      const keep = new Set(chunks.map((c) => c.id));
      if (old) for (const id of old.chunkIds) if (!keep.has(id)) dropped.push(id);
      for (const c of chunks) if (!this.chunks.has(c.id)) added.push(c);
      this.docs.set(doc.id, { doc, textHash, metaJson, chunkIds: chunks.map((c) => c.id) });
    }
    await this.dropChunks(dropped);
    for (const { chunks } of work) for (const c of chunks) this.chunks.set(c.id, c);
    this.bm25?.add(added.map((c) => ({ id: c.id, docId: c.docId, text: indexText(c, 'bm25') })));
    if (this.vectorIndex && added.length > 0) {
      const ids = added.map((c) => c.id).filter((id) => newVectors.has(id));
      const vectors = ids.map((id) => newVectors.get(id)!);
      if (ids.length > 0) await this.vectorIndex.add(ids, vectors);
      for (const [i, id] of ids.entries()) this.vectors.set(id, vectors[i]!);
      for (const id of report.chunksWithoutVector) this.noVector.add(id);
    }
    report.chunksAdded = added.length;
    report.chunksRemoved = dropped.length;
    return report;
  }

  private async dropChunks(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    for (const id of ids) {
      this.chunks.delete(id);
      this.vectors.delete(id);
      this.noVector.delete(id);
    }
    this.bm25?.remove(ids.filter((id) => this.bm25!.has(id)));
    if (this.vectorIndex) await this.vectorIndex.remove(ids);
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
    const k = checkInteger('k', options.k ?? 10, 1);
    const minScore = options.minScore === undefined ? undefined : checkNumber('minScore', options.minScore);
    const depth = resolveDepth('depth', options.depth, this.resolved.depth);
    const ro = {
      depth,
      ...(options.fusion ? { fusion: options.fusion } : {}),
      ...(options.queryVector ? { queryVector: options.queryVector } : {}),
    };
    const retrieved =
      options.filter === undefined
        ? await this.retriever.retrieve(query, ro)
        : await retrieveHybridFiltered(this.retriever, query, ro, checkFilter(options.filter), (id) =>
            this.chunks.get(id),
          );
    const { stages, fused, queryVector } = retrieved;
    let current = retrieved.candidates;
    const fusionMethod = retrieved.method ?? '';
    const bm25Stage = stages.find((s) => s.stage === 'bm25') ?? null;
    const vectorStage = stages.find((s) => s.stage === 'vector') ?? null;

    const preRerankRank = new Map(current.map((c) => [c.chunkId, c.rank]));
    let reranked: Map<string, { score: number; rankAfter: number }> | null = null;
    if (this.reranker && options.rerank !== false && current.length > 0) {
      const t0 = performance.now();
      const rerankDepth = Math.max(this.resolved.rerankDepth, k);
      const top = current.slice(0, rerankDepth);
      const wantVectors = this.reranker.needsVectors === true;
      const order = await this.reranker.rerank(
        query,
        top.map((c) => {
          const vector = wantVectors ? this.vectors.get(c.chunkId) : undefined;
          return {
            id: c.chunkId,
            text: this.chunks.get(c.chunkId)!.text,
            score: c.score,
            ...(vector ? { vector } : {}),
          };
        }),
        queryVector ? { queryVector } : {},
      );
      const expected = new Set(top.map((c) => c.chunkId));
      const got = new Set(order.map((r) => r.id));
      if (
        order.length !== top.length ||
        got.size !== expected.size ||
        [...got].some((id) => !expected.has(id))
      ) {
        throw new RagscopeError(
          'INVALID_ARGUMENT',
          `reranker ${this.reranker.id} must return each of the ${top.length} candidates once, got ${order.length} results`,
          { param: 'reranker' },
        );
      }
      const bad = order.find((r) => typeof r.score !== 'number' || !Number.isFinite(r.score));
      if (bad) {
        throw new RagscopeError(
          'INVALID_ARGUMENT',
          `reranker ${this.reranker.id} returned a non-finite score ${String(bad.score)} for chunk ${bad.id}`,
          { param: 'reranker' },
        );
      }
      const byId = new Map(top.map((c) => [c.chunkId, c]));
      const rerankCandidates: Candidate[] = order.map((r, i) => ({
        chunkId: r.id,
        docId: byId.get(r.id)!.docId,
        rank: i + 1,
        score: r.score,
        normalized: r.score,
      }));
      reranked = new Map(rerankCandidates.map((c) => [c.chunkId, { score: c.score, rankAfter: c.rank }]));
      stages.push({
        stage: 'rerank',
        params: { reranker: this.reranker.id, depth: rerankDepth },
        candidates: rerankCandidates,
        durationMs: round3(performance.now() - t0),
      });
      current = [
        ...rerankCandidates,
        ...current.slice(rerankDepth).map((c, i) => ({ ...c, rank: top.length + i + 1 })),
      ];
    }

    const bm25Ranks = new Map((bm25Stage?.candidates ?? []).map((c) => [c.chunkId, c]));
    const vectorRanks = new Map((vectorStage?.candidates ?? []).map((c) => [c.chunkId, c]));
    const metric = this.vectorIndex?.metric ?? 'cosine';
    const kept = current.slice(0, k).filter((c) => minScore === undefined || c.score >= minScore);
    const hits: SearchHit[] = kept.map((c, i) => {
      const b = bm25Ranks.get(c.chunkId);
      const v = vectorRanks.get(c.chunkId);
      const f = fused?.get(c.chunkId);
      const r = reranked?.get(c.chunkId);
      const ledger: Ledger = {
        bm25:
          b && this.bm25
            ? { rank: b.rank, score: b.score, explanation: this.bm25.explain(query, c.chunkId) }
            : null,
        vector: v ? { rank: v.rank, score: v.score, metric } : null,
        fusion: f
          ? {
              method: fusionMethod,
              rank: f.rank,
              score: f.score,
              contributions: f.contributions.map((x: FusionContribution) => ({ ...x })),
              foundBy: [...f.foundBy],
            }
          : null,
        rerank: r
          ? {
              score: r.score,
              rankBefore: preRerankRank.get(c.chunkId)!,
              rankAfter: r.rankAfter,
              moved: preRerankRank.get(c.chunkId)! - r.rankAfter,
            }
          : null,
      };
      return { chunk: this.chunks.get(c.chunkId)!, score: c.score, rank: i + 1, ledger };
    });
    const trace: SearchTrace = {
      version: 1,
      query,
      k,
      ...(this.vectorIndex && this.embedder ? { embedderId: this.embedder.id } : {}),
      stages,
    };
    return { hits, trace };
  }

  /**
   * Save the whole index to folder `dir`: a consistent snapshot (queued updates are applied first, later ones wait),
   * verified, then swapped in atomically. See {@link savePipeline}.
   */
  save(dir: string, options: SaveOptions = {}): Promise<void> {
    // Queued now (not after the import), so the snapshot is the state once the calls made before save() are done.
    return this.exclusive(async () => {
      const { writeIndex } = await import('./persist/save.js');
      await writeIndex(this, dir, options);
    });
  }

  /** @internal Run `task` in the mutation queue: after queued add/update/remove calls, before later ones. */
  withMutationLock<T>(task: () => Promise<T>): Promise<T> {
    return this.exclusive(task);
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
    return {
      docs: [...this.docs.values()].map(({ doc, textHash, chunkIds }) => ({ doc, textHash, chunkIds })),
      chunks: [...this.chunks.values()],
      vectors: this.vectors,
    };
  }

  /** @internal Fill an empty pipeline's stores from a snapshot (the indexes are given to the constructor). */
  importState(state: PipelineState): void {
    for (const c of state.chunks) this.chunks.set(c.id, c);
    for (const { doc, textHash, chunkIds } of state.docs) {
      this.docs.set(doc.id, { doc, textHash, metaJson: JSON.stringify(doc.metadata ?? {}), chunkIds });
    }
    for (const [id, v] of state.vectors) this.vectors.set(id, v);
    if (this.vectorIndex) for (const c of state.chunks) if (!state.vectors.has(c.id)) this.noVector.add(c.id);
  }

  /**
   * Chunks indexed by BM25 but not in the vector index because they embed to the zero vector (no token the
   * embedder knows, e.g. a row of numbers under GloVe), for which cosine similarity is undefined.
   */
  chunksWithoutVector(): string[] {
    return [...this.noVector];
  }
}

function emptyReport(): IndexReport {
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
