/**
 * Reproduce Chroma's "Evaluating Chunking Strategies for Retrieval" protocol on ../shared/data/chroma: all five
 * corpora in ONE collection, top 5 chunks per question, span recall / precision / IoU / PrecisionΩ (mean ± std in
 * percent over the 472 questions), for ragscope's chunkers and the same settings through @langchain/textsplitters,
 * each under BM25, dense and hybrid (RRF) retrieval. Sizes are cl100k tokens, as in the paper.
 *
 * Run from the repo root:
 *   npx tsx bench/chroma.ts [--embedder glove|hashing] [--jobs N] [--cold] [--cache-dir DIR] [--only SUBSTRING]
 * `--jobs 2` (default) runs the settings in 2 processes (one per core), sharing the embedding cache;
 * `--cold` empties the cache first (default .ragscope-cache/bench-chroma). The tables are printed as markdown and
 * the full result is written to bench/.out/chroma-<embedder>.json.
 */
import { fork } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecursiveCharacterTextSplitter, TokenTextSplitter } from '@langchain/textsplitters';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { CHROMA_SEPARATORS } from '../src/chunkers/recursive.js';
import { TokenizationCache } from '../src/chunkers/token-cache.js';
import { TiktokenTokenizer } from '../src/chunkers/tokenizer.js';
import { CachedEmbedder } from '../src/embedders/cached.js';
import { HashingEmbedder } from '../src/embedders/hashing.js';
import { StaticEmbedder } from '../src/embedders/static.js';
import type { Embedder } from '../src/embedders/types.js';
import { loadChromaSpans } from '../src/eval/datasets/chroma.js';
import { meanStd } from '../src/eval/metrics/summary.js';
import { render, type SettingResult, type Summary } from './lib/chroma-report.js';
import { type Deps, plan, SETTINGS } from './lib/chroma-settings.js';
import { LangChainChunker } from './lib/langchain-chunker.js';
import { runSpanConfig, SPAN_RETRIEVERS, type SpanRetriever } from './lib/span-run.js';

const tStart = performance.now();
const cpuStart = process.cpuUsage();
const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..');
const shared = path.resolve(root, '../shared');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}
const embedderName = arg('embedder') ?? 'glove';
if (embedderName !== 'glove' && embedderName !== 'hashing') {
  throw new Error(`--embedder must be glove or hashing, got ${embedderName}`);
}
const cacheDir = path.resolve(root, arg('cache-dir') ?? '.ragscope-cache/bench-chroma');
const only = arg('only');
const jobs = Number(arg('jobs') ?? 2);
const shard = arg('shard'); // internal: "<settings indices, comma-separated>"

async function runShard(indices: number[]): Promise<SettingResult[]> {
  const dataset = await loadChromaSpans(path.join(shared, 'data/chroma'));
  // One tokenisation of each document per process, shared by every ragscope setting measuring in cl100k.
  const tokenizer = new TokenizationCache().wrap(await TiktokenTokenizer.load('cl100k_base'));
  const inner: Embedder =
    embedderName === 'glove'
      ? await StaticEmbedder.fromFile(
          path.join(shared, 'models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt'),
        )
      : new HashingEmbedder();
  const embedder = new CachedEmbedder(inner, { dir: cacheDir });
  // LangChain's own js-tiktoken cl100k (special tokens encoded as text, as Chroma's openai_token_count with
  // disallowed_special=()). TokenTextSplitter would fetch its ranks from the network (@langchain/core
  // getEncoding); it is handed the locally shipped cl100k ranks instead.
  // Built on first use: a shard without a TokenTextSplitter setting never pays for a second cl100k table.
  let enc: Tiktoken | undefined;
  const lcEnc = () => {
    enc ??= new Tiktoken(cl100k);
    return enc;
  };
  // What TokenTextSplitter calls: encode(text, allowedSpecial = [], disallowedSpecial = 'all') once per document,
  // then decode of each window. For text without special-token markup that is encode(text, [], []), which the
  // memoising encoder gives exactly (test/chunkers/bpe.test.ts) in a fraction of js-tiktoken's time (its encode
  // was 9.5 s of a 14 s shard); text that may hold a special token goes to js-tiktoken, which rejects it as before.
  // decode stays js-tiktoken's, so the chunks are the same strings.
  const lcTokenizer = {
    encode: (t: string, allowed: string[] | 'all', disallowed: string[] | 'all') =>
      t.includes('<|') ? lcEnc().encode(t, allowed, disallowed) : tokenizer.encode(t),
    decode: (ids: number[]) => lcEnc().decode(ids),
  };
  // The same counts as enc.encode(t, [], []).length (test/chunkers/bpe.test.ts), from the memoising encoder.
  const lcLength = (t: string) => tokenizer.count(t);
  const deps: Deps = {
    tokenizer,
    embedder,
    lcRecursive: (size, overlap) =>
      new LangChainChunker(
        `langchain-recursive:${size}/${overlap}:cl100k:chroma`,
        new RecursiveCharacterTextSplitter({
          chunkSize: size,
          chunkOverlap: overlap,
          separators: [...CHROMA_SEPARATORS],
          lengthFunction: lcLength,
        }),
        { overlapping: overlap > 0 },
      ),
    lcToken: (size, overlap) => {
      const splitter = new TokenTextSplitter({
        encodingName: 'cl100k_base',
        chunkSize: size,
        chunkOverlap: overlap,
      });
      (splitter as unknown as { tokenizer: typeof lcTokenizer }).tokenizer = lcTokenizer;
      return new LangChainChunker(`langchain-token:${size}/${overlap}:cl100k`, splitter, {
        overlapping: overlap > 0,
      });
    },
  };
  // cl100k size of each chunk text, memoised (ragscope and LangChain mostly produce the same chunks).
  const tokenCounts = new Map<string, number>();
  const countTokens = (text: string) => {
    let n = tokenCounts.get(text);
    if (n === undefined) {
      n = tokenizer.count(text);
      tokenCounts.set(text, n);
    }
    return n;
  };
  const results: SettingResult[] = [];
  for (const index of indices) {
    const def = SETTINGS[index]!;
    const result: SettingResult = { index, zeroVectorChunks: 0 };
    const keys: Record<string, Map<string, string>> = {};
    for (const impl of ['ours', 'langchain'] as const) {
      const chunker = impl === 'ours' ? def.ours(deps) : def.langchain?.(deps);
      if (!chunker || (only && !chunker.spec.includes(only))) continue;
      const c0 = process.cpuUsage();
      const run = await runSpanConfig(chunker, dataset.documents, dataset.questions, embedder, countTokens);
      const used = process.cpuUsage(c0);
      result.zeroVectorChunks = Math.max(result.zeroVectorChunks, run.chunksWithoutVector);
      keys[impl] = new Map(run.chunks.map((c) => [`${c.docId}:${c.start}:${c.end}`, c.text]));
      result[impl] = {
        spec: run.spec,
        chunks: run.chunks.length,
        meanTokens: meanStd(run.tokens).mean,
        maxTokens: run.tokens.reduce((m, t) => Math.max(m, t), 0),
        summary: Object.fromEntries(SPAN_RETRIEVERS.map((r) => [r, run.byRetriever[r].summary])) as Record<
          SpanRetriever,
          Summary
        >,
        seconds: {
          chunk: run.ms.chunk / 1000,
          index: run.ms.index / 1000,
          search: run.ms.search / 1000,
          cpu: (used.user + used.system) / 1e6,
        },
      };
      if (chunker instanceof LangChainChunker) result.locate = { ...chunker.stats };
      const s = result[impl]!.seconds;
      console.error(
        `${run.spec.padEnd(44)} ${String(run.chunks.length).padStart(5)} chunks  chunk ${s.chunk.toFixed(2)}s  index ${s.index.toFixed(2)}s  search ${s.search.toFixed(2)}s  cpu ${s.cpu.toFixed(2)}s`,
      );
    }
    if (keys.ours && keys.langchain) {
      const a = keys.ours;
      const b = keys.langchain;
      const same = [...a.keys()].filter((k) => b.has(k)).length;
      result.sameRanges = same / Math.max(a.size, b.size);
      result.differences = [
        ...[...a]
          .filter(([k]) => !b.has(k))
          .map(([k, t]) => `ragscope ${k} ${JSON.stringify(t.slice(0, 60))}`),
        ...[...b]
          .filter(([k]) => !a.has(k))
          .map(([k, t]) => `langchain ${k} ${JSON.stringify(t.slice(0, 60))}`),
      ].slice(0, 6);
    }
    results.push(result);
  }
  return results;
}

function runChild(indices: number[]): Promise<{ results: SettingResult[]; cpu: number }> {
  return new Promise((resolve, reject) => {
    const args = process.argv
      .slice(2)
      .filter((a, i, all) => a !== '--cold' && all[i - 1] !== '--jobs' && a !== '--jobs');
    const child = fork(self, [...args, '--shard', indices.join(',')], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let got: { results: SettingResult[]; cpu: number } | undefined;
    child.on('message', (m) => {
      got = m as { results: SettingResult[]; cpu: number };
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 && got ? resolve(got) : reject(new Error(`shard ${indices.join(',')} exited with ${code}`)),
    );
  });
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

async function main() {
  if (shard !== undefined) {
    const results = await runShard(shard.split(',').map(Number));
    process.send?.({ results, cpu: cpuSeconds(cpuStart) });
    return;
  }
  if (process.argv.includes('--cold')) rmSync(cacheDir, { recursive: true, force: true });
  let results: SettingResult[];
  let cpu: number;
  let shardCpu: number[] = [];
  if (jobs > 1) {
    const parts = await Promise.all(plan(jobs).map(runChild));
    results = parts.flatMap((p) => p.results).sort((a, b) => a.index - b.index);
    cpu = cpuSeconds(cpuStart) + parts.reduce((t, p) => t + p.cpu, 0);
    shardCpu = parts.map((p) => p.cpu);
  } else {
    results = await runShard(SETTINGS.map((_, i) => i));
    cpu = cpuSeconds(cpuStart);
  }
  const wall = (performance.now() - tStart) / 1000;
  const embedderId =
    embedderName === 'glove'
      ? 'GloVe 6B 50d, 10k-word vocabulary, mean of word vectors (StaticEmbedder)'
      : 'HashingEmbedder (default options)';
  console.log(render(results, wall, cpu, embedderId, jobs));
  if (shardCpu.length > 0)
    console.log(`CPU per process: ${shardCpu.map((c) => `${c.toFixed(1)} s`).join(', ')}.`);
  for (const r of results) {
    if (r.differences?.length)
      console.error(
        `${SETTINGS[r.index]!.label} ${SETTINGS[r.index]!.size}: differing chunks`,
        r.differences,
      );
    if (r.locate?.lostExamples.length) console.error('LangChain chunks not located:', r.locate.lostExamples);
  }
  mkdirSync(path.join(root, 'bench/.out'), { recursive: true });
  writeFileSync(
    path.join(root, `bench/.out/chroma-${embedderName}.json`),
    JSON.stringify(
      {
        embedder: embedderId,
        jobs,
        wallSeconds: wall,
        cpuSeconds: cpu,
        shardCpuSeconds: shardCpu,
        settings: SETTINGS.map(({ label, size, overlap, paper }) => ({ label, size, overlap, paper })),
        results,
      },
      null,
      1,
    ),
  );
}

await main();
