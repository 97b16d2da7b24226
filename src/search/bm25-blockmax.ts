import type { Analyzer } from './analyzer.js';
import { BLOCK_SIZE } from './bm25-blocks.js';
import { idfOf } from './bm25-idf.js';
import type { Bm25Store } from './bm25-store.js';
import { TopK } from './bm25-topk.js';

/** One distinct query term: its id, idf and how many times the query repeats it. @internal */
export interface QueryTerm {
  tid: number;
  idf: number;
  count: number;
}

/**
 * The distinct indexed terms of `query` (with idf and repeat count) and, in query order, the index in that list of
 * each analysed occurrence: what {@link blockMaxTopK} scores. @internal
 */
export function queryTerms(
  analyzer: Analyzer,
  s: Bm25Store,
  query: string,
): { terms: QueryTerm[]; occurrences: number[] } {
  const terms: QueryTerm[] = [];
  const occurrences: number[] = [];
  const seen = new Map<number, number>();
  for (const term of analyzer.analyze(query)) {
    const tid = s.termIds.get(term);
    if (tid === undefined || s.df[tid] === 0) continue;
    let at = seen.get(tid);
    if (at === undefined) {
      at = terms.length;
      seen.set(tid, at);
      terms.push({ tid, idf: idfOf(s.size, s.df[tid] as number), count: 0 });
    }
    (terms[at] as QueryTerm).count++;
    occurrences.push(at);
  }
  return { terms, occurrences };
}

/** Relative safety margin on upper bounds (rounding can differ from the exact sum by a few ulps). */
const MARGIN = 1e-9;
const END = 0x7fffffff;

/** Per-query cursors over the posting lists and block bounds of the distinct query terms. */
interface Cursors {
  nums: Int32Array[];
  tfs: Int32Array[];
  len: Int32Array;
  pos: Int32Array;
  /** Chunk number under each cursor (END when exhausted). */
  cur: Int32Array;
  /** Per term: (window, maxTf, minLen) triples, how many, and the index of the next one. */
  blocks: Int32Array[];
  blockCount: Int32Array;
  blockPos: Int32Array;
}

/** Move cursor j to its first posting >= target (galloping, then binary search); the chunk number there. */
function seek(c: Cursors, j: number, target: number): number {
  if ((c.cur[j] as number) >= target) return c.cur[j] as number;
  const list = c.nums[j] as Int32Array;
  const len = c.len[j] as number;
  let lo = c.pos[j] as number;
  let step = 1;
  let hi = lo + 1;
  while (hi < len && (list[hi] as number) < target) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > len) hi = len;
  let a = lo + 1;
  let z = hi;
  while (a < z) {
    const mid = (a + z) >>> 1;
    if ((list[mid] as number) < target) a = mid + 1;
    else z = mid;
  }
  c.pos[j] = a;
  const d = a < len ? (list[a] as number) : END;
  c.cur[j] = d;
  return d;
}

/**
 * Top `k` by BM25 with block-max MaxScore dynamic pruning (MaxScore of Turtle & Flood 1995 over per-window bounds,
 * as Lucene's `MaxScoreBulkScorer` does with its impacts), returning exactly the exhaustive top k and scores among
 * the chunks `accept` keeps (every chunk without it).
 *
 * Chunk numbers are walked window by window ({@link BLOCK_SIZE} numbers each), through the terms' block bounds
 * alone: in a window every term's bound is its contribution at the largest tf and shortest chunk it has there, and
 * a window whose bounds sum below the current k-th score is skipped without touching a posting. Otherwise the terms,
 * sorted by window bound, split into "non-essential" ones (whose bounds together cannot reach the k-th score) and
 * essential ones: a chunk is considered only when it holds an essential term, and scored only when its essential
 * contributions plus the other bounds can still reach the k-th score. A scored chunk's score is summed exactly as
 * exhaustive scoring and `explain` do (query-term occurrences in query order, the same expression), so scores are
 * bit-identical; a chunk is skipped only when its bound is strictly below the k-th score (with a margin), so ties
 * (broken by id) come out the same too.
 *
 * `occurrences` lists, in query order, the index in `terms` of each analysed query-term occurrence.
 * @internal
 */
export function blockMaxTopK(
  s: Bm25Store,
  terms: QueryTerm[],
  occurrences: number[],
  k: number,
  params: { k1: number; b: number; avg: number },
  accept?: (chunkId: string) => boolean,
): Array<{ num: number; score: number }> {
  const m = terms.length;
  if (m === 0) return [];
  const { k1, b, avg } = params;
  const k1p1 = k1 + 1;
  const top = new TopK(k, s.ids);
  const lens = s.lens;
  const alive = s.alive;
  const c: Cursors = {
    nums: [],
    tfs: [],
    len: new Int32Array(m),
    pos: new Int32Array(m),
    cur: new Int32Array(m),
    blocks: [],
    blockCount: new Int32Array(m),
    blockPos: new Int32Array(m),
  };
  const idf = new Float64Array(m);
  const count = new Float64Array(m);
  for (const [j, t] of terms.entries()) {
    c.nums.push(s.pNums[t.tid] as Int32Array);
    c.tfs.push(s.pTfs[t.tid] as Int32Array);
    c.len[j] = s.pLen[t.tid] as number;
    c.cur[j] = (c.len[j] as number) > 0 ? ((c.nums[j] as Int32Array)[0] as number) : END;
    const { list, n } = s.blocks.get(s, t.tid);
    c.blocks.push(list);
    c.blockCount[j] = n;
    idf[j] = t.idf;
    count[j] = t.count;
  }
  const occ = Int32Array.from(occurrences);
  const wb = new Float64Array(m); // per term: bound in the current window
  const order = new Int32Array(m); // terms by ascending window bound
  const prefix = new Float64Array(m + 1); // prefix sums of window bounds in that order
  const tfAt = new Int32Array(m); // per term: tf in the current chunk (0 = absent)
  /** Window of term j's next block (END when none is left). */
  const nextWindow = (j: number): number => {
    const p = c.blockPos[j] as number;
    return p < (c.blockCount[j] as number) ? ((c.blocks[j] as Int32Array)[3 * p] as number) : END;
  };
  for (;;) {
    let win = END;
    for (let j = 0; j < m; j++) {
      const w = nextWindow(j);
      if (w < win) win = w;
    }
    if (win === END) break;
    let total = 0;
    for (let j = 0; j < m; j++) {
      wb[j] = 0;
      const p = c.blockPos[j] as number;
      const list = c.blocks[j] as Int32Array;
      if (p < (c.blockCount[j] as number) && list[3 * p] === win) {
        const tf = list[3 * p + 1] as number;
        const norm = 1 - b + (b * (list[3 * p + 2] as number)) / avg;
        wb[j] = (count[j] as number) * (((idf[j] as number) * (tf * k1p1)) / (tf + k1 * norm)) * (1 + MARGIN);
        total += wb[j] as number;
        c.blockPos[j] = p + 1;
      }
    }
    if (total >= top.threshold * (1 - MARGIN)) {
      const start = win * BLOCK_SIZE;
      for (let j = 0; j < m; j++) seek(c, j, start);
      scoreWindow(start + BLOCK_SIZE);
    }
  }
  return top.sorted();

  /** MaxScore over the chunks of one window (every cursor at or past its start), with the window's bounds. */
  function scoreWindow(winEnd: number): void {
    for (let e = 0; e < m; e++) {
      // insertion sort by window bound (m is small)
      let i = e;
      while (i > 0 && (wb[order[i - 1] as number] as number) > (wb[e] as number)) {
        order[i] = order[i - 1] as number;
        i--;
      }
      order[i] = e;
    }
    for (let e = 0; e < m; e++) prefix[e + 1] = (prefix[e] as number) + (wb[order[e] as number] as number);
    // Terms below first cannot reach the k-th score together in this window.
    let first = 0;
    const th0 = top.threshold * (1 - MARGIN);
    while (first < m && (prefix[first + 1] as number) < th0) first++;
    for (;;) {
      let doc = END;
      for (let e = first; e < m; e++) {
        const d = c.cur[order[e] as number] as number;
        if (d < doc) doc = d;
      }
      if (doc >= winEnd) return;
      const kn = k1 * (1 - b + (b * (lens[doc] as number)) / avg);
      // essential terms: exact contributions, and step their cursors past this chunk
      let partial = 0;
      for (let e = first; e < m; e++) {
        const j = order[e] as number;
        if (c.cur[j] === doc) {
          const p = c.pos[j] as number;
          const tf = (c.tfs[j] as Int32Array)[p] as number;
          tfAt[j] = tf;
          partial += (count[j] as number) * (((idf[j] as number) * (tf * k1p1)) / (tf + kn));
          c.pos[j] = p + 1;
          c.cur[j] = p + 1 < (c.len[j] as number) ? ((c.nums[j] as Int32Array)[p + 1] as number) : END;
        } else tfAt[j] = 0;
      }
      if (alive[doc] === 0) continue;
      // upper bound: essential part + non-essential bounds, tightened term by term (largest bound first)
      const floor = top.threshold * (1 - MARGIN);
      let ub = partial * (1 + MARGIN) + (prefix[first] as number);
      let skip = ub < floor;
      for (let e = first - 1; e >= 0 && !skip; e--) {
        const j = order[e] as number;
        if (seek(c, j, doc) === doc) {
          const tf = (c.tfs[j] as Int32Array)[c.pos[j] as number] as number;
          tfAt[j] = tf;
          ub += (count[j] as number) * (((idf[j] as number) * (tf * k1p1)) / (tf + kn)) * (1 + MARGIN);
        } else tfAt[j] = 0;
        ub -= wb[j] as number;
        skip = ub < floor;
      }
      if (skip || (accept !== undefined && !accept(s.ids[doc] as string))) continue;
      // exact score, in query order, as exhaustive scoring and explain() sum it
      let score = 0;
      for (let o = 0; o < occ.length; o++) {
        const j = occ[o] as number;
        const tf = tfAt[j] as number;
        if (tf > 0) score += ((idf[j] as number) * (tf * k1p1)) / (tf + kn);
      }
      top.push(doc, score);
      if (top.full) {
        const th = top.threshold * (1 - MARGIN);
        while (first < m && (prefix[first + 1] as number) < th) first++;
      }
    }
  }
}
