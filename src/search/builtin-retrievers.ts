import type { Chunk } from '../core/document.js';
import { invalidArgument } from '../core/errors.js';
import { norm } from '../core/vectors.js';
import type { Embedder } from '../embedders/types.js';
import type { Bm25Index } from './bm25.js';
import { matchesFilter } from './filter.js';
import { filteredByLookup } from './filter-fallback.js';
import type { RetrieveContext, RetrievedHit, Retriever } from './retriever.js';
import type { VectorSearchIndex } from './types.js';

/** ragscope chunk ids are `docId#index.hash`: the document id is the part before the last `#`. @internal */
export const docIdOfChunkId = (id: string): string => {
  const at = id.lastIndexOf('#');
  return at > 0 ? id.slice(0, at) : id;
};

/**
 * Options of {@link VectorRetriever}.
 *
 * @example
 * ```ts
 * const options: VectorRetrieverOptions = { name: 'dense', docIdOf: (id) => store.get(id)?.docId ?? null };
 * ```
 */
export interface VectorRetrieverOptions {
  /** The list's name. Default `'vector'`. */
  name?: string;
  /**
   * Document id of a hit (the vector index stores chunk ids only), or `null` to drop the hit (e.g. a chunk removed
   * meanwhile). Default: the part of the id before its last `#` (ragscope chunk ids are `docId#index.hash`).
   */
  docIdOf?: (chunkId: string) => string | null;
  /** Extra parameters recorded in the stage's trace (e.g. `{ index: 'hnsw', efSearch: 64 }`). */
  params?: () => Record<string, unknown>;
  /** The indexed chunk by id (lets a metadata filter read its metadata). */
  chunks?: (chunkId: string) => Chunk | undefined;
}

const ZERO_QUERY = 'the query embeds to the zero vector (no known token)';

/**
 * ragscope's BM25 index as a {@link Retriever} (kind `lexical`, name `bm25`): the same list the pipeline's `bm25`
 * stage records, with per-term explanations on request, so it can be fused with any other retriever.
 *
 * @example
 * ```ts
 * const bm25 = new Bm25Index();
 * bm25.add([{ id: 'faq#0.a', docId: 'faq', text: 'Refunds take five days.' }]);
 * const hits = await new Bm25Retriever(bm25).retrieve('refund', 10); // [{ chunkId: 'faq#0.a', docId: 'faq', score: 0.28... }]
 * ```
 */
export class Bm25Retriever implements Retriever {
  readonly kind = 'lexical' as const;
  readonly name: string;

  constructor(
    readonly index: Bm25Index,
    options: { name?: string; chunks?: (chunkId: string) => Chunk | undefined } = {},
  ) {
    if (!index || typeof index.search !== 'function') invalidArgument('index', index, 'a Bm25Index');
    this.name = options.name ?? 'bm25';
    this.chunkOf = options.chunks;
    this.nativeFilter = options.chunks !== undefined;
    if (options.chunks) this.getChunk = async (id) => options.chunks!(id);
  }

  private readonly chunkOf: ((chunkId: string) => Chunk | undefined) | undefined;

  /**
   * True when constructed with `chunks`: a filter is then applied inside the BM25 search (its `accept` predicate,
   * the exact top `depth` among the matching chunks), not by re-querying deeper.
   */
  readonly nativeFilter: boolean;

  /** The indexed chunk, when constructed with `chunks` (lets a filter read its metadata). */
  readonly getChunk?: (chunkId: string) => Promise<Chunk | undefined>;

  /** The `depth` best chunks by BM25 (only chunks passing `context.filter`, which needs `chunks`). */
  async retrieve(query: string, depth: number, context?: RetrieveContext): Promise<RetrievedHit[]> {
    const filter = context?.filter;
    if (filter && !this.chunkOf) return filteredByLookup(this, query, depth, context!);
    const chunkOf = this.chunkOf;
    const accept =
      filter && chunkOf ? (id: string) => matchesFilter(chunkOf(id)?.metadata, filter) : undefined;
    return this.index
      .search(query, depth, accept ? { accept } : {})
      .map((h) => ({ chunkId: h.id, docId: h.docId, score: h.score }));
  }

  /** k1, b, the analyzer and the index size, as the pipeline's bm25 stage records them. */
  params(): Record<string, unknown> {
    return { k1: this.index.k1, b: this.index.b, analyzer: this.index.analyzer.id, chunks: this.index.size };
  }

  /** Whether the chunk is indexed. */
  async has(chunkId: string): Promise<boolean> {
    return this.index.has(chunkId);
  }

  /** The chunk's BM25 score for the query, term by term, however low it ranks. */
  async explain(query: string, chunkId: string): Promise<RetrievedHit | undefined> {
    if (!this.index.has(chunkId)) return undefined;
    const e = this.index.explain(query, chunkId);
    return { chunkId, docId: docIdOfChunkId(chunkId), score: e.score, explanation: { ...e } };
  }

  /** Number of chunks indexed. */
  async size(): Promise<number> {
    return this.index.size;
  }
}

/**
 * A ragscope vector index (HNSW or exact) with its embedder as a {@link Retriever} (kind `dense`, name `vector`):
 * the query is embedded with `kind: 'query'` unless the search already carries its vector.
 *
 * @example
 * ```ts
 * const index = new ExactVectorIndex({ dimensions: 256 });
 * const dense = new VectorRetriever(index, new HashingEmbedder());
 * const hits = await dense.retrieve('refund delay', 50);
 * ```
 */
export class VectorRetriever implements Retriever {
  readonly kind = 'dense' as const;
  readonly name: string;

  private readonly docIdOf: (chunkId: string) => string | null;
  private readonly extraParams: (() => Record<string, unknown>) | undefined;

  constructor(
    readonly index: VectorSearchIndex,
    readonly embedder: Embedder,
    options: VectorRetrieverOptions = {},
  ) {
    if (!index || typeof index.search !== 'function') invalidArgument('index', index, 'a VectorSearchIndex');
    if (!embedder || typeof embedder.embed !== 'function')
      invalidArgument('embedder', embedder, 'an Embedder');
    this.name = options.name ?? 'vector';
    this.docIdOf = options.docIdOf ?? docIdOfChunkId;
    this.extraParams = options.params;
    if (options.chunks) this.getChunk = async (id) => options.chunks!(id);
  }

  /** The indexed chunk, when constructed with `chunks` (lets a filter read its metadata). */
  readonly getChunk?: (chunkId: string) => Promise<Chunk | undefined>;

  /** The `depth` most similar chunks (none when the query embeds to the zero vector; `context.filter` needs `chunks`). */
  async retrieve(query: string, depth: number, context?: RetrieveContext): Promise<RetrievedHit[]> {
    if (context?.filter) return filteredByLookup(this, query, depth, context);
    const qv = context?.queryVector ?? (await this.embedder.embed([query], { kind: 'query' }))[0];
    if (!qv || norm(qv) === 0 || this.index.size === 0) return [];
    const hits: RetrievedHit[] = [];
    for (const h of await this.index.search(qv, depth)) {
      const docId = Number.isFinite(h.score) ? this.docIdOf(h.id) : null;
      if (docId !== null) hits.push({ chunkId: h.id, docId, score: h.score });
    }
    return hits;
  }

  /** The metric, any extra parameters given, the embedder and the index size; `skipped` for a zero query vector. */
  params(context?: RetrieveContext): Record<string, unknown> {
    const qv = context?.queryVector;
    return {
      metric: this.index.metric,
      ...(this.extraParams?.() ?? {}),
      embedder: this.embedder.id,
      chunks: this.index.size,
      ...(qv && norm(qv) === 0 ? { skipped: ZERO_QUERY } : {}),
    };
  }

  /** Whether the chunk has a vector. */
  async has(chunkId: string): Promise<boolean> {
    return this.index.has(chunkId);
  }

  /** Number of vectors stored. */
  async size(): Promise<number> {
    return this.index.size;
  }
}
