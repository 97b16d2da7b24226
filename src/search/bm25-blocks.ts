/**
 * Per-window score bounds of BM25 posting lists, for block-max dynamic pruning.
 *
 * Chunk numbers are cut into fixed windows of {@link FINE_SIZE}; for each window a term has postings in, the term
 * keeps its largest tf and its shortest chunk length there (tombstones included, so a bound only ever
 * over-estimates), and, per (k1, b, avgLen), the saturated tf at those values. Because all terms share the same
 * windows, a scorer can bound a whole window of chunks at once (the sum of the terms' window bounds) and skip it. A
 * term's list is built from its postings the first time a query needs it (so loading and building pay nothing for
 * terms never queried), then kept current as chunks are appended, and dropped when the store renumbers its chunks
 * (compaction). Built lists are cached least recently used first out, within {@link BOUNDS_BUDGET}: a long-running
 * index queried on every term holds bounds for a bounded share of its postings, and an evicted term's list is
 * rebuilt (one pass over its postings) when a query needs it again. @internal
 */

/** log2 of {@link FINE_SIZE}. @internal */
export const FINE_SHIFT = 3;
/** Chunk numbers per window. @internal */
export const FINE_SIZE = 1 << FINE_SHIFT;

/** Postings of one term, as the store holds them. @internal */
export interface PostingSource {
  pNums: Array<Int32Array | undefined>;
  pTfs: Array<Int32Array | undefined>;
  pLen: Int32Array;
  lens: Float64Array;
  /** Postings held (forward entries, tombstoned ones included until compaction). */
  fwdUsed: number;
}

/**
 * How many window entries the cache may hold: `share` of the index's postings, never fewer than `min`. An entry
 * (a window triple and its cached saturation) takes 20 bytes and a posting 8, so 0.5 caps the bounds at about 1.25x
 * the postings' memory. @internal
 */
export const BOUNDS_BUDGET: { readonly share: number; readonly min: number } = { share: 0.5, min: 1 << 20 };

/** @internal */
export class BlockBounds {
  /** Per term id: triples (window, maxTf, minLen) in window order, or undefined when not built. */
  private lists: Array<Int32Array | undefined> = [];
  /** Per term id: number of triples in use. */
  private used: number[] = [];
  /** Per term id: each window's saturated tf at (maxTf, minLen), and the (k1, b, avgLen) it was computed for. */
  private sat: Array<Float64Array | undefined> = [];
  private satKey: Array<string | undefined> = [];
  /** Built terms, least recently used first, with the entries (capacity) each holds. */
  private lru = new Map<number, number>();
  /** Entries held by the built lists. */
  private held = 0;
  /** The cache's budget ({@link BOUNDS_BUDGET} unless a test sets a smaller one). */
  budget: { readonly share: number; readonly min: number } = BOUNDS_BUDGET;

  /** Forget every list (chunk numbers changed). */
  clear(): void {
    this.lists = [];
    this.used = [];
    this.sat = [];
    this.satKey = [];
    this.lru.clear();
    this.held = 0;
  }

  /** Whether term `tid`'s list is built (cached) now. */
  built(tid: number): boolean {
    return this.lists[tid] !== undefined;
  }

  /** Window entries the cache holds now (capacity of the built lists). */
  get entries(): number {
    return this.held;
  }

  /** Term `tid`'s triples and how many are in use, built from its postings on first use (or after eviction). */
  get(s: PostingSource, tid: number): { list: Int32Array; n: number } {
    let list = this.lists[tid];
    if (list) {
      const size = this.lru.get(tid) as number;
      this.lru.delete(tid);
      this.lru.set(tid, size);
    } else {
      list = build(s, tid);
      this.lists[tid] = list;
      this.used[tid] = list.length / 3;
      this.hold(tid, list.length / 3);
      this.evict(s, tid);
    }
    return { list, n: this.used[tid] as number };
  }

  /**
   * Per window of term `tid` (in list order): `tf·(k1+1) / (tf + k1·(1 − b + b·len/avgLen))` at its largest tf and
   * shortest chunk, the term's bound there without idf. Kept until the list or the parameters change, so a static
   * index computes it once per term.
   */
  saturation(s: PostingSource, tid: number, k1: number, b: number, avg: number): Float64Array {
    const key = `${k1} ${b} ${avg}`;
    const { list, n } = this.get(s, tid);
    const cached = this.sat[tid];
    if (cached && this.satKey[tid] === key) return cached;
    const out = cached && cached.length >= n ? cached : new Float64Array(Math.max(n, (list.length / 3) | 0));
    const k1p1 = k1 + 1;
    for (let p = 0; p < n; p++) {
      const tf = list[3 * p + 1] as number;
      out[p] = (tf * k1p1) / (tf + k1 * (1 - b + (b * (list[3 * p + 2] as number)) / avg));
    }
    this.sat[tid] = out;
    this.satKey[tid] = key;
    return out;
  }

  /** Keep a built list current after posting (num, tf) of a chunk of `len` terms was appended to term `tid`. */
  appended(tid: number, num: number, tf: number, len: number): void {
    let list = this.lists[tid];
    if (!list) return;
    this.satKey[tid] = undefined;
    const n = this.used[tid] as number;
    const win = num >>> FINE_SHIFT;
    if (n > 0 && list[3 * (n - 1)] === win) {
      const at = 3 * (n - 1);
      if (tf > (list[at + 1] as number)) list[at + 1] = tf;
      if (len < (list[at + 2] as number)) list[at + 2] = len;
      return;
    }
    if (3 * (n + 1) > list.length) {
      const grown = new Int32Array(Math.max(12, list.length * 2));
      grown.set(list);
      this.hold(tid, (grown.length - list.length) / 3);
      list = grown;
      this.lists[tid] = list;
    }
    list[3 * n] = win;
    list[3 * n + 1] = tf;
    list[3 * n + 2] = len;
    this.used[tid] = n + 1;
  }

  private hold(tid: number, more: number): void {
    this.lru.set(tid, (this.lru.get(tid) ?? 0) + more);
    this.held += more;
  }

  /** Drop least recently used lists (never `keep`, the one just built) until the cache fits its budget. */
  private evict(s: PostingSource, keep: number): void {
    const budget = Math.max(this.budget.min, this.budget.share * s.fwdUsed);
    if (this.held <= budget) return;
    for (const [tid, size] of this.lru) {
      if (this.held <= budget) break;
      if (tid === keep) continue;
      this.lists[tid] = undefined;
      this.sat[tid] = undefined;
      this.satKey[tid] = undefined;
      this.lru.delete(tid);
      this.held -= size;
    }
  }
}

/** One pass over term `tid`'s postings: a triple per window it has postings in. */
function build(s: PostingSource, tid: number): Int32Array {
  const shift = FINE_SHIFT;
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
