import { RagscopeError } from '../core/errors.js';
import type { AnalyzerOptions } from './analyzer.js';
import { Bm25Index } from './bm25.js';
import { checkBm25Params } from './bm25-json.js';
import type { BinReader, BinWriter } from './persist/binary.js';

/** Magic of `bm25.bin` in format 5 (layout 2) and format 4 (layout 1). */
/** Returned by the postings decoder when a chunk length overflows int32 (the caller retries with float64). */
const OVERFLOW = -(2 ** 53);
/** Largest term frequency (and int32 chunk length) a load accepts. */
const MAX_TF = 0x7fffffff;

const MAGIC = 'RSBM2';
const MAGIC_V1 = 'RSBM1';

/**
 * Write `index` in the saved-pipeline binary form (layout 2, index format 5): parameters (JSON), the chunk count,
 * the chunk-table ordinal of each entry unless they are 0, 1, 2... (a flag byte says which), then per live term its
 * string, df and postings. A posting is the varint `2 * rank delta + 1` when its tf is 1 (most are), else
 * `2 * rank delta` then the varint `tf - 2`. Postings are read back as they are stored, without re-analysing any
 * text. `ordinalOf(num)` gives the chunk-table ordinal of live chunk number `num`. @internal
 */
export async function writeBm25Binary(
  index: Bm25Index,
  w: BinWriter,
  ordinalOf: (num: number) => number,
): Promise<void> {
  const s = index.store;
  for (const ch of MAGIC) w.u8(ch.charCodeAt(0));
  w.str(JSON.stringify({ k1: index.k1, b: index.b, analyzer: index.analyzer.toJSON() }));
  w.varint(s.size);
  const rank = new Int32Array(s.nextNum).fill(-1);
  let r = 0;
  let identity = true;
  for (let num = 0; num < s.nextNum; num++) {
    if (!s.alive[num]) continue;
    if (ordinalOf(num) !== r) identity = false;
    rank[num] = r++;
  }
  w.u8(identity ? 0 : 1);
  if (!identity) {
    for (let num = 0; num < s.nextNum; num++) {
      if (!s.alive[num]) continue;
      w.varint(ordinalOf(num));
      await w.maybeFlush();
    }
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
      const tf = tfs[i] as number;
      const delta = at - prev - 1;
      if (tf === 1) w.varint(2 * delta + 1);
      else {
        w.varint(2 * delta);
        w.varint(tf - 2);
      }
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
  options: Bm25FileOptions = {},
): Bm25Index {
  return attachBm25Chunks(decodeBm25Binary(r, functions, options), chunkAt);
}

/** How to read a `bm25.bin`. @internal */
export interface Bm25FileOptions {
  /** 2 (index format 5, the default) or 1 (index format 4). */
  layout?: 1 | 2;
  /** The number of chunks the file must hold (the manifest's count), checked before anything is allocated. */
  chunks?: number;
}

/** A `bm25.bin` decoded before the chunk table is read: the index without its chunk ids. @internal */
export interface DecodedBm25 {
  index: Bm25Index;
  /** Chunk-table ordinal of each entry; null when entry i is chunk i. */
  ordinals: Float64Array | null;
  /** Number of entries. */
  size: number;
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
  { layout = 2, chunks }: Bm25FileOptions = {},
): DecodedBm25 {
  r.magic(layout === 2 ? MAGIC : MAGIC_V1);
  let params: unknown;
  try {
    params = JSON.parse(r.str());
  } catch {
    r.fail('parameters are not JSON');
  }
  const idx = new Bm25Index(checkBm25Params(params as object, r.file, functions));
  const s = idx.store;
  const n = r.varint();
  if (chunks !== undefined && n !== chunks) r.fail(`announces ${n} chunks, the manifest ${chunks}`);
  let ordinals: Float64Array | null = null;
  const listed = layout === 1 ? 1 : r.u8();
  if (listed > 1) r.fail(`bad ordinals flag ${listed}`);
  // each listed ordinal takes a byte; without a list, the count is only bounded by the manifest's
  if (listed ? n > r.buf.length : n > 2 ** 31 - 1) r.fail(`announces ${n} chunks`);
  if (listed) {
    ordinals = new Float64Array(n);
    for (let i = 0; i < n; i++) ordinals[i] = r.varint();
  }
  const terms = r.varint();
  if (terms > r.buf.length) r.fail(`announces ${terms} terms`);
  // Chunk lengths summed as int32 (half the memory traffic of the float64 store array); a sum past int32 (not seen
  // in practice) decodes the postings again into float64 sums.
  let lens: Float64Array<ArrayBuffer> | Int32Array = new Int32Array(Math.max(64, n));
  const start = r.pos;
  if (!decodeTerms(r, idx, n, terms, lens, layout)) {
    r.pos = start;
    s.pNums = [];
    s.pTfs = [];
    lens = new Float64Array(Math.max(64, n));
    decodeTerms(r, idx, n, terms, lens, layout);
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
  return { index: idx, ordinals, size: n, file: r.file };
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
  const n = decoded.size;
  const ids: string[] = new Array(n);
  const docIds: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = chunkAt(ordinals ? (ordinals[i] as number) : i);
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
  layout: 1 | 2,
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
    const pos = decodePostings(r.buf, r.pos, df, n, nums, tfs, lens, layout);
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

/**
 * The hot loop of a load: `df` postings from `pos` into `nums`/`tfs`, adding each tf to its chunk's length.
 * Layout 2 (format 5): a varint `2 * rank delta + 1` for tf 1, else `2 * rank delta` and the varint `tf - 2`;
 * layout 1 (format 4): (rank delta, tf) varint pairs. Returns the position after them, `-1 - pos` at a bad
 * posting, or OVERFLOW when an int32 chunk length would overflow (the caller retries with float64 lengths; that
 * retry never happens for real chunks, so the call site stays monomorphic on the fast path).
 */
function decodePostings(
  buf: Uint8Array,
  pos: number,
  df: number,
  n: number,
  nums: Int32Array,
  tfs: Int32Array,
  lens: Int32Array | Float64Array,
  layout: 1 | 2,
): number {
  const int32 = lens instanceof Int32Array;
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
    let tf = 1;
    let more = layout === 1;
    if (layout === 2) {
      const one = v % 2;
      at += (v - one) / 2 + 1;
      more = one === 0;
    } else at += v + 1;
    if (more) {
      if (pos >= end) return -1 - pos;
      b = buf[pos++] as number;
      tf = b & 0x7f;
      for (let mul = 0x80; b >= 0x80; mul *= 0x80) {
        if (pos >= end || mul > 2 ** 49) return -1 - pos;
        b = buf[pos++] as number;
        tf += (b & 0x7f) * mul;
      }
      if (layout === 2) tf += 2;
    }
    if (at >= n || tf < 1 || tf > MAX_TF) return -1 - pos;
    nums[i] = at;
    tfs[i] = tf;
    const len = (lens[at] as number) + tf;
    if (int32 && len > MAX_TF) return OVERFLOW;
    lens[at] = len;
  }
  return pos;
}
