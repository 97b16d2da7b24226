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

import { grow } from './typed-grow.js';

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
 * (window, largest tf, shortest length and its cached float32 saturation) takes 16 bytes and a posting 8, so 0.5 caps
 * the bounds at about the postings' memory. @internal
 */
export const BOUNDS_BUDGET: { readonly share: number; readonly min: number } = { share: 0.5, min: 1 << 20 };

/**
 * One term's window entries, in window order, as parallel arrays (capacity ≥ `n`): the window number, the largest tf
 * and the shortest chunk length the term has there; `sat` is each window's saturated tf at those values for the
 * (k1, b, avgLen) in `satKey`, rounded up to float32. @internal
 */
export interface TermBounds {
  wins: Int32Array;
  maxTf: Int32Array;
  minLen: Int32Array;
  n: number;
  sat: Float32Array | undefined;
  satKey: string | undefined;
}

/** @internal */
export class BlockBounds {
  /** Per term id: its window entries, or undefined when not built (or evicted). */
  private terms: Array<TermBounds | undefined> = [];
  /** Built terms, least recently used first, with the entries (capacity) each holds. */
  private lru = new Map<number, number>();
  /** Entries held by the built lists. */
  private held = 0;
  /** The cache's budget ({@link BOUNDS_BUDGET} unless a test sets a smaller one). */
  budget: { readonly share: number; readonly min: number } = BOUNDS_BUDGET;

  /** Forget every list (chunk numbers changed). */
  clear(): void {
    this.terms = [];
    this.lru.clear();
    this.held = 0;
  }

  /** Whether term `tid`'s list is built (cached) now. */
  built(tid: number): boolean {
    return this.terms[tid] !== undefined;
  }

  /** Window entries the cache holds now (capacity of the built lists). */
  get entries(): number {
    return this.held;
  }

  /** Term `tid`'s window entries, built from its postings on first use (or after eviction). */
  get(s: PostingSource, tid: number): TermBounds {
    let t = this.terms[tid];
    if (t) {
      const size = this.lru.get(tid) as number;
      this.lru.delete(tid);
      this.lru.set(tid, size);
    } else {
      t = build(s, tid);
      this.terms[tid] = t;
      this.hold(tid, t.wins.length);
      this.evict(s, tid);
    }
    return t;
  }

  /**
   * Term `tid`'s window entries (as {@link BlockBounds.get}) with `sat` current for (k1, b, avg): per window,
   * `tf·(k1+1) / (tf + k1·(1 − b + b·len/avgLen))` at its largest tf and shortest chunk, the term's bound there
   * without idf, rounded up to float32 (so still a bound). Kept until the list or the parameters change, so a static
   * index computes it once per term.
   */
  withSaturation(
    s: PostingSource,
    tid: number,
    k1: number,
    b: number,
    avg: number,
  ): TermBounds & { sat: Float32Array } {
    const key = `${k1} ${b} ${avg}`;
    const t = this.get(s, tid);
    if (t.sat && t.satKey === key) return t as TermBounds & { sat: Float32Array };
    const out = t.sat && t.sat.length >= t.n ? t.sat : new Float32Array(t.wins.length);
    const k1p1 = k1 + 1;
    const { maxTf, minLen, n } = t;
    for (let p = 0; p < n; p++) {
      const tf = maxTf[p] as number;
      const x = (tf * k1p1) / (tf + k1 * (1 - b + (b * (minLen[p] as number)) / avg));
      const f = Math.fround(x);
      out[p] = f >= x ? f : Math.fround(x * (1 + 2 ** -23)); // the next float32 up at least
    }
    t.sat = out;
    t.satKey = key;
    return t as TermBounds & { sat: Float32Array };
  }

  /** Keep a built list current after posting (num, tf) of a chunk of `len` terms was appended to term `tid`. */
  appended(tid: number, num: number, tf: number, len: number): void {
    const t = this.terms[tid];
    if (!t) return;
    t.satKey = undefined;
    const n = t.n;
    const win = num >>> FINE_SHIFT;
    if (n > 0 && t.wins[n - 1] === win) {
      if (tf > (t.maxTf[n - 1] as number)) t.maxTf[n - 1] = tf;
      if (len < (t.minLen[n - 1] as number)) t.minLen[n - 1] = len;
      return;
    }
    if (n === t.wins.length) {
      t.wins = grow(t.wins, n + 1);
      t.maxTf = grow(t.maxTf, n + 1);
      t.minLen = grow(t.minLen, n + 1);
      this.hold(tid, t.wins.length - n);
      t.sat = undefined;
    }
    t.wins[n] = win;
    t.maxTf[n] = tf;
    t.minLen[n] = len;
    t.n = n + 1;
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
      this.terms[tid] = undefined;
      this.lru.delete(tid);
      this.held -= size;
    }
  }
}

/** One pass over term `tid`'s postings: an entry per window it has postings in. */
function build(s: PostingSource, tid: number): TermBounds {
  const shift = FINE_SHIFT;
  const nums = s.pNums[tid];
  const len = s.pLen[tid] as number;
  if (!nums || len === 0) return entries(new Int32Array(0), new Int32Array(0), new Int32Array(0), 0);
  const tfs = s.pTfs[tid] as Int32Array;
  const size = Math.min(len, ((nums[len - 1] as number) >>> shift) - ((nums[0] as number) >>> shift) + 1);
  const wins = new Int32Array(size);
  const maxTf = new Int32Array(size);
  const minLen = new Int32Array(size);
  let n = -1;
  let win = -1;
  for (let i = 0; i < len; i++) {
    const num = nums[i] as number;
    const tf = tfs[i] as number;
    const l = s.lens[num] as number;
    if (num >>> shift !== win) {
      win = num >>> shift;
      n++;
      wins[n] = win;
      maxTf[n] = tf;
      minLen[n] = l;
    } else {
      if (tf > (maxTf[n] as number)) maxTf[n] = tf;
      if (l < (minLen[n] as number)) minLen[n] = l;
    }
  }
  n++;
  return n === size
    ? entries(wins, maxTf, minLen, n)
    : entries(wins.slice(0, n), maxTf.slice(0, n), minLen.slice(0, n), n);
}

function entries(wins: Int32Array, maxTf: Int32Array, minLen: Int32Array, n: number): TermBounds {
  return { wins, maxTf, minLen, n, sat: undefined, satKey: undefined };
}
