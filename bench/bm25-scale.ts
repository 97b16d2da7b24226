/**
 * BM25 query CPU as the index grows, in one process: synthetic 400-character chunks of SciFact words (drawn by
 * corpus frequency, seed 42) are added to one Bm25Index up to each size, and at each size the median CPU of 100
 * typical queries (3-6 words drawn by corpus frequency) is measured for the pruned search (block-max MaxScore) at
 * k = 10 and 100, with a filter keeping every other chunk, and for exhaustive scoring. Every query's pruned top 10
 * (and filtered top 10) is checked against exhaustive scoring at every size.
 *
 * Run: node --max-old-space-size=8000 --import tsx bench/bm25-scale.ts [--sizes 10000,100000,1000000]
 */
import { seededRandom } from '../src/eval/prng.js';
import { Bm25Index } from '../src/search/bm25.js';
import { cpuP50, makeText, scifactWords, typicalQueries } from './lib/synthetic-chunks.js';

const args = process.argv.slice(2);
const at = args.indexOf('--sizes');
const SIZES = (at >= 0 ? (args[at + 1] as string) : '10000,100000,1000000').split(',').map(Number);

const words = scifactWords();
const qs = typicalQueries(words);
const next = seededRandom(42);
const bm25 = new Bm25Index();
const evenOnly = (id: string) => Number(id.slice(1)) % 2 === 0;
const rows: Array<Record<string, number>> = [];
let built = 0;
let buildCpu = 0;
for (const size of SIZES) {
  while (built < size) {
    const n = Math.min(10_000, size - built);
    const items = Array.from({ length: n }, (_, j) => ({
      id: `c${built + j}`,
      docId: `d${built + j}`,
      text: makeText(words, next),
    }));
    const c0 = process.cpuUsage();
    bm25.add(items);
    const u = process.cpuUsage(c0);
    buildCpu += (u.user + u.system) / 1e6;
    built += n;
  }
  const cold = cpuP50(qs, (q) => bm25.search(q, 10)); // first pass: builds the block bounds of new query terms
  let mismatches = 0;
  for (const q of qs) {
    if (JSON.stringify(bm25.search(q, 10)) !== JSON.stringify(bm25.searchExhaustive(q, 10))) mismatches++;
    const f = bm25.search(q, 10, { accept: evenOnly });
    if (JSON.stringify(f) !== JSON.stringify(bm25.searchExhaustive(q, 10, { accept: evenOnly })))
      mismatches++;
  }
  const row = {
    chunks: size,
    buildCpuS: +buildCpu.toFixed(1),
    pruned10: cpuP50(qs, (q) => bm25.search(q, 10)),
    pruned10Cold: cold,
    pruned100: cpuP50(qs, (q) => bm25.search(q, 100)),
    pruned10Filtered: cpuP50(qs, (q) => bm25.search(q, 10, { accept: evenOnly })),
    exhaustive10: cpuP50(qs, (q) => bm25.searchExhaustive(q, 10)),
    mismatches,
    heapMB: Math.round(process.memoryUsage().heapUsed / 1e6),
  };
  rows.push(row);
  process.stderr.write(`${JSON.stringify(row)}\n`);
}
const base = rows[0] as Record<string, number>;
const ratio = (r: Record<string, number>, key: string) =>
  +((r[key] as number) / (base[key] as number)).toFixed(2);
process.stdout.write(
  `${JSON.stringify(
    {
      rows,
      ratiosToSmallest: rows.map((r) => ({
        chunks: r.chunks,
        pruned10: ratio(r, 'pruned10'),
        pruned100: ratio(r, 'pruned100'),
        exhaustive10: ratio(r, 'exhaustive10'),
      })),
      prunedSpeedupOverExhaustive: rows.map((r) => ({
        chunks: r.chunks,
        k10: +((r.exhaustive10 as number) / (r.pruned10 as number)).toFixed(2),
      })),
    },
    null,
    2,
  )}\n`,
);
if (rows.some((r) => r.mismatches !== 0)) process.exitCode = 1;
