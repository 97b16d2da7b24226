import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RagscopeError } from '../core/errors.js';
import { resolveIndexFolder } from '../search/persist.js';

/** What the CLI remembers next to a saved index: how to rebuild its embedder. */
export interface IndexSidecar {
  /** Embedder spec (`hashing`, `static:PATH`, a model id...), or null for a BM25-only index. */
  embedder: string | null;
  /** True when the index was built with the hashing fallback (the default model was unavailable). */
  fallback: boolean;
  chunker: string;
  /** `--tokenizer` given when the chunker counts tokens (null: cl100k_base or none needed). */
  tokenizer?: string | null;
  corpus: string;
}

/**
 * File name of the sidecar inside an index folder. It is saved with the index, inside the same atomic swap, as a
 * checksummed extra of the manifest (`SaveOptions.extras`); loadPipeline verifies but does not read it.
 */
export const SIDECAR_FILE = 'ragscope-cli.json';

/** The sidecar as a `SaveOptions.extras` entry, so it is written inside the index's atomic swap. @internal */
export function sidecarExtra(data: IndexSidecar): Record<string, string> {
  return { [SIDECAR_FILE]: `${JSON.stringify(data, null, 2)}\n` };
}

/**
 * Read the sidecar of the index a load of `dir` would read, or null when there is none (an index saved by the
 * library). A sidecar that is not valid JSON throws `CORRUPT_FILE`. @internal
 */
export async function readSidecar(dir: string): Promise<IndexSidecar | null> {
  const file = path.join(await resolveIndexFolder(dir), SIDECAR_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RagscopeError('CORRUPT_FILE', `cannot read ${file}: ${(err as Error).message}`, { file }, err);
  }
  try {
    return JSON.parse(text) as IndexSidecar;
  } catch (err) {
    throw new RagscopeError('CORRUPT_FILE', `${file} is not valid JSON`, { file }, err);
  }
}
