/**
 * Per-window score bounds of BM25 posting lists, for block-max dynamic pruning.
 *
 * Chunk numbers are cut into fixed windows of {@link FINE_SIZE}; for each window a term has postings in, the term
 * keeps its largest tf and its shortest chunk length there (tombstones included, so a bound only ever
 * over-estimates), and, per (k1, b, avgLen), the saturated tf at those values. Because all terms share the same
 * windows, a scorer can bound a whole window of chunks at once (the sum of the terms' window bounds) and skip it. A
 * term's list is built from its postings the first time a query needs it (so loading and building pay nothing for
 * terms never queried), then kept current as chunks are appended, and dropped when the store renumbers its chunks
 * (compaction). Built lists are kept: their memory grows with the number of distinct terms queried. @internal
 */

/** log2 of {@link FINE_SIZE}. @internal */
export const FINE_SHIFT = 4;
/** Chunk numbers per window. @internal */
export const FINE_SIZE = 1 << FINE_SHIFT;

/** Postings of one term, as the store holds them. @internal */
export interface PostingSource {
  pNums: Array<Int32Array | undefined>;
  pTfs: Array<Int32Array | undefined>;
  pLen: Int32Array;
  lens: Float64Array;
}

/** One level of bounds for every term. */
class Level {
  /** Per term id: triples (window, maxTf, minLen) in window order, or undefined when not built. */
  lists: Array<Int32Array | undefined> = [];
  /** Per term id: number of triples in use. */
  used: number[] = [];
  /** Per term id: each window's saturated tf at (maxTf, minLen), and the (k1, b, avgLen) it was computed for. */
  sat: Array<Float64Array | undefined> = [];
  satKey: Array<string | undefined> = [];

  constructor(readonly shift: number) {}

  ensure(s: PostingSource, tid: number): void {
    if (this.lists[tid]) return;
    const list = build(s, tid, this.shift);
    this.lists[tid] = list;
    this.used[tid] = list.length / 3;
  }

  appended(tid: number, num: number, tf: number, len: number): void {
    let list = this.lists[tid];
    if (!list) return;
    this.satKey[tid] = undefined;
    const n = this.used[tid] as number;
    const win = num >>> this.shift;
    if (n > 0 && list[3 * (n - 1)] === win) {
      const at = 3 * (n - 1);
      if (tf > (list[at + 1] as number)) list[at + 1] = tf;
      if (len < (list[at + 2] as number)) list[at + 2] = len;
      return;
    }
    if (3 * (n + 1) > list.length) {
      const grown = new Int32Array(Math.max(12, list.length * 2));
      grown.set(list);
      list = grown;
      this.lists[tid] = list;
    }
    list[3 * n] = win;
    list[3 * n + 1] = tf;
    list[3 * n + 2] = len;
    this.used[tid] = n + 1;
  }
}

/** @internal */
export class BlockBounds {
  private level = new Level(FINE_SHIFT);

  /** Forget every list (chunk numbers changed). */
  clear(): void {
    this.level = new Level(FINE_SHIFT);
  }

  /** Term `tid`'s triples and how many are in use, built from its postings on first use. */
  get(s: PostingSource, tid: number): { list: Int32Array; n: number } {
    this.level.ensure(s, tid);
    return { list: this.level.lists[tid] as Int32Array, n: this.level.used[tid] as number };
  }

  /**
   * Per window of term `tid` (in list order): `tf·(k1+1) / (tf + k1·(1 − b + b·len/avgLen))` at its largest tf and
   * shortest chunk, the term's bound there without idf. Kept until the list or the parameters change, so a static
   * index computes it once per term.
   */
  saturation(s: PostingSource, tid: number, k1: number, b: number, avg: number): Float64Array {
    const lv = this.level;
    const key = `${k1} ${b} ${avg}`;
    const cached = lv.sat[tid];
    if (cached && lv.satKey[tid] === key) return cached;
    const { list, n } = this.get(s, tid);
    const out = cached && cached.length >= n ? cached : new Float64Array(Math.max(n, (list.length / 3) | 0));
    const k1p1 = k1 + 1;
    for (let p = 0; p < n; p++) {
      const tf = list[3 * p + 1] as number;
      out[p] = (tf * k1p1) / (tf + k1 * (1 - b + (b * (list[3 * p + 2] as number)) / avg));
    }
    lv.sat[tid] = out;
    lv.satKey[tid] = key;
    return out;
  }

  /** Keep a built list current after posting (num, tf) of a chunk of `len` terms was appended to term `tid`. */
  appended(tid: number, num: number, tf: number, len: number): void {
    this.level.appended(tid, num, tf, len);
  }
}

/** One pass over term `tid`'s postings: a triple per window (of 2^shift numbers) it has postings in. */
function build(s: PostingSource, tid: number, shift: number): Int32Array {
  const nums = s.pNums[tid];
  const len = s.pLen[tid] as number;
  if (!nums || len === 0) return new Int32Array(0);
  const tfs = s.pTfs[tid] as Int32Array;
  const windows = ((nums[len - 1] as number) >>> shift) - ((nums[0] as number) >>> shift) + 1;
  const out = new Int32Array(3 * Math.min(len, windows));
  let n = -1;
  let win = -1;
  for (let i = 0; i < len; i++) {
    const num = nums[i] as number;
    const tf = tfs[i] as number;
    const l = s.lens[num] as number;
    if (num >>> shift !== win) {
      win = num >>> shift;
      n++;
      out[3 * n] = win;
      out[3 * n + 1] = tf;
      out[3 * n + 2] = l;
    } else {
      if (tf > (out[3 * n + 1] as number)) out[3 * n + 1] = tf;
      if (l < (out[3 * n + 2] as number)) out[3 * n + 2] = l;
    }
  }
  return out.length === 3 * (n + 1) ? out : out.slice(0, 3 * (n + 1));
}
