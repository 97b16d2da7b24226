/**
 * What the bench diagnostics cost on the Chroma matrix (8 chunkers x BM25 / dense / hybrid, 472 questions, GloVe-50d
 * static embedder), measured in ONE process so the shared machine's load hits both sides alike:
 * - the CPU time spent in BenchInsights (token-limit check, abstention, re-ranker attribution, fusion replays of the
 *   corpus triage) as a share of the whole run's CPU time;
 * - with `--max-failures N`, the wall time of why-not (report.causeSummary.ms) as a share of the run's wall time;
 * - with `--token-budget`, the token-limit check against embedding on two Chroma chunkers with the GloVe
 *   transformers model (512-token limit).
 *
 * Usage: npx tsx bench/diagnostics-cost.ts [--max-failures 0] [--token-budget]
 */

import { createChunker } from '../src/chunkers/spec.js';
import { TiktokenTokenizer } from '../src/chunkers/tokenizer.js';
import { embedderTokenBudget, truncationWarning } from '../src/diagnostics/token-budget.js';
import { StaticEmbedder } from '../src/embedders/static.js';
import { TransformersEmbedder } from '../src/embedders/transformers.js';
import { BenchInsights } from '../src/eval/bench/insights.js';
import { runBench } from '../src/eval/bench.js';
import { loadChromaSpans } from '../src/eval/datasets/chroma.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const dataset = await loadChromaSpans('../shared/data/chroma');
const tokenizer = await TiktokenTokenizer.load();

if (args.includes('--token-budget')) {
  const emb = await TransformersEmbedder.create({
    model: 'glove-6B-50d-10k',
    localModelPath: '../shared/models',
    allowRemoteModels: false,
    dtype: 'fp32',
    pooling: 'mean',
  });
  for (const spec of ['recursive:400/0:tokens:chroma', 'recursive:800/400:tokens:chroma']) {
    const chunker = createChunker(spec, { tokenizer });
    const chunks = (await Promise.all(dataset.documents.map((d) => chunker.chunk(d)))).flat();
    let t = cpu();
    const section = await embedderTokenBudget(chunks, emb);
    const checkMs = cpu() - t;
    t = cpu();
    for (let i = 0; i < chunks.length; i += 256) await emb.embed(chunks.slice(i, i + 256).map((c) => c.text));
    const embedMs = cpu() - t;
    console.log(
      `${spec}: ${chunks.length} chunks, check ${checkMs.toFixed(0)} ms CPU, embed ${embedMs.toFixed(0)} ms CPU (check/embed ${(checkMs / embedMs).toFixed(2)})`,
    );
    console.log(
      `  ${section ? (truncationWarning(spec, emb.id, section, chunks.length) ?? 'no chunk over the limit') : ''}`,
    );
  }
} else {
  let spent = 0;
  const proto = BenchInsights.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const m of ['checkTokens', 'startChunker', 'observe', 'endChunker', 'result']) {
    const orig = proto[m]!;
    proto[m] = function (this: unknown, ...a: unknown[]) {
      const t = cpu();
      const r = orig.apply(this, a);
      if (r instanceof Promise) return r.finally(() => (spent += cpu() - t));
      spent += cpu() - t;
      return r;
    };
  }
  const embedder = await StaticEmbedder.fromFile(
    '../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt',
  );
  const t0 = cpu();
  const w0 = performance.now();
  const report = await runBench({
    dataset,
    embedder,
    tokenizer,
    cacheDir: '.ragscope-cache/bench-diagnostics',
    maxFailures: Number(flag('--max-failures') ?? 0),
    chunkers: [
      'recursive:200/0:tokens:chroma',
      'recursive:400/0:tokens:chroma',
      'recursive:800/400:tokens:chroma',
      'fixed:200/0:tokens',
      'fixed:400/0:tokens',
      'sentence:200/0:tokens',
      'semantic:p95:max=400:tokens',
      'cluster:200:tokens',
    ],
    retrievers: ['bm25', 'dense', 'hybrid'],
  });
  const wall = performance.now() - w0;
  const total = cpu() - t0;
  console.log(
    `${report.configs.length} configurations: ${(wall / 1000).toFixed(1)} s wall, ${(total / 1000).toFixed(1)} s CPU; ` +
      `BenchInsights ${(spent / 1000).toFixed(2)} s CPU (${((100 * spent) / total).toFixed(1)}% of the run)` +
      (report.causeSummary
        ? `; why-not ${(report.causeSummary.ms / 1000).toFixed(1)} s wall (${((100 * report.causeSummary.ms) / wall).toFixed(1)}% of the run) for ${report.causeSummary.diagnosed} of ${report.causeSummary.failures} failures`
        : ''),
  );
}
