/**
 * Per-block score bounds of BM25 posting lists, for block-max dynamic pruning.
 *
 * Chunk numbers are cut into fixed windows of {@link BLOCK_SIZE}; for each window a term has postings in, the term
 * keeps its largest tf and its shortest chunk length there (tombstones included, so a bound only ever
 * over-estimates). Because all terms share the same windows, a scorer can bound a whole window of chunks at once
 * (the sum of the terms' window bounds) and skip it. A term's list is built from its postings the first time a query
 * needs it (so loading and building pay nothing for terms never queried), then kept current as chunks are appended,
 * and dropped when the store renumbers its chunks (compaction). @internal
 */

/** log2 of {@link BLOCK_SIZE}. @internal */
export const BLOCK_SHIFT = 7;
/** Chunk numbers per window (block) of the bounds. @internal */
export const BLOCK_SIZE = 1 << BLOCK_SHIFT;

/** Postings of one term, as the store holds them. @internal */
export interface PostingSource {
  pNums: Array<Int32Array | undefined>;
  pTfs: Array<Int32Array | undefined>;
  pLen: Int32Array;
  lens: Float64Array;
}

/** @internal */
export class BlockBounds {
  /** Per term id: triples (window, maxTf, minLen) in window order, or undefined when not built. */
  private lists: Array<Int32Array | undefined> = [];
  /** Per term id: number of triples in use. */
  private used: number[] = [];

  /** Forget every list (chunk numbers changed). */
  clear(): void {
    this.lists = [];
    this.used = [];
  }

  /** Term `tid`'s triples and how many there are, built from its postings on first use. */
  get(s: PostingSource, tid: number): { list: Int32Array; n: number } {
    let list = this.lists[tid];
    if (!list) {
      list = build(s, tid);
      this.lists[tid] = list;
      this.used[tid] = list.length / 3;
    }
    return { list, n: this.used[tid] as number };
  }

  /** Keep a built list current after posting (num, tf) of a chunk of `len` terms was appended to term `tid`. */
  appended(tid: number, num: number, tf: number, len: number): void {
    let list = this.lists[tid];
    if (!list) return;
    const n = this.used[tid] as number;
    const win = num >>> BLOCK_SHIFT;
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

/** One pass over term `tid`'s postings: a triple per window it has postings in. */
function build(s: PostingSource, tid: number): Int32Array {
  const nums = s.pNums[tid];
  const len = s.pLen[tid] as number;
  if (!nums || len === 0) return new Int32Array(0);
  const tfs = s.pTfs[tid] as Int32Array;
  const windows = ((nums[len - 1] as number) >>> BLOCK_SHIFT) - ((nums[0] as number) >>> BLOCK_SHIFT) + 1;
  const out = new Int32Array(3 * Math.min(len, windows));
  let n = -1;
  let win = -1;
  for (let i = 0; i < len; i++) {
    const num = nums[i] as number;
    const tf = tfs[i] as number;
    const l = s.lens[num] as number;
    if (num >>> BLOCK_SHIFT !== win) {
      win = num >>> BLOCK_SHIFT;
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
