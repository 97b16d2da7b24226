// Readers of index format 4's docs.bin (RSDC1) and chunks.bin (RSCH1): every id and hash stored in full. Format 5
// writes other records (stores.ts); a format-4 folder still loads through these.
import type { Chunk, Document } from '../../core/document.js';
import type { BinReader } from './binary.js';
import { type ChunkTable, type DocColumns, metaString, parseMeta, type TextLayout } from './records.js';
import { HAS_VECTOR, OWN_METADATA } from './stores.js';

const DOCS_MAGIC_V4 = 'RSDC1';
const CHUNKS_MAGIC_V4 = 'RSCH1';
/** Text hashes hex-encoded at a time (64 characters each), then sliced. */
const HASH_BLOCK = 1 << 16;

/** The {@link TextLayout} of a format-4 `docs.bin`, from a pass that makes no strings. @internal */
export function readTextLayoutV4(r: BinReader): TextLayout {
  r.magic(DOCS_MAGIC_V4);
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

/** Parse a format-4 `docs.bin`. @internal */
export function readDocRowsV4(r: BinReader): DocColumns {
  r.magic(DOCS_MAGIC_V4);
  const n = r.varint();
  if (n > r.buf.length) r.fail(`announces ${n} documents`);
  const hashes = Buffer.allocUnsafe(32 * n);
  const cols: Omit<DocColumns, 'hashes'> = {
    ids: new Array(n),
    metaJson: new Array(n),
    metadata: new Array(n),
    chunks: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const id = r.str();
    if (r.pos + 32 > r.buf.length) r.fail('unexpected end of file');
    r.buf.copy(hashes, 32 * i, r.pos, r.pos + 32);
    r.pos += 32;
    r.u8(); // the text's encoding, checked by readTextLayoutV4
    cols.ids[i] = id;
    r.varint(); // the text's byte length, read by readTextLayoutV4
    cols.chunks[i] = r.varint();
    const json = metaString(r);
    cols.metaJson[i] = json;
    cols.metadata[i] = parseMeta(r, json, `document ${id}`);
  }
  if (!r.done) r.fail('trailing bytes');
  return { ...cols, hashes: decodeHashes(hashes, n) };
}

/** Parse a format-4 `chunks.bin` against its documents. @internal */
export function readChunksV4(r: BinReader, cols: DocColumns, docTexts: string[]): ChunkTable {
  r.magic(CHUNKS_MAGIC_V4);
  const total = r.varint();
  if (total > r.buf.length) r.fail(`announces ${total} chunks`);
  const docs: ChunkTable['docs'] = new Array(cols.ids.length);
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
    docs[i] = { doc, textHash: cols.hashes[i] as string, metaJson, chunkIds };
  }
  if (at !== total || !r.done) r.fail(`documents list ${at} chunks, the file announces ${total}`);
  return { docs, chunks, hasVector };
}
