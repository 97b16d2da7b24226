import type { Chunk, Document } from '../core/document.js';
import { invalidArgument } from '../core/errors.js';
import { hashHex } from '../core/hash.js';
import type { MetadataFilter } from '../search/filter.js';
import type { RetrievedHit, Retriever } from '../search/retriever.js';

/**
 * The LangChain document shape ragscope reads (`@langchain/core/documents`).
 *
 * @example
 * ```ts
 * const d: LangChainDoc = { pageContent: 'Refunds take five days.', metadata: { source: 'faq.md' } };
 * ```
 */
export interface LangChainDoc {
  pageContent: string;
  metadata?: Record<string, unknown>;
  id?: string;
}

/**
 * What ragscope needs of a LangChain `BaseRetriever` (any retriever: `vectorStore.asRetriever()`, BM25, multi-query,
 * ensemble...): `invoke(query)` returns documents, best first.
 *
 * @example
 * ```ts
 * const lc: LangChainRetrieverLike = vectorStore.asRetriever({ k: 10 });
 * ```
 */
export interface LangChainRetrieverLike {
  invoke(query: string): Promise<LangChainDoc[]>;
}

/**
 * What ragscope needs of a LangChain `VectorStore`: `similaritySearchWithScore(query, k)`.
 *
 * @example
 * ```ts
 * const store: LangChainVectorStoreLike = await MemoryVectorStore.fromDocuments(docs, embeddings);
 * ```
 */
export interface LangChainVectorStoreLike {
  similaritySearchWithScore(
    query: string,
    k?: number,
    filter?: unknown,
  ): Promise<Array<[LangChainDoc, number]>>;
}

/**
 * Options of {@link fromLangChainRetriever} and {@link fromLangChainVectorStore}.
 *
 * @example
 * ```ts
 * const o: FromLangChainOptions = { name: 'my-rag', documents: corpus, scoreIs: 'distance' };
 * ```
 */
export interface FromLangChainOptions {
  /** The list's name in traces. Default `langchain` / `langchain-store`. */
  name?: string;
  /**
   * The source documents the store was built from (ids = the LangChain `metadata.source`). With them every hit is
   * located back in its source, so span metrics and why-not can use exact offsets; without them they cannot.
   */
  documents?: readonly Document[];
  /** Vector stores only: whether the store's score is a similarity (higher is better) or a distance. Default `similarity`. */
  scoreIs?: 'similarity' | 'distance';
  /** What ranks the list, for diagnostics. Default `other` for a retriever, `dense` for a vector store. */
  kind?: Retriever['kind'];
  /**
   * Vector stores only: turn a ragscope {@link MetadataFilter} into the store's own `filter` argument (an object for
   * PGVectorStore or Chroma, a function for MemoryVectorStore), so filtered searches run in the store (the retriever
   * then declares `nativeFilter`). Without it, ragscope post-filters the store's hits. Default none.
   */
  filter?: (filter: MetadataFilter) => unknown;
}

/** Turns LangChain documents into ragscope hits, locating them in their source when it can. @internal */
class HitMapper {
  private readonly docs: Map<string, Document>;
  private readonly seen = new Map<string, Chunk>();

  constructor(documents: readonly Document[] | undefined) {
    this.docs = new Map((documents ?? []).map((d) => [d.id, d]));
  }

  get canLocate(): boolean {
    return this.docs.size > 0;
  }

  hit(d: LangChainDoc, score: number): RetrievedHit {
    if (d === null || typeof d !== 'object' || typeof d.pageContent !== 'string')
      invalidArgument('document', d, 'a LangChain Document with pageContent');
    const meta = d.metadata ?? {};
    const source = typeof meta.source === 'string' ? meta.source : undefined;
    const page = (meta.loc as { pageNumber?: unknown } | undefined)?.pageNumber;
    // A page of a multi-page source is the document `source#page=N` (see fromLangChainDocuments) when known.
    const paged = source !== undefined && Number.isInteger(page) ? `${source}#page=${page}` : undefined;
    const docId =
      (paged !== undefined && this.docs.has(paged) ? paged : source) ??
      (typeof d.id === 'string' ? d.id : `doc-${hashHex(d.pageContent)}`);
    const located = this.locate(docId, d.pageContent);
    const chunkId =
      (typeof d.id === 'string' && d.id) ||
      (located
        ? `${docId}@${located.start}-${located.end}`
        : `${docId}#${hashHex(d.pageContent).slice(0, 8)}`);
    this.seen.set(chunkId, {
      id: chunkId,
      docId,
      index: 0,
      text: located ? located.text : d.pageContent,
      start: located?.start ?? 0,
      end: located?.end ?? d.pageContent.length,
      metadata: { ...meta, located: located ? 'exact' : 'no' },
    });
    return { chunkId, docId, score, explanation: { located: Boolean(located) } };
  }

  /** The first place the text occurs in its source document. */
  private locate(docId: string, text: string): { start: number; end: number; text: string } | undefined {
    const doc = this.docs.get(docId);
    const at = doc ? doc.text.indexOf(text) : -1;
    return at >= 0 ? { start: at, end: at + text.length, text } : undefined;
  }

  chunk(chunkId: string): Chunk | undefined {
    const c = this.seen.get(chunkId);
    return c && c.metadata.located === 'exact' ? c : undefined;
  }
}

function checkName(name: unknown, fallback: string): string {
  if (name === undefined) return fallback;
  if (typeof name !== 'string' || !/^[\w.:-]+$/.test(name))
    invalidArgument('options.name', name, 'a list name');
  return name;
}

/**
 * Wrap any LangChain.js retriever as a ragscope {@link Retriever}, so the retrieval a team already runs gets
 * stage traces, `evaluateRetriever` scores and honest why-not verdicts. A LangChain retriever returns no scores
 * and a fixed number of documents: scores are `1 / rank` (marked `scoreFromRank` in the trace), and depth cannot
 * exceed what it returns.
 *
 * @example
 * ```ts
 * const mine = fromLangChainRetriever(vectorStore.asRetriever({ k: 10 }), { documents: corpus });
 * const hits = await mine.retrieve('how long do refunds take?', 10);
 * ```
 */
export function fromLangChainRetriever(
  lc: LangChainRetrieverLike,
  options: FromLangChainOptions = {},
): Retriever {
  if (!lc || typeof lc.invoke !== 'function')
    invalidArgument('retriever', lc, 'a LangChain retriever (invoke(query))');
  const mapper = new HitMapper(options.documents);
  const name = checkName(options.name, 'langchain');
  return {
    name,
    kind: options.kind ?? 'other',
    params: () => ({
      backend: 'langchain',
      retriever: lc.constructor?.name,
      scoreFromRank: true,
      located: mapper.canLocate,
    }),
    async retrieve(query, depth) {
      const docs = await lc.invoke(query);
      if (!Array.isArray(docs)) invalidArgument('retriever.invoke(query)', docs, 'an array of Documents');
      return docs.slice(0, depth).map((d, i) => mapper.hit(d, 1 / (i + 1)));
    },
    ...(mapper.canLocate ? { getChunk: async (id: string) => mapper.chunk(id) } : {}),
  };
}

/**
 * Wrap a LangChain.js `VectorStore` as a ragscope {@link Retriever} (kind `dense`), with the store's own scores
 * (`scoreIs: 'distance'` for stores that return distances; they are negated so higher is better). A store that
 * returns its hits out of score order is reported in the hit's explanation (`outOfOrder`).
 *
 * @example
 * ```ts
 * const dense = fromLangChainVectorStore(store, { documents: corpus });
 * const hits = await dense.retrieve('refund policy', 20); // [{ chunkId, docId, score }, ...]
 * ```
 */
export function fromLangChainVectorStore(
  store: LangChainVectorStoreLike,
  options: FromLangChainOptions = {},
): Retriever {
  if (!store || typeof store.similaritySearchWithScore !== 'function')
    invalidArgument('store', store, 'a LangChain VectorStore (similaritySearchWithScore)');
  const scoreIs = options.scoreIs ?? 'similarity';
  if (scoreIs !== 'similarity' && scoreIs !== 'distance')
    invalidArgument('options.scoreIs', scoreIs, "'similarity' or 'distance'");
  const mapper = new HitMapper(options.documents);
  const name = checkName(options.name, 'langchain-store');
  return {
    name,
    kind: options.kind ?? 'dense',
    params: () => ({
      backend: 'langchain',
      store: store.constructor?.name,
      scoreIs,
      located: mapper.canLocate,
    }),
    ...(options.filter ? { nativeFilter: true } : {}),
    async retrieve(query, depth, context) {
      const native = context?.filter && options.filter ? options.filter(context.filter) : undefined;
      const pairs = await (native === undefined
        ? store.similaritySearchWithScore(query, depth)
        : store.similaritySearchWithScore(query, depth, native));
      if (!Array.isArray(pairs))
        invalidArgument('store.similaritySearchWithScore', pairs, 'an array of [Document, score]');
      const hits = pairs.map(([d, s]) => mapper.hit(d, scoreIs === 'distance' ? -s : s));
      for (let i = 1; i < hits.length; i++) {
        if (hits[i]!.score > hits[i - 1]!.score)
          hits[i]!.explanation = { ...hits[i]!.explanation, outOfOrder: true };
      }
      return hits;
    },
    ...(mapper.canLocate ? { getChunk: async (id: string) => mapper.chunk(id) } : {}),
  };
}

/**
 * The chunks a LangChain store holds (the Documents you added to it, e.g. a TextSplitter's output), as ragscope
 * chunks located in their source documents, with the ids {@link fromLangChainRetriever} and
 * {@link fromLangChainVectorStore} give the same pieces. Give them to `RetrieverSearch` (`chunks`) so that why-not
 * knows every chunk, not only those returned: it can then tell a target split across chunks or crowded out from
 * one it has never seen. Pieces not found verbatim in their source are left out.
 *
 * @example
 * ```ts
 * const pieces = await splitter.createDocuments(texts, texts.map((_, i) => ({ source: corpus[i].id })));
 * const search = new RetrieverSearch({ retrievers: [fromLangChainRetriever(lc, { documents: corpus })], documents: corpus, chunks: chunksFromLangChain(pieces, corpus) });
 * ```
 */
export function chunksFromLangChain(
  pieces: readonly LangChainDoc[],
  documents: readonly Document[],
): Chunk[] {
  if (!Array.isArray(pieces)) invalidArgument('pieces', pieces, 'an array of LangChain Documents');
  if (!Array.isArray(documents) || documents.length === 0)
    invalidArgument('documents', documents, 'the source documents the pieces come from');
  const mapper = new HitMapper(documents);
  const out = new Map<string, Chunk>();
  for (const p of pieces) {
    const { chunkId } = mapper.hit(p, 0);
    const c = mapper.chunk(chunkId);
    if (c && !out.has(chunkId)) out.set(chunkId, c);
  }
  return [...out.values()];
}
