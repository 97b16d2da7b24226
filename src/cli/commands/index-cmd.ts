import path from 'node:path';
import { type Command, Option } from 'commander';
import { indexText } from '../../chunkers/contextual.js';
import { createChunker, parseChunkerSpec } from '../../chunkers/spec.js';
import { embedderTokenBudget, truncationWarning } from '../../diagnostics/token-budget.js';
import { CachedEmbedder } from '../../embedders/cached.js';
import { loadCorpus } from '../../eval/datasets/corpus.js';
import { RetrievalPipeline } from '../../search/pipeline.js';
import { hnswAvailable } from '../../search/vector.js';
import { banner } from '../banner.js';
import { resolveEmbedder } from '../embedder.js';
import { UsageError } from '../errors.js';
import { asFlagError, type IdFrom, idFromOption, splitList } from '../options.js';
import { indexToPostgres, isPostgresTarget } from '../postgres-backend.js';
import { sidecarExtra } from '../sidecar.js';
import { absoluteEmbedderSpec, absoluteTokenizerFlag } from '../spec-paths.js';
import { resolveTokenizer } from '../tokenizer.js';

interface IndexFlags {
  out?: string;
  backend?: string;
  drop?: boolean;
  chunker: string;
  embedder?: string;
  bm25Only?: boolean;
  vectorIndex: 'auto' | 'exact' | 'hnsw';
  ext: string;
  cacheDir: string;
  cache: boolean;
  tokenizer?: string;
  idFrom: IdFrom;
}

/** `auto`: HNSW when hnswlib-node (an optional peer) loads, else exact search, said on stderr. */
async function vectorIndexKind(kind: 'auto' | 'exact' | 'hnsw'): Promise<'exact' | 'hnsw'> {
  if (kind !== 'auto') return kind;
  if (await hnswAvailable()) return 'hnsw';
  process.stderr.write(
    'note: hnswlib-node is not installed, so the vector index is exact (brute force); `npm install hnswlib-node` for HNSW\n',
  );
  return 'exact';
}

/** `ragscope index <corpus> --out <index-dir>`: chunk, embed and save a searchable index. @internal */
export function registerIndex(program: Command): void {
  program
    .command('index')
    .description('chunk, embed and index a folder of documents; saves the index for search and why-not')
    .argument(
      '<corpus>',
      'folder of documents (ids = relative paths), a .jsonl corpus, one file, beir:<folder> or chroma:<folder>',
    )
    .option('--out <dir>', 'index folder to write (or --backend)')
    .option(
      '--backend <url>',
      'write into Postgres instead: postgres://user@host:5432/db#prefix (tables <prefix>_documents/_chunks/_meta; default prefix ragscope)',
    )
    .option('--drop', "with --backend: drop the prefix's tables first")
    .option('--chunker <spec>', 'chunker spec (e.g. recursive:400/0, sentence:400/1)', 'recursive:400/0')
    .option('--embedder <spec>', 'as for bench (default Xenova/all-MiniLM-L6-v2, LOUD hashing fallback)')
    .option(
      '--tokenizer <name>',
      'for :tokens specs: cl100k_base (default), o200k_base... or a tokenizer.json',
    )
    .option('--bm25-only', 'no embedder and no vector index')
    .addOption(
      new Option(
        '--vector-index <kind>',
        'vector index (auto: hnsw when hnswlib-node is installed, else exact)',
      )
        .choices(['auto', 'exact', 'hnsw'])
        .default('auto'),
    )
    .option('--ext <list>', 'file endings to load', '.md,.txt')
    .addOption(idFromOption())
    .option('--cache-dir <dir>', 'embedding cache folder', '.ragscope-cache')
    .option('--no-cache', 'do not read or write the embedding cache')
    .addHelpText(
      'after',
      '\nExample:\n  $ ragscope index examples/corpus --out my-index --chunker sentence:400/1 --embedder hashing',
    )
    .action(async (corpus: string, flags: IndexFlags) => {
      if ((flags.out === undefined) === (flags.backend === undefined))
        throw new UsageError('give exactly one of --out <dir> and --backend postgres://…');
      if (flags.backend !== undefined && !isPostgresTarget(flags.backend))
        throw new UsageError(`--backend must be a postgres:// URL, got ${JSON.stringify(flags.backend)}`);
      try {
        parseChunkerSpec(flags.chunker);
      } catch (err) {
        asFlagError('--chunker', err);
      }
      const docs = await loadCorpus(corpus, { extensions: splitList(flags.ext), idFrom: flags.idFrom });
      // Local model/vector/tokenizer paths are used and recorded absolute, so search works from any folder.
      flags.tokenizer = absoluteTokenizerFlag(flags.tokenizer);
      const resolved = flags.bm25Only
        ? null
        : await resolveEmbedder(absoluteEmbedderSpec(flags.embedder), {
            cacheDir: flags.cache ? flags.cacheDir : false,
          });
      if (resolved?.fallback) process.stderr.write(banner(resolved.fallback));
      const embedder =
        resolved && flags.cache
          ? new CachedEmbedder(resolved.embedder, { dir: path.join(flags.cacheDir, 'embeddings') })
          : resolved?.embedder;
      const t0 = performance.now();
      const tokenizer = await resolveTokenizer(flags.tokenizer, [flags.chunker]);
      const chunker = createChunker(flags.chunker, {
        ...(embedder ? { embedder } : {}),
        ...(tokenizer ? { tokenizer } : {}),
      });
      if (flags.backend !== undefined) {
        const info = {
          embedder: resolved ? resolved.spec : null,
          fallback: resolved?.fallback !== undefined,
          chunker: flags.chunker,
          corpus,
        };
        const r = await indexToPostgres(flags.backend, docs, {
          chunker,
          ...(embedder ? { embedder } : {}),
          info,
          drop: flags.drop === true,
        });
        process.stdout.write(
          `indexed ${docs.length} documents into ${r.chunks} chunks with ${chunker.spec}${embedder ? ` and ${embedder.id}` : ', full text only'} in ${((performance.now() - t0) / 1000).toFixed(1)} s; written to Postgres (prefix ${r.prefix})\n`,
        );
        if (resolved?.fallback) process.stderr.write(banner(`REMINDER: ${resolved.fallback}`));
        return;
      }
      const out = flags.out!;
      const pipeline = new RetrievalPipeline({
        chunker,
        ...(embedder ? { embedder, vector: { index: await vectorIndexKind(flags.vectorIndex) } } : {}),
      });
      const report = await pipeline.addDocuments(docs);
      // The sidecar goes inside the index's atomic swap: a new index never pairs with an old sidecar.
      await pipeline.save(out, {
        extras: sidecarExtra({
          embedder: resolved ? resolved.spec : null,
          fallback: resolved?.fallback !== undefined,
          chunker: flags.chunker,
          tokenizer: flags.tokenizer ?? null,
          corpus,
        }),
      });
      const s = pipeline.stats;
      process.stdout.write(
        `indexed ${s.documents} documents into ${s.chunks} chunks (${report.chunksEmbedded} embedded) with ${pipeline.chunker.spec}` +
          `${embedder ? ` and ${embedder.id}` : ', BM25 only'} in ${((performance.now() - t0) / 1000).toFixed(1)} s; saved to ${out}\n`,
      );
      if (embedder) {
        // What the model reads: the contextual text (title + heading path + chunk) under :ctx, else the chunk.
        const chunks = pipeline.chunkIds().map((id) => {
          const c = pipeline.getChunk(id)!;
          return { ...c, text: indexText(c, 'embed') };
        });
        const budget = await embedderTokenBudget(chunks, embedder);
        const line = budget && truncationWarning(pipeline.chunker.spec, embedder.id, budget, chunks.length);
        if (line) process.stderr.write(`warning: ${line}\n`);
      }
      if (resolved?.fallback) process.stderr.write(banner(`REMINDER: ${resolved.fallback}`));
    });
}
