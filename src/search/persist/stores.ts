import * as crypto from 'node:crypto';
import { endianness } from 'node:os';
import path from 'node:path';
import { RagscopeError } from '../../core/errors.js';
import { writeBm25Binary } from '../bm25-binary.js';
import type { PipelineState, RetrievalPipeline } from '../pipeline.js';
import type { VectorIndex } from '../vector.js';
import { BinWriter } from './binary.js';
import type { IndexManifest } from './manifest.js';
import { digestFile, type FileDigest, FileSink, writeStreamed } from './sink.js';

/**
 * The files of a saved index (format version 5; format 4 has the same files with other records, still read). Each
 * text is stored once: document texts in `texts.bin`, chunks as offsets into them in `chunks.bin`; BM25 postings
 * binary in `bm25.bin`; vectors once, as float32 in `vectors.bin` (an exact index is rebuilt from them; an HNSW
 * graph is `vector-index.bin`, its links without the vectors, which a load takes from `vectors.bin`). @internal
 */
export const STORE_FILES = {
  docs: 'docs.bin',
  texts: 'texts.bin',
  chunks: 'chunks.bin',
  bm25: 'bm25.bin',
  vectors: 'vectors.bin',
  vectorIndex: 'vector-index.bin',
} as const;

/** Magic bytes opening `chunks.bin` (format 5; format 4: `RSCH1`). @internal */
export const CHUNKS_MAGIC = 'RSCH2';
/** Chunk flag in `chunks.bin`: the chunk has a row in `vectors.bin`. @internal */
export const HAS_VECTOR = 1;
/** Chunk flag in `chunks.bin`: the chunk's metadata differs from its document's (stored as JSON). @internal */
export const OWN_METADATA = 2;
/** Chunk flag (format 5): the id is `<docId>#<index>.<8 hex digits>` (makeChunk's); only the 4 bytes are stored. @internal */
export const STANDARD_ID = 4;
/** Chunk flag (format 5): the chunk is its whole document (start 0, end its length); no offsets stored. @internal */
export const WHOLE_DOCUMENT = 8;
/** Chunk flag (format 5): the chunk's index is the previous chunk's + 1 (0 for a document's first); not stored. @internal */
export const NEXT_INDEX = 16;

/** Magic bytes opening `docs.bin` (format 5; format 4: `RSDC1`). @internal */
export const DOCS_MAGIC = 'RSDC2';
/** Document flag in `docs.bin`: the text is stored as UTF-16LE (it has a lone surrogate). @internal */
export const DOC_UTF16 = 1;
/** Document flag in `docs.bin`: the metadata JSON follows (otherwise it is `{}`). @internal */
export const DOC_METADATA = 2;
/** Document flag in `docs.bin`: the 32-byte text hash follows (otherwise it is the sha256 of the text). @internal */
export const DOC_HASH = 4;

const LITTLE_ENDIAN = endianness() === 'LE';
const HEX = /^[0-9a-f]{64}$/;

/** Hex sha256 of bytes or of a string's UTF-8 (what the pipeline hashes a document's text with). @internal */
export const sha256Hex: (data: string | Uint8Array) => string =
  // crypto.hash (Node >= 20.12) is the one-shot form, ~2x faster on short texts; a namespace lookup, since a
  // named import of it fails to link on older Node 20
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

/** JSON of a metadata object; `{}` for an empty one without calling JSON.stringify. @internal */
export function metadataJsonOf(meta: Record<string, unknown> | undefined): string {
  if (meta === undefined || meta === null) return '{}';
  if (typeof (meta as { toJSON?: unknown }).toJSON !== 'function') {
    let empty = true;
    for (const _ in meta) {
      empty = false;
      break;
    }
    if (empty) return '{}';
  }
  return JSON.stringify(meta);
}

/** Value of a lowercase hex digit's char code, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** True when `id` is `<docId>#<index>.` followed by 8 lowercase hex digits (then written as 4 bytes). */
function isStandardId(id: string, docId: string, index: number): boolean {
  const head = docId.length + 1;
  if (id.length < head + 10 || !id.startsWith(docId) || id.charCodeAt(docId.length) !== 35) return false;
  const dot = id.length - 9;
  if (id.charCodeAt(dot) !== 46 || id.slice(head, dot) !== String(index)) return false;
  for (let i = dot + 1; i < id.length; i++) if (hexValue(id.charCodeAt(i)) < 0) return false;
  return true;
}

function disagree(tmp: string, why: string): never {
  throw new RagscopeError(
    'CORRUPT_FILE',
    `save to ${tmp} refused: the pipeline's stores disagree (${why}); the previous index was kept`,
    { file: tmp },
  );
}

/** Open one sink per file, run `fill`, close them all (aborting every one, keeping no file, on failure). */
async function withSinks(files: string[], fill: (sinks: FileSink[]) => Promise<void>): Promise<FileDigest[]> {
  const sinks: FileSink[] = [];
  try {
    for (const f of files) sinks.push(await FileSink.create(f));
    await fill(sinks);
  } catch (err) {
    for (const s of sinks) await s.abort();
    throw err;
  }
  const out: FileDigest[] = [];
  for (const s of sinks) out.push(await s.close());
  return out;
}

/**
 * `texts.bin`, `docs.bin` and `chunks.bin` in one pass over the documents. No record allocates a buffer or a Map
 * entry: chunks are looked up in the pipeline's own store, and BM25 chunk numbers are mapped to chunk-table
 * ordinals in `ordinalOfNum` (an Int32Array, -1 where unset).
 */
async function writeRecords(
  pipeline: RetrievalPipeline,
  state: PipelineState,
  tmp: string,
  ordinalOfNum: Int32Array | null,
): Promise<{ digests: FileDigest[]; rows: number; withVector: number }> {
  const bm25Nums = pipeline.bm25?.store.byId ?? null;
  const vectorStage = pipeline.vectorIndex !== null;
  let rows = 0;
  let withVector = 0;
  const names = [STORE_FILES.texts, STORE_FILES.docs, STORE_FILES.chunks].map((n) => path.join(tmp, n));
  const digests = await withSinks(names, async ([textSink, docSink, chunkSink]) => {
    const tw = new BinWriter(textSink!);
    const dw = new BinWriter(docSink!);
    const cw = new BinWriter(chunkSink!);
    for (const ch of DOCS_MAGIC) dw.u8(ch.charCodeAt(0));
    for (const ch of CHUNKS_MAGIC) cw.u8(ch.charCodeAt(0));
    dw.varint(state.docs.length);
    cw.varint(state.chunks.length);
    // the previous and the current document id as UTF-8 (front coding compares bytes)
    let prev = Buffer.allocUnsafe(256);
    let prevLen = 0;
    let cur = Buffer.allocUnsafe(256);
    for (const d of state.docs) {
      const { doc, textHash, chunkIds } = d;
      const text = doc.text;
      // texts.bin: UTF-8, or UTF-16LE for a text with a lone surrogate (UTF-8 would replace it)
      const utf16 = (text as string & { isWellFormed?: () => boolean }).isWellFormed?.() === false;
      const bytes = tw.raw(text, utf16 ? 'utf16le' : 'utf8');
      if (!HEX.test(textHash)) disagree(tmp, `document ${doc.id} has no sha256 text hash`);
      // the hash is derived at load (the sha256 of the text's UTF-8) unless it is not that
      const hashStored = textHash !== sha256Hex(utf16 ? text : tw.last(bytes));
      await tw.maybeFlush();
      const docMeta = metadataJsonOf(doc.metadata);
      // docs.bin: flags, the id front-coded against the previous one (UTF-8 bytes), sizes, metadata, hash
      const idLen = Buffer.byteLength(doc.id, 'utf8');
      if (idLen > cur.length) cur = Buffer.allocUnsafe(idLen * 2);
      cur.write(doc.id, 0, 'utf8');
      let shared = 0;
      const most = Math.min(idLen, prevLen);
      while (shared < most && cur[shared] === prev[shared]) shared++;
      dw.u8((utf16 ? DOC_UTF16 : 0) | (docMeta !== '{}' ? DOC_METADATA : 0) | (hashStored ? DOC_HASH : 0));
      dw.varint(shared);
      dw.varint(idLen - shared);
      dw.bytes(cur, shared, idLen);
      [prev, cur] = [cur, prev];
      prevLen = idLen;
      dw.varint(bytes);
      dw.varint(chunkIds.length);
      if (docMeta !== '{}') dw.str(docMeta);
      if (hashStored) dw.raw(textHash, 'hex');
      await dw.maybeFlush();
      // chunks.bin: one record per chunk, in the document's order
      const seen = chunkIds.length > 1 ? new Set<string>() : null;
      let prevEnd = 0;
      let prevIndex = -1;
      for (const id of chunkIds) {
        const c = pipeline.getChunk(id);
        if (!c || c.docId !== doc.id) disagree(tmp, `chunk ${id} of ${doc.id} is missing`);
        if (seen) {
          if (seen.has(id)) disagree(tmp, `chunk ${id} is listed twice`);
          seen.add(id);
        }
        const { start, end, index } = c;
        if (!Number.isSafeInteger(index) || index < 0) disagree(tmp, `chunk ${id} has index ${index}`);
        if (
          !Number.isSafeInteger(start) ||
          start < 0 ||
          end > text.length ||
          end - start !== c.text.length ||
          !text.startsWith(c.text, start)
        ) {
          disagree(tmp, `chunk ${id} is not ${doc.id}.text.slice(${start}, ${end})`);
        }
        if (ordinalOfNum) {
          const num = bm25Nums?.get(id);
          if (num === undefined) disagree(tmp, `chunk ${id} is not in BM25`);
          ordinalOfNum[num] = rows;
        }
        rows++;
        const meta = c.metadata === doc.metadata ? docMeta : metadataJsonOf(c.metadata);
        const hasVector = vectorStage && state.vectors.has(id);
        if (hasVector) withVector++;
        const whole = start === 0 && end === text.length;
        const standard = isStandardId(id, doc.id, index);
        const next = index === prevIndex + 1;
        cw.u8(
          (hasVector ? HAS_VECTOR : 0) |
            (meta !== docMeta ? OWN_METADATA : 0) |
            (standard ? STANDARD_ID : 0) |
            (whole ? WHOLE_DOCUMENT : 0) |
            (next ? NEXT_INDEX : 0),
        );
        if (!next) cw.varint(index);
        if (!whole) {
          const delta = start - prevEnd; // zigzag: overlapping chunks start before the previous end
          cw.varint(delta >= 0 ? 2 * delta : -2 * delta - 1);
          cw.varint(end - start);
        }
        if (standard) {
          for (let i = id.length - 8; i < id.length; i += 2) {
            cw.u8(hexValue(id.charCodeAt(i)) * 16 + hexValue(id.charCodeAt(i + 1)));
          }
        } else cw.str(id);
        if (meta !== docMeta) cw.str(meta);
        prevEnd = end;
        prevIndex = index;
        await cw.maybeFlush();
      }
    }
    await tw.flush();
    await dw.flush();
    await cw.flush();
  });
  return { digests, rows, withVector };
}

/** Write every store of the pipeline into `tmp`, streamed; cross-check their counts. @internal */
export async function writeStores(
  pipeline: RetrievalPipeline,
  tmp: string,
): Promise<{ files: Record<string, FileDigest>; counts: IndexManifest['counts'] }> {
  const state: PipelineState = pipeline.exportState();
  const files: Record<string, FileDigest> = {};
  const file = (name: string) => path.join(tmp, name);
  const dims = pipeline.embedder?.dimensions ?? 0;
  const bm25 = pipeline.bm25;
  if (bm25 && bm25.size !== state.chunks.length) {
    disagree(tmp, `BM25 holds ${bm25.size} chunks, the store ${state.chunks.length}`);
  }
  const ordinalOfNum = bm25 ? new Int32Array(bm25.store.nextNum).fill(-1) : null;
  const { digests, rows, withVector } = await writeRecords(pipeline, state, tmp, ordinalOfNum);
  const [texts, docs, chunks] = digests as [FileDigest, FileDigest, FileDigest];
  files[STORE_FILES.texts] = texts;
  files[STORE_FILES.docs] = docs;
  files[STORE_FILES.chunks] = chunks;
  // every listed chunk exists, belongs to its document and is listed once: with the count, that is every chunk
  if (rows !== state.chunks.length) {
    disagree(tmp, `documents list ${rows} chunks, the store holds ${state.chunks.length}`);
  }
  if (bm25 && ordinalOfNum) {
    files[STORE_FILES.bm25] = await writeStreamed(file(STORE_FILES.bm25), async (s) => {
      const w = new BinWriter(s);
      await writeBm25Binary(bm25, w, (num) => {
        const o = ordinalOfNum[num] as number;
        return o >= 0 ? o : disagree(tmp, `BM25 chunk ${bm25.store.ids[num]} is not stored`);
      });
      await w.flush();
    });
  }
  const vectorIndex = pipeline.vectorIndex;
  if (vectorIndex) {
    if (vectorIndex.size !== withVector || state.vectors.size !== withVector) {
      disagree(tmp, `the vector index holds ${vectorIndex.size} vectors, the store ${state.vectors.size}`);
    }
    const hnsw = pipeline.config.vector !== false && pipeline.config.vector.index === 'hnsw';
    const vectorIds: string[] = [];
    files[STORE_FILES.vectors] = await writeStreamed(file(STORE_FILES.vectors), async (s) => {
      const rowsPerBlock = 4096;
      const block = Buffer.alloc(rowsPerBlock * dims * 4);
      let at = 0;
      for (const d of state.docs) {
        for (const id of d.chunkIds) {
          const v = state.vectors.get(id);
          if (!v) continue;
          if (!vectorIndex.has(id)) disagree(tmp, `vector ${id} is not in the vector index`);
          if (hnsw) vectorIds.push(id);
          if (LITTLE_ENDIAN) block.set(new Uint8Array(v.buffer, v.byteOffset, dims * 4), at * dims * 4);
          else for (let i = 0; i < dims; i++) block.writeFloatLE(v[i]!, (at * dims + i) * 4);
          if (++at === rowsPerBlock) {
            await s.write(block);
            at = 0;
          }
        }
      }
      await s.write(block.subarray(0, at * dims * 4));
    });
    if (hnsw) {
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
