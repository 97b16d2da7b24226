/**
 * Sentence, semantic and cluster chunkers on the Chroma evaluation corpora (../shared/data/chroma/corpora, 5 files,
 * 1.45 MB), side by side in one process with @chonkiejs/core's SentenceChunker and SemanticChunker. Both semantic
 * chunkers embed with the same real GloVe vectors (StaticEmbedder, ../shared/models/glove-6B-50d-10k), so the
 * comparison is of the chunking work plus the number of texts each sends to the embedder.
 *
 * Run: npx tsx bench/semantic-chunkers.ts [--reps 3]
 * Prints a markdown table: median seconds per pass over the corpora (interleaved, after one warm-up pass), MB/s,
 * chunk counts, embedder calls and embedded texts per pass, and ratios against the peer of each group.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SemanticChunker as ChonkieSemantic, SentenceChunker as ChonkieSentence } from '@chonkiejs/core';
import { ClusterChunker } from '../src/chunkers/cluster.js';
import { SemanticChunker } from '../src/chunkers/semantic.js';
import { SentenceChunker } from '../src/chunkers/sentence.js';
import { splitSentences } from '../src/chunkers/sentences.js';
import { StaticEmbedder } from '../src/embedders/static.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.resolve(here, '../../shared/data/chroma/corpora');
const glovePath = path.resolve(here, '../../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt');
for (const p of [corpusDir, glovePath])
  if (!fs.existsSync(p)) throw new Error(`missing ${p} (../shared beside the repo)`);
const files = fs
  .readdirSync(corpusDir)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => ({ name: f, text: fs.readFileSync(path.join(corpusDir, f), 'utf8') }));
const mb = files.reduce((a, f) => a + Buffer.byteLength(f.text, 'utf8'), 0) / 1e6;
const repsArg = process.argv.indexOf('--reps');
const reps = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 3;

const glove = await StaticEmbedder.fromFile(glovePath);
let calls = 0;
let texts = 0;
const counted = {
  id: glove.id,
  dimensions: glove.dimensions,
  embed: (batch: string[]) => {
    calls++;
    texts += batch.length;
    return glove.embed(batch);
  },
};
const chonkieEmbed = async (batch: string[]) => {
  calls++;
  texts += batch.length;
  return (await glove.embed(batch)).map((v) => Array.from(v));
};

// Load wink-nlp once before timing (it is loaded lazily on first use, about 0.2 s).
splitSentences('Warm up. Now.');
const chonkieSentence = await ChonkieSentence.create({ chunkSize: 400 });
const chonkieSemantic = await ChonkieSemantic.create({ embeddings: chonkieEmbed, chunkSize: 1000 });

interface Method {
  name: string;
  group: string;
  run: () => Promise<number>;
}
const ours =
  (c: { chunk(d: { id: string; text: string }): Promise<unknown[]> }) => async (): Promise<number> => {
    let n = 0;
    for (const f of files) n += (await c.chunk({ id: f.name, text: f.text })).length;
    return n;
  };
const chonkie = (c: { chunk(text: string): Promise<unknown[]> }) => async (): Promise<number> => {
  let n = 0;
  for (const f of files) n += (await c.chunk(f.text)).length;
  return n;
};

const methods: Method[] = [
  {
    name: 'splitSentences (wink-nlp, exact offsets)',
    group: 'sentence',
    run: async () => files.reduce((n, f) => n + splitSentences(f.text).length, 0),
  },
  {
    name: 'ragscope SentenceChunker size 400',
    group: 'sentence',
    run: ours(new SentenceChunker({ size: 400 })),
  },
  { name: 'chonkie SentenceChunker chunkSize 400', group: 'sentence', run: chonkie(chonkieSentence) },
  {
    name: 'ragscope SemanticChunker p95 max 1000 (GloVe)',
    group: 'semantic',
    run: ours(new SemanticChunker({ embedder: counted, maxSize: 1000 })),
  },
  {
    name: 'chonkie SemanticChunker chunkSize 1000 (GloVe)',
    group: 'semantic',
    run: chonkie(chonkieSemantic),
  },
  {
    name: 'ragscope ClusterChunker max 1600 (GloVe)',
    group: 'cluster',
    run: ours(new ClusterChunker({ embedder: counted, maxSize: 1600 })),
  },
];

const times = new Map<string, number[]>();
const stats = new Map<string, { chunks: number; calls: number; texts: number }>();
for (let rep = 0; rep <= reps; rep++) {
  for (const m of methods) {
    calls = 0;
    texts = 0;
    const t0 = performance.now();
    const chunks = await m.run();
    const s = (performance.now() - t0) / 1000;
    if (rep === 0) stats.set(m.name, { chunks, calls, texts });
    else times.set(m.name, [...(times.get(m.name) ?? []), s]);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const peerOf: Record<string, string> = {
  sentence: 'chonkie SentenceChunker chunkSize 400',
  semantic: 'chonkie SemanticChunker chunkSize 1000 (GloVe)',
};
console.log(
  `Corpora: ${files.length} files, ${mb.toFixed(2)} MB; ${reps} timed passes; node ${process.version}\n`,
);
console.log(
  '| method | s / pass | MB/s | chunks (or sentences) | embed calls | embedded texts | time vs peer |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const m of methods) {
  const t = median(times.get(m.name)!);
  const st = stats.get(m.name)!;
  const peer = peerOf[m.group];
  const ratio = peer && peer !== m.name ? `${(t / median(times.get(peer)!)).toFixed(2)}x` : '-';
  console.log(
    `| ${m.name} | ${t.toFixed(3)} | ${(mb / t).toFixed(2)} | ${st.chunks} | ${st.calls} | ${st.texts} | ${ratio} |`,
  );
}
