import type { Chunker } from '../chunkers/types.js';
import type { Chunk, Document, DocumentInput } from '../core/document.js';
import { toDocument } from '../core/document.js';
import { invalidArgument } from '../core/errors.js';
import { norm } from '../core/vectors.js';
import type { Embedder } from '../embedders/types.js';
import type { RetrieveContext, RetrievedHit, Retriever } from '../search/retriever.js';
import type { TextSearchOptions } from './options.js';
import type { PostgresIndex } from './store.js';

/**
 * Postgres full-text search as a ragscope {@link Retriever} (kind `lexical`, default name `pg-text`): its trace
 * records the ranking function, its normalisation flags, the operator and the text search configuration, and
 * each hit's explanation lists the query lexemes the chunk matched.
 *
 * @example
 * ```ts
 * const text = new PostgresTextRetriever(index, { rank: 'ts_rank_cd' });
 * const hits = await text.retrieve('refund policy', 50);
 * hits[0]?.explanation; // { matched: ['refund'], queryLexemes: ['polici', 'refund'], rank: 'ts_rank_cd', ... }
 * ```
 */
export class PostgresTextRetriever implements Retriever {
  readonly name: string;
  readonly kind = 'lexical' as const;
  /** Filters in SQL (`WHERE metadata @> …`), exactly. */
  readonly nativeFilter = true;
  private readonly options: Required<TextSearchOptions>;

  constructor(
    readonly index: PostgresIndex,
    options: TextSearchOptions & { name?: string } = {},
  ) {
    this.name = options.name ?? 'pg-text';
    this.options = index.textOptions(options);
  }

  /** Chunks matching the query's lexemes, best first. */
  retrieve(query: string, depth: number, context?: RetrieveContext): Promise<RetrievedHit[]> {
    return this.index.textSearch(query, depth, this.options, undefined, context?.filter);
  }

  /** The full-text parameters recorded in the stage trace. */
  params(): Record<string, unknown> {
    return {
      backend: 'postgres',
      table: `${this.index.prefix}_chunks`,
      textConfig: this.index.textConfig,
      ...this.options,
    };
  }

  /** Whether the chunk is stored. */
  has(chunkId: string): Promise<boolean> {
    return this.index.has(chunkId);
  }

  /** The stored chunk. */
  getChunk(chunkId: string): Promise<Chunk | undefined> {
    return this.index.getChunk(chunkId);
  }

  /** The chunk's own full-text score and matched lexemes, however low it ranks (undefined: it matches none). */
  async explain(query: string, chunkId: string): Promise<RetrievedHit | undefined> {
    return (await this.index.textSearch(query, 1, this.options, chunkId))[0];
  }

  /** Number of chunks stored. */
  size(): Promise<number> {
    return this.index.size();
  }
}

/**
 * pgvector search as a ragscope {@link Retriever} (kind `dense`, default name `pg-vector`): the query is embedded
 * with `kind: 'query'` unless the search already carries its vector; scores are cosine similarities.
 *
 * @example
 * ```ts
 * const dense = new PostgresVectorRetriever(index, embedder);
 * const hits = await dense.retrieve('how long do refunds take?', 50);
 * ```
 */
export class PostgresVectorRetriever implements Retriever {
  readonly name: string;
  readonly kind = 'dense' as const;
  /** Filters in SQL (`WHERE metadata @> …`), exactly (an exact scan under a filter, not HNSW). */
  readonly nativeFilter = true;

  constructor(
    readonly index: PostgresIndex,
    readonly embedder: Embedder,
    options: { name?: string; exact?: boolean } = {},
  ) {
    if (index.dimensions === null)
      invalidArgument('index', index.prefix, 'a Postgres index with a vector column');
    if (!embedder || typeof embedder.embed !== 'function')
      invalidArgument('embedder', embedder, 'an Embedder');
    this.name = options.name ?? 'pg-vector';
    this.exact = options.exact ?? false;
  }

  private readonly exact: boolean;

  private async queryVector(query: string, context?: RetrieveContext): Promise<Float32Array | undefined> {
    const qv = context?.queryVector ?? (await this.embedder.embed([query], { kind: 'query' }))[0];
    return qv && norm(qv) > 0 ? qv : undefined;
  }

  /** The most similar chunks, best first (none when the query embeds to the zero vector). */
  async retrieve(query: string, depth: number, context?: RetrieveContext): Promise<RetrievedHit[]> {
    const qv = await this.queryVector(query, context);
    const filter = context?.filter;
    return qv ? this.index.vectorSearch(qv, depth, { exact: this.exact, ...(filter ? { filter } : {}) }) : [];
  }

  /** The vector-search parameters recorded in the stage trace. */
  params(): Record<string, unknown> {
    return {
      backend: 'postgres',
      table: `${this.index.prefix}_chunks`,
      metric: 'cosine',
      index: this.index.hnsw && !this.exact ? 'hnsw' : 'exact',
      ...(this.index.hnsw && !this.exact
        ? {
            m: this.index.hnsw.m,
            efConstruction: this.index.hnsw.efConstruction,
            efSearch: this.index.hnsw.efSearch,
          }
        : {}),
      embedder: this.embedder.id,
    };
  }

  /** Whether the chunk is stored. */
  has(chunkId: string): Promise<boolean> {
    return this.index.has(chunkId);
  }

  /** The stored chunk. */
  getChunk(chunkId: string): Promise<Chunk | undefined> {
    return this.index.getChunk(chunkId);
  }

  /** The chunk's own cosine with the query, however low it ranks. */
  async explain(
    query: string,
    chunkId: string,
    context?: RetrieveContext,
  ): Promise<RetrievedHit | undefined> {
    const qv = await this.queryVector(query, context);
    return qv ? (await this.index.vectorSearch(qv, 1, { exact: true, onlyChunk: chunkId }))[0] : undefined;
  }

  /** Number of chunks stored. */
  size(): Promise<number> {
    return this.index.size();
  }
}

/**
 * Chunk, embed and write documents into a {@link PostgresIndex}, in batches, each batch one transaction (a failed
 * batch leaves its documents as they were). Documents already stored are replaced with their new chunks.
 * Returns the number of chunks written.
 *
 * @example
 * ```ts
 * const n = await indexIntoPostgres(index, docs, { chunker: new RecursiveChunker({ size: 400 }), embedder });
 * ```
 */
export async function indexIntoPostgres(
  index: PostgresIndex,
  inputs: readonly DocumentInput[],
  options: { chunker: Chunker; embedder?: Embedder; batchDocuments?: number },
): Promise<number> {
  if (!Array.isArray(inputs)) invalidArgument('docs', inputs, 'an array of documents');
  if (!options?.chunker || typeof options.chunker.chunk !== 'function')
    invalidArgument('options.chunker', options?.chunker, 'a Chunker');
  if (index.dimensions !== null && !options.embedder)
    invalidArgument('options.embedder', options.embedder, 'an Embedder (the index has a vector column)');
  const per = options.batchDocuments ?? 200;
  let written = 0;
  for (let at = 0; at < inputs.length; at += per) {
    const docs: Document[] = inputs.slice(at, at + per).map((d) => toDocument(d));
    const chunks = (await Promise.all(docs.map((d) => options.chunker.chunk(d)))).flat();
    const vectors =
      index.dimensions !== null && options.embedder
        ? await options.embedder.embed(
            chunks.map((c) => c.text),
            { kind: 'passage' },
          )
        : undefined;
    await index.upsert(docs, chunks, vectors);
    written += chunks.length;
  }
  return written;
}
