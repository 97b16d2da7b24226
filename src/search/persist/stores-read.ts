import { isAscii } from 'node:buffer';
import { endianness } from 'node:os';
import path from 'node:path';
import type { Chunk, Document } from '../../core/document.js';
import type { AnalyzerOptions } from '../analyzer.js';
import type { Bm25Index } from '../bm25.js';
import { attachBm25Chunks, decodeBm25Binary } from '../bm25-binary.js';
import type { PipelineState } from '../pipeline.js';
import type { VectorSearchIndex } from '../types.js';
import { ExactVectorIndex, VectorIndex } from '../vector.js';
import { BinReader, readVerified } from './binary.js';
import type { IndexManifest } from './manifest.js';
import { type ChunkTable, corrupt, type DocColumns, parseMeta, type TextLayout } from './records.js';
import {
  CHUNKS_MAGIC,
  DOC_HASH,
  DOC_METADATA,
  DOC_UTF16,
  DOCS_MAGIC,
  HAS_VECTOR,
  NEXT_INDEX,
  OWN_METADATA,
  STANDARD_ID,
  STORE_FILES,
  sha256Hex,
  WHOLE_DOCUMENT,
} from './stores.js';
import { readChunksV4, readDocRowsV4, readTextLayoutV4 } from './stores-read-v4.js';

const LITTLE_ENDIAN = endianness() === 'LE';

/** Everything a load reads back. @internal */
export interface LoadedStores {
  state: PipelineState;
  bm25?: Bm25Index;
  vectorIndex?: VectorSearchIndex;
}

/** Bytes of text decoded into one string at a time: documents are slices of it (no copy of each text). */
const TEXT_BLOCK = 32 << 20;

/**
 * Every document text of `texts.bin`. Runs of ASCII documents (the usual text) are decoded as one latin1 string of
 * up to ~32 MiB and each text is a slice of it (ASCII is the same in UTF-8 and latin1): no copy of each text for the
 * garbage collector to move. Any other text is decoded alone, as written (UTF-8, or UTF-16LE for text with lone
 * surrogates), so a text with characters past latin1 does not turn a whole block into two-byte characters. @internal
 */
export function decodeTexts(
  texts: Buffer,
  cols: TextLayout,
  file: string,
  blockBytes = TEXT_BLOCK,
): string[] {
  const n = cols.bytes.length;
  const out: string[] = new Array(n);
  const allAscii = isAscii(texts);
  let memoAt = -1;
  let memo = false;
  /** Document `k` (at byte `from`) is UTF-8 and ASCII. */
  const asciiDoc = (k: number, from: number): boolean => {
    if (cols.utf16[k]) return false;
    if (allAscii) return true;
    if (memoAt !== k) {
      memoAt = k;
      memo = isAscii(new Uint8Array(texts.buffer, texts.byteOffset + from, cols.bytes[k] as number));
    }
    return memo;
  };
  let off = 0;
  let i = 0;
  while (i < n) {
    const bytes = cols.bytes[i] as number;
    if (off + bytes > texts.length) corrupt(file, `too short for document ${cols.idOf(i)}`);
    if (!asciiDoc(i, off)) {
      out[i] = texts.toString(cols.utf16[i] ? 'utf16le' : 'utf8', off, off + bytes);
      off += bytes;
      i++;
      continue;
    }
    // a run of ASCII documents [i, j) over bytes [off, end)
    let j = i + 1;
    let end = off + bytes;
    while (j < n) {
      const b = cols.bytes[j] as number;
      if (end - off + b > blockBytes || end + b > texts.length || !asciiDoc(j, end)) break;
      end += b;
      j++;
    }
    const block = texts.toString('latin1', off, end);
    for (let k = i, at = 0; k < j; k++) {
      const b = cols.bytes[k] as number;
      out[k] = block.slice(at, at + b);
      at += b;
    }
    off = end;
    i = j;
  }
  if (off !== texts.length) corrupt(file, `holds ${texts.length} bytes, documents use ${off}`);
  return out;
}

/** Bytes of document `i`'s id: the shared prefix of the previous id, then the rest (format 5 front coding). */
class IdBytes {
  buf = Buffer.allocUnsafe(256);
  len = 0;

  /** Take `shared` bytes of the current id and `n` bytes of `src` at `from`. */
  next(r: BinReader, shared: number, n: number): void {
    if (shared > this.len) r.fail(`id shares ${shared} bytes with a previous id of ${this.len}`);
    if (r.pos + n > r.buf.length) r.fail('unexpected end of file');
    if (shared + n > this.buf.length) {
      const grown = Buffer.allocUnsafe(2 * (shared + n));
      this.buf.copy(grown, 0, 0, shared);
      this.buf = grown;
    }
    r.buf.copy(this.buf, shared, r.pos, r.pos + n);
    r.pos += n;
    this.len = shared + n;
  }
}

/** Skip one format-5 document record after its flags; returns the text's byte length. */
function skipDocRecord(r: BinReader, flags: number, ids: IdBytes | null): number {
  const skip = (len: number) => {
    if (r.pos + len > r.buf.length) r.fail('unexpected end of file');
    r.pos += len;
  };
  const shared = r.varint();
  const n = r.varint();
  if (ids) ids.next(r, shared, n);
  else skip(n);
  const bytes = r.varint();
  r.varint();
  if (flags & DOC_METADATA) skip(r.varint());
  if (flags & DOC_HASH) skip(32);
  return bytes;
}

/** The {@link TextLayout} from a first pass over `docs.bin` that makes no strings. */
function readTextLayout(r: BinReader): TextLayout {
  r.magic(DOCS_MAGIC);
  const n = r.varint();
  if (n > r.buf.length) r.fail(`announces ${n} documents`);
  const utf16 = new Uint8Array(n);
  const bytes = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const flags = r.u8();
    if (flags > 7) r.fail(`document ${i} has flags ${flags}`);
    utf16[i] = flags & DOC_UTF16;
    bytes[i] = skipDocRecord(r, flags, null);
  }
  const { buf, file } = r;
  /** The id of document `k`, for an error message: the records before it are read again. */
  const idOf = (k: number) => {
    const again = new BinReader(buf, file);
    again.magic(DOCS_MAGIC);
    again.varint();
    const ids = new IdBytes();
    for (let i = 0; i <= k; i++) skipDocRecord(again, again.u8(), ids);
    return ids.buf.toString('utf8', 0, ids.len);
  };
  return { utf16, bytes, idOf };
}

/** Parse `docs.bin`; a hash not stored is the sha256 of the text (its bytes in `texts`, or its string). */
function readDocRows(r: BinReader, layout: TextLayout, texts: Buffer, docTexts: string[]): DocColumns {
  r.magic(DOCS_MAGIC);
  const n = r.varint();
  const cols: DocColumns = {
    ids: new Array(n),
    metaJson: new Array(n),
    metadata: new Array(n),
    hashes: new Array(n),
    chunks: new Float64Array(n),
  };
  const ids = new IdBytes();
  let off = 0;
  for (let i = 0; i < n; i++) {
    const flags = r.u8();
    ids.next(r, r.varint(), r.varint());
    const id = ids.buf.toString('utf8', 0, ids.len);
    cols.ids[i] = id;
    const bytes = r.varint();
    cols.chunks[i] = r.varint();
    const json = flags & DOC_METADATA ? r.str() : '{}';
    cols.metaJson[i] = json;
    cols.metadata[i] = parseMeta(r, json, `document ${id}`);
    if (flags & DOC_HASH) {
      if (r.pos + 32 > r.buf.length) r.fail('unexpected end of file');
      cols.hashes[i] = r.buf.toString('hex', r.pos, r.pos + 32);
      r.pos += 32;
    } else {
      cols.hashes[i] = sha256Hex(
        layout.utf16[i] ? (docTexts[i] as string) : texts.subarray(off, off + bytes),
      );
    }
    off += bytes;
  }
  if (!r.done) r.fail('trailing bytes');
  return cols;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/** Parse `chunks.bin` against its documents (format 5 records: see the flags in stores.ts). */
function readChunks(r: BinReader, cols: DocColumns, docTexts: string[]): ChunkTable {
  r.magic(CHUNKS_MAGIC);
  const total = r.varint();
  if (total > r.buf.length) r.fail(`announces ${total} chunks`);
  const docs: ChunkTable['docs'] = new Array(cols.ids.length);
  const chunks: Chunk[] = new Array(total);
  const hasVector = new Uint8Array(total);
  const buf = r.buf;
  // a standard id `<docId>#<index>.<8 hex>` is assembled here and decoded once (a flat string, no concatenation)
  let idBuf = Buffer.allocUnsafe(256);
  let at = 0;
  for (let i = 0; i < docs.length; i++) {
    const docId = cols.ids[i] as string;
    const text = docTexts[i] as string;
    const metaJson = cols.metaJson[i] as string;
    const count = cols.chunks[i] as number;
    if (count > total - at) r.fail(`more chunks than the ${total} announced`);
    if (docId.length * 3 + 32 > idBuf.length) idBuf = Buffer.allocUnsafe(docId.length * 6 + 64);
    const head = idBuf.write(docId, 0, 'utf8');
    const enc = head === docId.length ? 'latin1' : 'utf8';
    idBuf[head] = 35; // '#'
    const chunkIds: string[] = new Array(count);
    let prevEnd = 0;
    let index = -1;
    for (let j = 0; j < count; j++) {
      const flags = r.u8();
      if (flags > 31) r.fail(`chunk ${j} of ${docId} has flags ${flags}`);
      index = flags & NEXT_INDEX ? index + 1 : r.varint();
      let start = 0;
      let end = text.length;
      if (!(flags & WHOLE_DOCUMENT)) {
        const z = r.varint();
        start = prevEnd + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
        end = start + r.varint();
      }
      let id: string;
      if (flags & STANDARD_ID) {
        if (r.pos + 4 > buf.length) r.fail('unexpected end of file');
        let p = head + 1 + idBuf.write(String(index), head + 1, 'latin1');
        idBuf[p++] = 46; // '.'
        for (let k = 0; k < 4; k++) {
          const b = buf[r.pos++] as number;
          idBuf[p++] = HEX_DIGITS[b >> 4] as number;
          idBuf[p++] = HEX_DIGITS[b & 15] as number;
        }
        id = idBuf.toString(enc, 0, p);
      } else id = r.str();
      if (start < 0 || end > text.length) {
        r.fail(`chunk ${id} is [${start}, ${end}), outside its document ${docId}`);
      }
      const metadata = parseMeta(r, flags & OWN_METADATA ? r.str() : metaJson, `chunk ${id}`);
      const chunkText = flags & WHOLE_DOCUMENT ? text : text.slice(start, end);
      chunks[at] = { id, docId, index, text: chunkText, start, end, metadata };
      hasVector[at] = flags & HAS_VECTOR;
      chunkIds[j] = id;
      prevEnd = end;
      at++;
    }
    const doc: Document = { id: docId, text, metadata: cols.metadata[i] as Record<string, unknown> };
    docs[i] = { doc, textHash: cols.hashes[i] as string, metaJson, chunkIds };
  }
  if (at !== total || !r.done) r.fail(`documents list ${at} chunks, the file announces ${total}`);
  return { docs, chunks, hasVector };
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
  const config = manifest.config;
  // The large off-heap allocations first (BM25 postings, the vectors file), while the JS heap is small: V8 answers
  // growth of off-heap memory with full collections, and each one marks the whole heap (at 1M chunks, four
  // collections of a 1.3 GB heap during the BM25 decode when it came last).
  const bm25File = file(STORE_FILES.bm25);
  const decodedBm25 =
    config.bm25 !== false
      ? decodeBm25Binary(new BinReader(await read(STORE_FILES.bm25), bm25File), analyzerFunctions, {
          layout: manifest.version === 4 ? 1 : 2,
          ...(Number.isSafeInteger(manifest.counts?.chunks) ? { chunks: manifest.counts.chunks } : {}),
        })
      : undefined;
  const vectorsBuf = config.vector !== false ? await read(STORE_FILES.vectors) : undefined;
  const graphBuf =
    config.vector !== false && config.vector.index !== 'exact'
      ? await read(STORE_FILES.vectorIndex)
      : undefined;

  const v4 = manifest.version === 4;
  const docsReader = new BinReader(await read(STORE_FILES.docs), file(STORE_FILES.docs));
  const texts = await read(STORE_FILES.texts);
  const layout = v4 ? readTextLayoutV4(docsReader) : readTextLayout(docsReader);
  const docTexts = decodeTexts(texts, layout, file(STORE_FILES.texts));
  docsReader.pos = 0;
  const cols = v4 ? readDocRowsV4(docsReader) : readDocRows(docsReader, layout, texts, docTexts);
  const r = new BinReader(await read(STORE_FILES.chunks), file(STORE_FILES.chunks));
  const { docs, chunks, hasVector } = v4 ? readChunksV4(r, cols, docTexts) : readChunks(r, cols, docTexts);
  const total = chunks.length;

  let bm25: Bm25Index | undefined;
  if (decodedBm25) {
    bm25 = attachBm25Chunks(decodedBm25, (o) => chunks[o]);
    if (bm25.size !== total) corrupt(bm25File, `holds ${bm25.size} chunks, chunks.bin holds ${total}`);
  }

  const vectors = new Map<string, Float32Array>();
  let vectorIndex: VectorSearchIndex | undefined;
  if (config.vector !== false && vectorsBuf) {
    const dims = manifest.embedder?.dimensions ?? 0;
    const buf = vectorsBuf;
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
      const graph = graphBuf as Buffer;
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
