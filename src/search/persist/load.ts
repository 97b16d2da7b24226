import path from 'node:path';
import type { Chunker } from '../../chunkers/types.js';
import { invalidArgument, RagscopeError } from '../../core/errors.js';
import type { Embedder } from '../../embedders/types.js';
import type { AnalyzerOptions } from '../analyzer.js';
import { RetrievalPipeline } from '../pipeline.js';
import type { Reranker } from '../rerank/types.js';
import { resolveIndexDir } from './folder.js';
import { type IndexManifest, readCheckedManifest } from './manifest.js';
import { digestFile } from './sink.js';
import { readStores } from './stores-read.js';

/**
 * Options of {@link loadPipeline}.
 *
 * @example
 * ```ts
 * const opts: LoadOptions = { embedder: new HashingEmbedder(), reranker: new MmrReranker() };
 * ```
 */
export interface LoadOptions {
  /** Required when the index has a vector stage; must have the saved id and dimensions. */
  embedder?: Embedder;
  /** Chunker to use instead of re-creating one from the saved spec (needed for custom chunkers). */
  chunker?: Chunker;
  /** Re-ranker to attach (re-rankers are not saved; the manifest only records the id that was used). */
  reranker?: Reranker;
  /** The custom BM25 tokenizer/stemmer functions the index was built with, if any (functions are not saved). */
  analyzerFunctions?: Pick<AnalyzerOptions, 'stemmer' | 'tokenizer'>;
}

function corrupt(file: string, why: string, cause?: unknown): never {
  throw new RagscopeError('CORRUPT_FILE', `saved index file ${file} is corrupt: ${why}`, { file }, cause);
}

/** Check the embedder given against the one the index was built with. */
function checkEmbedder(root: string, saved: IndexManifest['embedder'], embedder: Embedder | undefined): void {
  if (!saved) return;
  if (!embedder) {
    invalidArgument(
      'options.embedder',
      embedder,
      `an Embedder (the index was built with ${saved.id}, d=${saved.dimensions})`,
    );
  }
  const problems: string[] = [];
  if (embedder.id !== saved.id) problems.push(`embedder id differs: saved ${saved.id}, given ${embedder.id}`);
  if (embedder.dimensions !== saved.dimensions) {
    problems.push(`dimensions differ: saved ${saved.dimensions}, given ${embedder.dimensions}`);
  }
  if (problems.length > 0) {
    throw new RagscopeError('INCOMPATIBLE_INDEX', `cannot load ${root}: ${problems.join('; ')}`, {
      saved,
      given: { id: embedder.id, dimensions: embedder.dimensions },
    });
  }
}

/**
 * Load an index saved by {@link savePipeline}. Checks, in order: the manifest (its own sha256, format and version;
 * versions 5 and 4 load, any other -> `INCOMPATIBLE_INDEX` saying to re-index; file entries must be plain names
 * inside the folder), the sha256 of every listed file (mismatch or missing -> `CORRUPT_FILE` naming the file), the
 * embedder (another id or dimension -> `INCOMPATIBLE_INDEX` saying which, with both values), then that chunk store,
 * BM25 and vectors hold the same chunks.
 *
 * @example
 * ```ts
 * const pipeline = await loadPipeline('indexes/handbook', { embedder: new HashingEmbedder({ dimensions: 256 }) });
 * ```
 */
export async function loadPipeline(dir: string, options: LoadOptions = {}): Promise<RetrievalPipeline> {
  if (typeof dir !== 'string' || dir.length === 0) invalidArgument('dir', dir, 'a folder path');
  const root = await resolveIndexDir(path.resolve(dir));
  const file = (name: string) => path.join(root, name);
  const manifest = await readCheckedManifest(root);
  const saved = manifest.embedder;
  const { embedder } = options;
  checkEmbedder(root, saved, embedder);
  for (const name of manifest.extras ?? []) {
    const meta = manifest.files[name]!;
    const got = await digestFile(file(name)).catch((err) =>
      corrupt(file(name), 'missing or unreadable', err),
    );
    if (got.bytes !== meta.bytes || got.sha256 !== meta.sha256) {
      corrupt(
        file(name),
        `checksum mismatch (sha256 expected ${meta.sha256}, got ${got.sha256}; ${got.bytes} bytes)`,
      );
    }
  }
  const config = manifest.config;
  const { state, bm25, vectorIndex } = await readStores(root, manifest, options.analyzerFunctions ?? {});
  const pipeline = new RetrievalPipeline(
    {
      chunker: options.chunker ?? config.chunker,
      ...(embedder ? { embedder } : {}),
      bm25: config.bm25,
      vector: config.vector,
      fusion: config.fusion,
      depth: config.depth,
      rerankDepth: config.rerankDepth,
      embedBatchSize: config.embedBatchSize,
      ...(options.reranker ? { reranker: options.reranker } : {}),
    },
    { ...(bm25 ? { bm25 } : {}), ...(vectorIndex ? { vectorIndex } : {}) },
  );
  pipeline.importState(state);
  return pipeline;
}

/**
 * Read a saved index's manifest without loading it (e.g. to pick the right embedder). The manifest is checked
 * (its own checksum, format, version) as by {@link loadPipeline}.
 *
 * @example
 * ```ts
 * (await readManifest('indexes/handbook')).embedder?.id; // 'hashing:d256:w1:c3-5'
 * ```
 */
export async function readManifest(dir: string): Promise<IndexManifest> {
  if (typeof dir !== 'string' || dir.length === 0) invalidArgument('dir', dir, 'a folder path');
  return readCheckedManifest(await resolveIndexDir(path.resolve(dir)));
}

/**
 * The folder a load of `dir` reads: `dir` itself, or the newest intact copy left by a save interrupted between its
 * renames. Use it to read files stored beside the index with `SaveOptions.extras`.
 *
 * @example
 * ```ts
 * const root = await resolveIndexFolder('indexes/handbook'); // '/abs/indexes/handbook'
 * ```
 */
export async function resolveIndexFolder(dir: string): Promise<string> {
  if (typeof dir !== 'string' || dir.length === 0) invalidArgument('dir', dir, 'a folder path');
  return resolveIndexDir(path.resolve(dir));
}
