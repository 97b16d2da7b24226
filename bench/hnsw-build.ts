/**
 * HNSW build cost per vector across sizes, one run, same settings at every size: CPU ms per vector
 * (process.cpuUsage, robust to other processes on a shared machine) and wall ms per vector, the ratio to the
 * smallest size, then recall@10 against exact ground truth and query CPU per query at several efSearch.
 * Every line is printed as soon as it is measured, so a run stopped early keeps its finished rows.
 * Data: bench/lib/hnsw-data.ts (`lowrank` embedding-like by default); the sizes are prefixes of one seeded stream.
 *
 * Run: npx tsx bench/hnsw-build.ts
 * Env: SIZES ("10000,50000,200000"), M (16), EFC (100), EFS ("64,128,256"), QUERIES (100), BATCH (10000),
 *      SHARD (0 = one graph; else at most SHARD vectors per graph, graphs filled one after the other, a query
 *      searches every graph for its top k and merges them exactly: the experiment "does sharding keep the build
 *      flat, and what does it cost per query"), DATA/DIMS/LATENT/NOISE (bench/lib/hnsw-data.ts).
 */

import { HNSW_DEFAULTS, VectorIndex } from '../src/search/vector.js';
import { shapeFromEnv, unitVectors } from './lib/hnsw-data.js';

const SIZES = (process.env.SIZES ?? '10000,50000,200000').split(',').map(Number);
const M = Number(process.env.M ?? HNSW_DEFAULTS.M);
const EFC = Number(process.env.EFC ?? HNSW_DEFAULTS.efConstruction);
const EFS = (process.env.EFS ?? '64,128,256').split(',').map(Number);
const QUERIES = Number(process.env.QUERIES ?? 100);
const BATCH = Number(process.env.BATCH ?? 10_000);
const SHARD = Number(process.env.SHARD ?? 0);

/** One graph, or several of at most SHARD vectors each, searched one by one and merged exactly. */
class Shards {
  readonly graphs: VectorIndex[] = [];
  private last = 0;
  constructor(
    private readonly make: (capacity: number) => VectorIndex,
    private readonly n: number,
  ) {}
  async add(ids: string[], vs: Float32Array[]): Promise<void> {
    for (let i = 0; i < ids.length; ) {
      let g = this.graphs[this.graphs.length - 1];
      if (!g || (SHARD > 0 && this.last >= SHARD)) {
        g = this.make(SHARD > 0 ? Math.min(SHARD, this.n) : this.n);
        this.graphs.push(g);
        this.last = 0;
      }
      const take = SHARD > 0 ? Math.min(ids.length - i, SHARD - this.last) : ids.length - i;
      await g.add(ids.slice(i, i + take), vs.slice(i, i + take));
      this.last += take;
      i += take;
    }
  }
  set efSearch(ef: number) {
    for (const g of this.graphs) g.efSearch = ef;
  }
  async search(q: Float32Array, k: number) {
    if (this.graphs.length === 1) return (this.graphs[0] as VectorIndex).search(q, k);
    const all = (await Promise.all(this.graphs.map((g) => g.search(q, k)))).flat();
    return all.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, k);
  }
}
const K = 10;

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const rss = (): string => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB rss`;

/** Exact top-K ids of each query among the first `n` vectors, for every n in `sizes` (one pass over the data). */
function groundTruth(
  vectors: Float32Array[],
  queries: Float32Array[],
  sizes: number[],
): Map<number, Set<string>[]> {
  const out = new Map<number, Set<string>[]>(sizes.map((n) => [n, []]));
  const sorted = [...sizes].sort((a, b) => a - b);
  for (const q of queries) {
    const top: Array<{ i: number; s: number }> = [];
    let si = 0;
    for (let i = 0; i < vectors.length; i++) {
      const v = vectors[i] as Float32Array;
      let s = 0;
      for (let j = 0; j < v.length; j++) s += (v[j] as number) * (q[j] as number);
      if (top.length < K || s > (top[top.length - 1] as { s: number }).s) {
        top.push({ i, s });
        top.sort((a, b) => b.s - a.s);
        if (top.length > K) top.pop();
      }
      while (si < sorted.length && i + 1 === sorted[si]) {
        out.get(sorted[si] as number)?.push(new Set(top.map((t) => `v${t.i}`)));
        si++;
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const shape = shapeFromEnv();
  const max = Math.max(...SIZES);
  console.log(
    `HNSW build bench: sizes ${SIZES.join(', ')}, ${shape.dims}-d ${shape.data} (latent ${shape.latent}, noise ${shape.noise}), M ${M}, efConstruction ${EFC}, batch ${BATCH}, ${SHARD > 0 ? `shards of <= ${SHARD}` : 'one graph'}, ${QUERIES} queries, k ${K}`,
  );
  let t = cpuMs();
  const vectors = unitVectors(max, 1, shape);
  const queries = unitVectors(QUERIES, 2, shape);
  const ids = vectors.map((_, i) => `v${i}`);
  const truth = groundTruth(vectors, queries, SIZES);
  console.log(`data + ground truth: ${((cpuMs() - t) / 1000).toFixed(1)} s CPU (${rss()})`);
  console.log(
    '| vectors | M | efC | build CPU ms/vector | build wall ms/vector | CPU / smallest | recall@10 (query CPU ms) by efSearch |',
  );
  let base: number | null = null;
  for (const n of SIZES) {
    const idx = new Shards(
      (initialCapacity) =>
        new VectorIndex({ dimensions: shape.dims, M, efConstruction: EFC, initialCapacity }),
      n,
    );
    t = cpuMs();
    const w = performance.now();
    for (let i = 0; i < n; i += BATCH)
      await idx.add(ids.slice(i, Math.min(n, i + BATCH)), vectors.slice(i, Math.min(n, i + BATCH)));
    const build = (cpuMs() - t) / n;
    const wall = (performance.now() - w) / n;
    base ??= build;
    console.log(
      `  built ${n} (${idx.graphs.length} graph(s)): ${build.toFixed(3)} CPU ms/vector, ${wall.toFixed(3)} wall ms/vector (${rss()})`,
    );
    const recalls: string[] = [];
    const sets = truth.get(n) as Set<string>[];
    for (const ef of EFS) {
      idx.efSearch = ef;
      let found = 0;
      t = cpuMs();
      for (const [i, q] of queries.entries())
        for (const h of await idx.search(q, K)) if (sets[i]?.has(h.id)) found++;
      const q = (cpuMs() - t) / QUERIES;
      recalls.push(`${ef}: ${(found / (QUERIES * K)).toFixed(3)} (${q.toFixed(2)})`);
    }
    console.log(
      `| ${n.toLocaleString('en')} | ${M} | ${EFC} | ${build.toFixed(3)} | ${wall.toFixed(3)} | ${(build / base).toFixed(2)} | ${recalls.join(', ')} |`,
    );
  }
}

await main();
