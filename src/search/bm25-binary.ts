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
  const ids: string[] = new Array(n);
  const docIds: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = chunkAt(r.varint());
    if (!c) r.fail(`entry ${i} points to no chunk`);
    if (s.byId.has(c.id)) r.fail(`chunk ${c.id} is listed twice`);
    ids[i] = c.id;
    docIds[i] = c.docId;
    s.byId.set(c.id, i);
  }
  const terms = r.varint();
  const lens = new Float64Array(Math.max(64, n));
  const buf = r.buf;
  for (let t = 0; t < terms; t++) {
    const tid = idx.intern(r.str());
    if (s.pNums[tid]) r.fail(`term ${s.termStrings[tid]} is listed twice`);
    const df = r.varint();
    if (df < 1 || df > n) r.fail(`term ${s.termStrings[tid]} has df ${df} for ${n} chunks`);
    const nums = new Int32Array(df);
    const tfs = new Int32Array(df);
    // Postings decoded inline (the hot loop of a load): (delta, tf) LEB128 pairs, one-byte values fast.
    let pos = r.pos;
    let at = -1;
    for (let i = 0; i < df; i++) {
      let v = buf[pos++] as number;
      if (v >= 0x80) {
        r.pos = pos - 1;
        v = r.varint();
        pos = r.pos;
      }
      at += v + 1;
      let tf = buf[pos++] as number;
      if (tf >= 0x80) {
        r.pos = pos - 1;
        tf = r.varint();
        pos = r.pos;
      }
      if (at >= n || !(tf >= 1) || pos > buf.length) {
        r.pos = Math.min(pos, buf.length);
        r.fail(`term ${s.termStrings[tid]} has a bad posting`);
      }
      nums[i] = at;
      tfs[i] = tf;
      lens[at] = (lens[at] as number) + tf;
    }
    r.pos = pos;
    s.pNums[tid] = nums;
    s.pTfs[tid] = tfs;
    s.pLen[tid] = df;
    s.df[tid] = df;
  }
  if (!r.done) r.fail('trailing bytes');
  s.liveTerms = terms;
  let totalLen = 0;
  for (let i = 0; i < n; i++) totalLen += lens[i] as number;
  const alive = new Uint8Array(Math.max(64, n));
  alive.fill(1, 0, n);
  s.ids = ids;
  s.docIds = docIds;
  s.alive = alive;
  s.lens = lens;
  // The forward index (each chunk's terms) is only needed to change or explain the index: built on first use.
  s.forwardStale = true;
  s.nextNum = n;
  s.totalLen = totalLen;
  return idx;
}
