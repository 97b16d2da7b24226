import { RagscopeError } from '../core/errors.js';
import { identifier, type Queryable } from './sql.js';

/** Version of the table layout; a layout made by another version is refused with a clear error. @internal */
export const POSTGRES_LAYOUT_VERSION = 1;

/**
 * Names of the tables of one ragscope index in Postgres: `<prefix>_documents`, `<prefix>_chunks`, `<prefix>_meta`.
 *
 * @example
 * ```ts
 * tableNames('kb').chunks; // '"kb_chunks"'
 * ```
 */
export function tableNames(prefix: string): { documents: string; chunks: string; meta: string } {
  const p = identifier('prefix', prefix, false);
  return { documents: `"${p}_documents"`, chunks: `"${p}_chunks"`, meta: `"${p}_meta"` };
}

/** What the meta table records, checked when an index is opened again. @internal */
export interface LayoutMeta {
  layout: number;
  dimensions: number | null;
  textConfig: string;
  hnsw: { m: number; efConstruction: number } | null;
}

/** Which secondary indexes a new index builds later, after a bulk load. @internal */
export interface DeferredIndexes {
  /** The pgvector HNSW index. */
  vector?: boolean;
  /** The GIN index of the tsvector column. */
  text?: boolean;
}

/** The statements that create an index's tables (idempotent). @internal */
export function createStatements(prefix: string, meta: LayoutMeta, defer: DeferredIndexes = {}): string[] {
  const t = tableNames(prefix);
  const cfg = identifier('textConfig', meta.textConfig, false);
  const p = identifier('prefix', prefix, false);
  const vectorColumn = meta.dimensions === null ? '' : `, embedding vector(${meta.dimensions})`;
  const out = [
    `CREATE TABLE IF NOT EXISTS ${t.meta} (key text PRIMARY KEY, value jsonb NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t.documents} (id text PRIMARY KEY, text text NOT NULL, metadata jsonb NOT NULL DEFAULT '{}')`,
    `CREATE TABLE IF NOT EXISTS ${t.chunks} (
      id text PRIMARY KEY,
      doc_id text NOT NULL REFERENCES ${t.documents}(id) ON DELETE CASCADE,
      idx integer NOT NULL,
      start_offset integer NOT NULL,
      end_offset integer NOT NULL,
      text text NOT NULL,
      metadata jsonb NOT NULL DEFAULT '{}',
      tsv tsvector GENERATED ALWAYS AS (to_tsvector('${cfg}'::regconfig, text)) STORED${vectorColumn}
    )`,
    `CREATE INDEX IF NOT EXISTS "${p}_chunks_doc" ON ${t.chunks} (doc_id)`,
  ];
  if (!defer.text) out.push(...textIndexStatements(prefix));
  if (!defer.vector) out.push(...vectorIndexStatements(prefix, meta));
  return out;
}

/** The statement that builds the GIN index of the tsvector column. @internal */
export function textIndexStatements(prefix: string): string[] {
  const p = identifier('prefix', prefix, false);
  return [`CREATE INDEX IF NOT EXISTS "${p}_chunks_tsv" ON ${tableNames(prefix).chunks} USING gin (tsv)`];
}

/** The statement that builds the HNSW index of the vector column (none without vectors or HNSW). @internal */
export function vectorIndexStatements(prefix: string, meta: LayoutMeta): string[] {
  if (meta.dimensions === null || !meta.hnsw) return [];
  const p = identifier('prefix', prefix, false);
  return [
    `CREATE INDEX IF NOT EXISTS "${p}_chunks_hnsw" ON ${tableNames(prefix).chunks} USING hnsw (embedding vector_cosine_ops) ` +
      `WITH (m = ${meta.hnsw.m}, ef_construction = ${meta.hnsw.efConstruction})`,
  ];
}

/** Whether the HNSW index of an index's vector column exists. @internal */
export async function hasVectorIndex(db: Queryable, prefix: string): Promise<boolean> {
  return hasIndex(db, prefix, 'hnsw');
}

/** Whether one of an index's secondary indexes (`hnsw`, `tsv`) exists. @internal */
export async function hasIndex(db: Queryable, prefix: string, which: 'hnsw' | 'tsv'): Promise<boolean> {
  const p = identifier('prefix', prefix, false);
  const { rows } = await db.query('SELECT to_regclass($1) AS i', [`${p}_chunks_${which}`]);
  return Boolean(rows[0]?.i);
}

/** Read the meta table, or null when the index does not exist yet. @internal */
export async function readMeta(db: Queryable, prefix: string): Promise<LayoutMeta | null> {
  const t = tableNames(prefix);
  const exists = await db.query('SELECT to_regclass($1) AS t', [t.meta.replaceAll('"', '')]);
  if (!exists.rows[0]?.t) return null;
  const { rows } = await db.query(`SELECT value FROM ${t.meta} WHERE key = 'layout'`);
  return (rows[0]?.value as LayoutMeta | undefined) ?? null;
}

/**
 * Create the tables of an index, or check that existing ones were made with the same layout, dimensions and
 * text configuration (`INCOMPATIBLE_INDEX` otherwise, naming the difference).
 * @internal
 */
export async function ensureSchema(
  db: Queryable,
  prefix: string,
  wanted: LayoutMeta,
  defer: DeferredIndexes = {},
): Promise<LayoutMeta> {
  const found = await readMeta(db, prefix);
  if (found) {
    const differs: string[] = [];
    if (found.layout !== wanted.layout)
      differs.push(`layout ${found.layout} (this ragscope writes ${wanted.layout})`);
    if (wanted.dimensions !== null && found.dimensions !== wanted.dimensions)
      differs.push(`dimensions ${found.dimensions} (asked for ${wanted.dimensions})`);
    if (found.textConfig !== wanted.textConfig)
      differs.push(`text search configuration ${found.textConfig} (asked for ${wanted.textConfig})`);
    if (differs.length > 0) {
      throw new RagscopeError(
        'INCOMPATIBLE_INDEX',
        `the Postgres index "${prefix}" was made with ${differs.join(', ')}; drop it (ragscope index --drop) or use another prefix`,
        { prefix, found, wanted },
      );
    }
    return found;
  }
  if (wanted.dimensions !== null) await db.query('CREATE EXTENSION IF NOT EXISTS vector');
  await db.query(`SELECT '${identifier('textConfig', wanted.textConfig, false)}'::regconfig`).catch((err) => {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `textConfig must be a Postgres text search configuration, got "${wanted.textConfig}"`,
      { param: 'textConfig', value: wanted.textConfig },
      err,
    );
  });
  for (const sql of createStatements(prefix, wanted, defer)) await db.query(sql);
  await db.query(
    `INSERT INTO ${tableNames(prefix).meta} (key, value) VALUES ('layout', $1) ON CONFLICT (key) DO NOTHING`,
    [JSON.stringify(wanted)],
  );
  return wanted;
}

/** Drop the tables of an index (the data is gone). @internal */
export async function dropSchema(db: Queryable, prefix: string): Promise<void> {
  const t = tableNames(prefix);
  await db.query(`DROP TABLE IF EXISTS ${t.chunks}, ${t.documents}, ${t.meta}`);
}
