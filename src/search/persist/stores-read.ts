import { endianness } from 'node:os';
import path from 'node:path';
import type { Chunk, Document } from '../../core/document.js';
import { RagscopeError } from '../../core/errors.js';
import type { AnalyzerOptions } from '../analyzer.js';
import type { Bm25Index } from '../bm25.js';
import { readBm25Binary } from '../bm25-binary.js';
import type { PipelineState } from '../pipeline.js';
import type { VectorSearchIndex } from '../types.js';
import { ExactVectorIndex, VectorIndex } from '../vector.js';
import { BinReader, readVerified } from './binary.js';
import type { IndexManifest } from './manifest.js';
import { CHUNKS_MAGIC, DOCS_MAGIC, type DocRow, HAS_VECTOR, OWN_METADATA, STORE_FILES } from './stores.js';

const LITTLE_ENDIAN = endianness() === 'LE';

function corrupt(file: string, why: string, cause?: unknown): never {
  throw new RagscopeError('CORRUPT_FILE', `saved index file ${file} is corrupt: ${why}`, { file }, cause);
}

/** Everything a load reads back. @internal */
export interface LoadedStores {
  state: PipelineState;
  bm25?: Bm25Index;
  vectorIndex?: VectorSearchIndex;
}

/** `{}` (the usual metadata) without JSON.parse; anything else parsed. */
function parseMeta(r: BinReader, json: string, what: string): Record<string, unknown> {
  if (json === '{}') return {};
  try {
    const v = JSON.parse(json) as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {}
  return r.fail(`${what} metadata is not a JSON object`);
}

/** Parse `docs.bin`. */
function readDocRows(r: BinReader): DocRow[] {
  r.magic(DOCS_MAGIC);
  const n = r.varint();
  const rows: DocRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const id = r.str();
    if (r.pos + 32 > r.buf.length) r.fail('unexpected end of file');
    const textHash = r.buf.toString('hex', r.pos, r.pos + 32);
    r.pos += 32;
    const enc = r.u8();
    if (enc > 1) r.fail(`document ${id} has text encoding ${enc}`);
    const bytes = r.varint();
    const chunks = r.varint();
    const metadata = parseMeta(r, r.str(), `document ${id}`);
    rows[i] = { id, metadata, textHash, encoding: enc === 0 ? 'utf8' : 'utf16le', bytes, chunks };
  }
  if (!r.done) r.fail('trailing bytes');
  return rows;
}

/** Read and cross-check the stores of a verified manifest. @internal */
export async function readStores(
  root: string,
  manifest: IndexManifest,
  analyzerFunctions: Pick<AnalyzerOptions, 'stemmer' | 'tokenizer'>,
): Promise<LoadedStores> {
  const file = (name: string) => path.join(root, name);
  const read = (name: string): Promise<Buffer> => {
    const meta = manifest.files[name];
    if (!meta) return corrupt(file(name), 'not listed in manifest.json');
    return readVerified(file(name), meta);
  };
  const rows = readDocRows(new BinReader(await read(STORE_FILES.docs), file(STORE_FILES.docs)));
  const texts = await read(STORE_FILES.texts);
  const docs: PipelineState['docs'] = [];
  const docTexts: string[] = [];
  let off = 0;
  for (const row of rows) {
    if (off + row.bytes > texts.length) corrupt(file(STORE_FILES.texts), `too short for document ${row.id}`);
    const text = texts.toString(row.encoding, off, off + row.bytes);
    off += row.bytes;
    const doc: Document = { id: row.id, text, metadata: row.metadata };
    docs.push({ doc, textHash: row.textHash, chunkIds: [] });
    docTexts.push(text);
  }
  if (off !== texts.length)
    corrupt(file(STORE_FILES.texts), `holds ${texts.length} bytes, documents use ${off}`);

  const r = new BinReader(await read(STORE_FILES.chunks), file(STORE_FILES.chunks));
  r.magic(CHUNKS_MAGIC);
  const total = r.varint();
  const chunks: Chunk[] = new Array(total);
  const hasVector = new Uint8Array(total);
  let at = 0;
  for (const [i, d] of docs.entries()) {
    const row = rows[i]!;
    const text = docTexts[i]!;
    const metaJson = JSON.stringify(row.metadata);
    for (let j = 0; j < row.chunks; j++) {
      if (at >= total) r.fail(`more chunks than the ${total} announced`);
      const index = r.varint();
      const start = r.varint();
      const end = start + r.varint();
      const flags = r.u8();
      const id = r.str();
      if (end > text.length) r.fail(`chunk ${id} ends at ${end}, past its document ${d.doc.id}`);
      const metadata = parseMeta(r, flags & OWN_METADATA ? r.str() : metaJson, `chunk ${id}`);
      chunks[at] = { id, docId: d.doc.id, index, text: text.slice(start, end), start, end, metadata };
      hasVector[at] = flags & HAS_VECTOR;
      d.chunkIds.push(id);
      at++;
    }
  }
  if (at !== total || !r.done) r.fail(`documents list ${at} chunks, the file announces ${total}`);

  const config = manifest.config;
  let bm25: Bm25Index | undefined;
  if (config.bm25 !== false) {
    const br = new BinReader(await read(STORE_FILES.bm25), file(STORE_FILES.bm25));
    bm25 = readBm25Binary(br, (o) => chunks[o], analyzerFunctions);
    if (bm25.size !== total)
      corrupt(file(STORE_FILES.bm25), `holds ${bm25.size} chunks, chunks.bin holds ${total}`);
  }

  const vectors = new Map<string, Float32Array>();
  let vectorIndex: VectorSearchIndex | undefined;
  if (config.vector !== false) {
    const dims = manifest.embedder?.dimensions ?? 0;
    const buf = await read(STORE_FILES.vectors);
    let n = 0;
    for (let i = 0; i < total; i++) n += hasVector[i] as number;
    if (buf.length !== n * dims * 4) {
      corrupt(file(STORE_FILES.vectors), `holds ${buf.length} bytes, expected ${n} x ${dims} float32 values`);
    }
    let all: Float32Array;
    if (LITTLE_ENDIAN && buf.byteOffset % 4 === 0)
      all = new Float32Array(buf.buffer, buf.byteOffset, n * dims);
    else {
      all = new Float32Array(n * dims);
      for (let i = 0; i < all.length; i++) all[i] = buf.readFloatLE(i * 4);
    }
    const ids: string[] = [];
    for (let i = 0, k = 0; i < total; i++) {
      if (!hasVector[i]) continue;
      const id = chunks[i]!.id;
      vectors.set(id, all.subarray(k * dims, (k + 1) * dims));
      ids.push(id);
      k++;
    }
    if (config.vector.index === 'exact') {
      try {
        // one pass over the rows as stored (no per-vector batch checks or growing copies)
        vectorIndex = ExactVectorIndex.fromRows({ dimensions: dims, metric: config.vector.metric }, ids, all);
      } catch (err) {
        corrupt(file(STORE_FILES.vectors), (err as Error).message, err);
      }
    } else {
      const graph = await read(STORE_FILES.vectorIndex);
      const list = ids.map((id) => vectors.get(id)!);
      vectorIndex = await VectorIndex.readGraphFrom(file(STORE_FILES.vectorIndex), graph, ids, list);
      const missing = ids.find((id) => !vectorIndex!.has(id));
      if (vectorIndex.size !== ids.length || missing !== undefined) {
        corrupt(
          file(STORE_FILES.vectorIndex),
          `holds ${vectorIndex.size} vectors, chunks.bin lists ${ids.length}`,
        );
      }
    }
  }
  return {
    state: { docs, chunks, vectors },
    ...(bm25 ? { bm25 } : {}),
    ...(vectorIndex ? { vectorIndex } : {}),
  };
}
