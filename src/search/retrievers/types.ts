import type { Document } from '../../core/document.js';
import type { Embedder } from '../../embedders/types.js';
import type { LangChainRetrieverLike, LangChainVectorStoreLike } from '../../langchain/from-langchain.js';
import type { PostgresIndex } from '../../postgres/store.js';
import type { Bm25Index } from '../bm25.js';
import type { Retriever } from '../retriever.js';
import type { VectorSearchIndex } from '../types.js';

/**
 * What a registered retriever can be built over: the stores a spec name needs (each entry says which).
 *
 * @example
 * ```ts
 * const sources: RetrieverSources = { bm25: pipeline.bm25!, vectorIndex: pipeline.vectorIndex!, embedder };
 * ```
 */
export interface RetrieverSources {
  /** A ragscope BM25 index (`bm25`). */
  bm25?: Bm25Index | null;
  /** A ragscope vector index (`vector`), with `embedder`. */
  vectorIndex?: VectorSearchIndex | null;
  /** Embeds queries for dense retrievers (`vector`, `pg-vector`). */
  embedder?: Embedder;
  /** A Postgres index (`pg-text`, `pg-vector`). */
  postgres?: PostgresIndex;
  /** A LangChain.js retriever (`langchain`). */
  langchain?: LangChainRetrieverLike;
  /** A LangChain.js vector store (`langchain-store`). */
  langchainStore?: LangChainVectorStoreLike;
  /** The source documents (LangChain hits are located back in them). */
  documents?: readonly Document[];
}

/**
 * One registry entry: what it builds and from what. Adding a retriever is one file exporting such an entry plus
 * one line in `RETRIEVER_REGISTRY`.
 *
 * @example
 * ```ts
 * const entry: RetrieverEntry = {
 *   kind: 'lexical',
 *   needs: 'bm25',
 *   create: (sources, options) => new Bm25Retriever(sources.bm25!, options),
 * };
 * ```
 */
export interface RetrieverEntry {
  /** What ranks its list. */
  kind: Retriever['kind'];
  /** The {@link RetrieverSources} fields it needs, for the error when one is missing. */
  needs: ReadonlyArray<keyof RetrieverSources>;
  /** Build it; `options` are the retriever's own (e.g. `{ name: 'lexical' }`, Postgres `{ rank: 'ts_rank_cd' }`). */
  create(sources: RetrieverSources, options: Record<string, unknown>): Retriever;
}
