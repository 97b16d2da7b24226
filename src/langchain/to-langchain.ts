import { checkInteger, invalidArgument } from '../core/errors.js';
import { importOptional } from '../core/optional.js';
import type { Embedder } from '../embedders/types.js';
import type { SearchResult } from '../search/types.js';
import type { LangChainDoc } from './from-langchain.js';

// The exported functions return ragscope-owned types (LangChainRetriever, LangChainEmbeddings), so that the
// declaration files need no @langchain/core: a project without LangChain type-checks against ragscope as well.
// (Internal only: these aliases never reach a declaration file.)
type CoreRetrievers = typeof import('@langchain/core/retrievers');
type CoreEmbeddings = typeof import('@langchain/core/embeddings');
type CoreDocuments = typeof import('@langchain/core/documents');

/**
 * A LangChain.js retriever as ragscope types it: at run time it IS a `BaseRetriever` from `@langchain/core`
 * (`instanceof BaseRetriever` holds, and it works in chains and LCEL); type it `as BaseRetriever` where your code
 * wants LangChain's class type.
 *
 * @example
 * ```ts
 * const retriever: LangChainRetriever = await toLangChainRetriever(pipeline);
 * const docs = await retriever.invoke('refund policy');
 * ```
 */
export interface LangChainRetriever {
  invoke(query: string): Promise<LangChainDoc[]>;
}

/**
 * LangChain.js `Embeddings` as ragscope types them (at run time an instance of `@langchain/core`'s `Embeddings`,
 * so vector stores accept it).
 *
 * @example
 * ```ts
 * const embeddings: LangChainEmbeddings = await toLangChainEmbeddings(embedder);
 * const v = await embeddings.embedQuery('refund policy');
 * ```
 */
export interface LangChainEmbeddings {
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}

function loadCore<T>(sub: string, load: () => Promise<T>): Promise<T> {
  return importOptional('@langchain/core', `the LangChain adapters (@langchain/core/${sub})`, load);
}

/**
 * What {@link toLangChainRetriever} needs: a ragscope `RetrievalPipeline` (or anything whose `search` returns a
 * ragscope {@link SearchResult}).
 *
 * @example
 * ```ts
 * const searchable: Searchable = pipeline;
 * ```
 */
export interface Searchable {
  search(query: string, options?: { k?: number }): Promise<SearchResult>;
}

/**
 * A ragscope pipeline as a LangChain.js `BaseRetriever` (for chains, agents and LCEL). Each LangChain Document has
 * the chunk text as `pageContent`, its id, and in `metadata` the document's metadata plus `ragscope`: chunk and
 * document ids, offsets, final score and rank, and the whole per-stage ledger.
 *
 * @example
 * ```ts
 * const retriever = await toLangChainRetriever(pipeline, { k: 5 });
 * const docs = await retriever.invoke('how long do refunds take?');
 * docs[0]?.metadata.ragscope.ledger.bm25?.explanation.terms; // why BM25 scored it
 * ```
 */
export async function toLangChainRetriever(
  pipeline: Searchable,
  options: { k?: number } = {},
): Promise<LangChainRetriever> {
  if (!pipeline || typeof pipeline.search !== 'function')
    invalidArgument('pipeline', pipeline, 'a RetrievalPipeline (search(query, { k }))');
  const k = checkInteger('options.k', options.k ?? 4, 1);
  const { BaseRetriever } = await loadCore<CoreRetrievers>(
    'retrievers',
    () => import('@langchain/core/retrievers'),
  );
  const { Document } = await loadCore<CoreDocuments>('documents', () => import('@langchain/core/documents'));
  class RagscopeRetriever extends BaseRetriever {
    override lc_namespace = ['ragscope', 'retrievers'];
    override async _getRelevantDocuments(query: string) {
      const { hits } = await pipeline.search(query, { k });
      return hits.map(
        (h) =>
          new Document({
            id: h.chunk.id,
            pageContent: h.chunk.text,
            metadata: {
              ...h.chunk.metadata,
              ragscope: {
                chunkId: h.chunk.id,
                docId: h.chunk.docId,
                start: h.chunk.start,
                end: h.chunk.end,
                score: h.score,
                rank: h.rank,
                ledger: h.ledger,
              },
            },
          }),
      );
    }
  }
  return new RagscopeRetriever();
}

/**
 * A ragscope {@link Embedder} as LangChain.js `Embeddings`, so a LangChain vector store can be built with the same
 * vectors ragscope uses (queries are embedded with `kind: 'query'`).
 *
 * @example
 * ```ts
 * const embeddings = await toLangChainEmbeddings(new HashingEmbedder({ dimensions: 256 }));
 * const [v] = await embeddings.embedDocuments(['Refunds take five days.']);
 * ```
 */
export async function toLangChainEmbeddings(embedder: Embedder): Promise<LangChainEmbeddings> {
  if (!embedder || typeof embedder.embed !== 'function') invalidArgument('embedder', embedder, 'an Embedder');
  const { Embeddings } = await loadCore<CoreEmbeddings>(
    'embeddings',
    () => import('@langchain/core/embeddings'),
  );
  class RagscopeEmbeddings extends Embeddings {
    async embedDocuments(texts: string[]): Promise<number[][]> {
      return (await embedder.embed(texts, { kind: 'passage' })).map((v) => Array.from(v));
    }
    async embedQuery(text: string): Promise<number[]> {
      const [v] = await embedder.embed([text], { kind: 'query' });
      return Array.from(v ?? []);
    }
  }
  return new RagscopeEmbeddings({});
}

/**
 * LangChain documents as ragscope documents, for loaders that emit many Documents per source (a PDF loader's
 * pages share `metadata.source`): ids are the source, suffixed with `#page=N` when `metadata.loc.pageNumber` is
 * set and `#N` (order within the source) otherwise, so they stay unique and stable.
 *
 * @example
 * ```ts
 * fromLangChainDocuments([
 *   { pageContent: 'Page one', metadata: { source: 'a.pdf', loc: { pageNumber: 1 } } },
 *   { pageContent: 'Page two', metadata: { source: 'a.pdf', loc: { pageNumber: 2 } } },
 * ]).map((d) => d.id); // ['a.pdf#page=1', 'a.pdf#page=2']
 * ```
 */
export function fromLangChainDocuments(
  docs: readonly LangChainDoc[],
): Array<{ id: string; text: string; metadata: Record<string, unknown> }> {
  if (!Array.isArray(docs)) invalidArgument('docs', docs, 'an array of LangChain Documents');
  const perSource = new Map<string, number>();
  for (const d of docs) {
    const s = d?.metadata?.source;
    if (typeof s === 'string') perSource.set(s, (perSource.get(s) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  const ids = new Set<string>();
  return docs.map((d, i) => {
    if (d === null || typeof d !== 'object' || typeof d.pageContent !== 'string')
      invalidArgument(`docs[${i}]`, d, 'a LangChain Document with pageContent');
    const meta = d.metadata ?? {};
    const source = typeof meta.source === 'string' && meta.source !== '' ? meta.source : undefined;
    let id = typeof d.id === 'string' && d.id !== '' ? d.id : (source ?? `doc-${i}`);
    if (!(typeof d.id === 'string' && d.id !== '') && source && (perSource.get(source) ?? 0) > 1) {
      const page = (meta.loc as { pageNumber?: unknown } | undefined)?.pageNumber;
      const n = (seen.get(source) ?? 0) + 1;
      seen.set(source, n);
      id = Number.isInteger(page) ? `${source}#page=${page}` : `${source}#${n}`;
    }
    if (ids.has(id)) invalidArgument(`docs[${i}].id`, id, 'an id not used by an earlier document');
    ids.add(id);
    return { id, text: d.pageContent, metadata: meta };
  });
}
