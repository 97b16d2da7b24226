/**
 * HNSW update cost under heavy churn, by `compactRatio`: build N vectors, time N x ADD_SHARE fresh adds (new ids),
 * then replace every id ROUNDS times over (so the compaction rebuilds they trigger are paid for), CPU ms per vector
 * (process.cpuUsage) and the ratio update / add, back to back in one process; then recall@10 of the churned index
 * vs exact over its live vectors. Every row is printed as soon as it is measured.
 *
 * Run: npx tsx bench/hnsw-churn.ts
 * Env: SIZES ("5000,10000"), RATIOS ("1,2,4,8"), ROUNDS (3), ADD_SHARE (0.1), EF (128), QUERIES (100),
 *      SEGMENT (0 = one graph; else VectorIndex's `segmentSize`), DATA/DIMS/LATENT/NOISE (bench/lib/hnsw-data.ts).
 */

import { ExactVectorIndex } from '../src/search/exact.js';
import { HNSW_DEFAULTS, VectorIndex } from '../src/search/vector.js';
import { shapeFromEnv, unitVectors } from './lib/hnsw-data.js';

const SIZES = (process.env.SIZES ?? '5000,10000').split(',').map(Number);
const RATIOS = (process.env.RATIOS ?? '1,2,4,8').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const ADD_SHARE = Number(process.env.ADD_SHARE ?? 0.1);
const EF = Number(process.env.EF ?? 128);
const QUERIES = Number(process.env.QUERIES ?? 100);
const SEGMENT = Number(process.env.SEGMENT ?? 0);
const K = 10;

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const shape = shapeFromEnv();
  console.log(
    `HNSW churn bench: ${shape.dims}-d ${shape.data}, M ${HNSW_DEFAULTS.M}, efConstruction ${HNSW_DEFAULTS.efConstruction}, segmentSize ${SEGMENT}, every id replaced ${ROUNDS}x, fresh adds ${ADD_SHARE} x N, recall at efSearch ${EF}`,
  );
  console.log(
    '| vectors | compactRatio | add CPU ms/vector | update CPU ms/vector | update / add | nodes in graph after (deleted) | recall@10 after churn |',
  );
  const queries = unitVectors(QUERIES, 2, shape);
  for (const n of SIZES) {
    const vectors = unitVectors(n, 1, shape);
    const ids = vectors.map((_, i) => `v${i}`);
    const u = Math.round(n * ADD_SHARE);
    const adds = unitVectors(u, 900, shape);
    const rounds = Array.from({ length: ROUNDS }, (_, r) => unitVectors(n, 1000 + r, shape));
    for (const compactRatio of RATIOS) {
      const idx = new VectorIndex({
        dimensions: shape.dims,
        compactRatio,
        efSearch: EF,
        segmentSize: SEGMENT,
      });
      await idx.add(ids, vectors);
      let t = cpuMs();
      await idx.add(
        adds.map((_, i) => `new${i}`),
        adds,
      );
      const add = (cpuMs() - t) / u;
      t = cpuMs();
      for (const fresh of rounds)
        for (let i = 0; i < n; i += 1000) await idx.add(ids.slice(i, i + 1000), fresh.slice(i, i + 1000));
      const upd = (cpuMs() - t) / (n * ROUNDS);
      // Recall against exact search over the live vectors (the last round's plus the fresh adds).
      const exact = new ExactVectorIndex({ dimensions: shape.dims });
      exact.addSync(ids, rounds[ROUNDS - 1] as Float32Array[]);
      exact.addSync(
        adds.map((_, i) => `new${i}`),
        adds,
      );
      let found = 0;
      for (const q of queries) {
        const truth = new Set(exact.searchSync(q, K).map((h) => h.id));
        for (const h of await idx.search(q, K)) if (truth.has(h.id)) found++;
      }
      console.log(
        `| ${n.toLocaleString('en')} | ${compactRatio} | ${add.toFixed(3)} | ${upd.toFixed(3)} | **${(upd / add).toFixed(2)}x** | ${idx.size + idx.deletedCount} (${idx.deletedCount}${SEGMENT > 0 ? `, ${idx.segmentCount} segments` : ''}) | ${(found / (QUERIES * K)).toFixed(3)} |`,
      );
    }
  }
}

await main();
