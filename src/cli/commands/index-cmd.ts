import path from 'node:path';
import { type Command, Option } from 'commander';
import { createChunker, parseChunkerSpec } from '../../chunkers/spec.js';
import { CachedEmbedder } from '../../embedders/cached.js';
import { loadCorpusFolder } from '../../eval/datasets/folder.js';
import { RetrievalPipeline } from '../../search/pipeline.js';
import { banner } from '../banner.js';
import { resolveEmbedder } from '../embedder.js';
import { asFlagError, splitList } from '../options.js';
import { writeSidecar } from '../sidecar.js';
import { resolveTokenizer } from '../tokenizer.js';

interface IndexFlags {
  out: string;
  chunker: string;
  embedder?: string;
  bm25Only?: boolean;
  vectorIndex: 'exact' | 'hnsw';
  ext: string;
  cacheDir: string;
  cache: boolean;
  tokenizer?: string;
}

/** `ragscope index <corpus-dir> --out <index-dir>`: chunk, embed and save a searchable index. @internal */
export function registerIndex(program: Command): void {
  program
    .command('index')
    .description('chunk, embed and index a folder of documents; saves the index for search and why-not')
    .argument('<corpus-dir>', 'folder of documents (ids are relative paths)')
    .requiredOption('--out <dir>', 'index folder to write')
    .option('--chunker <spec>', 'chunker spec (e.g. recursive:400/0, sentence:400/1)', 'recursive:400/0')
    .option('--embedder <spec>', 'as for bench (default Xenova/all-MiniLM-L6-v2, LOUD hashing fallback)')
    .option(
      '--tokenizer <name>',
      'for :tokens specs: cl100k_base (default), o200k_base... or a tokenizer.json',
    )
    .option('--bm25-only', 'no embedder and no vector index')
    .addOption(new Option('--vector-index <kind>', 'vector index').choices(['exact', 'hnsw']).default('hnsw'))
    .option('--ext <list>', 'file endings to load', '.md,.txt')
    .option('--cache-dir <dir>', 'embedding cache folder', '.ragscope-cache')
    .option('--no-cache', 'do not read or write the embedding cache')
    .addHelpText(
      'after',
      '\nExample:\n  $ ragscope index examples/corpus --out my-index --chunker sentence:400/1 --embedder hashing',
    )
    .action(async (corpus: string, flags: IndexFlags) => {
      try {
        parseChunkerSpec(flags.chunker);
      } catch (err) {
        asFlagError('--chunker', err);
      }
      const docs = await loadCorpusFolder(corpus, { extensions: splitList(flags.ext) });
      const resolved = flags.bm25Only
        ? null
        : await resolveEmbedder(flags.embedder, { cacheDir: flags.cache ? flags.cacheDir : false });
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
      const pipeline = new RetrievalPipeline({
        chunker,
        ...(embedder ? { embedder, vector: { index: flags.vectorIndex } } : {}),
      });
      const report = await pipeline.addDocuments(docs);
      await pipeline.save(flags.out);
      await writeSidecar(flags.out, {
        embedder: resolved ? resolved.spec : null,
        fallback: resolved?.fallback !== undefined,
        chunker: flags.chunker,
        tokenizer: flags.tokenizer ?? null,
        corpus,
      });
      const s = pipeline.stats;
      process.stdout.write(
        `indexed ${s.documents} documents into ${s.chunks} chunks (${report.chunksEmbedded} embedded) with ${pipeline.chunker.spec}` +
          `${embedder ? ` and ${embedder.id}` : ', BM25 only'} in ${((performance.now() - t0) / 1000).toFixed(1)} s; saved to ${flags.out}\n`,
      );
      if (resolved?.fallback) process.stderr.write(banner(`REMINDER: ${resolved.fallback}`));
    });
}
