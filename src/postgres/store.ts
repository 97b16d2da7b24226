import type { Chunk, Document } from '../core/document.js';
import { checkInteger, invalidArgument, RagscopeError } from '../core/errors.js';
import type { MetadataFilter } from '../search/filter.js';
import type { RetrievedHit } from '../search/retriever.js';
import { filterSql } from './filter-sql.js';
import {
  chunkOfRow,
  POSTGRES_DEFAULTS,
  type PostgresIndexOptions,
  type TextSearchOptions,
} from './options.js';
import {
  dropSchema,
  ensureSchema,
  hasIndex,
  hasVectorIndex,
  POSTGRES_LAYOUT_VERSION,
  tableNames,
  textIndexStatements,
  vectorIndexStatements,
} from './schema.js';
import { connectPostgres, identifier, type Queryable, transaction, vectorLiteral } from './sql.js';
import { queryLexemes, textOptions, textSearch } from './text-search.js';

export { POSTGRES_DEFAULTS, type PostgresIndexOptions, type TextSearchOptions } from './options.js';

/**
 * A ragscope index stored in PostgreSQL: documents, and chunks with their exact offsets and metadata, full text
 * by a generated `tsvector` column (GIN index), vectors in a pgvector column (HNSW index). Every write runs in a
 * transaction, so a failed batch leaves the tables as they were. Through node-postgres, the client production
 * uses; tables live under a prefix, created on first open and removed by {@link PostgresIndex.drop}.
 *
 * @example
 * ```ts
 * const index = await PostgresIndex.open({ db: 'postgres://127.0.0.1:5432/app', prefix: 'kb', dimensions: 3 });
 * const doc = { id: 'faq', text: 'Refunds take five days.' };
 * await index.upsert([doc], [{ id: 'faq#0.a', docId: 'faq', index: 0, text: doc.text, start: 0, end: 23, metadata: {} }], [new Float32Array([1, 0, 0])]);
 * const hits = await index.textSearch('refund', 10); // [{ chunkId: 'faq#0.a', docId: 'faq', score: 0.1, explanation: { matched: ['refund'], ... } }]
 * await index.close();
 * ```
 */
export class PostgresIndex {
  readonly prefix: string;
  readonly dimensions: number | null;
  readonly textConfig: string;
  readonly hnsw: { m: number; efConstruction: number; efSearch: number } | null;
  readonly db: Queryable;
  private readonly ownsPool: boolean;
  private readonly t: ReturnType<typeof tableNames>;

  private constructor(
    db: Queryable,
    ownsPool: boolean,
    o: Required<Omit<PostgresIndexOptions, 'db' | 'hnsw' | 'deferVectorIndex' | 'deferTextIndex'>> & {
      hnsw: PostgresIndex['hnsw'];
    },
  ) {
    this.db = db;
    this.ownsPool = ownsPool;
    this.prefix = o.prefix;
    this.dimensions = o.dimensions;
    this.textConfig = o.textConfig;
    this.hnsw = o.hnsw;
    this.t = tableNames(o.prefix);
  }

  /** Connect, and create the tables or check that existing ones match these options. */
  static async open(options: PostgresIndexOptions): Promise<PostgresIndex> {
    if (options === null || typeof options !== 'object')
      invalidArgument('options', options, 'an options object');
    const prefix = identifier('prefix', options.prefix ?? POSTGRES_DEFAULTS.prefix, false);
    const textConfig = identifier('textConfig', options.textConfig ?? POSTGRES_DEFAULTS.textConfig, false);
    const dimensions = options.dimensions == null ? null : checkInteger('dimensions', options.dimensions, 1);
    if (dimensions !== null && dimensions > 16_000)
      invalidArgument('dimensions', dimensions, 'at most 16000 (pgvector)');
    const h = options.hnsw === false ? null : { ...POSTGRES_DEFAULTS.hnsw, ...(options.hnsw ?? {}) };
    if (h) {
      checkInteger('hnsw.m', h.m, 2);
      checkInteger('hnsw.efConstruction', h.efConstruction, 4);
      checkInteger('hnsw.efSearch', h.efSearch, 1);
    }
    const ownsPool = typeof options.db === 'string';
    const db = typeof options.db === 'string' ? await connectPostgres(options.db) : options.db;
    if (!db || typeof (db as Queryable).query !== 'function')
      invalidArgument('db', options.db, 'a pg.Pool or a postgres:// URL');
    const meta = await ensureSchema(
      db,
      prefix,
      {
        layout: POSTGRES_LAYOUT_VERSION,
        dimensions,
        textConfig,
        hnsw: h && { m: h.m, efConstruction: h.efConstruction },
      },
      { vector: options.deferVectorIndex === true, text: options.deferTextIndex === true },
    );
    return new PostgresIndex(db, ownsPool, {
      prefix,
      dimensions: meta.dimensions,
      textConfig,
      hnsw: meta.hnsw && h ? { ...meta.hnsw, efSearch: h.efSearch } : null,
    });
  }

  /**
   * Insert or replace documents and their chunks in one transaction. A document given here has ALL its previous
   * chunks replaced by `chunks` of that document. `vectors[i]` belongs to `chunks[i]` (omit for a text-only index;
   * `null` for a chunk kept out of vector search, e.g. one that embeds to the zero vector, which has no cosine).
   */
  async upsert(
    docs: readonly Document[],
    chunks: readonly Chunk[],
    vectors?: readonly (Float32Array | null)[],
  ): Promise<void> {
    if (!Array.isArray(docs)) invalidArgument('docs', docs, 'an array of documents');
    if (!Array.isArray(chunks)) invalidArgument('chunks', chunks, 'an array of chunks');
    this.checkVectors(chunks, vectors);
    const docIds = new Set(docs.map((d) => d.id));
    for (const [i, c] of chunks.entries()) {
      if (!docIds.has(c.docId))
        invalidArgument(`chunks[${i}].docId`, c.docId, 'the id of one of the docs given');
    }
    await transaction(this.db, async (tx) => {
      await tx.query(
        `INSERT INTO ${this.t.documents} (id, text, metadata) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
         ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text, metadata = EXCLUDED.metadata`,
        [docs.map((d) => d.id), docs.map((d) => d.text), docs.map((d) => JSON.stringify(d.metadata ?? {}))],
      );
      await tx.query(`DELETE FROM ${this.t.chunks} WHERE doc_id = ANY($1::text[])`, [[...docIds]]);
      for (let at = 0; at < chunks.length; at += POSTGRES_DEFAULTS.batchSize) {
        await this.insertChunks(tx, chunks.slice(at, at + POSTGRES_DEFAULTS.batchSize), vectors?.slice(at));
      }
    });
  }

  private checkVectors(
    chunks: readonly Chunk[],
    vectors: readonly (Float32Array | null)[] | undefined,
  ): void {
    if (vectors === undefined) return;
    if (this.dimensions === null)
      invalidArgument('vectors', '[…]', 'omitted: this index has no vector column');
    if (!Array.isArray(vectors) || vectors.length !== chunks.length) {
      invalidArgument(
        'vectors',
        `${(vectors as unknown[])?.length} vectors`,
        `one vector per chunk (${chunks.length})`,
      );
    }
    for (const [i, v] of vectors.entries()) {
      if (v === null) continue;
      if (!(v instanceof Float32Array) || v.length !== this.dimensions)
        invalidArgument(`vectors[${i}]`, v?.length, `a Float32Array of ${this.dimensions} numbers or null`);
    }
  }

  private async insertChunks(
    tx: Queryable,
    chunks: readonly Chunk[],
    vectors?: readonly (Float32Array | null)[],
  ): Promise<void> {
    const cols = ['id', 'doc_id', 'idx', 'start_offset', 'end_offset', 'text', 'metadata'];
    const values: unknown[] = [
      chunks.map((c) => c.id),
      chunks.map((c) => c.docId),
      chunks.map((c) => c.index),
      chunks.map((c) => c.start),
      chunks.map((c) => c.end),
      chunks.map((c) => c.text),
      chunks.map((c) => JSON.stringify(c.metadata ?? {})),
    ];
    let select =
      'SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::text[], $7::jsonb[])';
    if (vectors) {
      cols.push('embedding');
      values.push(chunks.map((_, i) => (vectors[i] ? vectorLiteral(vectors[i]) : null)));
      select =
        'SELECT a, b, c, d, e, f, g, h::vector FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::text[], $7::jsonb[], $8::text[]) AS x(a, b, c, d, e, f, g, h)';
    }
    await tx.query(`INSERT INTO ${this.t.chunks} (${cols.join(', ')}) ${select}`, values);
  }

  /** Remove documents and all their chunks, in one transaction. Returns how many documents were removed. */
  async removeDocuments(docIds: readonly string[]): Promise<number> {
    if (!Array.isArray(docIds) || docIds.some((d) => typeof d !== 'string'))
      invalidArgument('docIds', docIds, 'an array of document ids');
    const r = await this.db.query(`DELETE FROM ${this.t.documents} WHERE id = ANY($1::text[])`, [docIds]);
    return r.rowCount ?? 0;
  }

  /** Number of chunks stored. */
  async size(): Promise<number> {
    const { rows } = await this.db.query(`SELECT count(*)::int AS n FROM ${this.t.chunks}`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Whether a chunk is stored. */
  async has(chunkId: string): Promise<boolean> {
    const { rows } = await this.db.query(`SELECT 1 FROM ${this.t.chunks} WHERE id = $1`, [chunkId]);
    return rows.length > 0;
  }

  /** The stored chunk with its offsets and metadata, or undefined. */
  async getChunk(chunkId: string): Promise<Chunk | undefined> {
    const { rows } = await this.db.query(
      `SELECT id, doc_id, idx, start_offset, end_offset, text, metadata FROM ${this.t.chunks} WHERE id = $1`,
      [chunkId],
    );
    return rows[0] ? chunkOfRow(rows[0]) : undefined;
  }

  /** Every stored document (id, text, metadata), in id order. */
  async documents(): Promise<Document[]> {
    const { rows } = await this.db.query(`SELECT id, text, metadata FROM ${this.t.documents} ORDER BY id`);
    return rows.map((r) => ({
      id: String(r.id),
      text: String(r.text),
      metadata: (r.metadata as Record<string, unknown>) ?? {},
    }));
  }

  /** Every stored chunk, in document and chunk order. */
  async chunks(): Promise<Chunk[]> {
    const { rows } = await this.db.query(
      `SELECT id, doc_id, idx, start_offset, end_offset, text, metadata FROM ${this.t.chunks} ORDER BY doc_id, idx`,
    );
    return rows.map(chunkOfRow);
  }

  /** The query's lexemes under this index's text configuration (what full-text search matches on). */
  queryLexemes(query: string): Promise<string[]> {
    return queryLexemes(this.db, this.textConfig, query);
  }

  /**
   * Full-text search: chunks matching the query's lexemes, ranked by `ts_rank_cd` (or `ts_rank`), best first; ties
   * by chunk id. Each hit's explanation lists the query lexemes it contains and the ranking parameters.
   */
  textSearch(
    query: string,
    depth: number,
    options: TextSearchOptions = {},
    onlyChunk?: string,
    filter?: MetadataFilter,
  ): Promise<RetrievedHit[]> {
    return textSearch(this.db, this.t.chunks, this.textConfig, { query, depth, options, onlyChunk, filter });
  }

  /** Validated full-text options with defaults. @internal */
  textOptions(options: TextSearchOptions): Required<TextSearchOptions> {
    return textOptions(options);
  }

  /**
   * Vector search by cosine similarity (`1 - (embedding <=> q)`), best first, through the HNSW index when there is
   * one (`hnsw.ef_search` set for this query only), else exact (ties by chunk id). `exact: true` forces an exact
   * scan. Chunks stored without a vector are never returned.
   */
  async vectorSearch(
    vector: Float32Array,
    depth: number,
    options: { exact?: boolean; onlyChunk?: string; filter?: MetadataFilter } = {},
  ): Promise<RetrievedHit[]> {
    if (this.dimensions === null)
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `the Postgres index "${this.prefix}" has no vector column`,
        { prefix: this.prefix },
      );
    if (!(vector instanceof Float32Array) || vector.length !== this.dimensions)
      invalidArgument('vector', vector?.length, `a Float32Array of ${this.dimensions} numbers`);
    checkInteger('depth', depth, 1);
    const q = vectorLiteral(vector);
    const approximate = this.hnsw !== null && !options.exact;
    return transaction(this.db, async (tx) => {
      // A filter is applied exactly: HNSW would filter only the ef_search candidates it visits.
      if (approximate && !options.filter)
        await tx.query(`SET LOCAL hnsw.ef_search = ${Math.max(this.hnsw!.efSearch, depth)}`);
      else await tx.query('SET LOCAL enable_indexscan = off');
      const f = options.filter ? filterSql(options.filter, options.onlyChunk === undefined ? 2 : 3) : null;
      const where = `${options.onlyChunk === undefined ? 'embedding IS NOT NULL' : 'id = $2 AND embedding IS NOT NULL'}${f ? ` AND ${f.sql}` : ''}`;
      const { rows } = await tx.query(
        `SELECT id, doc_id, 1 - (embedding <=> $1::vector) AS score FROM ${this.t.chunks}
          WHERE ${where} ORDER BY embedding <=> $1::vector${approximate && !options.filter ? '' : ', id'} LIMIT ${depth}`,
        [...(options.onlyChunk === undefined ? [q] : [q, options.onlyChunk]), ...(f?.values ?? [])],
      );
      return rows.map((r) => ({ chunkId: String(r.id), docId: String(r.doc_id), score: Number(r.score) }));
    });
  }

  /**
   * Build the HNSW index of the vector column if it does not exist yet (after a bulk load into an index opened with
   * `deferVectorIndex`). Returns whether it was built now.
   */
  async buildVectorIndex(): Promise<boolean> {
    if (this.dimensions === null || !this.hnsw || (await hasVectorIndex(this.db, this.prefix))) return false;
    const meta = {
      layout: POSTGRES_LAYOUT_VERSION,
      dimensions: this.dimensions,
      textConfig: this.textConfig,
      hnsw: this.hnsw,
    };
    await this.buildWith(vectorIndexStatements(this.prefix, meta));
    return true;
  }

  /**
   * Build the GIN index of the tsvector column if it does not exist yet (after a bulk load into an index opened
   * with `deferTextIndex`). Returns whether it was built now.
   */
  async buildTextIndex(): Promise<boolean> {
    if (await hasIndex(this.db, this.prefix, 'tsv')) return false;
    await this.buildWith(textIndexStatements(this.prefix));
    return true;
  }

  /** Run index builds in one transaction with {@link POSTGRES_DEFAULTS}.maintenanceWorkMem. @internal */
  private async buildWith(statements: readonly string[]): Promise<void> {
    await transaction(this.db, async (tx) => {
      await tx.query(`SET LOCAL maintenance_work_mem = '${POSTGRES_DEFAULTS.maintenanceWorkMem}'`);
      for (const sql of statements) await tx.query(sql);
    });
  }

  /** Whether vector search goes through the HNSW index (false: exact scan, e.g. before {@link PostgresIndex.buildVectorIndex}). */
  async usesVectorIndex(): Promise<boolean> {
    return this.dimensions !== null && this.hnsw !== null && hasVectorIndex(this.db, this.prefix);
  }

  /**
   * Record a JSON value beside the index (in its meta table), e.g. the embedder spec it was built with, so a later
   * process can open it the same way. Keys are short names; `layout` is reserved.
   */
  async setInfo(key: string, value: unknown): Promise<void> {
    if (typeof key !== 'string' || !/^[\w.-]{1,64}$/.test(key) || key === 'layout')
      invalidArgument('key', key, 'a short name other than "layout"');
    await this.db.query(
      `INSERT INTO ${this.t.meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [key, JSON.stringify(value ?? null)],
    );
  }

  /** A value recorded with {@link PostgresIndex.setInfo}, or undefined. */
  async getInfo(key: string): Promise<unknown> {
    const { rows } = await this.db.query(`SELECT value FROM ${this.t.meta} WHERE key = $1`, [key]);
    return rows[0]?.value ?? undefined;
  }

  /** Drop this index's tables (all its data). */
  async drop(): Promise<void> {
    await dropSchema(this.db, this.prefix);
  }

  /** Close the pool when the index opened it from a URL (a pool you passed is left open). */
  async close(): Promise<void> {
    if (this.ownsPool) await (this.db as { end?: () => Promise<void> }).end?.();
  }
}
