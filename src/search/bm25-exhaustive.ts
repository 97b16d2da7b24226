import { idfOf } from './bm25-idf.js';
import type { Bm25Store } from './bm25-store.js';
import { TopK } from './bm25-topk.js';

/**
 * Top `k` by scoring every posting of every analysed query term (`terms`, in query order, repeats included): the
 * reference that pruned search is tested against. `scores` is an all-zero scratch array (left all-zero). Only chunks
 * `accept` keeps (all without it) are ranked. @internal
 */
export function exhaustiveTopK(
  s: Bm25Store,
  terms: string[],
  k: number,
  k1: number,
  b: number,
  scores: Float64Array,
  accept?: (chunkId: string) => boolean,
): Array<{ num: number; score: number }> {
  const n = s.size;
  const avg = s.totalLen / n;
  const lens = s.lens;
  const alive = s.alive;
  const touched: number[] = [];
  for (const term of terms) {
    const tid = s.termIds.get(term);
    if (tid === undefined || s.df[tid] === 0) continue;
    const nums = s.pNums[tid] as Int32Array;
    const tfs = s.pTfs[tid] as Int32Array;
    const len = s.pLen[tid] as number;
    const idf = idfOf(n, s.df[tid] as number);
    for (let i = 0; i < len; i++) {
      const num = nums[i] as number;
      if (alive[num] === 0) continue;
      const tf = tfs[i] as number;
      // Same expression, same order as explain(): the sums are bit-identical.
      const norm = 1 - b + (b * (lens[num] as number)) / avg;
      const w = (idf * (tf * (k1 + 1))) / (tf + k1 * norm);
      if (scores[num] === 0) touched.push(num);
      scores[num] = (scores[num] as number) + w;
    }
  }
  const top = new TopK(k, s.ids);
  for (const num of touched) {
    if (accept === undefined || accept(s.ids[num] as string)) top.push(num, scores[num] as number);
    scores[num] = 0;
  }
  return top.sorted();
}
