/**
 * BM25 query CPU as the index grows, in one process: synthetic 400-character chunks are added to one Bm25Index up
 * to each size, and at each size the median CPU per query is measured for the pruned search (block-max) at k = 10
 * (also its 90th percentile and mean) and 100, with a filter keeping every other chunk, and for exhaustive scoring
 * at k = 10 and 100. Every query's pruned top 10, top 100 and filtered top 10 is checked against exhaustive scoring
 * at every size.
 *
 * Corpora (`--corpus`):
 * - `independent` (default, the earlier figures): every word an independent draw of SciFact's words by corpus
 *   frequency (seed 42), no document structure.
 * - `bursty`: documents of adjacent chunks, each on one real SciFact abstract's words mixed with the background
 *   frequency, the mixture weight calibrated to real SciFact chunks' adjacent-chunk recurrence
 *   (bench/lib/bursty-chunks.ts; the calibration is printed).
 *
 * Query sets: `typical` (100 queries of 3-6 words drawn by corpus frequency, seed 7: the earlier figures) and
 * `scifact` (SciFact's 300 test claims, real questions).
 *
 * Run: node --max-old-space-size=8000 --import tsx bench/bm25-scale.ts [--sizes 10000,100000,1000000]
 *      [--corpus independent|bursty]
 */
import { seededRandom } from '../src/eval/prng.js';
import { Bm25Index } from '../src/search/bm25.js';
import { burstyStream, calibrate, scifactTestQueries, scifactTopics } from './lib/bursty-chunks.js';
import { cpuP50, cpuStats, makeText, scifactWords, typicalQueries } from './lib/synthetic-chunks.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? (args[at + 1] as string) : fallback;
};
const SIZES = flag('--sizes', '10000,100000,1000000').split(',').map(Number);
const CORPUS = flag('--corpus', 'independent');
if (CORPUS !== 'independent' && CORPUS !== 'bursty') throw new Error(`--corpus: ${CORPUS}`);

const words = scifactWords();
const querySets: Record<string, string[]> = { typical: typicalQueries(words), scifact: scifactTestQueries() };
const next = seededRandom(42);
let chunk: () => { text: string; doc: number };
let calibration: unknown;
if (CORPUS === 'bursty') {
  const src = scifactTopics();
  const cal = calibrate(src);
  calibration = cal;
  process.stderr.write(`calibration ${JSON.stringify(cal)}\n`);
  chunk = burstyStream(src, cal.w, next);
} else {
  let n = 0;
  chunk = () => ({ text: makeText(words, next), doc: n++ });
}
const bm25 = new Bm25Index();
const evenOnly = (id: string) => Number(id.slice(1)) % 2 === 0;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Timings and equivalence checks of one query set at the current size. */
function measure(qs: string[], prefix: string): Record<string, number> {
  const cold = cpuP50(qs, (q) => bm25.search(q, 10)); // first pass: builds the block bounds of new query terms
  let mismatches = 0;
  for (const q of qs) {
    if (!same(bm25.search(q, 10), bm25.searchExhaustive(q, 10))) mismatches++;
    if (!same(bm25.search(q, 100), bm25.searchExhaustive(q, 100))) mismatches++;
    const f = bm25.search(q, 10, { accept: evenOnly });
    if (!same(f, bm25.searchExhaustive(q, 10, { accept: evenOnly }))) mismatches++;
  }
  const pruned10 = cpuStats(qs, (q) => bm25.search(q, 10));
  const out: Record<string, number> = {
    pruned10: pruned10.p50,
    pruned10P90: pruned10.p90,
    pruned10Mean: pruned10.mean,
    pruned10Cold: cold,
    pruned100: cpuP50(qs, (q) => bm25.search(q, 100)),
    pruned10Filtered: cpuP50(qs, (q) => bm25.search(q, 10, { accept: evenOnly })),
    exhaustive10: cpuP50(qs, (q) => bm25.searchExhaustive(q, 10)),
    exhaustive100: cpuP50(qs, (q) => bm25.searchExhaustive(q, 100)),
    mismatches,
  };
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [prefix + k, v]));
}

const rows: Array<Record<string, number>> = [];
let built = 0;
let buildCpu = 0;
for (const size of SIZES) {
  while (built < size) {
    const n = Math.min(10_000, size - built);
    const items = Array.from({ length: n }, (_, j) => {
      const { text, doc } = chunk();
      return { id: `c${built + j}`, docId: `d${doc}`, text };
    });
    const c0 = process.cpuUsage();
    bm25.add(items);
    const u = process.cpuUsage(c0);
    buildCpu += (u.user + u.system) / 1e6;
    built += n;
  }
  const row: Record<string, number> = { chunks: size, buildCpuS: +buildCpu.toFixed(1) };
  for (const [name, qs] of Object.entries(querySets))
    Object.assign(row, measure(qs, name === 'typical' ? '' : `${name}.`));
  row.heapMB = Math.round(process.memoryUsage().heapUsed / 1e6);
  row.rssMB = Math.round(process.memoryUsage().rss / 1e6);
  rows.push(row);
  process.stderr.write(`${JSON.stringify(row)}\n`);
}
const base = rows[0] as Record<string, number>;
const ratio = (r: Record<string, number>, key: string) =>
  +((r[key] as number) / (base[key] as number)).toFixed(2);
const keys = Object.keys(querySets).flatMap((name) =>
  ['pruned10', 'pruned100', 'exhaustive10'].map((k) => (name === 'typical' ? k : `${name}.${k}`)),
);
process.stdout.write(
  `${JSON.stringify(
    {
      corpus: CORPUS,
      calibration,
      rows,
      ratiosToSmallest: rows.map((r) => ({
        chunks: r.chunks,
        ...Object.fromEntries(keys.map((k) => [k, ratio(r, k)])),
      })),
      prunedSpeedupOverExhaustive: rows.map((r) => ({
        chunks: r.chunks,
        k10: +((r.exhaustive10 as number) / (r.pruned10 as number)).toFixed(2),
        'scifact.k10': +((r['scifact.exhaustive10'] as number) / (r['scifact.pruned10'] as number)).toFixed(
          2,
        ),
      })),
    },
    null,
    2,
  )}\n`,
);
if (rows.some((r) => r.mismatches !== 0 || r['scifact.mismatches'] !== 0)) process.exitCode = 1;
