/**
 * Query latency at N chunks through the whole traced pipeline, beside the bare indexes it is made of.
 *
 * Synthetic 400-character chunks of BEIR SciFact's words drawn by corpus frequency (seed 42, as bench/scale.ts),
 * `HashingEmbedder` 256d, one hybrid `RetrievalPipeline` (BM25 + exact vectors) whose indexes are shared by a
 * BM25-only and a vector-only view (no second build). For 200 typical queries (3-6 words drawn like the corpus)
 * each of these runs once per query, in a rotating order so that load on a shared machine hits all of them alike:
 *
 * - bare `Bm25Index.search(q, 100)`; bare query embedding; bare `ExactVectorIndex.searchSync(qv, 100)`;
 *   bare HNSW `VectorIndex.search(qv, 100)` when hnswlib-node is installed and `--hnsw` is given;
 * - `RetrievalPipeline.search(q, { k: 10 })` with its full trace: BM25 only, vector only, hybrid (RRF), and
 *   hybrid over the HNSW index (with `--hnsw`).
 *
 * Depths are the pipeline's defaults (100 per retriever). Reports p50 / p99 of wall and CPU time per query and the
 * overhead of each pipeline search over the sum of the bare calls it makes (bm25; embed + vector; bm25 + embed +
 * vector). The pipeline's hits must equal the bare indexes' (checked on every query: same ids, same scores).
 *
 * Run: node --max-old-space-size=8000 --import tsx bench/latency.ts --chunks 200000 [--hnsw] [--queries 200]
 */
import { HashingEmbedder } from '../src/embedders/hashing.js';
import { seededRandom } from '../src/eval/prng.js';
import { ExactVectorIndex } from '../src/search/exact.js';
import { fuse } from '../src/search/fusion.js';
import { RetrievalPipeline } from '../src/search/pipeline.js';
import type { VectorSearchIndex } from '../src/search/types.js';
import { makeText, scifactWords, typicalQueries } from './lib/synthetic-chunks.js';

const args = process.argv.slice(2);
const value = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : fallback;
};
const CHUNKS = Number(value('--chunks', '200000'));
const QUERIES = Number(value('--queries', '200'));
const DIMS = 256;
const WANT_HNSW = args.includes('--hnsw');
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

interface Timed {
  wall: number[];
  cpu: number[];
}

async function build(words: string[]): Promise<{ pipeline: RetrievalPipeline; buildCpuS: number }> {
  const next = seededRandom(42);
  const embedder = new HashingEmbedder({ dimensions: DIMS });
  const pipeline = new RetrievalPipeline({ chunker: 'none', embedder, vector: { index: 'exact' } });
  const c0 = process.cpuUsage();
  const BATCH = 10_000;
  for (let i = 0; i < CHUNKS; i += BATCH) {
    const docs = Array.from({ length: Math.min(BATCH, CHUNKS - i) }, (_, j) => ({
      id: `d${i + j}`,
      text: makeText(words, next, 400),
    }));
    await pipeline.addDocuments(docs);
  }
  return { pipeline, buildCpuS: cpuMs(process.cpuUsage(c0)) / 1000 };
}

async function buildHnsw(
  base: RetrievalPipeline,
): Promise<{ index: VectorSearchIndex; buildCpuS: number } | null> {
  let VectorIndex: typeof import('../src/search/vector.js').VectorIndex;
  try {
    await import('hnswlib-node');
    ({ VectorIndex } = await import('../src/search/vector.js'));
  } catch {
    return null;
  }
  const index = new VectorIndex({ dimensions: DIMS, metric: 'cosine', initialCapacity: CHUNKS });
  const ids = base.chunkIds().filter((id) => base.getVector(id) !== undefined);
  const c0 = process.cpuUsage();
  for (let i = 0; i < ids.length; i += 10_000) {
    const batch = ids.slice(i, i + 10_000);
    await index.add(
      batch,
      batch.map((id) => base.getVector(id)!),
    );
  }
  return { index, buildCpuS: cpuMs(process.cpuUsage(c0)) / 1000 };
}

const pct = (xs: number[], p: number) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const words = scifactWords();
  const qs = typicalQueries(words, QUERIES + 20);
  const { pipeline: hybrid, buildCpuS } = await build(words);
  process.stderr.write(`built ${CHUNKS} chunks in ${buildCpuS.toFixed(1)} s CPU\n`);
  const bm25Only = hybrid.view({ retrievers: ['bm25'] });
  const vectorOnly = hybrid.view({ retrievers: ['vector'] });
  const bm25 = hybrid.bm25!;
  const exact = hybrid.vectorIndex as ExactVectorIndex;
  if (!(exact instanceof ExactVectorIndex)) throw new Error('expected an exact vector index');
  const embedder = hybrid.embedder!;
  const hnsw = WANT_HNSW ? await buildHnsw(hybrid) : null;
  if (WANT_HNSW && !hnsw) process.stderr.write('hnswlib-node is not installed: HNSW rows left out\n');
  if (hnsw) process.stderr.write(`HNSW built in ${hnsw.buildCpuS.toFixed(1)} s CPU\n`);
  // The same stores, BM25 list and fusion; only the vector retriever searches the HNSW index.
  const hybridHnsw = hnsw ? hybrid.view({ vectorIndex: hnsw.index }) : null;
  const depth = hybrid.config.depth;

  let qv: Float32Array = new Float32Array(DIMS);
  let bareBm25: Array<{ id: string; score: number }> = [];
  let bareVec: Array<{ id: string; score: number }> = [];
  let bareHnsw: Array<{ id: string; score: number }> = [];
  let mismatches = 0;
  const same = (a: Array<{ id: string; score: number }>, b: Array<{ id: string; score: number }>) =>
    a.length === b.length && a.every((x, i) => x.id === b[i]!.id && x.score === b[i]!.score);
  type Run = [string, (q: string) => unknown];
  const runs: Run[] = [
    ['bare bm25.search', (q) => (bareBm25 = bm25.search(q, depth.bm25))],
    ['bare embed query', async (q) => (qv = (await embedder.embed([q], { kind: 'query' }))[0]!)],
    ['bare exact.search', () => (bareVec = exact.searchSync(qv, depth.vector))],
    ...(hnsw
      ? ([['bare hnsw.search', async () => (bareHnsw = await hnsw.index.search(qv, depth.vector))]] as Run[])
      : []),
    [
      'pipeline bm25 only',
      async (q) => {
        const { trace } = await bm25Only.search(q, { k: 10 });
        if (
          !same(
            trace.stages[0]!.candidates.map((c) => ({ id: c.chunkId, score: c.score })),
            bareBm25,
          )
        )
          mismatches++;
      },
    ],
    [
      'pipeline vector only',
      async (q) => {
        const { trace } = await vectorOnly.search(q, { k: 10 });
        if (
          !same(
            trace.stages[0]!.candidates.map((c) => ({ id: c.chunkId, score: c.score })),
            bareVec,
          )
        )
          mismatches++;
      },
    ],
    [
      'pipeline hybrid (exact)',
      async (q) => {
        const { trace, hits } = await hybrid.search(q, { k: 10 });
        const fused = fuse(
          trace.stages
            .filter((s) => s.stage !== 'fusion')
            .map((s) => ({ list: s.stage, candidates: s.candidates })),
        );
        if (hits.some((h, i) => h.chunk.id !== fused.candidates[i]!.chunkId)) mismatches++;
      },
    ],
    ...(hybridHnsw
      ? ([
          [
            'pipeline hybrid (hnsw)',
            async (q: string) => {
              const { trace } = await hybridHnsw.search(q, { k: 10 });
              const v = trace.stages.find((s) => s.stage === 'vector')!;
              if (
                !same(
                  v.candidates.map((c) => ({ id: c.chunkId, score: c.score })),
                  bareHnsw,
                )
              )
                mismatches++;
            },
          ],
        ] as Run[])
      : []),
  ];
  const timed = new Map<string, Timed>(runs.map(([name]) => [name, { wall: [], cpu: [] }]));
  for (const [qi, q] of qs.entries()) {
    // The bare calls run in order (the vector searches need the query vector); the pipeline searches rotate.
    const bare = runs.filter(([n]) => n.startsWith('bare'));
    const piped = runs.filter(([n]) => !n.startsWith('bare'));
    const order = [...bare, ...piped.slice(qi % piped.length), ...piped.slice(0, qi % piped.length)];
    for (const [name, run] of order) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await run(q);
      const wall = performance.now() - t0;
      const cpu = cpuMs(process.cpuUsage(c0));
      if (qi >= 20) {
        timed.get(name)!.wall.push(wall);
        timed.get(name)!.cpu.push(cpu);
      }
    }
  }
  const row = (name: string) => {
    const t = timed.get(name)!;
    return {
      p50Ms: r3(pct(t.wall, 0.5)),
      p99Ms: r3(pct(t.wall, 0.99)),
      cpuP50Ms: r3(pct(t.cpu, 0.5)),
      cpuP99Ms: r3(pct(t.cpu, 0.99)),
    };
  };
  const rows = Object.fromEntries(runs.map(([name]) => [name, row(name)]));
  // Pipeline time over the sum of its bare calls, on the CPU p50s (what a loaded machine does not inflate) and on
  // the wall p50s.
  const over = (pipe: string, parts: string[]) => {
    const ratio = (f: (r: ReturnType<typeof row>) => number) =>
      r3(f(rows[pipe]!) / parts.reduce((a, n) => a + f(rows[n]!), 0));
    return { cpuP50: ratio((r) => r.cpuP50Ms), wallP50: ratio((r) => r.p50Ms) };
  };
  const result = {
    chunks: CHUNKS,
    queries: QUERIES,
    depth,
    k: 10,
    buildCpuS: r3(buildCpuS),
    ...(hnsw ? { hnswBuildCpuS: r3(hnsw.buildCpuS) } : {}),
    rows,
    overheadOverBare: {
      'bm25 only': over('pipeline bm25 only', ['bare bm25.search']),
      'vector only': over('pipeline vector only', ['bare embed query', 'bare exact.search']),
      hybrid: over('pipeline hybrid (exact)', ['bare bm25.search', 'bare embed query', 'bare exact.search']),
      ...(hnsw
        ? {
            'hybrid hnsw': over('pipeline hybrid (hnsw)', [
              'bare bm25.search',
              'bare embed query',
              'bare hnsw.search',
            ]),
          }
        : {}),
    },
    pipelineAnswersEqualBare: mismatches === 0,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (mismatches > 0) process.exitCode = 1;
}

await main();
