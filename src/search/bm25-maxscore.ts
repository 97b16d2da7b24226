import type { Bm25Store } from './bm25-store.js';
import { TopK } from './bm25-topk.js';

/** One distinct query term: its id, idf and how many times the query repeats it. @internal */
export interface QueryTerm {
  tid: number;
  idf: number;
  count: number;
}

/** Relative safety margin on upper bounds (rounding can differ from the exact sum by a few ulps). */
const MARGIN = 1e-9;

/**
 * Top `k` by BM25 with MaxScore dynamic pruning (Turtle & Flood 1995, as in Lucene's `MaxScoreBulkScorer`),
 * returning exactly the exhaustive top k and scores.
 *
 * Each term gets an upper bound on its contribution, from the largest tf and the shortest chunk in its posting list.
 * Terms sorted by bound, the cheapest ones whose bounds together cannot reach the current k-th score are
 * "non-essential": a chunk is considered only when it contains an essential term, and scored only when its
 * essential contributions plus the other bounds can still reach the k-th score. A scored chunk's score is then
 * summed exactly as exhaustive scoring and `explain` do (query-term occurrences in query order, the same
 * expression), so scores are bit-identical; a chunk is skipped only when its bound is strictly below the k-th score
 * (with a margin), so ties (broken by id) come out the same too.
 *
 * `occurrences` lists, in query order, the index in `terms` of each analysed query-term occurrence.
 * @internal
 */
export function maxScoreTopK(
  s: Bm25Store,
  terms: QueryTerm[],
  occurrences: number[],
  k: number,
  k1: number,
  b: number,
  avg: number,
): Array<{ num: number; score: number }> {
  const m = terms.length;
  const top = new TopK(k, s.ids);
  if (m === 0) return [];
  const lens = s.lens;
  const alive = s.alive;
  const k1p1 = k1 + 1;
  // Terms by ascending upper bound (count * weight at max tf and min length); prefix sums of bounds.
  const order = terms
    .map((t, i) => {
      const tf = s.maxTf[t.tid] as number;
      const norm = 1 - b + (b * (s.minLen[t.tid] as number)) / avg;
      return { i, bound: t.count * ((t.idf * (tf * k1p1)) / (tf + k1 * norm)) * (1 + MARGIN) };
    })
    .sort((x, y) => x.bound - y.bound);
  const bound = new Float64Array(m);
  const prefix = new Float64Array(m + 1);
  const idf = new Float64Array(m);
  const count = new Float64Array(m);
  const nums: Int32Array[] = [];
  const tfsOf: Int32Array[] = [];
  const lenOf = new Int32Array(m);
  const sortedOf = new Int32Array(m); // original term index -> sorted position
  order.forEach((o, j) => {
    const t = terms[o.i] as QueryTerm;
    bound[j] = o.bound;
    prefix[j + 1] = (prefix[j] as number) + o.bound;
    idf[j] = t.idf;
    count[j] = t.count;
    nums.push(s.pNums[t.tid] as Int32Array);
    tfsOf.push(s.pTfs[t.tid] as Int32Array);
    lenOf[j] = s.pLen[t.tid] as number;
    sortedOf[o.i] = j;
  });
  const occ = Int32Array.from(occurrences, (o) => sortedOf[o] as number);
  const END = 0x7fffffff;
  const pos = new Int32Array(m);
  const curDoc = new Int32Array(m); // chunk number under each cursor (END when exhausted)
  for (let j = 0; j < m; j++)
    curDoc[j] = (lenOf[j] as number) > 0 ? ((nums[j] as Int32Array)[0] as number) : END;
  const tfAt = new Int32Array(m); // per sorted term: tf in the current chunk (0 = absent)
  /** Move term j's cursor to the first posting >= target (galloping, then binary search). */
  const seek = (j: number, target: number): number => {
    if ((curDoc[j] as number) >= target) return curDoc[j] as number;
    const list = nums[j] as Int32Array;
    const len = lenOf[j] as number;
    let lo = pos[j] as number;
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
    pos[j] = a;
    const d = a < len ? (list[a] as number) : END;
    curDoc[j] = d;
    return d;
  };
  // Terms below firstEssential cannot reach the k-th score together (all terms are essential until the heap fills).
  let firstEssential = 0;
  for (;;) {
    let doc = END;
    for (let j = firstEssential; j < m; j++) if ((curDoc[j] as number) < doc) doc = curDoc[j] as number;
    if (doc === END) break;
    const norm = 1 - b + (b * (lens[doc] as number)) / avg;
    const kn = k1 * norm;
    const live = alive[doc] !== 0;
    // essential terms: exact contributions, and step their cursors past this chunk
    let partial = 0;
    for (let j = firstEssential; j < m; j++) {
      if (curDoc[j] === doc) {
        const p = pos[j] as number;
        const tf = (tfsOf[j] as Int32Array)[p] as number;
        tfAt[j] = tf;
        partial += (count[j] as number) * (((idf[j] as number) * (tf * k1p1)) / (tf + kn));
        pos[j] = p + 1;
        curDoc[j] = p + 1 < (lenOf[j] as number) ? ((nums[j] as Int32Array)[p + 1] as number) : END;
      } else tfAt[j] = 0;
    }
    if (!live) continue;
    // upper bound: essential part + non-essential bounds, tightened term by term (largest bound first)
    const floor = top.threshold * (1 - MARGIN);
    let ub = partial * (1 + MARGIN) + (prefix[firstEssential] as number);
    let skip = ub < floor;
    for (let j = firstEssential - 1; j >= 0 && !skip; j--) {
      if (seek(j, doc) === doc) {
        const tf = (tfsOf[j] as Int32Array)[pos[j] as number] as number;
        tfAt[j] = tf;
        ub += (count[j] as number) * (((idf[j] as number) * (tf * k1p1)) / (tf + kn)) * (1 + MARGIN);
      } else tfAt[j] = 0;
      ub -= bound[j] as number;
      skip = ub < floor;
    }
    if (skip) continue;
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
      while (firstEssential < m && (prefix[firstEssential + 1] as number) < th) firstEssential++;
    }
  }
  return top.sorted();
}
