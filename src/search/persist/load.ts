import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import type { Chunker } from '../../chunkers/types.js';
import type { Chunk, Document } from '../../core/document.js';
import { invalidArgument, RagscopeError } from '../../core/errors.js';
import type { Embedder } from '../../embedders/types.js';
import type { AnalyzerOptions } from '../analyzer.js';
import { Bm25Index } from '../bm25.js';
import { type PipelineState, RetrievalPipeline } from '../pipeline.js';
import type { Reranker } from '../rerank/types.js';
import type { VectorSearchIndex } from '../types.js';
import { ExactVectorIndex, VectorIndex } from '../vector.js';
import { resolveIndexDir } from './folder.js';
import { type IndexManifest, readCheckedManifest } from './manifest.js';
import { digestFile } from './sink.js';

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

const VECTOR_INDEX_FILE = 'vector-index.bin';
const LITTLE_ENDIAN = endianness() === 'LE';

function corrupt(file: string, why: string, cause?: unknown): never {
  throw new RagscopeError('CORRUPT_FILE', `saved index file ${file} is corrupt: ${why}`, { file }, cause);
}

function parseJsonLines<T>(file: string, text: string, check: (row: unknown) => boolean): T[] {
  const out: T[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    let row: unknown;
    try {
      row = JSON.parse(text.slice(start, end));
    } catch (err) {
      corrupt(file, `line ${line} is not JSON`, err);
    }
    if (!check(row)) corrupt(file, `line ${line} has an unexpected shape`);
    out.push(row as T);
    start = end + 1;
  }
  return out;
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
 * another version -> `INCOMPATIBLE_INDEX` saying to re-index; file entries must be plain names inside the folder),
 * the sha256 of every listed file (mismatch or missing -> `CORRUPT_FILE` naming the file), the embedder (another id
 * or dimension -> `INCOMPATIBLE_INDEX` saying which, with both values), then that chunk store, BM25 and vectors hold
 * the same chunks.
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
  const extras = new Set(manifest.extras ?? []);
  const data = new Map<string, Buffer>();
  for (const [name, meta] of Object.entries(manifest.files)) {
    if (extras.has(name)) {
      const got = await digestFile(file(name)).catch((err) =>
        corrupt(file(name), 'missing or unreadable', err),
      );
      if (got.bytes !== meta.bytes || got.sha256 !== meta.sha256) {
        corrupt(
          file(name),
          `checksum mismatch (sha256 expected ${meta.sha256}, got ${got.sha256}; ${got.bytes} bytes)`,
        );
      }
      continue;
    }
    const buf = await readFile(file(name)).catch((err) => corrupt(file(name), 'missing or unreadable', err));
    const got = (await import('node:crypto')).createHash('sha256').update(buf).digest('hex');
    if (buf.length !== meta.bytes || got !== meta.sha256) {
      corrupt(
        file(name),
        `checksum mismatch (sha256 expected ${meta.sha256}, got ${got}; ${buf.length} bytes)`,
      );
    }
    data.set(name, buf);
  }
  const saved = manifest.embedder;
  const { embedder } = options;
  checkEmbedder(root, saved, embedder);
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
