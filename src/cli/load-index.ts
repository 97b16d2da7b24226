import { RagscopeError } from '../core/errors.js';
import { createEmbedder } from '../embedders/spec.js';
import type { Embedder } from '../embedders/types.js';
import { readManifest } from '../search/persist.js';
import { RetrievalPipeline } from '../search/pipeline.js';
import { banner } from './banner.js';
import { readSidecar } from './sidecar.js';

/**
 * Load a saved index for `search` / `why-not`: the embedder comes from `--embedder`, else from the spec the CLI
 * recorded when it built the index; an index built with the hashing fallback says so loudly on stderr.
 * @internal
 */
export async function loadIndex(dir: string, embedderSpec: string | undefined): Promise<RetrievalPipeline> {
  const manifest = await readManifest(dir);
  let embedder: Embedder | undefined;
  if (manifest.embedder) {
    const sidecar = await readSidecar(dir);
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
  return RetrievalPipeline.load(dir, embedder ? { embedder } : {});
}
