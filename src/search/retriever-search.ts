import { precomputedChunker } from '../chunkers/precomputed.js';
import type { Chunker } from '../chunkers/types.js';
import type { Chunk, Document } from '../core/document.js';
import { checkInteger, checkNumber, invalidArgument } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';
import { FUSION_DEFAULTS, SEARCH_DEFAULTS } from './defaults.js';
import { checkFilter, type MetadataFilter } from './filter.js';
import { checkListName, type FusionOptions, fuse } from './fusion.js';
import type { Reranker } from './rerank/types.js';
import { missingRetrieverMembers, type Retriever } from './retriever.js';
import { runSearch } from './search-core.js';
import type { SearchResult } from './types.js';

/**
 * Defaults of {@link RetrieverSearch}: candidates taken from each retriever, fusion, and the final cut-off (the
 * values of {@link SEARCH_DEFAULTS} and {@link FUSION_DEFAULTS}, shared with {@link RetrievalPipeline}).
 *
 * @example
 * ```ts
 * RETRIEVER_SEARCH_DEFAULTS.depth; // 100
 * ```
 */
export const RETRIEVER_SEARCH_DEFAULTS = Object.freeze({
  depth: SEARCH_DEFAULTS.depth,
  k: SEARCH_DEFAULTS.k,
  rerankDepth: SEARCH_DEFAULTS.rerankDepth,
  fusion: Object.freeze({ method: FUSION_DEFAULTS.method, rrfK: FUSION_DEFAULTS.rrfK }) as Omit<
    FusionOptions,
    'depth'
  >,
});

/**
 * Options of {@link RetrieverSearch}.
 *
 * @example
 * ```ts
 * const o: RetrieverSearchOptions = { retrievers: [text, dense], fusion: { method: 'weighted', weights: { 'pg-text': 0.5 } } };
 * ```
 */
export interface RetrieverSearchOptions {
  /** One or more retrievers, each a named list (names unique). */
  retrievers: readonly Retriever[];
  /** Fusion when more than one list runs, weights keyed by retriever name. Default RRF, k 60. */
  fusion?: Omit<FusionOptions, 'depth'>;
  /** Candidates taken from each retriever, by name, or one number for all. Default 100. */
  depth?: number | Record<string, number>;
  /** The source documents, for offsets, why-not and the document view (optional). */
  documents?: readonly Document[];
  /** Every chunk the retrievers can return, when known (lets why-not check every cause it can). */
  chunks?: readonly Chunk[];
  /** Embeds the query once for every dense retriever (and lets why-not replay with the same vector). */
  embedder?: Embedder;
  /**
   * The chunker that made `chunks` (for boundary reasons in `ragscope explore`). Default: one that hands back the
   * chunks given, spec `stored`.
   */
  chunker?: Chunker;
  /** Re-ranks the fused top candidates (their text from `chunks` or the retrievers' `getChunk`). Default none. */
  reranker?: Reranker;
  /** Candidates handed to the re-ranker: `max(rerankDepth, k)`. Default 20. */
  rerankDepth?: number;
}

/**
 * Search with ANY retrievers as named stages: each retriever's whole list (to its depth) with raw and normalised
 * scores, fused by ragscope (RRF, weighted, CombMNZ, weights keyed by retriever name) when there are several, and
 * the same {@link SearchResult} (trace + per-hit ledger) as {@link RetrievalPipeline}: the ledger's `lists` holds
 * each retriever's rank, score and explanation. It also serves `whyNot`, which says "cannot check" for what these
 * retrievers do not expose.
 *
 * @example
 * ```ts
 * const search = new RetrieverSearch({ retrievers: [new PostgresTextRetriever(index), new PostgresVectorRetriever(index, embedder)], embedder });
 * const { hits, trace } = await search.search('how long do refunds take?', { k: 5 });
 * trace.stages.map((s) => s.stage); // ['pg-text', 'pg-vector', 'fusion']
 * hits[0]?.ledger.lists?.['pg-text']?.explanation; // { matched: ['refund'], ... }
 * ```
 */
export class RetrieverSearch {
  readonly retrievers: readonly Retriever[];
  readonly fusion: Omit<FusionOptions, 'depth'>;
  readonly embedder: Embedder | null;
  /** The re-ranker, or null. */
  readonly reranker: Reranker | null;
  private readonly rerankDepth: number;
  /** The chunker of the chunks given (or one replaying them). */
  readonly chunker: Chunker;
  private readonly depthOf: (name: string) => number;
  private readonly docs = new Map<string, Document>();
  private readonly chunkMap = new Map<string, Chunk>();
  private readonly byDoc = new Map<string, Chunk[]>();
  private readonly complete: boolean;

  constructor(options: RetrieverSearchOptions) {
    if (options === null || typeof options !== 'object')
      invalidArgument('options', options, 'an options object');
    const rs = options.retrievers;
    if (!Array.isArray(rs) || rs.length === 0)
      invalidArgument('retrievers', rs, 'a non-empty array of Retrievers');
    for (const [i, r] of rs.entries()) {
      const missing = missingRetrieverMembers(r);
      if (missing.length > 0)
        invalidArgument(`retrievers[${i}]`, r, `a Retriever (missing: ${missing.join(', ')})`);
      checkListName(`retrievers[${i}].name`, r.name);
      if (rs.findIndex((o) => o.name === r.name) !== i)
        invalidArgument(`retrievers[${i}].name`, r.name, 'a name no other retriever has');
    }
    this.retrievers = rs;
    this.fusion = { ...RETRIEVER_SEARCH_DEFAULTS.fusion, ...(options.fusion ?? {}) };
    fuse(
      rs.map((r) => ({ list: r.name, candidates: [] })),
      this.fusion,
    ); // validate now (weights must name these retrievers)
    this.depthOf = depthResolver(options.depth, rs);
    this.embedder = options.embedder ?? null;
    if (options.reranker !== undefined && typeof options.reranker?.rerank !== 'function')
      invalidArgument('reranker', options.reranker, 'a Reranker');
    this.reranker = options.reranker ?? null;
    this.rerankDepth = checkInteger(
      'rerankDepth',
      options.rerankDepth ?? RETRIEVER_SEARCH_DEFAULTS.rerankDepth,
      1,
    );
    for (const d of options.documents ?? []) this.docs.set(d.id, d);
    for (const c of options.chunks ?? []) this.remember(c);
    this.complete = options.chunks !== undefined;
    this.chunker = options.chunker ?? precomputedChunker('stored', this.byDoc);
  }

  /** The search's settings as plain JSON: each retriever's parameters, the fusion, the depths. */
  get config(): {
    retrievers: Array<Record<string, unknown>>;
    fusion: Omit<FusionOptions, 'depth'>;
    depth: Record<string, number>;
  } {
    return {
      retrievers: this.retrievers.map((r) => ({ name: r.name, kind: r.kind, ...r.params() })),
      fusion: this.fusion,
      depth: Object.fromEntries(this.retrievers.map((r) => [r.name, this.depthOf(r.name)])),
    };
  }

  /** How many documents and chunks are known here (given or seen in results). */
  get stats(): { documents: number; chunks: number; retrievers: number } {
    return { documents: this.docs.size, chunks: this.chunkMap.size, retrievers: this.retrievers.length };
  }

  private remember(c: Chunk): void {
    if (this.chunkMap.has(c.id)) return;
    this.chunkMap.set(c.id, c);
    const list = this.byDoc.get(c.docId) ?? [];
    list.push(c);
    this.byDoc.set(c.docId, list);
  }

  /** Run every retriever, fuse, and return the top `k` with the trace and each hit's ledger. */
  async search(
    query: string,
    options: {
      k?: number;
      fusion?: Omit<FusionOptions, 'depth'>;
      queryVector?: Float32Array;
      /** Drop hits whose final score is below this (as `RetrievalPipeline.search`). */
      minScore?: number;
      /** Only chunks whose metadata match, through every retriever (natively where it can, else post-filtered). */
      filter?: MetadataFilter;
    } & Record<string, unknown> = {},
  ): Promise<SearchResult> {
    if (typeof query !== 'string' || query.trim() === '')
      invalidArgument('query', query, 'a non-empty string');
    const k = checkInteger('k', options.k ?? RETRIEVER_SEARCH_DEFAULTS.k, 1);
    const minScore = options.minScore === undefined ? undefined : checkNumber('minScore', options.minScore);
    const fusion = { ...this.fusion, ...(options.fusion ?? {}) };
    return runSearch(
      query,
      {
        retrievers: this.retrievers.map((retriever) => ({ retriever, depth: this.depthOf(retriever.name) })),
        fusion,
        embedder: this.embedder,
        reranker: this.reranker ? { reranker: this.reranker, depth: this.rerankDepth } : null,
        chunks: { chunk: (id, docId) => this.chunkFor(id, docId), lookup: (id) => this.chunkMap.get(id) },
      },
      {
        k,
        minScore,
        ...(options.queryVector ? { queryVector: options.queryVector } : {}),
        ...(options.filter === undefined ? {} : { filter: checkFilter(options.filter) }),
      },
    );
  }

  /** The chunk: known chunks first, then the retrievers' `getChunk`; unknown text is an empty chunk marked so. */
  private async chunkFor(chunkId: string, docId: string): Promise<Chunk> {
    const known = this.chunkMap.get(chunkId);
    if (known) return known;
    for (const r of this.retrievers) {
      const c = r.getChunk ? await r.getChunk(chunkId) : undefined;
      if (c) {
        this.remember(c);
        return c;
      }
    }
    return { id: chunkId, docId, index: 0, text: '', start: 0, end: 0, metadata: { unknownChunk: true } };
  }

  /** A chunk seen or given, or null. */
  getChunk(id: string): Chunk | null {
    return this.chunkMap.get(id) ?? null;
  }

  /** The chunks of a document seen or given, in offset order. */
  chunksOf(docId: string): readonly Chunk[] {
    return [...(this.byDoc.get(docId) ?? [])].sort((a, b) => a.start - b.start || a.end - b.end);
  }

  /** Whether every chunk was given (else only those seen in results are known, and why-not says so). */
  chunksComplete(): boolean {
    return this.complete;
  }

  /** A source document given, or null. */
  getDocument(id: string): Document | null {
    return this.docs.get(id) ?? null;
  }

  /** Ids of the documents given. */
  documentIds(): string[] {
    return [...this.docs.keys()];
  }
}

function depthResolver(
  depth: RetrieverSearchOptions['depth'],
  rs: readonly Retriever[],
): (name: string) => number {
  if (depth === undefined) return () => RETRIEVER_SEARCH_DEFAULTS.depth;
  if (typeof depth === 'number') {
    const d = checkInteger('depth', depth, 1);
    return () => d;
  }
  if (depth === null || typeof depth !== 'object' || Array.isArray(depth))
    invalidArgument('depth', depth, 'a positive integer or an object keyed by retriever name');
  for (const [name, d] of Object.entries(depth)) {
    if (!rs.some((r) => r.name === name))
      invalidArgument('depth', depth, `keys among the retriever names (${rs.map((r) => r.name).join(', ')})`);
    checkInteger(`depth.${name}`, d, 1);
  }
  return (name) => depth[name] ?? RETRIEVER_SEARCH_DEFAULTS.depth;
}
