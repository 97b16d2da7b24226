import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import type { Chunker } from '../chunkers/types.js';
import type { Chunk, Document } from '../core/document.js';
import { invalidArgument, RagscopeError } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';
import type { AnalyzerOptions } from './analyzer.js';
import { Bm25Index } from './bm25.js';
import { type PipelineConfigJSON, type PipelineState, RetrievalPipeline } from './pipeline.js';
import type { Reranker } from './rerank/types.js';
import type { VectorSearchIndex } from './types.js';
import { ExactVectorIndex, VectorIndex } from './vector.js';

/**
 * Format name written in every saved index's manifest.
 *
 * @example
 * ```ts
 * (await readManifest(dir)).format === INDEX_FORMAT; // true
 * ```
 */
export const INDEX_FORMAT = 'ragscope-index';
/**
 * Version of the saved-index layout this build reads and writes.
 *
 * @example
 * ```ts
 * (await readManifest(dir)).version === INDEX_FORMAT_VERSION; // true
 * ```
 */
export const INDEX_FORMAT_VERSION = 1;

/**
 * `manifest.json` of a saved index.
 *
 * @example
 * ```ts
 * const manifest: IndexManifest = JSON.parse(readFileSync('my-index/manifest.json', 'utf8'));
 * manifest.embedder; // { id: 'hashing:d256:w1:c3-5', dimensions: 256 }
 * ```
 */
export interface IndexManifest {
  format: typeof INDEX_FORMAT;
  version: number;
  config: PipelineConfigJSON;
  embedder: { id: string; dimensions: number } | null;
  counts: { documents: number; chunks: number; vectors: number };
  /** Every other file of the folder with its sha256 and size. */
  files: Record<string, { sha256: string; bytes: number }>;
}

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

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const VECTOR_INDEX_FILE = 'vector-index.bin';
const LITTLE_ENDIAN = endianness() === 'LE';

function corrupt(file: string, why: string, cause?: unknown): never {
  throw new RagscopeError('CORRUPT_FILE', `saved index file ${file} is corrupt: ${why}`, { file }, cause);
}

/**
 * Save a pipeline's whole index into folder `dir`: `manifest.json` (format version, config, embedder id and
 * dimensions, sha256 of every file), `docs.jsonl`, `chunks.jsonl`, `bm25.json`, `vectors.bin` (float32 little-endian,
 * in `vector-ids.json` order) and `vector-index.bin` (the ANN graph). Everything is written into a sibling temp
 * folder, then swapped in with renames, so a save killed midway leaves the previous index intact (the temp folder
 * `<dir>.tmp-<pid>-*` is left behind, ignored by loads and removed by the next save once that process is gone).
 * A `dir` that exists and is not a saved index is refused.
 *
 * @example
 * ```ts
 * await savePipeline(pipeline, 'indexes/handbook'); // same as pipeline.save('indexes/handbook')
 * ```
 */
export async function savePipeline(pipeline: RetrievalPipeline, dir: string): Promise<void> {
  if (typeof dir !== 'string' || dir.length === 0) invalidArgument('dir', dir, 'a folder path');
  const target = path.resolve(dir);
  if (existsSync(target)) {
    const entries = await readdir(target).catch(() => invalidArgument('dir', dir, 'a folder'));
    if (entries.length > 0 && !entries.includes('manifest.json')) {
      invalidArgument(
        'dir',
        dir,
        'an empty folder or a saved ragscope index (refusing to replace other files)',
      );
    }
  }
  await mkdir(path.dirname(target), { recursive: true });
  await removeStaleTemps(target);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = `${target}.tmp-${tag}`;
  await mkdir(tmp);
  try {
    const state = pipeline.exportState();
    const config = pipeline.config;
    const write = (name: string, data: string | Buffer) => writeFile(path.join(tmp, name), data);
    await write('docs.jsonl', jsonLines(state.docs));
    await write('chunks.jsonl', jsonLines(state.chunks));
    if (pipeline.bm25) await write('bm25.json', JSON.stringify(pipeline.bm25.toJSON()));
    if (pipeline.vectorIndex) {
      const ids = [...state.vectors.keys()];
      const dims = pipeline.embedder?.dimensions ?? 0;
      const all = new Float32Array(ids.length * dims);
      for (const [i, id] of ids.entries()) all.set(state.vectors.get(id)!.subarray(0, dims), i * dims);
      const buf = Buffer.from(all.buffer, all.byteOffset, all.byteLength);
      if (!LITTLE_ENDIAN) for (let i = 0; i < all.length; i++) buf.writeFloatLE(all[i]!, i * 4);
      await write('vector-ids.json', JSON.stringify(ids));
      await write('vectors.bin', buf);
      await (pipeline.vectorIndex as VectorIndex | ExactVectorIndex).writeTo(
        path.join(tmp, VECTOR_INDEX_FILE),
      );
    }
    const files: IndexManifest['files'] = {};
    for (const name of (await readdir(tmp)).sort()) {
      const data = await readFile(path.join(tmp, name));
      files[name] = { sha256: sha256(data), bytes: data.length };
    }
    const manifest: IndexManifest = {
      format: INDEX_FORMAT,
      version: INDEX_FORMAT_VERSION,
      config,
      embedder: config.embedder,
      counts: { documents: state.docs.length, chunks: state.chunks.length, vectors: state.vectors.size },
      files,
    };
    await write('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  // Swap. A crash between the two renames leaves `<dir>.old-*`, which loadPipeline falls back to.
  if (existsSync(target)) {
    const old = `${target}.old-${tag}`;
    await rename(target, old);
    await rename(tmp, target);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, target);
  }
}

/** Remove `<dir>.tmp-<pid>-*` folders left by saves whose process is gone (killed mid-save). */
async function removeStaleTemps(target: string): Promise<void> {
  const prefix = `${path.basename(target)}.tmp-`;
  for (const name of await readdir(path.dirname(target))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    await rm(path.join(path.dirname(target), name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function jsonLines(rows: unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}

function parseJsonLines<T>(file: string, text: string, check: (row: unknown) => boolean): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line === '' && i === lines.length - 1) break;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      corrupt(file, `line ${i + 1} is not JSON`, err);
    }
    if (!check(row)) corrupt(file, `line ${i + 1} has an unexpected shape`);
    out.push(row as T);
  }
  return out;
}

/** Find the folder to load: `dir`, or a `<dir>.old-*` left by a save killed between its two renames. */
async function resolveDir(target: string): Promise<string> {
  if (existsSync(path.join(target, 'manifest.json'))) return target;
  const parent = path.dirname(target);
  const base = `${path.basename(target)}.old-`;
  const olds = existsSync(parent) ? (await readdir(parent)).filter((n) => n.startsWith(base)) : [];
  for (const name of olds) {
    const candidate = path.join(parent, name);
    if (existsSync(path.join(candidate, 'manifest.json'))) return candidate;
  }
  if (!existsSync(target)) {
    throw new RagscopeError('NOT_FOUND', `no saved index at ${target}`, { file: target });
  }
  throw new RagscopeError('CORRUPT_FILE', `saved index ${target} has no manifest.json`, {
    file: path.join(target, 'manifest.json'),
  });
}

/**
 * Load an index saved by {@link savePipeline}. Checks, in order: the manifest (format and version; another
 * version -> `INCOMPATIBLE_INDEX`), the sha256 of every file (mismatch or missing -> `CORRUPT_FILE` naming the file),
 * the embedder (another id or dimension -> `INCOMPATIBLE_INDEX` saying which, with both values), then that chunk
 * store, BM25 and vectors hold the same chunks.
 *
 * @example
 * ```ts
 * const pipeline = await loadPipeline('indexes/handbook', { embedder: new HashingEmbedder({ dimensions: 256 }) });
 * ```
 */
export async function loadPipeline(dir: string, options: LoadOptions = {}): Promise<RetrievalPipeline> {
  if (typeof dir !== 'string' || dir.length === 0) invalidArgument('dir', dir, 'a folder path');
  const root = await resolveDir(path.resolve(dir));
  const file = (name: string) => path.join(root, name);
  let manifest: IndexManifest;
  try {
    manifest = JSON.parse(await readFile(file('manifest.json'), 'utf8')) as IndexManifest;
  } catch (err) {
    corrupt(file('manifest.json'), 'not valid JSON', err);
  }
  if (
    !manifest ||
    manifest.format !== INDEX_FORMAT ||
    typeof manifest.files !== 'object' ||
    !manifest.config
  ) {
    corrupt(file('manifest.json'), `not a ${INDEX_FORMAT} manifest`);
  }
  if (manifest.version !== INDEX_FORMAT_VERSION) {
    throw new RagscopeError(
      'INCOMPATIBLE_INDEX',
      `saved index ${root} has format version ${JSON.stringify(manifest.version)}; this ragscope reads version ${INDEX_FORMAT_VERSION}`,
      { file: file('manifest.json'), version: manifest.version },
    );
  }
  const data = new Map<string, Buffer>();
  for (const [name, meta] of Object.entries(manifest.files)) {
    const buf = await readFile(file(name)).catch((err) => corrupt(file(name), 'missing or unreadable', err));
    if (buf.length !== meta.bytes || sha256(buf) !== meta.sha256) {
      corrupt(
        file(name),
        `checksum mismatch (sha256 expected ${meta.sha256}, got ${sha256(buf)}; ${buf.length} bytes)`,
      );
    }
    data.set(name, buf);
  }
  const saved = manifest.embedder;
  const { embedder } = options;
  if (saved) {
    if (!embedder) {
      invalidArgument(
        'options.embedder',
        embedder,
        `an Embedder (the index was built with ${saved.id}, d=${saved.dimensions})`,
      );
    }
    const problems: string[] = [];
    if (embedder.id !== saved.id)
      problems.push(`embedder id differs: saved ${saved.id}, given ${embedder.id}`);
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
  const need = (name: string): Buffer => data.get(name) ?? corrupt(file(name), 'not listed in manifest.json');
  const docs = parseJsonLines<PipelineState['docs'][number]>(
    file('docs.jsonl'),
    need('docs.jsonl').toString('utf8'),
    (r) => {
      const o = r as { doc?: Document; chunkIds?: unknown };
      return typeof o?.doc?.id === 'string' && typeof o.doc.text === 'string' && Array.isArray(o.chunkIds);
    },
  );
  const chunks = parseJsonLines<Chunk>(file('chunks.jsonl'), need('chunks.jsonl').toString('utf8'), (r) => {
    const c = r as Chunk;
    return typeof c?.id === 'string' && typeof c.docId === 'string' && typeof c.text === 'string';
  });
  const config = manifest.config;
  let bm25: Bm25Index | undefined;
  if (config.bm25 !== false) {
    let json: unknown;
    try {
      json = JSON.parse(need('bm25.json').toString('utf8'));
    } catch (err) {
      corrupt(file('bm25.json'), 'not valid JSON', err);
    }
    bm25 = Bm25Index.fromJSON(json, file('bm25.json'), options.analyzerFunctions ?? {});
  }
  const vectors = new Map<string, Float32Array>();
  let vectorIndex: VectorSearchIndex | undefined;
  if (config.vector !== false) {
    const dims = saved?.dimensions ?? 0;
    let ids: string[];
    try {
      ids = JSON.parse(need('vector-ids.json').toString('utf8')) as string[];
    } catch (err) {
      corrupt(file('vector-ids.json'), 'not valid JSON', err);
    }
    const buf = need('vectors.bin');
    if (!Array.isArray(ids) || buf.length !== ids.length * dims * 4) {
      corrupt(
        file('vectors.bin'),
        `expected ${Array.isArray(ids) ? ids.length : '?'} x ${dims} float32 values`,
      );
    }
    const all = new Float32Array(ids.length * dims);
    if (LITTLE_ENDIAN) new Uint8Array(all.buffer).set(buf);
    else for (let i = 0; i < all.length; i++) all[i] = buf.readFloatLE(i * 4);
    for (const [i, id] of ids.entries()) vectors.set(id, all.subarray(i * dims, (i + 1) * dims));
    need(VECTOR_INDEX_FILE);
    try {
      vectorIndex =
        config.vector.index === 'exact'
          ? await ExactVectorIndex.readFrom(file(VECTOR_INDEX_FILE))
          : await VectorIndex.readFrom(file(VECTOR_INDEX_FILE));
    } catch (err) {
      if (err instanceof RagscopeError) throw err;
      corrupt(file(VECTOR_INDEX_FILE), String(err), err);
    }
  }
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
  pipeline.importState({ docs, chunks, vectors });
  // Cross-check the stores.
  const chunkIds = new Set(chunks.map((c) => c.id));
  for (const d of docs) {
    for (const id of d.chunkIds)
      if (!chunkIds.has(id)) corrupt(file('docs.jsonl'), `chunk ${id} of ${d.doc.id} is missing`);
  }
  if (bm25 && bm25.size !== chunks.length) {
    corrupt(file('bm25.json'), `holds ${bm25.size} chunks, chunks.jsonl holds ${chunks.length}`);
  }
  if (vectorIndex) {
    const missing = [...vectors.keys()].find((id) => !chunkIds.has(id) || !vectorIndex.has(id));
    if (vectorIndex.size !== vectors.size || missing !== undefined) {
      corrupt(
        file(VECTOR_INDEX_FILE),
        `holds ${vectorIndex.size} vectors, vector-ids.json lists ${vectors.size}`,
      );
    }
  }
  return pipeline;
}

/**
 * Read a saved index's manifest without loading it (e.g. to pick the right embedder).
 *
 * @example
 * ```ts
 * (await readManifest('indexes/handbook')).embedder?.id; // 'hashing:d256:w1:c3-5'
 * ```
 */
export async function readManifest(dir: string): Promise<IndexManifest> {
  const root = await resolveDir(path.resolve(dir));
  const f = path.join(root, 'manifest.json');
  try {
    return JSON.parse(await readFile(f, 'utf8')) as IndexManifest;
  } catch (err) {
    return corrupt(f, 'not valid JSON', err);
  }
}
