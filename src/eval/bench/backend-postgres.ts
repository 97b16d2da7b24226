import { indexText } from '../../chunkers/contextual.js';
import type { Chunk, Document } from '../../core/document.js';
import { invalidArgument, RagscopeError } from '../../core/errors.js';
import { norm } from '../../core/vectors.js';
import { PostgresTextRetriever, PostgresVectorRetriever } from '../../postgres/retrievers.js';
import { readMeta } from '../../postgres/schema.js';
import { connectPostgres, identifier, type PoolLike } from '../../postgres/sql.js';
import { POSTGRES_DEFAULTS, PostgresIndex } from '../../postgres/store.js';
import type { BenchBackend, BenchBackendInput, BenchBackendLists } from './backend-search.js';

/**
 * Options of {@link PostgresBenchBackend.open}.
 *
 * @example
 * ```ts
 * const o: PostgresBenchOptions = { url: 'postgres://127.0.0.1:5432/app', prefix: 'bench', keep: false };
 * ```
 */
export interface PostgresBenchOptions {
  /** A `postgres://` connection string (node-postgres, an optional peer, is loaded then). */
  url: string;
  /** Table prefix; configuration i gets the tables `<prefix>_c<i>_*`. Default {@link POSTGRES_DEFAULTS}.prefix. */
  prefix?: string;
  /** Keep the tables after the run (to search them with `ragscope search postgres://…#<prefix>_c<i>`). Default false. */
  keep?: boolean;
  /** Rows per insert transaction. Default 2000. */
  batch?: number;
}

/**
 * `runBench` on PostgreSQL: each chunker configuration is written into its own tables under the prefix (chunks with
 * their offsets, a generated `tsvector` with a GIN index, pgvector embeddings with an HNSW index, or none for
 * `vector.index: 'exact'`), searched by {@link PostgresTextRetriever} (the `bm25` slot: `ts_rank_cd` over the
 * query's lexemes OR-ed, not BM25) and {@link PostgresVectorRetriever} (the `dense` slot), fused by ragscope.
 * Tables that exist already are refused (nothing a user stored is overwritten); those the run made are dropped
 * by `close()` unless `keep`.
 *
 * @example
 * ```ts
 * const backend = await PostgresBenchBackend.open({ url: 'postgres://127.0.0.1:5432/app', prefix: 'bench' });
 * try {
 *   const report = await runBench({ dataset, embedder, backend, chunkers: ['recursive:400/0'] });
 * } finally {
 *   await backend.close();
 * }
 * ```
 */
export class PostgresBenchBackend implements BenchBackend {
  readonly name = 'postgres';
  private readonly made: PostgresIndex[] = [];
  private exact: boolean | null = null;

  private constructor(
    private readonly pool: PoolLike,
    readonly prefix: string,
    private readonly keep: boolean,
    private readonly batch: number,
  ) {}

  /** Connect (one pool for the whole run). */
  static async open(options: PostgresBenchOptions): Promise<PostgresBenchBackend> {
    if (options === null || typeof options !== 'object')
      invalidArgument('options', options, 'an options object');
    const prefix = identifier('prefix', options.prefix ?? POSTGRES_DEFAULTS.prefix, false);
    if (prefix.length > 40)
      invalidArgument('prefix', prefix, 'at most 40 characters (configurations add _c<i>)');
    const batch = options.batch ?? 2000;
    if (!Number.isInteger(batch) || batch < 1) invalidArgument('batch', batch, 'a positive integer');
    return new PostgresBenchBackend(await connectPostgres(options.url), prefix, options.keep === true, batch);
  }

  /** Write one configuration into `<prefix>_c<i>` and return its retrievers. */
  async index(input: BenchBackendInput): Promise<BenchBackendLists> {
    const prefix = `${this.prefix}_c${input.chunkerIndex}`;
    if (await readMeta(this.pool, prefix)) {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `--backend: the Postgres tables "${prefix}_*" exist already; the bench writes fresh tables and never overwrites yours: choose another prefix after # or drop them (ragscope index --backend …#${prefix} --drop)`,
        { param: '--backend', value: prefix },
      );
    }
    const { embedder } = input;
    const exact = input.vector.index === 'exact';
    this.exact = exact;
    const hnsw = {
      ...(input.vector.M !== undefined ? { m: input.vector.M } : {}),
      ...(input.vector.efConstruction !== undefined ? { efConstruction: input.vector.efConstruction } : {}),
      ...(input.vector.efSearch !== undefined ? { efSearch: input.vector.efSearch } : {}),
    };
    const index = await PostgresIndex.open({
      db: this.pool,
      prefix,
      dimensions: embedder ? embedder.dimensions : null,
      hnsw: exact ? false : hnsw,
      deferVectorIndex: true,
      deferTextIndex: true,
    });
    this.made.push(index);
    const without: string[] = [];
    const byDoc = new Map<string, Chunk[]>(input.documents.map((d) => [d.id, []]));
    for (const c of input.chunks) byDoc.get(c.docId)?.push(c);
    // Batches of whole documents, about `batch` chunks each, each batch one transaction.
    let docs: Document[] = [];
    let part: Chunk[] = [];
    const flush = async () => {
      if (docs.length === 0) return;
      let vectors: (Float32Array | null)[] | undefined;
      if (embedder) {
        const vs = await embedder.embed(
          part.map((c) => indexText(c, 'embed')),
          { kind: 'passage' },
        );
        vectors = vs.map((v, i) => {
          if (norm(v) > 0) return v;
          without.push(part[i]!.id);
          return null;
        });
      }
      await index.upsert(docs, part, vectors);
      docs = [];
      part = [];
    };
    for (const d of input.documents) {
      docs.push(d);
      part.push(...(byDoc.get(d.id) ?? []));
      if (part.length >= this.batch) await flush();
    }
    await flush();
    await index.buildTextIndex();
    await index.buildVectorIndex();
    const wanted = new Set(input.retrievers);
    const lexical = [...wanted].some((r) => r !== 'dense') ? new PostgresTextRetriever(index) : undefined;
    const dense =
      embedder && [...wanted].some((r) => r !== 'bm25')
        ? new PostgresVectorRetriever(index, embedder, { exact })
        : undefined;
    return {
      ...(lexical ? { lexical } : {}),
      ...(dense ? { dense } : {}),
      chunksWithoutVector: without,
    };
  }

  /** What ran in place of the in-memory indexes (a report warning). */
  describe(): string {
    const vec = this.exact === false ? 'pgvector HNSW' : 'pgvector exact scan';
    return (
      `backend postgres: each configuration was indexed into Postgres tables ${this.prefix}_c<i>_* (${this.keep ? 'kept' : 'dropped after the run'}); ` +
      `"bm25" is Postgres full text (${POSTGRES_DEFAULTS.rank} over a tsvector of the chunk text, ${POSTGRES_DEFAULTS.textConfig} configuration, any query lexeme), not BM25; ` +
      `"dense" is ${vec} (cosine); both are fused by ragscope`
    );
  }

  /** Drop the tables this run made (unless `keep`) and close the pool. */
  async close(): Promise<void> {
    try {
      if (!this.keep) for (const index of this.made.splice(0)) await index.drop();
    } finally {
      await this.pool.end?.();
    }
  }
}
