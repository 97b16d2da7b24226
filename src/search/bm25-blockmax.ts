import type { Analyzer } from './analyzer.js';
import { FINE_SHIFT, FINE_SIZE } from './bm25-blocks.js';
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
/** Bands of window bounds, visited highest first. */
const BANDS = 32;

/** First index i >= from of `list` (entries `stride` apart, n of them) with list[stride * i] >= target. */
function gallop(list: Int32Array, stride: number, n: number, from: number, target: number): number {
  if (from >= n || (list[stride * from] as number) >= target) return from;
  let lo = from; // list[lo] < target
  let step = 1;
  let hi = from + 1;
  while (hi < n && (list[stride * hi] as number) < target) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > n) hi = n;
  let a = lo + 1;
  let z = hi;
  while (a < z) {
    const mid = (a + z) >>> 1;
    if ((list[stride * mid] as number) < target) a = mid + 1;
    else z = mid;
  }
  return a;
}

/** Per-query scratch arrays, reused while no other search (e.g. one started from `accept`) holds them. */
interface Scratch {
  /** Per window: the sum of the query terms' bounds there. */
  bound: Float64Array;
  /** Per window: a bit per query term occurring there. */
  terms: Int32Array;
  /** The windows of the band group being visited, as found, then sorted by band. */
  members: Int32Array;
  byBand: Int32Array;
  busy: boolean;
}
const newScratch = (n: number): Scratch => ({
  bound: new Float64Array(n),
  terms: new Int32Array(n),
  members: new Int32Array(n),
  byBand: new Int32Array(n),
  busy: false,
});
let scratch = newScratch(0);

/**
 * Top `k` by BM25 with block-max dynamic pruning over windows of {@link FINE_SIZE} chunk numbers, returning exactly
 * the exhaustive top k and scores among the chunks `accept` keeps (every chunk without it).
 *
 * Bounds ({@link BlockBounds}): per term and window, the term's contribution at the largest tf and shortest chunk it
 * has there; a window's bound is the sum over the query terms, accumulated term at a time over the terms' window
 * lists (one sequential pass each, no posting touched: windows are small, so bounds are tight, and the pass costs
 * one entry per window a term occurs in). Windows are then visited in bands of bound, highest band first (a
 * counting sort of one group of bands at a time, the top half of the bound range first, then each next lower half:
 * a group costs one scan of the window bounds, and the low-bound windows that are most of a large index sit in
 * groups the search never reaches; ascending window order inside a band, so posting cursors only move forward
 * within it): the k-th score rises early, a window whose bound is below it is skipped, and at the first band whose
 * upper edge is below it the search ends. A visited window's postings are read term at a time into a small tf table and each of its
 * chunks is scored exactly as exhaustive scoring and `explain` sum it (query-term occurrences in query order, the
 * same expression), so scores are bit-identical; a window is skipped only when its bound is strictly below the k-th
 * score (with a margin), so ties (broken by id) come out the same too. `accept` is asked only about chunks whose
 * exact score can still enter the top k.
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
  const nWin = (s.nextNum >>> FINE_SHIFT) + 1;
  let own = scratch;
  if (own.busy || own.bound.length < nWin) {
    own = newScratch(nWin);
    if (!scratch.busy) scratch = own;
  }
  own.busy = true;
  try {
    return search(
      s,
      terms,
      occurrences,
      k,
      params,
      accept,
      own.bound,
      own.terms,
      own.members,
      own.byBand,
      nWin,
    );
  } finally {
    own.bound.fill(0, 0, nWin);
    own.terms.fill(0, 0, nWin);
    own.busy = false;
  }
}

function search(
  s: Bm25Store,
  terms: QueryTerm[],
  occurrences: number[],
  k: number,
  params: { k1: number; b: number; avg: number },
  accept: ((chunkId: string) => boolean) | undefined,
  winBound: Float64Array,
  winTerms: Int32Array,
  members: Int32Array,
  byBand: Int32Array,
  nWin: number,
): Array<{ num: number; score: number }> {
  const m = terms.length;
  const { k1, b, avg } = params;
  const k1p1 = k1 + 1;
  const top = new TopK(k, s.ids);
  const lens = s.lens;
  const alive = s.alive;
  const nums: Int32Array[] = [];
  const tfs: Int32Array[] = [];
  const pLen = new Int32Array(m);
  const idf = new Float64Array(m);
  const all = m > 31; // too many terms for a bit mask: every term is read in every visited window
  for (const [j, t] of terms.entries()) {
    nums.push(s.pNums[t.tid] as Int32Array);
    tfs.push(s.pTfs[t.tid] as Int32Array);
    pLen[j] = s.pLen[t.tid] as number;
    idf[j] = t.idf;
    const w = t.count * t.idf * (1 + MARGIN);
    const bit = all ? 0 : 1 << j;
    const { wins, sat, n } = s.blocks.withSaturation(s, t.tid, k1, b, avg);
    for (let p = 0; p < n; p++) {
      const win = wins[p] as number;
      winBound[win] = (winBound[win] as number) + w * (sat[p] as number);
      winTerms[win] = (winTerms[win] as number) | bit;
    }
  }
  const occ = Int32Array.from(occurrences);
  const pos = new Int32Array(m); // per term: cursor in its posting list
  const tfTable = new Int32Array(m * FINE_SIZE); // per term and chunk of the window being scored (0 = absent)
  const floor = () => top.threshold * (1 - MARGIN);

  let maxBound = 0;
  for (let w = 0; w < nWin; w++) if ((winBound[w] as number) > maxBound) maxBound = winBound[w] as number;
  if (maxBound === 0) return [];
  const scale = BANDS / maxBound;
  // Bands are visited in groups, the top half of the range first, then each next lower half: a group costs one
  // scan of the window bounds, and most windows (low bounds) sit in groups the search never reaches.
  for (let hi = BANDS; hi > 0; hi >>>= 1) {
    if (hi < BANDS && (hi / scale) * (1 + MARGIN) < floor()) break; // the group's upper edge is below the k-th score
    visitGroup(hi === 1 ? 0 : hi >>> 1, hi);
  }
  return top.sorted();

  /** Windows with a bound in bands [lo, hi), band by band from the top, in window order inside a band. */
  function visitGroup(lo: number, hi: number): void {
    const edge = (lo / scale) * (1 - MARGIN); // a cheap filter; membership is by band index alone
    const count = new Int32Array(hi - lo + 1);
    let n = 0;
    for (let w = 0; w < nWin; w++) {
      const x = winBound[w] as number;
      if (x >= edge && x > 0) {
        const i = Math.min(BANDS - 1, Math.floor(x * scale));
        if (i < lo || i >= hi) continue; // another group's
        members[n++] = w;
        count[i - lo + 1] = (count[i - lo + 1] as number) + 1;
      }
    }
    for (let i = 0; i < hi - lo; i++) count[i + 1] = (count[i + 1] as number) + (count[i] as number);
    const fill = count.slice(0, hi - lo);
    for (let at = 0; at < n; at++) {
      const w = members[at] as number;
      const i = Math.min(BANDS - 1, Math.floor((winBound[w] as number) * scale)) - lo;
      byBand[fill[i] as number] = w;
      fill[i] = (fill[i] as number) + 1;
    }
    for (let i = hi - 1; i >= lo; i--) {
      if (i < BANDS - 1 && ((i + 1) / scale) * (1 + MARGIN) < floor()) return; // band upper edge below k-th score
      pos.fill(0);
      for (let at = count[i - lo] as number; at < (count[i - lo + 1] as number); at++) {
        const w = byBand[at] as number;
        if ((winBound[w] as number) >= floor()) scoreWindow(w << FINE_SHIFT, winTerms[w] as number);
      }
    }
  }

  /** Every chunk of the window starting at chunk number `start`, scored exactly (`present`: its terms). */
  function scoreWindow(start: number, present: number): void {
    const end = start + FINE_SIZE;
    let mask = 0;
    for (let j = 0; j < m; j++) {
      if (!all && ((present >>> j) & 1) === 0) continue;
      const list = nums[j] as Int32Array;
      const n = pLen[j] as number;
      const tf = tfs[j] as Int32Array;
      let p = gallop(list, 1, n, pos[j] as number, start);
      for (; p < n && (list[p] as number) < end; p++) {
        const slot = (list[p] as number) - start;
        tfTable[j * FINE_SIZE + slot] = tf[p] as number;
        mask |= 1 << slot;
      }
      pos[j] = p;
    }
    for (let slot = 0; mask !== 0; slot++, mask >>>= 1) {
      if ((mask & 1) === 0) continue;
      const doc = start + slot;
      if (alive[doc] !== 0) {
        const kn = k1 * (1 - b + (b * (lens[doc] as number)) / avg);
        // exact score, in query order, as exhaustive scoring and explain() sum it
        let score = 0;
        for (let o = 0; o < occ.length; o++) {
          const j = occ[o] as number;
          const tf = tfTable[j * FINE_SIZE + slot] as number;
          if (tf > 0) score += ((idf[j] as number) * (tf * k1p1)) / (tf + kn);
        }
        if (score >= top.threshold && (accept === undefined || accept(s.ids[doc] as string)))
          top.push(doc, score);
      }
      for (let j = 0; j < m; j++) if (all || ((present >>> j) & 1) !== 0) tfTable[j * FINE_SIZE + slot] = 0;
    }
  }
}
