/**
 * Is every chunker linear in the input size? CPU time per MB of each chunker from 10 KB to 10 MB, on normal prose
 * (the Chroma corpora, ../shared/data/chroma/corpora, repeated to the size) and on pathological text: no spaces at
 * all, one giant line (the prose with every run of whitespace made one space), only punctuation.
 *
 * Run: npx tsx bench/chunkers-linear.ts [--max-mb 10] [--only <substring of the chunker name>]
 * Prints a markdown table: s/MB (process CPU, user + system) at each size and the ratio of the largest size's s/MB
 * to the 100 KB one (1.0 = perfectly linear; a quadratic chunker multiplies it by ~10 at every step of 10x). Each
 * cell is a mean over runs repeated until they add up to 0.3 s of CPU, the fastest of 3 such means up to 1 MB
 * (one at 10 MB), after a warm-up on 100 KB of the same text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClusterChunker } from '../src/chunkers/cluster.js';
import { FixedChunker } from '../src/chunkers/fixed.js';
import { RecursiveChunker } from '../src/chunkers/recursive.js';
import { SemanticChunker } from '../src/chunkers/semantic.js';
import { SentenceChunker } from '../src/chunkers/sentence.js';
import type { Chunker } from '../src/chunkers/types.js';
import { HashingEmbedder } from '../src/embedders/hashing.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.resolve(here, '../../shared/data/chroma/corpora');
if (!fs.existsSync(corpusDir)) throw new Error(`Chroma corpora not found at ${corpusDir}`);
const prose = fs
  .readdirSync(corpusDir)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => fs.readFileSync(path.join(corpusDir, f), 'utf8'))
  .join('\n\n');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}
const maxMb = Number(arg('max-mb') ?? 10);
const only = arg('only');

/** `n` characters of `unit` repeated. */
const repeat = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
const oneLine = prose.replace(/\s+/g, ' ');
const SHAPES: Record<string, (n: number) => string> = {
  prose: (n) => repeat(prose, n),
  'no spaces': (n) => repeat('abcdefghijklmnopqrstuvwxyz', n),
  'one giant line': (n) => repeat(oneLine, n),
  'only punctuation': (n) => repeat('.,;:!?-()"\'', n),
};

const embedder = new HashingEmbedder();
const CHUNKERS: Record<string, Chunker> = {
  'fixed:400/0': new FixedChunker({ size: 400 }),
  'recursive:400/0': new RecursiveChunker({ size: 400 }),
  'recursive:400/0:chroma': RecursiveChunker.chroma({ size: 400 }),
  'sentence:400/1': new SentenceChunker({ size: 400, overlap: 1 }),
  'semantic:p95:max=400 (hashing)': new SemanticChunker({ embedder, maxSize: 400 }),
  'cluster:400 (hashing)': new ClusterChunker({ embedder, maxSize: 400 }),
};

const sizes = [10_000, 100_000, 1_000_000, 10_000_000].filter((s) => s <= maxMb * 1e6);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function secondsFor(chunker: Chunker, text: string): Promise<number> {
  const c0 = cpu();
  const chunks = await chunker.chunk({ id: 'd', text });
  if (chunks.length === 0) throw new Error('no chunks');
  return cpu() - c0;
}

console.log(
  `node ${process.version}; s/MB of process CPU; sizes ${sizes.map((s) => `${s / 1e6} MB`).join(', ')}; ` +
    `prose = the 5 Chroma corpora (${(prose.length / 1e6).toFixed(2)} M chars) repeated\n`,
);
console.log(
  `| chunker | text | ${sizes.map((s) => `s/MB at ${s >= 1e6 ? `${s / 1e6} MB` : `${s / 1e3} KB`}`).join(' | ')} | largest / 100 KB |`,
);
console.log(`|---|---|${sizes.map(() => '---:').join('|')}|---:|`);
for (const [name, chunker] of Object.entries(CHUNKERS)) {
  if (only && !name.includes(only)) continue;
  for (const [shape, gen] of Object.entries(SHAPES)) {
    await secondsFor(chunker, gen(100_000)); // warm-up
    const perMb: number[] = [];
    for (const size of sizes) {
      const text = gen(size);
      // Repeat a run until it adds up to 0.3 s of CPU (small sizes are below the clock's resolution), 3 times up
      // to 1 MB; keep the fastest mean.
      let best = Number.POSITIVE_INFINITY;
      for (let r = 0; r < (size <= 1_000_000 ? 3 : 1); r++) {
        let total = 0;
        let runs = 0;
        while (runs === 0 || total < 0.3) {
          total += await secondsFor(chunker, text);
          runs++;
        }
        best = Math.min(best, total / runs);
      }
      perMb.push(best / (size / 1e6));
    }
    const base = perMb[sizes.indexOf(100_000)] ?? perMb[0]!;
    const ratio = perMb.at(-1)! / base;
    console.log(
      `| ${name} | ${shape} | ${perMb.map((x) => x.toFixed(3)).join(' | ')} | ${ratio.toFixed(2)} |`,
    );
  }
}
