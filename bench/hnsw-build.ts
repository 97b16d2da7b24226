/**
 * HNSW build cost per vector across sizes, one run, same settings at every size: CPU ms per vector
 * (process.cpuUsage, robust to other processes on a shared machine) and wall ms per vector, the ratio to the
 * smallest size, then recall@10 against exact ground truth and query CPU per query at several efSearch.
 * Every line is printed as soon as it is measured, so a run stopped early keeps its finished rows.
 * Data: bench/lib/hnsw-data.ts (`lowrank` embedding-like by default); the sizes are prefixes of one seeded stream.
 *
 * Run: npx tsx bench/hnsw-build.ts
 * Env: SIZES ("10000,50000,200000"), M (16), EFC (100), EFS ("32,48,64,96,128,256"), QUERIES (100),
 *      BATCH (10000), SEGMENTS ("0,50000": every size is built once per value, in this order, with VectorIndex's
 *      `segmentSize`; 0 = one graph, else graphs of at most that many vectors, each query searching every segment
 *      for its top k and merging exactly), ORDERS ("none": insertion order as given; "rp": each batch inserted in
 *      localityOrder, bench/lib/hnsw-order.ts), DATA/DIMS/LATENT/NOISE (bench/lib/hnsw-data.ts).
 */

import { readFileSync } from 'node:fs';
import { HNSW_DEFAULTS, VectorIndex } from '../src/search/vector.js';
import { shapeFromEnv, unitVectors } from './lib/hnsw-data.js';
import { localityOrder } from './lib/hnsw-order.js';

const SIZES = (process.env.SIZES ?? '10000,50000,200000').split(',').map(Number);
const M = Number(process.env.M ?? HNSW_DEFAULTS.M);
const EFC = Number(process.env.EFC ?? HNSW_DEFAULTS.efConstruction);
const EFS = (process.env.EFS ?? '32,48,64,96,128,256').split(',').map(Number);
const QUERIES = Number(process.env.QUERIES ?? 100);
const BATCH = Number(process.env.BATCH ?? 10_000);
const SEGMENTS = (process.env.SEGMENTS ?? '0,50000').split(',').map(Number);
const ORDERS = (process.env.ORDERS ?? 'none').split(',');

const K = 10;

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
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
    `HNSW build bench: sizes ${SIZES.join(', ')}, ${shape.dims}-d ${shape.data} (latent ${shape.latent}, noise ${shape.noise}), M ${M}, efConstruction ${EFC}, batch ${BATCH}, segmentSize ${SEGMENTS.join(' and ')} (0 = one graph), ${QUERIES} queries, k ${K}; load ${loadavg()}`,
  );
  let t = cpuMs();
  const vectors = unitVectors(max, 1, shape);
  const queries = unitVectors(QUERIES, 2, shape);
  const ids = vectors.map((_, i) => `v${i}`);
  const truth = groundTruth(vectors, queries, SIZES);
  console.log(`data + ground truth: ${((cpuMs() - t) / 1000).toFixed(1)} s CPU (${rss()})`);
  console.log(
    '| vectors | segmentSize | segments | build CPU ms/vector | build wall ms/vector | CPU / smallest | recall@10 (query CPU ms) by efSearch |',
  );
  const base = new Map<string, number>();
  for (const n of SIZES) {
    for (const segmentSize of SEGMENTS)
      for (const order of ORDERS) {
        if (segmentSize >= n && SEGMENTS.includes(0) && order === ORDERS[0]) {
          // one segment holds everything: the one-graph build, already measured in this run
          if (!base.has(`${segmentSize}|${order}`))
            base.set(`${segmentSize}|${order}`, base.get(`0|${order}`) as number);
          console.log(`| ${n.toLocaleString('en')} | ${segmentSize} | 1 | = one graph | | | |`);
          continue;
        }
        const initialCapacity = segmentSize > 0 ? Math.min(segmentSize, n) : n;
        const idx = new VectorIndex({
          dimensions: shape.dims,
          M,
          efConstruction: EFC,
          initialCapacity,
          segmentSize,
        });
        t = cpuMs();
        const w = performance.now();
        for (let i = 0; i < n; i += BATCH) {
          let bi = ids.slice(i, Math.min(n, i + BATCH));
          let bv = vectors.slice(i, Math.min(n, i + BATCH));
          if (order === 'rp') {
            const o = localityOrder(bv);
            bi = o.map((j) => bi[j] as string);
            bv = o.map((j) => bv[j] as Float32Array);
          }
          await idx.add(bi, bv);
        }
        const build = (cpuMs() - t) / n;
        const wall = (performance.now() - w) / n;
        if (!base.has(`${segmentSize}|${order}`)) base.set(`${segmentSize}|${order}`, build);
        const key = `${segmentSize || 'one graph'}${order === 'none' ? '' : `, order ${order}`}`;
        console.log(
          `  built ${n} (segmentSize ${segmentSize}: ${idx.segmentCount} graph(s)): ${build.toFixed(3)} CPU ms/vector, ${wall.toFixed(3)} wall ms/vector (${rss()}, load ${loadavg()})`,
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
          `| ${n.toLocaleString('en')} | ${key} | ${idx.segmentCount} | ${build.toFixed(3)} | ${wall.toFixed(3)} | ${(build / (base.get(`${segmentSize}|${order}`) as number)).toFixed(2)} | ${recalls.join(', ')} |`,
        );
      }
  }
}

await main();
