import { invalidArgument } from '../core/errors.js';
import { importOptional } from '../core/optional.js';

/**
 * What ragscope needs of a Postgres connection: node-postgres's `query(text, values)` (a `pg.Pool`, a
 * `pg.Client` or a `PoolClient` all have it). Pass your own pool to share it with your application.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const db: Queryable = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface Queryable {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Array<Record<string, unknown>>; rowCount?: number | null }>;
}

/** A pool that can hand out one client for a transaction (`pg.Pool`). @internal */
export interface PoolLike extends Queryable {
  connect(): Promise<Queryable & { release(err?: unknown): void }>;
  end?(): Promise<void>;
}

type PgModule = { Pool: new (config: { connectionString: string; max?: number }) => PoolLike };

/**
 * Open a `pg.Pool` for a `postgres://` URL, loading node-postgres lazily (an optional peer dependency: install it
 * with `npm install pg`).
 *
 * @example
 * ```ts
 * const pool = await connectPostgres('postgres://user:secret@127.0.0.1:5432/app');
 * await pool.query('SELECT 1');
 * ```
 */
export async function connectPostgres(url: string, options: { max?: number } = {}): Promise<PoolLike> {
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) {
    invalidArgument('url', url, 'a postgres:// connection string');
  }
  const imported = (await importOptional('pg', 'the Postgres backend', () => import('pg'))) as unknown as {
    default?: PgModule;
  } & PgModule;
  const mod = imported.default ?? imported;
  return new mod.Pool({ connectionString: url, max: options.max ?? 4 });
}

/**
 * Check a name used in SQL identifiers (a table prefix, a column, a text search configuration): letters, digits
 * and `_`, starting with a letter or `_`, at most 48 characters. Returns it double-quoted where `quote` is set.
 * @internal
 */
export function identifier(param: string, name: unknown, quote = true): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,47}$/.test(name)) {
    invalidArgument(param, name, 'an SQL identifier of letters, digits and "_" (at most 48 characters)');
  }
  return quote ? `"${name}"` : name;
}

/** A qualified column or table name `a.b` (each part checked). @internal */
export function qualified(param: string, name: unknown): string {
  if (typeof name !== 'string') invalidArgument(param, name, 'a table name such as "public.chunks"');
  return name
    .split('.')
    .map((part) => identifier(param, part))
    .join('.');
}

/** pgvector's text form of a vector: `[0.1,0.2,...]`. @internal */
export function vectorLiteral(v: Float32Array | readonly number[]): string {
  return `[${Array.from(v, (x) => (Number.isFinite(x) ? x : 0)).join(',')}]`;
}

/** Parse pgvector's text form back (`pg` returns vectors as text). @internal */
export function parseVector(text: unknown): Float32Array | undefined {
  if (typeof text !== 'string' || text.length < 2) return undefined;
  const body = text.slice(1, -1);
  return new Float32Array(body === '' ? [] : body.split(',').map(Number));
}

/**
 * Run `fn` inside one transaction on one client of `pool` (BEGIN … COMMIT, ROLLBACK on error). Against a plain
 * `Queryable` (one client), the statements go to it.
 * @internal
 */
export async function transaction<T>(db: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const pool = db as Partial<PoolLike>;
  const client = typeof pool.connect === 'function' ? await pool.connect() : undefined;
  const tx: Queryable = client ?? db;
  try {
    await tx.query('BEGIN');
    const out = await fn(tx);
    await tx.query('COMMIT');
    return out;
  } catch (err) {
    await tx.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client?.release();
  }
}
