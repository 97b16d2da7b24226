import { createChunker } from '../chunkers/spec.js';
import { RagscopeError } from '../core/errors.js';
import { createEmbedder } from '../embedders/spec.js';
import type { Embedder } from '../embedders/types.js';
import { readManifest } from '../search/persist.js';
import { RetrievalPipeline } from '../search/pipeline.js';
import type { RetrieverSearch } from '../search/retriever-search.js';
import { banner } from './banner.js';
import { isPostgresTarget, openPostgresSearch } from './postgres-backend.js';
import { readSidecar } from './sidecar.js';
import { resolveTokenizer } from './tokenizer.js';

/**
 * Load a saved index for `search` / `why-not` (a folder, or a `postgres://…#prefix` index): the embedder comes from `--embedder`, else from the spec the CLI
 * recorded when it built the index; an index built with the hashing fallback says so loudly on stderr.
 * @internal
 */
export async function loadIndex(
  dir: string,
  embedderSpec: string | undefined,
  options: { withCorpus?: boolean } = {},
): Promise<RetrievalPipeline | RetrieverSearch> {
  // A postgres://…#prefix target is an index written with `ragscope index --backend`.
  if (isPostgresTarget(dir)) return openPostgresSearch(dir, embedderSpec, options.withCorpus === true);
  const manifest = await readManifest(dir);
  let embedder: Embedder | undefined;
  const sidecar = await readSidecar(dir);
  if (manifest.embedder) {
    const spec = embedderSpec ?? sidecar?.embedder ?? undefined;
    if (!spec) {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `index ${dir} was built with embedder ${manifest.embedder.id} (d=${manifest.embedder.dimensions}); pass the same one with --embedder`,
        { param: '--embedder' },
      );
    }
    if (sidecar?.fallback && embedderSpec === undefined) {
      process.stderr.write(
        banner(
          `EMBEDDER FALLBACK: index ${dir} was built with the hashing embedder because the default model was unavailable; dense scores are word/n-gram matches, not semantic similarity.`,
        ),
      );
    }
    embedder = await createEmbedder(spec);
  }
  // A token-sized chunker needs its tokenizer again (the saved spec names only the unit).
  const spec = manifest.config.chunker;
  const tokenizer = /:tokens\b/.test(spec)
    ? await resolveTokenizer(sidecar?.tokenizer ?? undefined, [spec])
    : undefined;
  const chunker = tokenizer
    ? createChunker(spec, { tokenizer, ...(embedder ? { embedder } : {}) })
    : undefined;
  return RetrievalPipeline.load(dir, { ...(embedder ? { embedder } : {}), ...(chunker ? { chunker } : {}) });
}
