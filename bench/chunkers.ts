/**
 * Chunker throughput on the Chroma evaluation corpora (../shared/data/chroma/corpora, 5 files, 1.45 MB), side by side
 * in one process with LangChain's RecursiveCharacterTextSplitter and @chonkiejs/core's RecursiveChunker.
 *
 * Run: npx tsx bench/chunkers.ts [--reps 7]
 * Prints a markdown table: median throughput over the repetitions (interleaved, after one warm-up pass), chunk
 * counts, mean chunk size, and ratios against the peers. Throughput is computed from the process CPU time of each
 * run (user + system), which a shared, loaded machine disturbs far less than wall time; wall time is shown too.
 * Token-length rows (cl100k via js-tiktoken) also show how much text each chunker sent to the tokenizer, as a
 * multiple of the corpus size (`tokenised`): the tokenizer is wrapped in a counter during the warm-up pass.
 * `--only <substring>` keeps only the rows whose name contains it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecursiveChunker as ChonkieRecursive } from '@chonkiejs/core';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { FixedChunker } from '../src/chunkers/fixed.js';
import type { Tokenizer } from '../src/chunkers/length.js';
import { RecursiveChunker } from '../src/chunkers/recursive.js';
import { TiktokenTokenizer } from '../src/chunkers/tokenizer.js';
import type { Chunker } from '../src/chunkers/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.resolve(here, '../../shared/data/chroma/corpora');
if (!fs.existsSync(corpusDir))
  throw new Error(`Chroma corpora not found at ${corpusDir} (../shared/data beside the repo)`);
const files = fs
  .readdirSync(corpusDir)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => ({ name: f, text: fs.readFileSync(path.join(corpusDir, f), 'utf8') }));
const totalBytes = files.reduce((a, f) => a + Buffer.byteLength(f.text, 'utf8'), 0);
const repsArg = process.argv.indexOf('--reps');
const reps = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 7;

interface Method {
  name: string;
  group: string;
  reps?: number;
  run: () => Promise<string[]>;
}

/** Characters sent to the wrapped tokenizer since the last reset. */
let tokenisedChars = 0;
/** A tokenizer that counts the characters it is asked to encode, count or align. */
function counting(tok: Tokenizer): Tokenizer {
  return {
    id: tok.id,
    encode: (t) => {
      tokenisedChars += t.length;
      return tok.encode(t);
    },
    count: (t) => {
      tokenisedChars += t.length;
      return tok.count(t);
    },
    spans: (t) => {
      tokenisedChars += t.length;
      return tok.spans(t);
    },
  };
}
const totalChars = files.reduce((a, f) => a + f.text.length, 0);

function ours(chunker: Chunker): () => Promise<string[]> {
  return async () => {
    const out: string[] = [];
    for (const f of files)
      for (const c of await chunker.chunk({ id: f.name, text: f.text })) out.push(c.text);
    return out;
  };
}

const cl100k = counting(await TiktokenTokenizer.load());
const chonkie400 = await ChonkieRecursive.create({ chunkSize: 400 });
const chonkie800 = await ChonkieRecursive.create({ chunkSize: 800 });

const methods: Method[] = [
  {
    name: 'ragscope recursive:400/0',
    group: 'r400',
    run: ours(new RecursiveChunker({ size: 400, overlap: 0 })),
  },
  {
    name: 'LangChain RecursiveCharacterTextSplitter 400/0',
    group: 'r400',
    run: async () => {
      const s = new RecursiveCharacterTextSplitter({ chunkSize: 400, chunkOverlap: 0 });
      const out: string[] = [];
      for (const f of files) out.push(...(await s.splitText(f.text)));
      return out;
    },
  },
  {
    name: '@chonkiejs/core RecursiveChunker 400',
    group: 'r400',
    run: async () => {
      const out: string[] = [];
      for (const f of files) for (const c of await chonkie400.chunk(f.text)) out.push(c.text);
      return out;
    },
  },
  {
    name: 'ragscope recursive:800/400',
    group: 'r800',
    run: ours(new RecursiveChunker({ size: 800, overlap: 400 })),
  },
  {
    name: 'LangChain RecursiveCharacterTextSplitter 800/400',
    group: 'r800',
    run: async () => {
      const s = new RecursiveCharacterTextSplitter({ chunkSize: 800, chunkOverlap: 400 });
      const out: string[] = [];
      for (const f of files) out.push(...(await s.splitText(f.text)));
      return out;
    },
  },
  {
    name: '@chonkiejs/core RecursiveChunker 800 (no overlap option)',
    group: 'r800',
    run: async () => {
      const out: string[] = [];
      for (const f of files) for (const c of await chonkie800.chunk(f.text)) out.push(c.text);
      return out;
    },
  },
  {
    name: 'ragscope recursive:400/0:chars:chroma',
    group: 'other',
    run: ours(RecursiveChunker.chroma({ size: 400, overlap: 0 })),
  },
  { name: 'ragscope fixed:400/0:chars', group: 'other', run: ours(new FixedChunker({ size: 400 })) },
  {
    name: 'ragscope fixed:200/0:tokens (cl100k)',
    group: 'other',
    reps: 2,
    run: ours(new FixedChunker({ size: 200, unit: 'tokens', tokenizer: cl100k })),
  },
];

// Chunkers written by others: included when their files exist.
const srcDir = path.resolve(here, '../src');
if (fs.existsSync(path.join(srcDir, 'chunkers/sentence.ts'))) {
  const { SentenceChunker } = await import('../src/chunkers/sentence.js');
  methods.push({
    name: 'ragscope sentence:400/1',
    group: 'other',
    reps: 2,
    run: ours(new SentenceChunker({ size: 400, overlap: 1 })),
  });
}
if (fs.existsSync(path.join(srcDir, 'embedders/hashing.ts'))) {
  const { HashingEmbedder } = await import('../src/embedders/hashing.js');
  const embedder = new HashingEmbedder();
  if (fs.existsSync(path.join(srcDir, 'chunkers/semantic.ts'))) {
    const { SemanticChunker } = await import('../src/chunkers/semantic.js');
    methods.push({
      name: 'ragscope semantic:p95:max=400 (HashingEmbedder)',
      group: 'other',
      reps: 2,
      run: ours(new SemanticChunker({ embedder, mode: 'percentile', threshold: 95, maxSize: 400 })),
    });
  }
  if (fs.existsSync(path.join(srcDir, 'chunkers/cluster.ts'))) {
    const { ClusterChunker } = await import('../src/chunkers/cluster.js');
    methods.push({
      name: 'ragscope cluster:200 (HashingEmbedder)',
      group: 'other',
      reps: 2,
      run: ours(new ClusterChunker({ embedder, maxSize: 200 })),
    });
  }
  // Token-length chunkers (cl100k), as in bench/chroma.ts.
  const { tokenLength } = await import('../src/chunkers/lengths.js');
  const { SentenceChunker } = await import('../src/chunkers/sentence.js');
  const { SemanticChunker } = await import('../src/chunkers/semantic.js');
  const { ClusterChunker } = await import('../src/chunkers/cluster.js');
  const len = tokenLength(cl100k);
  methods.push(
    {
      name: 'ragscope recursive:200/0:tokens:chroma (cl100k)',
      group: 'r200tok',
      reps: 2,
      run: ours(RecursiveChunker.chroma({ size: 200, overlap: 0, lengthFunction: len })),
    },
    {
      name: 'LangChain RecursiveCharacterTextSplitter 200/0 tokens:chroma (cl100k)',
      group: 'r200tok',
      reps: 2,
      run: async () => {
        const s = new RecursiveCharacterTextSplitter({
          chunkSize: 200,
          chunkOverlap: 0,
          separators: ['\n\n', '\n', '.', '?', '!', ' ', ''],
          lengthFunction: (t: string) => cl100k.count(t),
        });
        const out: string[] = [];
        for (const f of files) out.push(...(await s.splitText(f.text)));
        return out;
      },
    },
    {
      name: 'ragscope recursive:800/400:tokens:chroma (cl100k)',
      group: 'tokens',
      reps: 2,
      run: ours(RecursiveChunker.chroma({ size: 800, overlap: 400, lengthFunction: len })),
    },
    {
      name: 'ragscope sentence:200/0:tokens (cl100k)',
      group: 'tokens',
      reps: 2,
      run: ours(new SentenceChunker({ size: 200, lengthFunction: len })),
    },
    {
      name: 'ragscope semantic:p95:max=400:tokens (cl100k, HashingEmbedder)',
      group: 'tokens',
      reps: 2,
      run: ours(new SemanticChunker({ embedder, maxSize: 400, lengthFunction: len })),
    },
    {
      name: 'ragscope cluster:200:tokens piece 50 (cl100k, HashingEmbedder)',
      group: 'tokens',
      reps: 2,
      run: ours(new ClusterChunker({ embedder, maxSize: 200, pieceSize: 50, lengthFunction: len })),
    },
  );
}
const onlyArg = process.argv.indexOf('--only');
if (onlyArg > 0) {
  const keep = process.argv[onlyArg + 1] ?? '';
  methods.splice(0, methods.length, ...methods.filter((m) => m.name.includes(keep)));
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const times = new Map<string, number[]>();
const walls = new Map<string, number[]>();
const outputs = new Map<string, string[]>();
const tokenised = new Map<string, number>();
for (const m of methods) {
  tokenisedChars = 0;
  outputs.set(m.name, await m.run()); // warm-up, and the chunks we report on
  tokenised.set(m.name, tokenisedChars / totalChars);
  times.set(m.name, []);
  walls.set(m.name, []);
}
for (let r = 0; r < reps; r++) {
  for (const m of methods) {
    if (r >= (m.reps ?? reps)) continue;
    const w0 = performance.now();
    const c0 = cpuMs();
    await m.run();
    (times.get(m.name) as number[]).push(cpuMs() - c0);
    (walls.get(m.name) as number[]).push(performance.now() - w0);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const mbps = (name: string): number => totalBytes / 1e6 / (median(times.get(name) as number[]) / 1000);
const meanSize = (name: string): number => {
  const chunks = outputs.get(name) as string[];
  return chunks.reduce((a, c) => a + c.length, 0) / Math.max(1, chunks.length);
};

console.log(
  `Corpus: ${files.length} files, ${(totalBytes / 1e6).toFixed(2)} MB; median of ${reps} interleaved repetitions (2 for the slow ones) after a warm-up; MB/s from CPU time; node ${process.version}\n`,
);
console.log(
  '| chunker | MB/s (CPU) | CPU ms | wall ms | chunks | mean chunk chars | tokenised (x corpus) | vs LangChain speed | vs chonkie speed | mean size vs LangChain |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const m of methods) {
  const peers = methods.filter((p) => p.group === m.group && m.group !== 'other');
  const lc = peers.find((p) => p.name.startsWith('LangChain'));
  const ch = peers.find((p) => p.name.startsWith('@chonkiejs'));
  const speed = mbps(m.name);
  const cells = [
    m.name,
    speed.toFixed(2),
    median(times.get(m.name) as number[]).toFixed(1),
    median(walls.get(m.name) as number[]).toFixed(1),
    String((outputs.get(m.name) as string[]).length),
    meanSize(m.name).toFixed(1),
    tokenised.get(m.name) ? `${(tokenised.get(m.name) as number).toFixed(2)}x` : '',
    lc && lc !== m ? `${(speed / mbps(lc.name)).toFixed(2)}x` : '',
    ch && ch !== m ? `${(speed / mbps(ch.name)).toFixed(2)}x` : '',
    lc && lc !== m ? `${((meanSize(m.name) / meanSize(lc.name) - 1) * 100).toFixed(1)}%` : '',
  ];
  console.log(`| ${cells.join(' | ')} |`);
}
