import { createChunker } from '../chunkers/spec.js';
import type { Chunker } from '../chunkers/types.js';
import type { Document } from '../core/document.js';
import { RagscopeError } from '../core/errors.js';
import { createEmbedder } from '../embedders/spec.js';
import type { Embedder } from '../embedders/types.js';
import { PostgresBenchBackend } from '../eval/bench/backend-postgres.js';
import { indexIntoPostgres, PostgresTextRetriever, PostgresVectorRetriever } from '../postgres/retrievers.js';
import { POSTGRES_DEFAULTS, PostgresIndex } from '../postgres/store.js';
import type { Retriever } from '../search/retriever.js';
import { RetrieverSearch } from '../search/retriever-search.js';
import { banner } from './banner.js';
import { UsageError } from './errors.js';

/** What the CLI records beside a Postgres index so `search` / `why-not` open it as it was built. @internal */
interface CliInfo {
  embedder: string | null;
  fallback: boolean;
  chunker: string;
  corpus: string;
}

const open: PostgresIndex[] = [];

/** Close the Postgres pools `search` / `why-not` opened (main() calls it before exiting). @internal */
export async function closeBackends(): Promise<void> {
  await Promise.all(open.splice(0).map((i) => i.close()));
}

/** Whether an index argument names a Postgres index (`postgres://…`) rather than a folder. @internal */
export function isPostgresTarget(target: string): boolean {
  return /^postgres(ql)?:\/\//.test(target);
}

/**
 * Split `postgres://user@host:5432/db#prefix` into the connection URL and the table prefix (default
 * {@link POSTGRES_DEFAULTS}.prefix), as `generate --llm http:<URL>#<model>` names a model. @internal
 */
export function splitPostgresTarget(target: string): { url: string; prefix: string } {
  const at = target.lastIndexOf('#');
  const url = at >= 0 ? target.slice(0, at) : target;
  const prefix = at >= 0 ? target.slice(at + 1) : POSTGRES_DEFAULTS.prefix;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,47}$/.test(prefix)) {
    throw new UsageError(
      `the table prefix after # must be letters, digits and "_", got ${JSON.stringify(prefix)}`,
    );
  }
  return { url, prefix };
}

/** `ragscope index <corpus> --backend postgres://…#prefix`: chunk, embed and write into Postgres. @internal */
export async function indexToPostgres(
  target: string,
  docs: readonly Document[],
  o: { chunker: Chunker; embedder?: Embedder; info: CliInfo; drop: boolean },
): Promise<{ chunks: number; prefix: string }> {
  const { url, prefix } = splitPostgresTarget(target);
  const dimensions = o.embedder?.dimensions ?? null;
  if (o.drop) {
    const old = await PostgresIndex.open({ db: url, prefix, dimensions });
    await old.drop();
    await old.close();
  }
  const index = await PostgresIndex.open({ db: url, prefix, dimensions, deferVectorIndex: true });
  try {
    const chunks = await indexIntoPostgres(index, docs, {
      chunker: o.chunker,
      ...(o.embedder ? { embedder: o.embedder } : {}),
    });
    await index.buildVectorIndex();
    await index.setInfo('cli', o.info);
    return { chunks, prefix };
  } finally {
    await index.close();
  }
}

/**
 * Open a Postgres index for `search` / `why-not`: its full-text retriever, plus its vector retriever with the
 * embedder it was built with (or `--embedder`), fused by ragscope with full traces; documents and chunks are read
 * into memory when `withCorpus` (why-not checks chunk boundaries and documents). @internal
 */
export async function openPostgresSearch(
  target: string,
  embedderSpec: string | undefined,
  withCorpus: boolean,
): Promise<RetrieverSearch> {
  const { url, prefix } = splitPostgresTarget(target);
  const index = await PostgresIndex.open({ db: url, prefix });
  open.push(index);
  const info = (await index.getInfo('cli')) as CliInfo | undefined;
  if (!info) {
    throw new RagscopeError(
      'NOT_FOUND',
      `no ragscope index "${prefix}" at ${url.replace(/\/\/[^@/]*@/, '//…@')} (write one with ragscope index <corpus> --backend ${target})`,
      { prefix },
    );
  }
  const spec = embedderSpec ?? info.embedder ?? undefined;
  const retrievers: Retriever[] = [new PostgresTextRetriever(index)];
  let embedder: Embedder | undefined;
  if (index.dimensions !== null && spec) {
    if (info.fallback && embedderSpec === undefined) {
      process.stderr.write(
        banner(
          `EMBEDDER FALLBACK: the Postgres index "${prefix}" was built with the hashing embedder (${spec}).`,
        ),
      );
    }
    embedder = await createEmbedder(spec);
    retrievers.push(new PostgresVectorRetriever(index, embedder));
  }
  let chunker: Chunker | undefined;
  try {
    chunker = createChunker(info.chunker, embedder ? { embedder } : {});
  } catch {
    chunker = undefined; // e.g. a :tokens spec without its tokenizer: boundaries then replay the stored chunks
  }
  return new RetrieverSearch({
    retrievers,
    ...(embedder ? { embedder } : {}),
    ...(chunker ? { chunker } : {}),
    ...(withCorpus ? { documents: await index.documents(), chunks: await index.chunks() } : {}),
  });
}

/**
 * `ragscope bench --backend postgres://…#prefix [--keep-tables]`: the Postgres bench backend, or undefined without
 * `--backend`. @internal
 */
export async function openBenchBackend(
  target: string | undefined,
  keep: boolean,
): Promise<PostgresBenchBackend | undefined> {
  if (target === undefined) {
    if (keep) throw new UsageError('--keep-tables needs --backend postgres://…#prefix');
    return undefined;
  }
  if (!isPostgresTarget(target)) {
    throw new UsageError(
      `--backend must be a postgres:// URL (postgres://user@host:5432/db#prefix), got ${JSON.stringify(target)}`,
    );
  }
  const { url, prefix } = splitPostgresTarget(target);
  return PostgresBenchBackend.open({ url, prefix, keep });
}
