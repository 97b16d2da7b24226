/**
 * On-disk bytes of an HNSW vector index per vector: hnswlib's own file (what a saved index stored beside
 * vectors.bin up to format 3: every vector a second time) vs the graph file of format 4 (`writeGraphTo`: the links
 * without the live vectors, which vectors.bin holds once), against the raw float32 vectors (n x dims x 4).
 * The file sizes depend on n, dims, M and hnswlib's level draws (seeded), not on efConstruction, so EFC defaults
 * to a cheap 16 for speed. Rows are printed as measured.
 *
 * Run: npx tsx bench/hnsw-disk.ts
 * Env: SIZES ("50000,200000"), DIMS ("256,384"), M (16), EFC (16), DATA/LATENT/NOISE (bench/lib/hnsw-data.ts).
 */

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HNSW_DEFAULTS, VectorIndex } from '../src/search/vector.js';
import { shapeFromEnv, unitVectors } from './lib/hnsw-data.js';

const SIZES = (process.env.SIZES ?? '50000,200000').split(',').map(Number);
const DIMS = (process.env.DIMS ?? '256,384').split(',').map(Number);
const M = Number(process.env.M ?? HNSW_DEFAULTS.M);
const EFC = Number(process.env.EFC ?? 16);

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'ragscope-hnsw-disk-'));
  console.log(`HNSW on-disk size: M ${M}, efConstruction ${EFC} (sizes do not depend on it)`);
  console.log(
    '| vectors | dims | raw vectors MB | hnswlib file MB (format 3) | graph file MB (format 4) | vectors + index, format 3 / raw | format 4 / raw |',
  );
  try {
    for (const dims of DIMS) {
      for (const n of SIZES) {
        const vectors = unitVectors(n, 1, { ...shapeFromEnv(), dims });
        const ids = vectors.map((_, i) => `v${i}`);
        const idx = new VectorIndex({ dimensions: dims, M, efConstruction: EFC, initialCapacity: n });
        for (let i = 0; i < n; i += 10_000)
          await idx.add(ids.slice(i, i + 10_000), vectors.slice(i, i + 10_000));
        const full = path.join(work, 'full.hnsw');
        const graph = path.join(work, 'graph.bin');
        await idx.writeTo(full);
        await idx.writeGraphTo(graph, ids, (id) => vectors[Number(id.slice(1))]);
        const raw = n * dims * 4;
        const f = statSync(full).size;
        const g = statSync(graph).size;
        const mb = (b: number) => (b / 1e6).toFixed(1);
        console.log(
          `| ${n.toLocaleString('en')} | ${dims} | ${mb(raw)} | ${mb(f)} | ${mb(g)} (${(g / n).toFixed(0)} B/vector) | ${((raw + f) / raw).toFixed(3)} | **${((raw + g) / raw).toFixed(3)}** |`,
        );
        rmSync(full);
        rmSync(graph);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
