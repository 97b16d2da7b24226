/**
 * What a save itself adds to the process: build a BM25-only pipeline of N synthetic chunks (bench/scale.ts's corpus),
 * run the same BM25 queries as bench/scale.ts (they build search structures a save does not), collect garbage, then
 * save while sampling `process.memoryUsage()` every 5 ms. Prints the RSS after build and just before the save, and
 * the largest growth over the latter of rss / heapUsed / external during the save, with the save's CPU.
 *
 * Run: node --max-old-space-size=8000 --expose-gc --import tsx bench/save-rss.ts --chunks 1000000
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seededRandom } from '../src/eval/prng.js';
import { RetrievalPipeline } from '../src/search/pipeline.js';
import { makeText, scifactWords, typicalQueries } from './lib/synthetic-chunks.js';

const args = process.argv.slice(2);
const at = args.indexOf('--chunks');
const N = Number(at >= 0 ? args[at + 1] : 200_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (bytes: number) => Math.round(bytes / 1e6);

const words = scifactWords();
const next = seededRandom(42);
const p = new RetrievalPipeline({ chunker: 'none' });
for (let i = 0; i < N; i += 10_000) {
  const docs = Array.from({ length: Math.min(10_000, N - i) }, (_, j) => ({
    id: `d${i + j}`,
    text: makeText(words, next, 400),
  }));
  await p.addDocuments(docs);
}
gc();
const rssAfterBuild = process.memoryUsage().rss;
const bm25 = p.bm25!;
for (const q of typicalQueries(words)) {
  bm25.search(q, 10);
  bm25.searchExhaustive(q, 10);
  bm25.search(q, 100);
}
gc();
const before = process.memoryUsage();
const growth = { rss: 0, heapUsed: 0, external: 0 };
const sample = () => {
  const m = process.memoryUsage();
  for (const k of ['rss', 'heapUsed', 'external'] as const) growth[k] = Math.max(growth[k], m[k] - before[k]);
};
const sampler = setInterval(sample, 5);
const work = mkdtempSync(path.join(tmpdir(), 'ragscope-save-rss-'));
const c0 = process.cpuUsage();
await p.save(path.join(work, 'index'));
const cpu = process.cpuUsage(c0);
clearInterval(sampler);
sample();
rmSync(work, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    chunks: N,
    rssAfterBuildMB: mb(rssAfterBuild),
    rssBeforeSaveMB: mb(before.rss),
    saveCpuS: +((cpu.user + cpu.system) / 1e6).toFixed(1),
    saveGrowthMB: { rss: mb(growth.rss), heapUsed: mb(growth.heapUsed), external: mb(growth.external) },
    peakOverRssAfterBuild: +((before.rss + growth.rss) / rssAfterBuild).toFixed(3),
  })}\n`,
);
