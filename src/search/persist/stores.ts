import { endianness } from 'node:os';
import path from 'node:path';
import type { Chunk } from '../../core/document.js';
import { RagscopeError } from '../../core/errors.js';
import { writeBm25Binary } from '../bm25-binary.js';
import type { PipelineState, RetrievalPipeline } from '../pipeline.js';
import type { VectorIndex } from '../vector.js';
import { BinWriter } from './binary.js';
import type { IndexManifest } from './manifest.js';
import { digestFile, type FileDigest, writeStreamed } from './sink.js';

/**
 * The files of a saved index (format version 4). Each text is stored once: document texts in `texts.bin`, chunks
 * as offsets into them in `chunks.bin`; BM25 postings binary in `bm25.bin`; vectors once, as float32 in
 * `vectors.bin` (an exact index is rebuilt from them; an HNSW graph is `vector-index.bin`, its links without the
 * vectors, which a load takes from `vectors.bin`). @internal
 */
export const STORE_FILES = {
  docs: 'docs.bin',
  texts: 'texts.bin',
  chunks: 'chunks.bin',
  bm25: 'bm25.bin',
  vectors: 'vectors.bin',
  vectorIndex: 'vector-index.bin',
} as const;

/** Magic bytes opening `chunks.bin`. @internal */
export const CHUNKS_MAGIC = 'RSCH1';
/** Chunk flag in `chunks.bin`: the chunk has a row in `vectors.bin`. @internal */
export const HAS_VECTOR = 1;
/** Chunk flag in `chunks.bin`: the chunk's metadata differs from its document's (stored as JSON). @internal */
export const OWN_METADATA = 2;
const LITTLE_ENDIAN = endianness() === 'LE';

/** Magic bytes opening `docs.bin`. @internal */
export const DOCS_MAGIC = 'RSDC1';

function disagree(tmp: string, why: string): never {
  throw new RagscopeError(
    'CORRUPT_FILE',
    `save to ${tmp} refused: the pipeline's stores disagree (${why}); the previous index was kept`,
    { file: tmp },
  );
}

/** Write every store of the pipeline into `tmp`, streamed; cross-check their counts. @internal */
export async function writeStores(
  pipeline: RetrievalPipeline,
  tmp: string,
): Promise<{ files: Record<string, FileDigest>; counts: IndexManifest['counts'] }> {
  const state: PipelineState = pipeline.exportState();
  const files: Record<string, FileDigest> = {};
  const file = (name: string) => path.join(tmp, name);
  const byId = new Map<string, Chunk>();
  for (const c of state.chunks) byId.set(c.id, c);
  const ordinal = new Map<string, number>();
  const vectorStage = pipeline.vectorIndex !== null;
  const dims = pipeline.embedder?.dimensions ?? 0;
  const encodings: Array<'utf8' | 'utf16le'> = state.docs.map((d) =>
    (d.doc.text as string & { isWellFormed?: () => boolean }).isWellFormed?.() === false ? 'utf16le' : 'utf8',
  );
  files[STORE_FILES.texts] = await writeStreamed(file(STORE_FILES.texts), async (s) => {
    for (const [i, d] of state.docs.entries()) await s.write(Buffer.from(d.doc.text, encodings[i]));
  });
  files[STORE_FILES.docs] = await writeStreamed(file(STORE_FILES.docs), async (s) => {
    const w = new BinWriter(s);
    for (const ch of DOCS_MAGIC) w.u8(ch.charCodeAt(0));
    w.varint(state.docs.length);
    for (const [i, d] of state.docs.entries()) {
      w.str(d.doc.id);
      if (!/^[0-9a-f]{64}$/.test(d.textHash)) disagree(tmp, `document ${d.doc.id} has no sha256 text hash`);
      for (let j = 0; j < 64; j += 2) w.u8(Number.parseInt(d.textHash.slice(j, j + 2), 16));
      w.u8(encodings[i] === 'utf8' ? 0 : 1);
      w.varint(Buffer.byteLength(d.doc.text, encodings[i]));
      w.varint(d.chunkIds.length);
      w.str(JSON.stringify(d.doc.metadata ?? {}));
      await w.maybeFlush();
    }
    await w.flush();
  });
  let withVector = 0;
  files[STORE_FILES.chunks] = await writeStreamed(file(STORE_FILES.chunks), async (s) => {
    const w = new BinWriter(s);
    for (const ch of CHUNKS_MAGIC) w.u8(ch.charCodeAt(0));
    w.varint(state.chunks.length);
    for (const d of state.docs) {
      const docMeta = JSON.stringify(d.doc.metadata ?? {});
      for (const id of d.chunkIds) {
        const c = byId.get(id);
        if (!c || c.docId !== d.doc.id) disagree(tmp, `chunk ${id} of ${d.doc.id} is missing`);
        if (ordinal.has(id)) disagree(tmp, `chunk ${id} is listed twice`);
        if (d.doc.text.slice(c.start, c.end) !== c.text) {
          disagree(tmp, `chunk ${id} is not ${d.doc.id}.text.slice(${c.start}, ${c.end})`);
        }
        ordinal.set(id, ordinal.size);
        const meta = JSON.stringify(c.metadata ?? {});
        const hasVector = vectorStage && state.vectors.has(id);
        if (hasVector) withVector++;
        w.varint(c.index);
        w.varint(c.start);
        w.varint(c.end - c.start);
        w.u8((hasVector ? HAS_VECTOR : 0) | (meta !== docMeta ? OWN_METADATA : 0));
        w.str(id);
        if (meta !== docMeta) w.str(meta);
        await w.maybeFlush();
      }
    }
    await w.flush();
  });
  if (ordinal.size !== state.chunks.length) {
    disagree(tmp, `documents list ${ordinal.size} chunks, the store holds ${state.chunks.length}`);
  }
  const bm25 = pipeline.bm25;
  if (bm25) {
    if (bm25.size !== ordinal.size)
      disagree(tmp, `BM25 holds ${bm25.size} chunks, the store ${ordinal.size}`);
    files[STORE_FILES.bm25] = await writeStreamed(file(STORE_FILES.bm25), async (s) => {
      const w = new BinWriter(s);
      await writeBm25Binary(
        bm25,
        w,
        (id) => ordinal.get(id) ?? disagree(tmp, `BM25 chunk ${id} is not stored`),
      );
      await w.flush();
    });
  }
  const vectorIndex = pipeline.vectorIndex;
  if (vectorIndex) {
    if (vectorIndex.size !== withVector || state.vectors.size !== withVector) {
      disagree(tmp, `the vector index holds ${vectorIndex.size} vectors, the store ${state.vectors.size}`);
    }
    const vectorIds: string[] = [];
    files[STORE_FILES.vectors] = await writeStreamed(file(STORE_FILES.vectors), async (s) => {
      const rows = 4096;
      const block = Buffer.alloc(rows * dims * 4);
      let at = 0;
      for (const d of state.docs) {
        for (const id of d.chunkIds) {
          const v = state.vectors.get(id);
          if (!v) continue;
          if (!vectorIndex.has(id)) disagree(tmp, `vector ${id} is not in the vector index`);
          vectorIds.push(id);
          if (LITTLE_ENDIAN) block.set(new Uint8Array(v.buffer, v.byteOffset, dims * 4), at * dims * 4);
          else for (let i = 0; i < dims; i++) block.writeFloatLE(v[i]!, (at * dims + i) * 4);
          if (++at === rows) {
            await s.write(block);
            at = 0;
          }
        }
      }
      await s.write(block.subarray(0, at * dims * 4));
    });
    if (pipeline.config.vector !== false && pipeline.config.vector.index === 'hnsw') {
      // The graph without the live vectors: vectors.bin is their one copy on disk.
      await (vectorIndex as VectorIndex).writeGraphTo(file(STORE_FILES.vectorIndex), vectorIds, (id) =>
        state.vectors.get(id),
      );
      files[STORE_FILES.vectorIndex] = await digestFile(file(STORE_FILES.vectorIndex));
    }
  }
  return {
    files,
    counts: { documents: state.docs.length, chunks: state.chunks.length, vectors: state.vectors.size },
  };
}
