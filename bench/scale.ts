/**
 * One machine, N chunks: build, save and load a RetrievalPipeline of synthetic 400-character chunks made of BEIR
 * SciFact's words (sampled by their corpus frequency, fixed seed), with 256-d hashing vectors in an exact index
 * (or BM25 only), and report in one run: size on disk vs raw text + float32 vectors, load CPU (in a fresh process)
 * vs build CPU, peak RSS during save vs RSS after the build (and vs the RSS just before the save, after the BM25
 * timing has built its search structures), and BM25 query CPU. The loaded index must answer 20 queries exactly as
 * the saved one did.
 *
 * Run: node --max-old-space-size=16000 --expose-gc --import tsx bench/scale.ts --chunks 1000000
 *      add --bm25-only for a BM25-only pipeline; --dims 256 (default); --vector-index hnsw (default exact);
 *      --keep to leave the index folder behind (with expected.json, the saved pipeline's answers).
 * Re-load a kept index alone (what the parent runs in a fresh process; add --bm25-only or --dims as built):
 *      node --max-old-space-size=8000 --expose-gc --import tsx bench/scale.ts --load <dir>/index --expected <dir>/expected.json
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HashingEmbedder } from '../src/embedders/hashing.js';
import { seededRandom } from '../src/eval/prng.js';
import { RetrievalPipeline } from '../src/search/pipeline.js';
import { cpuP50, makeText, scifactWords, typicalQueries } from './lib/synthetic-chunks.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : fallback;
};
const CHUNKS = Number(value('--chunks', '100000'));
const DIMS = Number(value('--dims', '256'));
const BM25_ONLY = flag('--bm25-only');
const VECTOR_INDEX = value('--vector-index', 'exact') as 'exact' | 'hnsw';
const CHARS = 400;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
const mb = (bytes: number) => Math.round(bytes / 1e6);

function pipelineConfig() {
  return BM25_ONLY
    ? { chunker: 'none' as const }
    : {
        chunker: 'none' as const,
        embedder: new HashingEmbedder({ dimensions: DIMS }),
        vector: { index: VECTOR_INDEX },
      };
}

async function answers(p: RetrievalPipeline, qs: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of qs.slice(0, 20)) {
    const { hits } = await p.search(q, { k: 10 });
    out.push(hits.map((h) => [h.chunk.id, h.score, h.chunk.text.length]));
  }
  return out;
}

function dirBytes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of readdirSync(dir)) out[name] = statSync(path.join(dir, name)).size;
  return out;
}

/** Child mode: load `dir` in a fresh process and report its CPU and RSS. */
async function loadChild(dir: string, expectedFile: string): Promise<void> {
  const { queries: qs, answers: expected } = JSON.parse(readFileSync(expectedFile, 'utf8')) as {
    queries: string[];
    answers: unknown[];
  };
  gc();
  const rss0 = process.memoryUsage().rss;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const p = await RetrievalPipeline.load(
    dir,
    BM25_ONLY ? {} : { embedder: new HashingEmbedder({ dimensions: DIMS }) },
  );
  const loadCpu = cpuSeconds(process.cpuUsage(c0));
  const loadWall = (performance.now() - t0) / 1000;
  gc();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  // settled: array buffers freed by the collection are released by a background sweeper, later
  await new Promise((resolve) => setTimeout(resolve, 500));
  gc();
  const rssSettled = process.memoryUsage().rss;
  const same = JSON.stringify(await answers(p, qs)) === JSON.stringify(expected);
  process.stdout.write(
    `${JSON.stringify({ loadCpu, loadWall, rssAfterLoad: rss, rssSettled, heapUsed, external, arrayBuffers, rssBeforeLoad: rss0, maxRss: process.resourceUsage().maxRSS * 1024, same })}\n`,
  );
}

/** Build the pipeline, time BM25 queries, write the expected answers and save into `dir`: the figures. */
async function buildAndSave(words: string[], qs: string[], work: string, dir: string) {
  const next = seededRandom(42);
  const p = new RetrievalPipeline(pipelineConfig());
  let rawText = 0;
  let buildCpu = 0;
  const t0 = performance.now();
  const BATCH = 10_000;
  for (let i = 0; i < CHUNKS; i += BATCH) {
    const docs = Array.from({ length: Math.min(BATCH, CHUNKS - i) }, (_, j) => ({
      id: `d${i + j}`,
      text: makeText(words, next, CHARS),
    }));
    for (const d of docs) rawText += Buffer.byteLength(d.text);
    const c0 = process.cpuUsage();
    await p.addDocuments(docs);
    buildCpu += cpuSeconds(process.cpuUsage(c0));
    if ((i / BATCH) % 10 === 9)
      process.stderr.write(`built ${i + BATCH} chunks, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  gc();
  const rssAfterBuild = process.memoryUsage().rss;
  const rawVectors = BM25_ONLY ? 0 : p.stats.vectors * DIMS * 4;

  // BM25 query CPU (median of 100 typical queries, after one warm-up pass over them)
  const bm25 = p.bm25!;
  for (const q of qs) bm25.search(q, 10);
  const p50 = (run: (q: string) => unknown) => cpuP50(qs, run);
  const bm25P50 = p50((q) => bm25.search(q, 10));
  const bm25ExhaustiveP50 = p50((q) => bm25.searchExhaustive(q, 10));
  const bm25P50k100 = p50((q) => bm25.search(q, 100));
  const expected = path.join(work, 'expected.json');
  writeFileSync(expected, JSON.stringify({ queries: qs, answers: await answers(p, qs) }));

  // The BM25 timing above builds search-time structures (block bounds) that the save does not: the RSS just before
  // the save (no collection forced, as before), beside the RSS after build, tells the save's own growth from theirs.
  const rssBeforeSave = process.memoryUsage().rss;
  let peak = rssBeforeSave;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const s0 = process.cpuUsage();
  const w0 = performance.now();
  await p.save(dir);
  const saveCpu = cpuSeconds(process.cpuUsage(s0));
  const saveWall = (performance.now() - w0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const files = dirBytes(dir);
  const onDisk = Object.values(files).reduce((a, b) => a + b, 0);
  const figures = { buildCpu, rssAfterBuild, rssBeforeSave, saveCpu, saveWall, peak, files, onDisk, rawText };
  return { ...figures, rawVectors, bm25P50, bm25ExhaustiveP50, bm25P50k100 };
}

async function main(): Promise<void> {
  if (flag('--load')) return loadChild(value('--load', ''), value('--expected', ''));
  const words = scifactWords();
  const qs = typicalQueries(words);
  const work = mkdtempSync(path.join(tmpdir(), 'ragscope-scale-'));
  const dir = path.join(work, 'index');
  const expected = path.join(work, 'expected.json');
  // The built pipeline is out of scope (and collected) before the load child starts: the two never coexist.
  const fig = await buildAndSave(words, qs, work, dir);
  gc();
  const {
    buildCpu,
    rssAfterBuild,
    rssBeforeSave,
    saveCpu,
    saveWall,
    peak,
    files,
    onDisk,
    rawText,
    rawVectors,
  } = fig;
  const { bm25P50, bm25ExhaustiveP50, bm25P50k100 } = fig;
  // printed before the load child runs, so a failed load still leaves the build and save figures
  process.stderr.write(`${JSON.stringify(fig)}\n`);

  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--load',
      dir,
      '--expected',
      expected,
      '--dims',
      String(DIMS),
      ...(BM25_ONLY ? ['--bm25-only'] : []),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (child.status !== 0) throw new Error(`load child failed: ${child.stderr}`);
  const loaded = JSON.parse(child.stdout.trim().split('\n').pop() as string);
  if (!flag('--keep')) rmSync(work, { recursive: true, force: true });
  const result = {
    chunks: CHUNKS,
    vectors: BM25_ONLY ? 'none' : `${DIMS}d ${VECTOR_INDEX}`,
    buildCpuS: +buildCpu.toFixed(1),
    rssAfterBuildMB: mb(rssAfterBuild),
    rssBeforeSaveMB: mb(rssBeforeSave),
    saveCpuS: +saveCpu.toFixed(1),
    saveWallS: +saveWall.toFixed(1),
    peakRssDuringSaveMB: mb(peak),
    rawMB: mb(rawText + rawVectors),
    onDiskMB: mb(onDisk),
    files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, mb(v)])),
    loadCpuS: +loaded.loadCpu.toFixed(1),
    rssAfterLoadMB: mb(loaded.rssAfterLoad),
    rssAfterLoadSettledMB: mb(loaded.rssSettled),
    loadedAnswersIdentical: loaded.same,
    bm25QueryP50Ms: +bm25P50.toFixed(3),
    bm25ExhaustiveQueryP50Ms: +bm25ExhaustiveP50.toFixed(3),
    bm25QueryP50MsAtK100: +bm25P50k100.toFixed(3),
    ratios: {
      diskOverRaw: +(onDisk / (rawText + rawVectors)).toFixed(3),
      loadCpuOverBuildCpu: +(loaded.loadCpu / buildCpu).toFixed(3),
      peakSaveRssOverBuildRss: +(peak / rssAfterBuild).toFixed(3),
      peakSaveRssOverRssBeforeSave: +(peak / rssBeforeSave).toFixed(3),
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!loaded.same) process.exitCode = 1;
}

await main();
