import { isAscii } from 'node:buffer';
import { endianness } from 'node:os';
import path from 'node:path';
import type { Chunk, Document } from '../../core/document.js';
import { RagscopeError } from '../../core/errors.js';
import type { AnalyzerOptions } from '../analyzer.js';
import type { Bm25Index } from '../bm25.js';
import { attachBm25Chunks, decodeBm25Binary } from '../bm25-binary.js';
import type { PipelineState } from '../pipeline.js';
import type { VectorSearchIndex } from '../types.js';
import { ExactVectorIndex, VectorIndex } from '../vector.js';
import { BinReader, readVerified } from './binary.js';
import type { IndexManifest } from './manifest.js';
import { CHUNKS_MAGIC, DOCS_MAGIC, HAS_VECTOR, OWN_METADATA, STORE_FILES } from './stores.js';

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

/** A length-prefixed string that is `{}` (the usual metadata) without decoding it; anything else decoded. */
function metaString(r: BinReader): string {
  const buf = r.buf;
  const p = r.pos;
  if (buf[p] === 2 && buf[p + 1] === 0x7b && buf[p + 2] === 0x7d && p + 3 <= buf.length) {
    r.pos = p + 3;
    return '{}';
  }
  return r.str();
}

/** `docs.bin` as columns (one array per field, no object per row). @internal */
export interface DocColumns {
  ids: string[];
  metaJson: string[];
  metadata: Array<Record<string, unknown>>;
  /** The sha256 of each text, 32 bytes a document. */
  hashes: Buffer;
  chunks: Float64Array;
}

/** Parse `docs.bin`. */
function readDocRows(r: BinReader): DocColumns {
  r.magic(DOCS_MAGIC);
  const n = r.varint();
  if (n > r.buf.length) r.fail(`announces ${n} documents`);
  const cols: DocColumns = {
    ids: new Array(n),
    metaJson: new Array(n),
    metadata: new Array(n),
    hashes: Buffer.allocUnsafe(32 * n),
    chunks: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const id = r.str();
    if (r.pos + 32 > r.buf.length) r.fail('unexpected end of file');
    r.buf.copy(cols.hashes, 32 * i, r.pos, r.pos + 32);
    r.pos += 32;
    r.u8(); // the text's encoding, checked by readTextLayout
    cols.ids[i] = id;
    r.varint(); // the text's byte length, read by readTextLayout
    cols.chunks[i] = r.varint();
    const json = metaString(r);
    cols.metaJson[i] = json;
    cols.metadata[i] = parseMeta(r, json, `document ${id}`);
  }
  if (!r.done) r.fail('trailing bytes');
  return cols;
}

/** What decoding `texts.bin` needs: each text's encoding and byte length, and a document's id for errors. @internal */
export interface TextLayout {
  utf16: Uint8Array;
  bytes: Float64Array;
  idOf: (i: number) => string;
}

/**
 * The {@link TextLayout} from a first pass over `docs.bin` that makes no strings (the full parse comes after the
 * texts are decoded, so their decoding runs beside a small heap).
 */
function readTextLayout(r: BinReader): TextLayout {
  r.magic(DOCS_MAGIC);
  const n = r.varint();
  if (n > r.buf.length) r.fail(`announces ${n} documents`);
  const utf16 = new Uint8Array(n);
  const bytes = new Float64Array(n);
  const idAt = new Float64Array(n);
  const idLen = new Float64Array(n);
  const skip = (len: number) => {
    if (r.pos + len > r.buf.length) r.fail('unexpected end of file');
    r.pos += len;
  };
  for (let i = 0; i < n; i++) {
    const len = r.varint();
    idAt[i] = r.pos;
    idLen[i] = len;
    skip(len);
    skip(32);
    const enc = r.u8();
    if (enc > 1)
      r.fail(`document ${r.buf.toString('utf8', r.pos - 33 - len, r.pos - 33)} has text encoding ${enc}`);
    utf16[i] = enc;
    bytes[i] = r.varint();
    r.varint();
    skip(r.varint());
  }
  const { buf } = r;
  const idOf = (i: number) => buf.toString('utf8', idAt[i], (idAt[i] as number) + (idLen[i] as number));
  return { utf16, bytes, idOf };
}

/** Bytes of text decoded into one string at a time: documents are slices of it (no copy of each text). */
const TEXT_BLOCK = 32 << 20;
/** Text hashes hex-encoded at a time (64 characters each), likewise sliced. */
const HASH_BLOCK = 1 << 16;

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

/** The hex sha256 of every text, as slices of a few long hex strings. */
function decodeHashes(hashes: Buffer, n: number): string[] {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i += HASH_BLOCK) {
    const m = Math.min(HASH_BLOCK, n - i);
    const hex = hashes.toString('hex', 32 * i, 32 * (i + m));
    for (let k = 0; k < m; k++) out[i + k] = hex.slice(64 * k, 64 * k + 64);
  }
  return out;
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
      ? decodeBm25Binary(new BinReader(await read(STORE_FILES.bm25), bm25File), analyzerFunctions)
      : undefined;
  const vectorsBuf = config.vector !== false ? await read(STORE_FILES.vectors) : undefined;
  const graphBuf =
    config.vector !== false && config.vector.index !== 'exact'
      ? await read(STORE_FILES.vectorIndex)
      : undefined;

  const docsReader = new BinReader(await read(STORE_FILES.docs), file(STORE_FILES.docs));
  const docTexts = decodeTexts(
    await read(STORE_FILES.texts),
    readTextLayout(docsReader),
    file(STORE_FILES.texts),
  );
  docsReader.pos = 0;
  const cols = readDocRows(docsReader);
  const hashes = decodeHashes(cols.hashes, cols.ids.length);
  const docs: PipelineState['docs'] = new Array(cols.ids.length);

  const r = new BinReader(await read(STORE_FILES.chunks), file(STORE_FILES.chunks));
  r.magic(CHUNKS_MAGIC);
  const total = r.varint();
  if (total > r.buf.length) r.fail(`announces ${total} chunks`);
  const chunks: Chunk[] = new Array(total);
  const hasVector = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < docs.length; i++) {
    const docId = cols.ids[i] as string;
    const text = docTexts[i] as string;
    const metaJson = cols.metaJson[i] as string;
    const count = cols.chunks[i] as number;
    if (count > total - at) r.fail(`more chunks than the ${total} announced`);
    const chunkIds: string[] = new Array(count);
    for (let j = 0; j < count; j++) {
      const index = r.varint();
      const start = r.varint();
      const end = start + r.varint();
      const flags = r.u8();
      const id = r.str();
      if (end > text.length) r.fail(`chunk ${id} ends at ${end}, past its document ${docId}`);
      const metadata = parseMeta(r, flags & OWN_METADATA ? r.str() : metaJson, `chunk ${id}`);
      chunks[at] = { id, docId, index, text: text.slice(start, end), start, end, metadata };
      hasVector[at] = flags & HAS_VECTOR;
      chunkIds[j] = id;
      at++;
    }
    const doc: Document = { id: docId, text, metadata: cols.metadata[i] as Record<string, unknown> };
    docs[i] = { doc, textHash: hashes[i] as string, metaJson, chunkIds };
  }
  if (at !== total || !r.done) r.fail(`documents list ${at} chunks, the file announces ${total}`);

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
