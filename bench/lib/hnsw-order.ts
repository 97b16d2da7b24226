import { seededRandom } from '../../src/eval/prng.js';

/**
 * An insertion order with locality: the positions of `vectors` ordered as the leaves of a random-projection tree
 * (split at the median of the projection on the difference of two random members, down to `leaf` vectors), so
 * that vectors inserted one after the other are near each other and an HNSW insert finds the neighbourhood the
 * previous one visited still in cache. Deterministic (`seed`). Measured in bench/hnsw-build.ts (ORDERS=rp); not
 * used by VectorIndex (it did not pay, bench/RESULTS.md "HNSW segments").
 */
export function localityOrder(vectors: readonly ArrayLike<number>[], leaf = 64, seed = 1): number[] {
  const order = vectors.map((_, i) => i);
  const r = seededRandom(seed);
  const proj = new Float64Array(vectors.length);
  const split = (lo: number, hi: number): void => {
    if (hi - lo <= leaf) return;
    const a = vectors[order[lo + Math.floor(r() * (hi - lo))] as number] as ArrayLike<number>;
    const b = vectors[order[lo + Math.floor(r() * (hi - lo))] as number] as ArrayLike<number>;
    for (let i = lo; i < hi; i++) {
      const v = vectors[order[i] as number] as ArrayLike<number>;
      let s = 0;
      for (let j = 0; j < v.length; j++) s += (v[j] as number) * ((a[j] as number) - (b[j] as number));
      proj[order[i] as number] = s;
    }
    const part = order.slice(lo, hi).sort((x, y) => (proj[x] as number) - (proj[y] as number));
    for (let i = lo; i < hi; i++) order[i] = part[i - lo] as number;
    const mid = (lo + hi) >>> 1;
    split(lo, mid);
    split(mid, hi);
  };
  split(0, vectors.length);
  return order;
}
