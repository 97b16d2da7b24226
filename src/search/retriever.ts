import type { Chunk } from '../core/document.js';
import type { MetadataFilter } from './filter.js';
import type { ScoredChunk } from './types.js';

/**
 * One hit of a {@link Retriever}: a chunk, its document and the retriever's raw score (higher is better), plus
 * whatever the retriever can say about why (matched lexemes, per-term scores...), as plain JSON.
 *
 * @example
 * ```ts
 * const hit: RetrievedHit = { chunkId: 'faq#0.ab12cd34', docId: 'faq', score: 0.42, explanation: { matched: ['refund'] } };
 * ```
 */
export interface RetrievedHit extends ScoredChunk {
  explanation?: Record<string, unknown>;
}

/**
 * What ranks a retriever's list, so that diagnostics only name causes that apply to it: `lexical` (terms:
 * BM25, Postgres full text, Elasticsearch), `dense` (vectors), or `other` (a black box such as a LangChain
 * retriever whose scoring ragscope cannot see).
 *
 * @example
 * ```ts
 * const kind: RetrieverKindTag = 'dense';
 * ```
 */
export type RetrieverKindTag = 'lexical' | 'dense' | 'other';

/**
 * What a query carries into {@link Retriever.retrieve} besides its text: the query vector when one was computed
 * for this search (so a dense retriever need not embed again, and a trace can be replayed). An interface on
 * purpose: capabilities add optional fields here, and a retriever ignores the fields it does not know.
 *
 * @example
 * ```ts
 * const ctx: RetrieveContext = { queryVector: new Float32Array([0.1, 0.2]) };
 * ```
 */
export interface RetrieveContext {
  queryVector?: Float32Array;
  /** Only chunks whose metadata match (given only to retrievers that declare `nativeFilter`). */
  filter?: MetadataFilter;
}

/**
 * The one retriever contract: every source of candidates (ragscope's BM25 and vector indexes, Postgres full text
 * and pgvector, a table a team already runs, a LangChain retriever) is a named stage that returns scored chunks.
 * Everything is async so that a remote store can implement it. The optional capabilities are what diagnostics use
 * when present; a retriever without them gets "cannot check" verdicts instead of guesses.
 *
 * @example
 * ```ts
 * const mine: Retriever = {
 *   name: 'keyword',
 *   kind: 'lexical',
 *   params: () => ({ engine: 'my-search' }),
 *   retrieve: async (query, depth) => [{ chunkId: 'faq#0.a', docId: 'faq', score: 1 }].slice(0, depth),
 * };
 * const hits = await mine.retrieve('refund', 10);
 * ```
 */
export interface Retriever {
  /** The list's name in traces, ledgers and fusion weights (e.g. `'bm25'`, `'vector'`, `'pg-text'`). */
  readonly name: string;
  /** What ranks the list. */
  readonly kind: RetrieverKindTag;
  /** The `depth` best hits for `query`, best first. */
  retrieve(query: string, depth: number, context?: RetrieveContext): Promise<RetrievedHit[]>;
  /**
   * Every parameter that influences the list (recorded in the stage trace). Called after `retrieve` with the same
   * context, so it may say what that context changed (e.g. a dense list skipped for a zero query vector).
   */
  params(context?: RetrieveContext): Record<string, unknown>;
  /** Whether the chunk is indexed (lets why-not tell "not indexed" from "ranked too low"). */
  has?(chunkId: string): Promise<boolean>;
  /** The stored chunk (text and offsets), when the store keeps it. */
  getChunk?(chunkId: string): Promise<Chunk | undefined>;
  /** The score this retriever gives one chunk for a query, with its explanation, even below the depth. */
  explain?(query: string, chunkId: string, context?: RetrieveContext): Promise<RetrievedHit | undefined>;
  /** Number of chunks the retriever searches. */
  size?(): Promise<number>;
  /**
   * True when `retrieve` applies `context.filter` itself, exactly (e.g. SQL WHERE). Otherwise a filtered search
   * post-filters the list (see `retrieveFiltered`).
   */
  readonly nativeFilter?: boolean;
}

/**
 * Check that a value implements {@link Retriever}'s required members; returns the names of what is missing.
 *
 * @example
 * ```ts
 * missingRetrieverMembers({ name: 'x' }); // ['kind', 'retrieve', 'params']
 * ```
 */
export function missingRetrieverMembers(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return ['name', 'kind', 'retrieve', 'params'];
  const r = value as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof r.name !== 'string' || r.name === '') missing.push('name');
  if (r.kind !== 'lexical' && r.kind !== 'dense' && r.kind !== 'other') missing.push('kind');
  if (typeof r.retrieve !== 'function') missing.push('retrieve');
  if (typeof r.params !== 'function') missing.push('params');
  return missing;
}
