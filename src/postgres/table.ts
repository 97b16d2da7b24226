import type { Chunk } from '../core/document.js';
import { checkInteger, invalidArgument, RagscopeError } from '../core/errors.js';
import { norm } from '../core/vectors.js';
import type { Embedder } from '../embedders/types.js';
import type { RetrieveContext, RetrievedHit, Retriever } from '../search/retriever.js';
import { connectPostgres, identifier, type Queryable, qualified, vectorLiteral } from './sql.js';

/**
 * How {@link PostgresTableRetriever} reads a table a team already runs. Either name the columns (`table` +
 * `columns`) and ragscope writes the query, or give the whole `sql` yourself.
 *
 * @example
 * ```ts
 * const opts: ExistingTableOptions = {
 *   db: pool,
 *   table: 'public.items',
 *   columns: { id: 'item_id', docId: 'source', text: 'body', vector: 'embedding' },
 *   mode: 'vector',
 *   embedder,
 * };
 * ```
 */
export interface ExistingTableOptions {
  /** A `pg.Pool` (or any {@link Queryable}) or a `postgres://` URL. */
  db: Queryable | string;
  /** `'text'`: full-text search; `'vector'`: pgvector similarity. */
  mode: 'text' | 'vector';
  /** The table (optionally schema-qualified), when ragscope writes the query. */
  table?: string;
  /**
   * Column names: `id` (required), `docId` (default: `id`), `text` (needed to show and check chunks), `vector`
   * (mode `vector`), `tsv` (a tsvector column; default `to_tsvector(textConfig, text)` on the fly), `start`/`end`
   * (offsets into the source document, when the table has them).
   */
  columns?: {
    id: string;
    docId?: string;
    text?: string;
    vector?: string;
    tsv?: string;
    start?: string;
    end?: string;
  };
  /**
   * Your own query instead of `table`/`columns`, with named placeholders: `:query` (the query text), `:vector`
   * (the query vector in pgvector's text form, mode `vector`) and `:depth`; it returns columns `id`, `score`
   * (higher is better) and optionally `doc_id`. ragscope then cannot look rows up: diagnostics say "cannot check".
   */
  sql?: string;
  /** Embeds the query (mode `vector`). */
  embedder?: Embedder;
  /** Distance operator of the vector column: `cosine` (`<=>`), `ip` (`<#>`), `l2` (`<->`). Default `cosine`. */
  distance?: 'cosine' | 'ip' | 'l2';
  /** Text search configuration (mode `text`). Default `'english'`. */
  textConfig?: string;
  /** The list's name in traces. Default `pg-table-text` / `pg-table-vector`. */
  name?: string;
}

const DISTANCE_OPS = { cosine: '<=>', ip: '<#>', l2: '<->' } as const;
/** Score (higher is better) from each pgvector distance. */
const SCORE_OF = { cosine: '1 - (d)', ip: '-(d)', l2: '-(d)' } as const;

/**
 * Read-only retrieval over an EXISTING Postgres table, so a team can evaluate and diagnose the retrieval it already
 * runs: every search gets a stage trace, `evaluate`/`bench` scores, and why-not verdicts. What the table does not
 * hold is reported, not guessed: without a text column ragscope cannot show or re-chunk hits, without document
 * offsets span metrics are per chunk text, and with a custom `sql` it cannot look a chunk up at all.
 *
 * @example
 * ```ts
 * const mine = await PostgresTableRetriever.open({
 *   db: 'postgres://127.0.0.1:5432/app', mode: 'text', table: 'articles', columns: { id: 'id', text: 'body' },
 * });
 * const hits = await mine.retrieve('refund policy', 20);
 * mine.cannotCheck(); // ['document offsets: the table has no start/end columns']
 * ```
 */
export class PostgresTableRetriever implements Retriever {
  readonly name: string;
  readonly kind: 'lexical' | 'dense';
  private readonly o: ExistingTableOptions;
  private readonly db: Queryable;
  private readonly query: PreparedQuery;
  /** Whether a row with this id exists (absent with custom `sql`: ragscope cannot look rows up). */
  readonly has?: (chunkId: string) => Promise<boolean>;
  /** The row as a chunk: offsets from the start/end columns, else `[0, text.length)` of its own text. */
  readonly getChunk?: (chunkId: string) => Promise<Chunk | undefined>;

  private constructor(db: Queryable, o: ExistingTableOptions, query: PreparedQuery) {
    this.db = db;
    this.o = o;
    this.query = query;
    this.kind = o.mode === 'text' ? 'lexical' : 'dense';
    this.name = o.name ?? `pg-table-${o.mode}`;
    if (o.sql === undefined) {
      this.has = (id) => this.lookup(id).then((r) => r !== undefined);
      if (o.columns?.text) this.getChunk = (id) => this.lookup(id);
    }
  }

  /** Check the options, connect, and check that the table and columns exist (a clear error names what is not). */
  static async open(options: ExistingTableOptions): Promise<PostgresTableRetriever> {
    if (options === null || typeof options !== 'object')
      invalidArgument('options', options, 'an options object');
    if (options.mode !== 'text' && options.mode !== 'vector')
      invalidArgument('mode', options.mode, "'text' or 'vector'");
    if (options.mode === 'vector' && typeof options.embedder?.embed !== 'function')
      invalidArgument('embedder', options.embedder, "an Embedder (mode 'vector' embeds the query)");
    if (options.distance !== undefined && !(options.distance in DISTANCE_OPS))
      invalidArgument('distance', options.distance, "'cosine', 'ip' or 'l2'");
    const db = typeof options.db === 'string' ? await connectPostgres(options.db) : options.db;
    const query = prepare(options.sql !== undefined ? checkSql(options.sql) : buildSelect(options));
    // Run it once for nothing, so a missing table or column is reported now, by Postgres, with its name.
    if (options.sql === undefined) await runPrepared(db, query, { query: '', vector: null, depth: 0 });
    return new PostgresTableRetriever(db, options, query);
  }

  /** Filters are refused (a RagscopeError), not post-filtered: the mapping has no metadata column to read. */
  readonly nativeFilter = true;

  /** The `depth` best rows for `query`. */
  async retrieve(query: string, depth: number, context?: RetrieveContext): Promise<RetrievedHit[]> {
    if (typeof query !== 'string') invalidArgument('query', query, 'a string');
    if (context?.filter)
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `${this.name} cannot filter: the table mapping has no metadata column (filter in your own sql instead)`,
        { param: 'filter', value: context.filter },
      );
    checkInteger('depth', depth, 1);
    let vector: string | null = null;
    if (this.o.mode === 'vector') {
      const qv = context?.queryVector ?? (await this.o.embedder!.embed([query], { kind: 'query' }))[0];
      if (!qv || norm(qv) === 0) return [];
      vector = vectorLiteral(qv);
    }
    const rows = await runPrepared(this.db, this.query, { query, vector, depth });
    return rows.map((r) => ({
      chunkId: String(r.id),
      docId: String(r.doc_id ?? r.id),
      score: Number(r.score),
    }));
  }

  /** What the stage trace records: the table, columns or SQL, mode and distance. */
  params(): Record<string, unknown> {
    const { db: _db, embedder, ...rest } = this.o;
    return { backend: 'postgres-table', ...rest, ...(embedder ? { embedder: embedder.id } : {}) };
  }

  /** What diagnostics cannot check against this table, and why (empty when everything can be checked). */
  cannotCheck(): string[] {
    const out: string[] = [];
    if (this.o.sql !== undefined)
      out.push('chunk look-up: the retriever runs custom SQL, so ragscope cannot read a chunk by id');
    else {
      if (!this.o.columns?.text) out.push('chunk text: the table mapping has no text column');
      if (!this.o.columns?.start || !this.o.columns?.end)
        out.push('document offsets: the table has no start/end columns');
    }
    return out;
  }

  private async lookup(id: string): Promise<Chunk | undefined> {
    const c = this.o.columns!;
    const cols = [
      `${identifier('columns.id', c.id)}::text AS id`,
      `${identifier('columns.docId', c.docId ?? c.id)}::text AS doc_id`,
      c.text ? `${identifier('columns.text', c.text)} AS text` : `''::text AS text`,
      c.start ? `${identifier('columns.start', c.start)} AS s` : 'NULL AS s',
      c.end ? `${identifier('columns.end', c.end)} AS e` : 'NULL AS e',
    ];
    const { rows } = await this.db.query(
      `SELECT ${cols.join(', ')} FROM ${qualified('table', this.o.table)} WHERE ${identifier('columns.id', c.id)}::text = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return undefined;
    const text = String(r.text);
    const start = r.s == null ? 0 : Number(r.s);
    return {
      id: String(r.id),
      docId: String(r.doc_id),
      index: 0,
      text,
      start,
      end: r.e == null ? start + text.length : Number(r.e),
      metadata: {},
    };
  }
}

type Placeholder = 'query' | 'vector' | 'depth';
/** SQL with `:name` placeholders turned into `$n`, and the names in `$n` order. @internal */
interface PreparedQuery {
  text: string;
  names: Placeholder[];
}

/** Replace `:query`, `:vector`, `:depth` by `$1…` in order of first use (only used ones are sent). @internal */
function prepare(sql: string): PreparedQuery {
  const names: Placeholder[] = [];
  const text = sql.replace(/(?<!:):(query|vector|depth)\b/g, (_, name: Placeholder) => {
    if (!names.includes(name)) names.push(name);
    const cast = name === 'vector' ? '::vector' : name === 'depth' ? '::int' : '::text';
    return `$${names.indexOf(name) + 1}${cast}`;
  });
  return { text, names };
}

async function runPrepared(
  db: Queryable,
  q: PreparedQuery,
  values: Record<Placeholder, unknown>,
): Promise<Array<Record<string, unknown>>> {
  return (
    await db.query(
      q.text,
      q.names.map((n) => values[n]),
    )
  ).rows;
}

function checkSql(sql: unknown): string {
  if (typeof sql !== 'string' || !/:query\b|:vector\b/.test(sql) || !/:depth\b/.test(sql))
    invalidArgument(
      'sql',
      sql,
      'a SELECT using :query or :vector, and :depth, returning id and score columns',
    );
  return sql;
}

function buildSelect(o: ExistingTableOptions): string {
  if (o.table === undefined) invalidArgument('table', o.table, 'a table name (or give sql)');
  const c = o.columns;
  if (!c || typeof c !== 'object') invalidArgument('columns', c, 'a column mapping with at least id');
  const table = qualified('table', o.table);
  const id = identifier('columns.id', c.id);
  const docId = identifier('columns.docId', c.docId ?? c.id);
  if (o.mode === 'vector') {
    const v = identifier('columns.vector', c.vector);
    const op = DISTANCE_OPS[o.distance ?? 'cosine'];
    const score = SCORE_OF[o.distance ?? 'cosine'].replace('d', `${v} ${op} :vector`);
    return `SELECT ${id}::text AS id, ${docId}::text AS doc_id, ${score} AS score FROM ${table} WHERE ${v} IS NOT NULL ORDER BY ${v} ${op} :vector LIMIT :depth`;
  }
  const cfg = identifier('textConfig', o.textConfig ?? 'english', false);
  const tsv = c.tsv
    ? identifier('columns.tsv', c.tsv)
    : `to_tsvector('${cfg}'::regconfig, ${identifier('columns.text', c.text)})`;
  // OR of the query's lexemes, as BM25 matches any term; ts_rank_cd ranks.
  const q = `(SELECT coalesce(string_agg(quote_literal(lexeme), ' | '), '') FROM unnest(to_tsvector('${cfg}'::regconfig, :query)))`;
  return `SELECT ${id}::text AS id, ${docId}::text AS doc_id, ts_rank_cd(${tsv}, q) AS score FROM ${table}, to_tsquery('${cfg}'::regconfig, ${q}) AS q WHERE ${tsv} @@ q ORDER BY score DESC, 1 LIMIT :depth`;
}
