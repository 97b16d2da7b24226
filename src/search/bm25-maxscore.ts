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
  const weight = (t: QueryTerm, tf: number, len: number): number => {
    const norm = 1 - b + (b * len) / avg;
    return (t.idf * (tf * (k1 + 1))) / (tf + k1 * norm);
  };
  // Terms by ascending upper bound; prefix sums of bounds.
  const order = terms
    .map((t, i) => {
      const maxTf = s.maxTf[t.tid] as number;
      const bound = t.count * weight(t, maxTf, s.minLen[t.tid] as number) * (1 + MARGIN);
      return { i, bound };
    })
    .sort((x, y) => x.bound - y.bound);
  const bound = order.map((o) => o.bound);
  const prefix = new Float64Array(m + 1);
  for (let j = 0; j < m; j++) prefix[j + 1] = (prefix[j] as number) + (bound[j] as number);
  const nums = order.map((o) => s.pNums[terms[o.i]!.tid] as Int32Array);
  const tfsOf = order.map((o) => s.pTfs[terms[o.i]!.tid] as Int32Array);
  const lenOf = order.map((o) => s.pLen[terms[o.i]!.tid] as number);
  const pos = new Int32Array(m);
  const tfAt = new Int32Array(m); // per sorted term: tf in the current chunk (0 = absent)
  const sortedOf = new Int32Array(m); // original term index -> sorted position
  order.forEach((o, j) => {
    sortedOf[o.i] = j;
  });
  const END = 0x7fffffff;
  const cur = (j: number): number => {
    const p = pos[j] as number;
    return p < (lenOf[j] as number) ? ((nums[j] as Int32Array)[p] as number) : END;
  };
  /** Move term j's cursor to the first posting >= target (galloping, then binary search). */
  const seek = (j: number, target: number): number => {
    const list = nums[j] as Int32Array;
    const len = lenOf[j] as number;
    let lo = pos[j] as number;
    if (lo >= len || (list[lo] as number) >= target) return lo < len ? (list[lo] as number) : END;
    let step = 1;
    let hi = lo + 1;
    while (hi < len && (list[hi] as number) < target) {
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
    if (hi > len) hi = len;
    // list[lo] < target; find first index in (lo, hi] with list[i] >= target
    let a = lo + 1;
    let z = hi;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if ((list[mid] as number) < target) a = mid + 1;
      else z = mid;
    }
    pos[j] = a;
    return a < len ? (list[a] as number) : END;
  };
  // first essential term: smallest e with prefix[e+1] >= threshold (all terms essential while the heap fills)
  let firstEssential = 0;
  const updateEssential = (): void => {
    const th = top.threshold;
    while (firstEssential < m && (prefix[firstEssential + 1] as number) < th * (1 - MARGIN)) firstEssential++;
  };
  for (;;) {
    // next candidate: smallest chunk number among essential cursors
    let doc = END;
    for (let j = firstEssential; j < m; j++) {
      const c = cur(j);
      if (c < doc) doc = c;
    }
    if (doc === END) break;
    if (alive[doc] === 0) {
      for (let j = firstEssential; j < m; j++) if (cur(j) === doc) pos[j] = (pos[j] as number) + 1;
      continue;
    }
    const len = lens[doc] as number;
    // essential contributions (an upper bound per term: count * weight), then the non-essential bounds
    let partial = 0;
    for (let j = firstEssential; j < m; j++) {
      if (cur(j) === doc) {
        const tf = (tfsOf[j] as Int32Array)[pos[j] as number] as number;
        tfAt[j] = tf;
        partial += terms[order[j]!.i]!.count * weight(terms[order[j]!.i]!, tf, len);
        pos[j] = (pos[j] as number) + 1;
      } else tfAt[j] = 0;
    }
    // upper bound: exact essential contributions + the non-essential bounds, tightened term by term
    const floor = top.threshold * (1 - MARGIN);
    let ub = partial * (1 + MARGIN) + (prefix[firstEssential] as number);
    let skip = ub < floor;
    for (let j = firstEssential - 1; j >= 0 && !skip; j--) {
      if (seek(j, doc) === doc) {
        const tf = (tfsOf[j] as Int32Array)[pos[j] as number] as number;
        tfAt[j] = tf;
        ub += terms[order[j]!.i]!.count * weight(terms[order[j]!.i]!, tf, len) * (1 + MARGIN);
      } else tfAt[j] = 0;
      ub -= bound[j] as number;
      skip = ub < floor;
    }
    if (skip) continue;
    // exact score, in query order, as exhaustive scoring and explain() sum it
    let score = 0;
    for (const o of occurrences) {
      const tf = tfAt[sortedOf[o] as number] as number;
      if (tf > 0) score += weight(terms[o]!, tf, len);
    }
    top.push(doc, score);
    if (top.full) updateEssential();
  }
  return top.sorted();
}
