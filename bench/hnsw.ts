/**
 * HNSW (VectorIndex, hnswlib-node) vs exact brute force (ExactVectorIndex) on seeded random unit vectors:
 * recall@10 against the exact top 10 and queries per second, for several M / efConstruction / efSearch settings,
 * in one process. Goal: recall@10 >= 0.98 at >= 10x the exact QPS at 100k x 384.
 *
 * Two data sets, both seeded:
 * - `isotropic`: i.i.d. Gaussian vectors, normalised. Intrinsic dimension = DIMS, no structure at all: the known
 *   worst case for every graph ANN (all points are almost equidistant), far from real embeddings.
 * - `lowrank` (default): normalise(A·z + noise), z ~ N(0, I_LATENT), A a fixed random DIMS x LATENT matrix, noise
 *   N(0, NOISE^2) per dimension: 384-d vectors with a low intrinsic dimension, as sentence embeddings have.
 * Queries are fresh draws from the same distribution.
 *
 * Run: npx tsx bench/hnsw.ts
 * Env: DATA (lowrank|isotropic), N (100000), DIMS (384), LATENT (32), NOISE (0.05), QUERIES (200),
 *      BUILDS ("16:100" = M:efConstruction list), EFS ("32,64,128,256,512").
 *
 * `MODE=scale npx tsx bench/hnsw.ts`: build and update cost across sizes with the defaults (HNSW_DEFAULTS), CPU time
 * per vector (process.cpuUsage: robust to other processes on a shared machine) and the ratios that matter —
 * build per vector at each size / at the smallest, update per vector / build per vector, recall@10 vs exact at
 * several efSearch. Updates replace UPDATE_SHARE (0.1) of the ids with fresh vectors; at the smallest size the ids
 * are replaced 3 times over, so compactions are included in the amortised cost. The old update path (hnswlib
 * `markDelete` + `addPoint(v, newLabel, replaceDeleted=true)`, which repairs the replaced slot's neighbours) is
 * timed on the raw hnswlib-node API at OLD_SIZES for comparison.
 * Env: SIZES ("10000,50000,200000"), EFC_COMPARE ("200" extra efConstruction built at sizes <= 50000),
 *      OLD_SIZES ("10000"), SCALE_EFS ("64,128,256"), plus DIMS/LATENT/NOISE/QUERIES as above.
 */

import { ExactVectorIndex } from '../src/search/exact.js';
import { HNSW_DEFAULTS, VectorIndex } from '../src/search/vector.js';
import { type DataShape, unitVectors as seededVectors } from './lib/hnsw-data.js';

const N = Number(process.env.N ?? 100_000);
const DIMS = Number(process.env.DIMS ?? 384);
const QUERIES = Number(process.env.QUERIES ?? 200);
const DATA = process.env.DATA ?? 'lowrank';
const LATENT = Number(process.env.LATENT ?? 32);
const NOISE = Number(process.env.NOISE ?? 0.05);
const BUILDS = (process.env.BUILDS ?? '16:100')
  .split(',')
  .map((s) => s.split(':').map(Number) as [number, number]);
const EFS = (process.env.EFS ?? '32,64,128,256,512').split(',').map(Number);
const K = 10;

/** `n` unit vectors of the chosen data set (bench/lib/hnsw-data.ts, shared with bench/hnsw-build.ts). */
const unitVectors = (n: number, dims: number, seed: number): Float32Array[] =>
  seededVectors(n, seed, { data: DATA as DataShape['data'], dims, latent: LATENT, noise: NOISE });

const mb = (): string => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB rss`;

async function main(): Promise<void> {
  if (DATA !== 'lowrank' && DATA !== 'isotropic')
    throw new Error(`DATA must be lowrank or isotropic, got ${DATA}`);
  const desc = DATA === 'lowrank' ? `low-rank (latent ${LATENT}, noise ${NOISE})` : 'isotropic';
  console.log(
    `HNSW bench: ${N} x ${DIMS} ${desc} unit vectors (seed 1), ${QUERIES} queries (seed 2), k=${K}`,
  );
  const vectors = unitVectors(N, DIMS, 1);
  const queries = unitVectors(QUERIES, DIMS, 2);
  const ids = vectors.map((_, i) => `v${i}`);
  console.log(`data ready (${mb()})`);

  const exact = new ExactVectorIndex({ dimensions: DIMS });
  let t0 = performance.now();
  exact.addSync(ids, vectors);
  const exactBuild = performance.now() - t0;
  exact.searchSync(queries[0]!, K); // warm-up
  t0 = performance.now();
  const truth = queries.map((q) => new Set(exact.searchSync(q, K).map((h) => h.id)));
  // Load on the shared machine drifts: exact QPS is timed again after the HNSW runs and the faster of the two is
  // used, so ratios are never flattered by a slow first measurement.
  let exactQps = QUERIES / ((performance.now() - t0) / 1000);
  const exactQpsFirst = exactQps;
  console.log(`exact: build ${exactBuild.toFixed(0)} ms, ${exactQps.toFixed(1)} QPS (${mb()})`);

  const measured: Array<{ M: number; efC: number; ef: number; build: number; recall: number; qps: number }> =
    [];
  let best: string | null = null;
  for (const [M, efC] of BUILDS) {
    const hnsw = new VectorIndex({ dimensions: DIMS, M, efConstruction: efC, initialCapacity: N });
    t0 = performance.now();
    const batch = 10_000;
    for (let i = 0; i < N; i += batch) await hnsw.add(ids.slice(i, i + batch), vectors.slice(i, i + batch));
    const build = (performance.now() - t0) / 1000;
    console.log(`hnsw M=${M} efC=${efC}: build ${build.toFixed(1)} s (${mb()})`);
    for (const ef of EFS) {
      hnsw.efSearch = ef;
      for (const q of queries.slice(0, 20)) await hnsw.search(q, K); // warm-up
      let found = 0;
      t0 = performance.now();
      const results = [];
      for (const q of queries) results.push(await hnsw.search(q, K));
      const qps = QUERIES / ((performance.now() - t0) / 1000);
      results.forEach((res, i) => {
        for (const h of res) if (truth[i]!.has(h.id)) found++;
      });
      const recall = found / (QUERIES * K);
      measured.push({ M, efC, ef, build, recall, qps });
      console.log(`  M=${M} efC=${efC} ef=${ef}: recall ${recall.toFixed(4)}, ${qps.toFixed(0)} QPS`);
    }
  }
  t0 = performance.now();
  for (const q of queries) exact.searchSync(q, K);
  exactQps = Math.max(exactQps, QUERIES / ((performance.now() - t0) / 1000));
  const rows: string[] = [];
  for (const { M, efC, ef, build, recall, qps } of measured) {
    const speedup = qps / exactQps;
    rows.push(
      `| ${M} | ${efC} | ${ef} | ${build.toFixed(1)} | ${recall.toFixed(4)} | ${qps.toFixed(0)} | ${speedup.toFixed(1)}x |`,
    );
    if (!best && recall >= 0.98 && speedup >= 10) best = `M=${M} efConstruction=${efC} efSearch=${ef}`;
  }
  console.log(
    `\nExact brute force: ${exactQps.toFixed(1)} QPS (max of before ${exactQpsFirst.toFixed(1)} and after)`,
  );
  console.log('| M | efConstruction | efSearch | build s | recall@10 | QPS | QPS / exact |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(
    `\nGoal recall >= 0.98 at >= 10x exact QPS: ${best ? `met with ${best}` : 'NOT met by any setting'}`,
  );
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function recallAt(idx: VectorIndex, queries: Float32Array[], truth: Set<string>[]): Promise<number> {
  let found = 0;
  for (const [i, q] of queries.entries())
    for (const h of await idx.search(q, K)) if (truth[i]!.has(h.id)) found++;
  return found / (queries.length * K);
}

/** The pre-fix update path on the raw hnswlib-node API: per-vector CPU ms of a fresh add vs a replaceDeleted update. */
async function oldUpdatePath(vectors: Float32Array[], fresh: Float32Array[], efC: number) {
  const mod = await import('hnswlib-node');
  const { HierarchicalNSW } = (mod as unknown as { default?: typeof mod }).default ?? mod;
  const h = new HierarchicalNSW('cosine', DIMS);
  h.initIndex(vectors.length, HNSW_DEFAULTS.M, efC, 100, true);
  let t = cpuMs();
  for (const [i, v] of vectors.entries()) h.addPoint(Array.from(v), i, true);
  const add = (cpuMs() - t) / vectors.length;
  t = cpuMs();
  fresh.forEach((v, i) => {
    h.markDelete(i);
    h.addPoint(Array.from(v), vectors.length + i, true);
  });
  return { add, update: (cpuMs() - t) / fresh.length };
}

async function scale(): Promise<void> {
  const sizes = (process.env.SIZES ?? '10000,50000,200000').split(',').map(Number);
  const compare = (process.env.EFC_COMPARE ?? '200').split(',').filter(Boolean).map(Number);
  const oldSizes = (process.env.OLD_SIZES ?? '10000').split(',').filter(Boolean).map(Number);
  const efs = (process.env.SCALE_EFS ?? '64,128,256').split(',').map(Number);
  const share = Number(process.env.UPDATE_SHARE ?? 0.1);
  const queries = unitVectors(QUERIES, DIMS, 2);
  console.log(
    `HNSW scale bench: ${DIMS}-d ${DATA}, defaults ${JSON.stringify(HNSW_DEFAULTS)}, ${QUERIES} queries`,
  );
  const rows: string[] = [];
  let base: number | null = null;
  for (const n of sizes) {
    const vectors = unitVectors(n, DIMS, 1);
    const ids = vectors.map((_, i) => `v${i}`);
    const exact = new ExactVectorIndex({ dimensions: DIMS });
    exact.addSync(ids, vectors);
    const truth = queries.map((q) => new Set(exact.searchSync(q, K).map((h) => h.id)));
    for (const efC of [HNSW_DEFAULTS.efConstruction, ...compare.filter(() => n <= 50_000)]) {
      const idx = new VectorIndex({ dimensions: DIMS, efConstruction: efC });
      let t = cpuMs();
      const w0 = performance.now();
      for (let i = 0; i < n; i += 10_000)
        await idx.add(ids.slice(i, i + 10_000), vectors.slice(i, i + 10_000));
      const build = (cpuMs() - t) / n;
      const wall = (performance.now() - w0) / n;
      const isDefault = efC === HNSW_DEFAULTS.efConstruction;
      if (isDefault) base ??= build;
      const recalls: string[] = [];
      for (const ef of efs) {
        idx.efSearch = ef;
        recalls.push(`${ef}: ${(await recallAt(idx, queries, truth)).toFixed(3)}`);
      }
      let update = '';
      if (isDefault) {
        // Back to back, so both see the same machine load: fresh adds (new ids) vs updates (existing ids); at the
        // smallest size the updates replace every id 3 times over, so the compactions they trigger are paid for.
        const u = Math.round(n * share);
        const rounds = n === sizes[0] ? Math.round(3 / share) : 1;
        const adds = unitVectors(u, DIMS, 900);
        const batches = Array.from({ length: rounds }, (_, r) => unitVectors(u, DIMS, 1000 + r));
        t = cpuMs();
        await idx.add(
          adds.map((_, i) => `new${i}`),
          adds,
        );
        const add = (cpuMs() - t) / u;
        t = cpuMs();
        for (const [r, fresh] of batches.entries()) {
          const start = (r * u) % n;
          const sub = ids.slice(start, start + u);
          await idx.add(sub, fresh.slice(0, sub.length));
        }
        const upd = (cpuMs() - t) / (u * rounds);
        update = ` | ${u.toLocaleString('en')} adds ${add.toFixed(3)} ms/vector, then ${(u * rounds).toLocaleString('en')} updates ${upd.toFixed(3)} ms/vector = **${(upd / add).toFixed(2)}x** an add; deleted left ${idx.deletedCount}`;
      }
      const line =
        `| ${n.toLocaleString('en')} | ${efC} | ${build.toFixed(3)} | ${wall.toFixed(3)} | ` +
        `${isDefault && base ? (build / base).toFixed(2) : '–'} | ${recalls.join(', ')}${update} |`;
      rows.push(line);
      console.log(line, `(${mb()})`);
    }
    if (oldSizes.includes(n)) {
      const u = Math.round(n * share);
      const old = await oldUpdatePath(vectors, unitVectors(u, DIMS, 1000), HNSW_DEFAULTS.efConstruction);
      const line = `| ${n.toLocaleString('en')} | ${HNSW_DEFAULTS.efConstruction} (raw hnswlib, old update path) | ${old.add.toFixed(3)} | | | ${u} replaceDeleted updates: ${old.update.toFixed(3)} ms/vector = ${(old.update / old.add).toFixed(2)}x add |`;
      rows.push(line);
      console.log(line);
    }
  }
  console.log(
    '\n| vectors | efConstruction | build CPU ms/vector | build wall ms/vector | / smallest | recall@10 by efSearch | updates |',
  );
  console.log('|---:|---|---:|---:|---:|---|---|');
  for (const r of rows) console.log(r);
}

if (process.env.MODE === 'scale') await scale();
else await main();
