import type { Chunk } from '../core/document.js';
import type { Queryable } from './sql.js';

/**
 * Defaults of `PostgresIndex`: table prefix, text search configuration, pgvector HNSW parameters (pgvector's
 * own defaults), the full-text ranking function and its normalisation flags, and how query terms are combined.
 *
 * @example
 * ```ts
 * POSTGRES_DEFAULTS.hnsw.efSearch; // 40
 * ```
 */
export const POSTGRES_DEFAULTS = Object.freeze({
  prefix: 'ragscope',
  textConfig: 'english',
  hnsw: Object.freeze({ m: 16, efConstruction: 64, efSearch: 40 }),
  rank: 'ts_rank_cd' as 'ts_rank' | 'ts_rank_cd',
  rankNormalization: 0,
  operator: 'or' as 'or' | 'and',
  batchSize: 500,
  /** `maintenance_work_mem` while building an index: pgvector builds HNSW far faster when the graph fits in it. */
  maintenanceWorkMem: '1GB',
});

/** A chunk from a row of the chunks table (`pg` returns jsonb parsed, integers as numbers). @internal */
export function chunkOfRow(r: Record<string, unknown>): Chunk {
  return {
    id: String(r.id),
    docId: String(r.doc_id),
    index: Number(r.idx),
    start: Number(r.start_offset),
    end: Number(r.end_offset),
    text: String(r.text),
    metadata: (r.metadata as Record<string, unknown>) ?? {},
  };
}

/**
 * Options of `PostgresIndex.open`.
 *
 * @example
 * ```ts
 * const opts: PostgresIndexOptions = { db: 'postgres://127.0.0.1:5432/app', prefix: 'kb', dimensions: 384 };
 * ```
 */
export interface PostgresIndexOptions {
  /** A `pg.Pool` (or any {@link Queryable}) or a `postgres://` URL (a pool is opened and closed with the index). */
  db: Queryable | string;
  /** Table name prefix: tables `<prefix>_documents`, `<prefix>_chunks`, `<prefix>_meta`. Default `'ragscope'`. */
  prefix?: string;
  /** Vector dimensions; omit (or `null`) for a full-text-only index. Required to create a vector column. */
  dimensions?: number | null;
  /** Postgres text search configuration for `to_tsvector`. Default `'english'`. */
  textConfig?: string;
  /** pgvector HNSW index parameters, or `false` for exact vector search. Default {@link POSTGRES_DEFAULTS}.hnsw. */
  hnsw?: { m?: number; efConstruction?: number; efSearch?: number } | false;
  /**
   * Create a new index's HNSW index only when `PostgresIndex.buildVectorIndex` is called: for bulk loads
   * (building it once after loading is much faster than growing it row by row, as pgvector's docs advise). Vector
   * search is exact until then. Default `false`.
   */
  deferVectorIndex?: boolean;
  /**
   * Create a new index's GIN (full-text) index only when `PostgresIndex.buildTextIndex` is called: one build
   * after a bulk load instead of growing it row by row. Full text scans the table until then. Default `false`.
   */
  deferTextIndex?: boolean;
}

/**
 * Options of full-text search (`PostgresIndex.textSearch`).
 *
 * @example
 * ```ts
 * const o: TextSearchOptions = { rank: 'ts_rank', rankNormalization: 1, operator: 'and' };
 * ```
 */
export interface TextSearchOptions {
  /** `ts_rank_cd` (cover density) or `ts_rank`. Default `'ts_rank_cd'`. */
  rank?: 'ts_rank' | 'ts_rank_cd';
  /** The ranking function's normalisation bit mask (0–63, see the Postgres manual). Default 0. */
  rankNormalization?: number;
  /** `or`: a chunk matching any query lexeme is a candidate (as BM25); `and`: all of them. Default `'or'`. */
  operator?: 'or' | 'and';
}
