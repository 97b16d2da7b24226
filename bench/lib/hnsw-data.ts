/**
 * Seeded vector data sets for the HNSW benches (bench/hnsw.ts, bench/hnsw-build.ts).
 * - `lowrank` (default): normalise(A·z + noise), z ~ N(0, I_latent), A a fixed random dims x latent matrix (seed
 *   12345), noise N(0, noise^2) per dimension: high-dimensional vectors with a low intrinsic dimension, as sentence
 *   embeddings have.
 * - `isotropic`: i.i.d. Gaussian vectors, normalised (the worst case for every graph ANN).
 */

import { seededRandom as rng } from '../../src/eval/prng.js';

/** Shape of a data set. */
export interface DataShape {
  data: 'lowrank' | 'isotropic';
  dims: number;
  latent: number;
  noise: number;
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const mixings = new Map<string, Float64Array[]>();

function mixing(dims: number, latent: number): Float64Array[] {
  const key = `${dims}x${latent}`;
  let m = mixings.get(key);
  if (!m) {
    const r = rng(12345);
    m = Array.from({ length: dims }, () => Float64Array.from({ length: latent }, () => gauss(r)));
    mixings.set(key, m);
  }
  return m;
}

/** `n` unit vectors of the chosen data set (seeded), as views into one Float32Array. */
export function unitVectors(n: number, seed: number, shape: DataShape): Float32Array[] {
  const { data, dims, latent, noise } = shape;
  if (data !== 'lowrank' && data !== 'isotropic')
    throw new Error(`DATA must be lowrank or isotropic, got ${String(data)}`);
  const a = mixing(dims, latent);
  const r = rng(seed);
  const all = new Float32Array(n * dims);
  const out: Float32Array[] = [];
  const z = new Float64Array(latent);
  for (let i = 0; i < n; i++) {
    const v = all.subarray(i * dims, (i + 1) * dims);
    let norm = 0;
    if (data === 'lowrank') for (let l = 0; l < latent; l++) z[l] = gauss(r);
    for (let j = 0; j < dims; j++) {
      let x: number;
      if (data === 'lowrank') {
        const row = a[j] as Float64Array;
        x = 0;
        for (let l = 0; l < latent; l++) x += (row[l] as number) * (z[l] as number);
        x = x / Math.sqrt(latent) + noise * gauss(r);
      } else x = gauss(r);
      v[j] = x;
      norm += x * x;
    }
    const s = 1 / Math.sqrt(norm);
    for (let j = 0; j < dims; j++) v[j] = (v[j] as number) * s;
    out.push(v);
  }
  return out;
}

/** The data shape from the environment: DATA, DIMS, LATENT, NOISE. */
export function shapeFromEnv(): DataShape {
  return {
    data: (process.env.DATA ?? 'lowrank') as DataShape['data'],
    dims: Number(process.env.DIMS ?? 384),
    latent: Number(process.env.LATENT ?? 32),
    noise: Number(process.env.NOISE ?? 0.05),
  };
}
