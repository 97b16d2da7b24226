import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

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

/** File name of the sidecar inside an index folder (not part of the index manifest; ignored by loadPipeline). */
export const SIDECAR_FILE = 'ragscope-cli.json';

/** Write the sidecar atomically (temp file + rename). @internal */
export async function writeSidecar(dir: string, data: IndexSidecar): Promise<void> {
  const target = path.join(dir, SIDECAR_FILE);
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, 'utf8');
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Read the sidecar, or null when there is none (an index saved by the library). @internal */
export async function readSidecar(dir: string): Promise<IndexSidecar | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, SIDECAR_FILE), 'utf8')) as IndexSidecar;
  } catch {
    return null;
  }
}
