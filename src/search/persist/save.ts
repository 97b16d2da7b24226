import path from 'node:path';
import { invalidArgument, RagscopeError } from '../../core/errors.js';
import type { RetrievalPipeline } from '../pipeline.js';
import { checkTarget, replaceFolder } from './folder.js';
import {
  INDEX_FORMAT,
  INDEX_FORMAT_VERSION,
  type IndexManifest,
  isPlainName,
  MANIFEST_FILE,
  readCheckedManifest,
  sealManifest,
} from './manifest.js';
import { digestFile, type FileDigest, writeStreamed } from './sink.js';
import { STORE_FILES, writeStores } from './stores.js';

/**
 * Options of {@link savePipeline}.
 *
 * @example
 * ```ts
 * await pipeline.save('my-index', { extras: { 'notes.json': JSON.stringify({ corpus: 'docs/' }) } });
 * ```
 */
export interface SaveOptions {
  /**
   * More files to store inside the index folder, written in the same atomic swap and checksummed by the manifest
   * (loads verify them but do not read them). Plain file names only, not the index's own.
   */
  extras?: Record<string, string | Uint8Array>;
}

/** Files of the index itself (an extra may not take one of these names). @internal */
export const INDEX_FILES: string[] = [MANIFEST_FILE, ...Object.values(STORE_FILES)];

/**
 * Save a pipeline's whole index into folder `dir` (format version 5, docs/index-format.md): `manifest.json` (format
 * version, config, embedder id and dimensions, sha256 of every file, and a sha256 of itself), `docs.bin` (ids
 * front-coded, metadata), `texts.bin` (every document text once), `chunks.bin` (chunks as offsets into their
 * document), `bm25.bin` (binary postings), `vectors.bin` (float32 little-endian, one copy) and, for HNSW,
 * `vector-index.bin` (the graph).
 *
 * Consistent: the save waits for queued `addDocuments`/`updateDocuments`/`removeDocuments` calls and holds later
 * ones back until it has written everything, so the files hold one state of the pipeline. Verified: the counts of
 * every store are cross-checked and every file is read back from disk and checked against its sha256 before the
 * swap. Atomic: everything is written into a sibling temp folder, then swapped in with renames, so a save killed at
 * any point leaves the previous index loadable (leftover `<dir>.tmp-*` / `<dir>.old-*` folders of dead processes
 * are removed by the next save). Files are streamed, never built as one string. A `dir` that exists and is not a
 * saved index is refused.
 *
 * @example
 * ```ts
 * await savePipeline(pipeline, 'indexes/handbook'); // same as pipeline.save('indexes/handbook')
 * ```
 */
export function savePipeline(
  pipeline: RetrievalPipeline,
  dir: string,
  options: SaveOptions = {},
): Promise<void> {
  // Joins the mutation queue synchronously: the snapshot is the state once the calls made before this one are done.
  return pipeline.withMutationLock(() => writeIndex(pipeline, dir, options));
}

/** Check `extras`. */
function checkExtras(options: SaveOptions): Record<string, string | Uint8Array> {
  if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
  const extras = options.extras ?? {};
  if (extras === null || typeof extras !== 'object') invalidArgument('options.extras', extras, 'an object');
  for (const [name, data] of Object.entries(extras)) {
    if (!isPlainName(name) || INDEX_FILES.includes(name)) {
      invalidArgument('options.extras', name, 'plain file names other than the index files');
    }
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      invalidArgument(`options.extras[${JSON.stringify(name)}]`, data, 'a string or a Uint8Array');
    }
  }
  return extras;
}

/**
 * {@link savePipeline} for a caller that already holds the pipeline's mutation lock. @internal
 */
export async function writeIndex(
  pipeline: RetrievalPipeline,
  dir: string,
  options: SaveOptions,
): Promise<void> {
  if (typeof dir !== 'string' || dir.length === 0) invalidArgument('dir', dir, 'a folder path');
  const extras = checkExtras(options);
  const target = path.resolve(dir);
  await checkTarget(dir, target);
  await replaceFolder(target, async (tmp) => {
    const savedAt = new Date().toISOString();
    const { files, counts } = await writeStores(pipeline, tmp);
    for (const [name, data] of Object.entries(extras)) {
      files[name] = await writeStreamed(path.join(tmp, name), (s) => s.write(data));
    }
    await verifyOnDisk(tmp, files);
    const config = pipeline.config;
    const manifest: Omit<IndexManifest, 'manifestSha256'> = {
      format: INDEX_FORMAT,
      version: INDEX_FORMAT_VERSION,
      config,
      embedder: config.embedder,
      counts,
      savedAt,
      files: Object.fromEntries(
        Object.keys(files)
          .sort()
          .map((n) => [n, files[n]!]),
      ),
      extras: Object.keys(extras).sort(),
    };
    await writeStreamed(path.join(tmp, MANIFEST_FILE), (s) => s.write(sealManifest(manifest)));
    await readCheckedManifest(tmp);
  });
}

/** Re-read every written file and compare with the digest computed while writing it. */
async function verifyOnDisk(tmp: string, files: Record<string, FileDigest>): Promise<void> {
  for (const [name, written] of Object.entries(files)) {
    const onDisk = await digestFile(path.join(tmp, name));
    if (onDisk.sha256 !== written.sha256 || onDisk.bytes !== written.bytes) {
      throw new RagscopeError(
        'CORRUPT_FILE',
        `save verification failed: ${path.join(tmp, name)} reads back as ${onDisk.bytes} bytes (sha256 ${onDisk.sha256}), ${written.bytes} were written (sha256 ${written.sha256}); the previous index was kept`,
        { file: path.join(tmp, name) },
      );
    }
  }
}
