/**
 * Does a worker-thread build of HNSW segments pay? Builds SEGMENTS graphs of SEGMENT vectors each (the segments
 * of a segmented VectorIndex), first one after the other on the main thread, then in WORKERS worker threads
 * (bench/lib/hnsw-worker-build.mjs: the rows are transferred to the worker, which builds the graph and writes
 * hnswlib's file; the main thread reads it back with readIndex, the only way a native graph crosses threads).
 * Reports process CPU (process.cpuUsage counts every thread) and wall time of each, the cost of the hand-back
 * (write + read), the load average, and checks that a worker-built graph is byte for byte the main-thread one
 * (same seed, same order: the build is deterministic).
 *
 * Run: npx tsx bench/hnsw-workers.ts
 * Env: SEGMENT (50000), SEGMENTS (2), WORKERS (2), M (16), EFC (100), DATA/DIMS/LATENT/NOISE (bench/lib/hnsw-data.ts).
 */

import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadHnsw } from '../src/search/hnsw-module.js';
import { HNSW_DEFAULTS } from '../src/search/vector.js';
import { shapeFromEnv, unitVectors } from './lib/hnsw-data.js';

const SEGMENT = Number(process.env.SEGMENT ?? 50_000);
const SEGMENTS = Number(process.env.SEGMENTS ?? 2);
const WORKERS = Number(process.env.WORKERS ?? 2);
const M = Number(process.env.M ?? HNSW_DEFAULTS.M);
const EFC = Number(process.env.EFC ?? HNSW_DEFAULTS.efConstruction);
const SEED = HNSW_DEFAULTS.seed;

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const file = (tag: string, s: number) => path.join(tmpdir(), `hnsw-workers-${process.pid}-${tag}-${s}.bin`);

async function main(): Promise<void> {
  const shape = shapeFromEnv();
  const dims = shape.dims;
  const all = unitVectors(SEGMENT * SEGMENTS, 1, shape);
  const rows = (s: number): Float32Array => {
    const out = new Float32Array(SEGMENT * dims);
    for (let i = 0; i < SEGMENT; i++) out.set(all[s * SEGMENT + i] as Float32Array, i * dims);
    return out;
  };
  console.log(
    `HNSW segment build, main thread vs ${WORKERS} workers: ${SEGMENTS} segments x ${SEGMENT} vectors, ${dims}-d ${shape.data}, M ${M}, efConstruction ${EFC}; load ${load()}`,
  );
  const { HierarchicalNSW } = await loadHnsw();

  // 1. One after the other on the main thread (what VectorIndex.add does).
  let c = cpu();
  let w = performance.now();
  const row = new Array<number>(dims);
  let handBack = 0;
  for (let s = 0; s < SEGMENTS; s++) {
    const data = rows(s);
    const h = new HierarchicalNSW('ip', dims);
    h.initIndex(SEGMENT, M, EFC, SEED, false);
    for (let i = 0; i < SEGMENT; i++) {
      for (let j = 0; j < dims; j++) row[j] = data[i * dims + j] as number;
      h.addPoint(row, i, false);
    }
    if (s === 0) {
      const t = cpu();
      h.writeIndexSync(file('main', 0));
      handBack = cpu() - t;
    }
  }
  const mainCpu = cpu() - c;
  const mainWall = performance.now() - w;
  console.log(
    `main thread: ${(mainCpu / 1000).toFixed(1)} s CPU, ${(mainWall / 1000).toFixed(1)} s wall (${((mainCpu / (SEGMENT * SEGMENTS)) * 1).toFixed(3)} CPU ms/vector); load ${load()}`,
  );

  // 2. In workers: rows transferred, graph built there, hnswlib's file written, read back here.
  c = cpu();
  w = performance.now();
  const pool = Array.from(
    { length: Math.min(WORKERS, SEGMENTS) },
    () => new Worker(new URL('./lib/hnsw-worker-build.mjs', import.meta.url)),
  );
  let readCpu = 0;
  const graphs: unknown[] = [];
  let next = 0;
  await Promise.all(
    pool.map(async (worker) => {
      while (next < SEGMENTS) {
        const s = next++;
        const data = rows(s);
        const done = new Promise<{ file: string }>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
        worker.postMessage({ dims, M, efC: EFC, seed: SEED, data, file: file('worker', s) }, [
          data.buffer as ArrayBuffer,
        ]);
        const { file: f } = await done;
        const t = cpu();
        const h = new HierarchicalNSW('ip', dims);
        h.readIndexSync(f, false);
        readCpu += cpu() - t;
        graphs[s] = h;
      }
    }),
  );
  await Promise.all(pool.map((p) => p.terminate()));
  const workerCpu = cpu() - c;
  const workerWall = performance.now() - w;
  const same = readFileSync(file('main', 0)).equals(readFileSync(file('worker', 0)));
  console.log(
    `${pool.length} workers: ${(workerCpu / 1000).toFixed(1)} s CPU, ${(workerWall / 1000).toFixed(1)} s wall; hand-back: write ${(handBack / 1000).toFixed(2)} s + read ${(readCpu / 1000 / SEGMENTS).toFixed(2)} s CPU per segment; worker graph byte-identical to main-thread graph: ${same}; load ${load()}`,
  );
  console.log(
    `| ${SEGMENTS} x ${SEGMENT} | main: ${(mainCpu / 1000).toFixed(1)} s CPU / ${(mainWall / 1000).toFixed(1)} s wall | ${pool.length} workers: ${(workerCpu / 1000).toFixed(1)} s CPU / ${(workerWall / 1000).toFixed(1)} s wall | CPU ratio ${(workerCpu / mainCpu).toFixed(2)}, wall ratio ${(workerWall / mainWall).toFixed(2)} |`,
  );
  rmSync(file('main', 0), { force: true });
  for (let s = 0; s < SEGMENTS; s++) rmSync(file('worker', s), { force: true });
}

await main();
