import { RagscopeError } from '../core/errors.js';
import type { AnalyzerOptions } from './analyzer.js';
import { Bm25Index } from './bm25.js';
import { checkBm25Params } from './bm25-json.js';
import type { BinReader, BinWriter } from './persist/binary.js';

const MAGIC = 'RSBM1';

/**
 * Write `index` in the saved-pipeline binary form: parameters (JSON), the chunk ordinal of each entry (ids live in
 * the chunk table, not here), then per live term its string, df and postings as (rank delta, tf) varints.
 * Postings are read back as they are stored, without re-analysing any text. @internal
 */
export async function writeBm25Binary(
  index: Bm25Index,
  w: BinWriter,
  ordinalOf: (id: string) => number,
): Promise<void> {
  const s = index.store;
  for (const ch of MAGIC) w.u8(ch.charCodeAt(0));
  w.str(JSON.stringify({ k1: index.k1, b: index.b, analyzer: index.analyzer.toJSON() }));
  w.varint(s.size);
  const rank = new Int32Array(s.nextNum).fill(-1);
  let r = 0;
  for (let num = 0; num < s.nextNum; num++) {
    if (!s.alive[num]) continue;
    rank[num] = r++;
    w.varint(ordinalOf(s.ids[num] as string));
    await w.maybeFlush();
  }
  w.varint(s.liveTerms);
  for (let tid = 0; tid < s.termStrings.length; tid++) {
    const df = s.df[tid] as number;
    if (df === 0) continue;
    w.str(s.termStrings[tid] as string);
    w.varint(df);
    const nums = s.pNums[tid] as Int32Array;
    const tfs = s.pTfs[tid] as Int32Array;
    const len = s.pLen[tid] as number;
    let prev = -1;
    for (let i = 0; i < len; i++) {
      const at = rank[nums[i] as number] as number;
      if (at < 0) continue;
      w.varint(at - prev - 1);
      w.varint(tfs[i] as number);
      prev = at;
    }
    await w.maybeFlush();
  }
}

/**
 * Read {@link writeBm25Binary} output. `chunkAt(ordinal)` gives the chunk id and document id of a chunk-table entry
 * (undefined when out of range). Malformed input throws `CORRUPT_FILE` naming the file. @internal
 */
export function readBm25Binary(
  r: BinReader,
  chunkAt: (ordinal: number) => { id: string; docId: string } | undefined,
  functions: Pick<AnalyzerOptions, 'stemmer' | 'tokenizer'>,
): Bm25Index {
  return attachBm25Chunks(decodeBm25Binary(r, functions), chunkAt);
}

/** A `bm25.bin` decoded before the chunk table is read: the index without its chunk ids. @internal */
export interface DecodedBm25 {
  index: Bm25Index;
  /** Chunk-table ordinal of each entry. */
  ordinals: Float64Array;
  /** The file, for errors (the file's buffer is not kept). */
  file: string;
}

/**
 * First half of {@link readBm25Binary}: parameters, postings and chunk lengths, which need no chunk table. A load
 * runs it before building its chunk objects, so the ~4 bytes per posting of typed arrays are allocated while the
 * JS heap is small (V8 answers growth of off-heap memory with full collections, each marking the whole heap). @internal
 */
export function decodeBm25Binary(
  r: BinReader,
  functions: Pick<AnalyzerOptions, 'stemmer' | 'tokenizer'>,
): DecodedBm25 {
  r.magic(MAGIC);
  let params: unknown;
  try {
    params = JSON.parse(r.str());
  } catch {
    r.fail('parameters are not JSON');
  }
  const idx = new Bm25Index(checkBm25Params(params as object, r.file, functions));
  const s = idx.store;
  const n = r.varint();
  if (n > r.buf.length) r.fail(`announces ${n} chunks`);
  const ordinals = new Float64Array(n);
  for (let i = 0; i < n; i++) ordinals[i] = r.varint();
  const terms = r.varint();
  if (terms > r.buf.length) r.fail(`announces ${terms} terms`);
  // Chunk lengths summed as int32 (half the memory traffic of the float64 store array); a sum past int32 (not seen
  // in practice) decodes the postings again into float64 sums.
  let lens: Float64Array<ArrayBuffer> | Int32Array = new Int32Array(Math.max(64, n));
  const start = r.pos;
  if (!decodeTerms(r, idx, n, terms, lens)) {
    r.pos = start;
    s.pNums = [];
    s.pTfs = [];
    lens = new Float64Array(Math.max(64, n));
    decodeTerms(r, idx, n, terms, lens);
  }
  if (!r.done) r.fail('trailing bytes');
  s.liveTerms = terms;
  let totalLen = 0;
  for (let i = 0; i < n; i++) totalLen += lens[i] as number;
  if (lens instanceof Float64Array) s.lens = lens;
  else {
    s.lens = new Float64Array(lens.length);
    s.lens.set(lens);
  }
  s.totalLen = totalLen;
  return { index: idx, ordinals, file: r.file };
}

/** Second half of {@link readBm25Binary}: the chunk id and document id of every entry. @internal */
export function attachBm25Chunks(
  decoded: DecodedBm25,
  chunkAt: (ordinal: number) => { id: string; docId: string } | undefined,
): Bm25Index {
  const { index: idx, ordinals, file } = decoded;
  const fail = (what: string): never => {
    throw new RagscopeError('CORRUPT_FILE', `saved index file ${file} is corrupt: ${what}`, { file });
  };
  const s = idx.store;
  const n = ordinals.length;
  const ids: string[] = new Array(n);
  const docIds: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = chunkAt(ordinals[i] as number);
    if (!c) return fail(`entry ${i} points to no chunk`);
    ids[i] = c.id;
    docIds[i] = c.docId;
    s.byId.set(c.id, i); // one lookup: a repeated id leaves the size as it was
    if (s.byId.size !== i + 1) fail(`chunk ${c.id} is listed twice`);
  }
  const alive = new Uint8Array(Math.max(64, n));
  alive.fill(1, 0, n);
  s.ids = ids;
  s.docIds = docIds;
  s.alive = alive;
  // The forward index (each chunk's terms) is only needed to change or explain the index: built on first use.
  s.forwardStale = true;
  s.nextNum = n;
  return idx;
}

/** Terms and their postings; false when a chunk length overflows int32 `lens` (the caller retries with float64). */
function decodeTerms(
  r: BinReader,
  idx: Bm25Index,
  n: number,
  terms: number,
  lens: Float64Array | Int32Array,
): boolean {
  const s = idx.store;
  for (let t = 0; t < terms; t++) {
    const term = r.str();
    const tid = idx.intern(term);
    if (s.pNums[tid]) r.fail(`term ${term} is listed twice`);
    const df = r.varint();
    if (df < 1 || df > n) r.fail(`term ${term} has df ${df} for ${n} chunks`);
    const nums = new Int32Array(df);
    const tfs = new Int32Array(df);
    const pos =
      lens instanceof Int32Array
        ? decodePostings(r.buf, r.pos, df, n, nums, tfs, lens)
        : decodePostings64(r.buf, r.pos, df, n, nums, tfs, lens);
    if (pos === OVERFLOW) return false;
    if (pos < 0) {
      r.pos = -1 - pos;
      r.fail(`term ${term} has a bad posting`);
    }
    r.pos = pos;
    s.pNums[tid] = nums;
    s.pTfs[tid] = tfs;
    s.pLen[tid] = df;
    s.df[tid] = df;
  }
  return true;
}

const OVERFLOW = -(2 ** 53);
const MAX_TF = 0x7fffffff;

/**
 * The hot loop of a load: `df` (rank delta, tf) LEB128 pairs from `pos` into `nums`/`tfs`, adding each tf to its
 * chunk's length. Returns the position after them, `-1 - pos` at a bad posting, or OVERFLOW.
 */
function decodePostings(
  buf: Uint8Array,
  pos: number,
  df: number,
  n: number,
  nums: Int32Array,
  tfs: Int32Array,
  lens: Int32Array,
): number {
  const end = buf.length;
  let at = -1;
  for (let i = 0; i < df; i++) {
    if (pos >= end) return -1 - pos;
    let b = buf[pos++] as number;
    let v = b & 0x7f;
    for (let mul = 0x80; b >= 0x80; mul *= 0x80) {
      if (pos >= end || mul > 2 ** 49) return -1 - pos;
      b = buf[pos++] as number;
      v += (b & 0x7f) * mul;
    }
    at += v + 1;
    if (pos >= end) return -1 - pos;
    b = buf[pos++] as number;
    let tf = b & 0x7f;
    for (let mul = 0x80; b >= 0x80; mul *= 0x80) {
      if (pos >= end || mul > 2 ** 49) return -1 - pos;
      b = buf[pos++] as number;
      tf += (b & 0x7f) * mul;
    }
    if (at >= n || tf < 1 || tf > MAX_TF) return -1 - pos;
    nums[i] = at;
    tfs[i] = tf;
    const len = (lens[at] as number) + tf;
    if (len > MAX_TF) return OVERFLOW;
    lens[at] = len;
  }
  return pos;
}

/** {@link decodePostings} with float64 chunk lengths (the overflow path). */
function decodePostings64(
  buf: Uint8Array,
  pos: number,
  df: number,
  n: number,
  nums: Int32Array,
  tfs: Int32Array,
  lens: Float64Array,
): number {
  const end = buf.length;
  let at = -1;
  for (let i = 0; i < df; i++) {
    if (pos >= end) return -1 - pos;
    let b = buf[pos++] as number;
    let v = b & 0x7f;
    for (let mul = 0x80; b >= 0x80; mul *= 0x80) {
      if (pos >= end || mul > 2 ** 49) return -1 - pos;
      b = buf[pos++] as number;
      v += (b & 0x7f) * mul;
    }
    at += v + 1;
    if (pos >= end) return -1 - pos;
    b = buf[pos++] as number;
    let tf = b & 0x7f;
    for (let mul = 0x80; b >= 0x80; mul *= 0x80) {
      if (pos >= end || mul > 2 ** 49) return -1 - pos;
      b = buf[pos++] as number;
      tf += (b & 0x7f) * mul;
    }
    if (at >= n || tf < 1 || tf > MAX_TF) return -1 - pos;
    nums[i] = at;
    tfs[i] = tf;
    lens[at] = (lens[at] as number) + tf;
  }
  return pos;
}
