import path from 'node:path';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { runBench } from '../../src/eval/bench.js';
import { loadJsonl } from '../../src/eval/datasets/jsonl.js';
import type { BenchReport, ConfigResult, RetrieverKind } from '../../src/report/index.js';

/** A real bench run on examples/ (hashing embedder, two chunkers, the default retrievers). */
export async function examplesReport(): Promise<BenchReport> {
  const examples = path.resolve(__dirname, '../../examples');
  const dataset = await loadJsonl(path.join(examples, 'questions.jsonl'), {
    corpus: path.join(examples, 'corpus'),
  });
  return runBench({
    dataset,
    embedder: new HashingEmbedder(),
    chunkers: ['recursive:400/0', 'sentence:400/1'],
    cacheDir: false,
    iterations: 1000,
  });
}

/** Markup that must never run when a report is opened (test fixture). */
export const XSS_SCRIPT = '<script>window.__pwned=1</script>';
export const XSS_IMG = '<img src=x onerror="window.__pwned=2">';

/**
 * A hand-made FIXTURE report (not real benchmark output): 3 chunkers x 2 retrievers, 8 questions, with
 * deterministic scores, comparisons, failures with why-not causes and their summary, a gate and a fallback warning. With
 * `hostile`, user-derived strings carry script/onerror markup.
 */
export function fixtureReport(hostile = false): BenchReport {
  const evil = hostile ? ` ${XSS_SCRIPT} ${XSS_IMG}` : '';
  const chunkers = ['recursive:400/0', 'fixed:200/0', hostile ? `sentence${XSS_IMG}` : 'sentence:3'];
  const retrievers: RetrieverKind[] = ['bm25', 'hybrid'];
  const configs: ConfigResult[] = [];
  chunkers.forEach((chunker, ci) => {
    retrievers.forEach((retriever, ri) => {
      const base = 0.5 + 0.1 * ci + 0.15 * ri;
      configs.push({
        id: `${chunker} + ${retriever}`,
        chunker,
        retriever,
        chunkStats: {
          count: 100 + 20 * ci,
          meanChars: 380 - 60 * ci,
          meanTokens: 90 - 10 * ci,
          sizeHistogram: {
            unit: 'chars',
            bins: [0, 100, 200, 300, 400].map((from, bi) => ({
              from,
              to: from + 100,
              count: 5 + ((bi + ci) % 4) * 10,
            })),
          },
        },
        metrics: {
          'recall@5': Math.min(1, base),
          'iou@5': base / 5,
          'ndcg_cut@10': ci === 1 && ri === 0 ? Number.NaN : base * 0.9,
        },
        timings: { chunkMs: 10 + ci, embedMs: ri === 0 ? 0 : 300, indexMs: 4, searchMs: 20 + ci },
      });
    });
  });
  const perQuery = Array.from({ length: 8 }, (_, qi) => ({
    questionId: `q${qi + 1}`,
    question: qi === 0 ? `What does the refund policy say?${evil}` : `Question number ${qi + 1}?`,
    scores: Object.fromEntries(
      configs.map((c, k) => [
        c.id,
        { 'recall@5': (qi + k) % 3 === 0 ? 0 : 1, 'iou@5': ((qi * 7 + k * 3) % 10) / 10, 'ndcg_cut@10': 0.5 },
      ]),
    ),
  }));
  return {
    version: 1,
    title: `Fixture benchmark${evil}`,
    createdAt: '2025-01-02T03:04:05.000Z',
    tool: { name: 'ragscope', version: '0.1.0' },
    warnings: [
      'EMBEDDER FALLBACK: the default transformers model could not be loaded (offline); using the hashing embedder',
      ...(hostile ? [`warning with markup${evil}`] : []),
    ],
    dataset: { name: `fixture-corpus${evil}`, documents: 5, questions: perQuery.length },
    embedder: { id: 'hashing:256', dimensions: 256, fallback: true },
    configs,
    perQuery,
    comparisons: [
      {
        a: configs[1]!.id,
        b: configs[0]!.id,
        metric: 'recall@5',
        wins: 4,
        losses: 1,
        ties: 3,
        pValue: 0.0312,
      },
      {
        a: configs[5]!.id,
        b: configs[4]!.id,
        metric: 'recall@5',
        wins: 2,
        losses: 2,
        ties: 4,
        pValue: 0.0004,
      },
    ],
    failures: [
      {
        configId: configs[0]!.id,
        questionId: 'q1',
        question: perQuery[0]!.question,
        causes: [
          {
            cause: 'split-across-chunks',
            sentence: `The gold span "Refunds take 5 days.${evil}" was cut between chunks 3 and 4.`,
            fix: 'Use overlap or a sentence-aware chunker.',
          },
          {
            cause: 'below-cutoff',
            sentence: 'The best gold chunk ranked 9th, below k=5.',
            fix: 'Try hybrid.',
          },
        ],
      },
      { configId: configs[2]!.id, questionId: 'q4', question: perQuery[3]!.question, causes: [] },
    ],
    gate: { expr: 'recall@5=0.8', passed: false },
    causeSummary: {
      failures: 2,
      diagnosed: 2,
      withCause: 1,
      ms: 12,
      byCause: [{ cause: 'split-across-chunks', count: 1, decisive: 1, fix: `Use overlap.${evil}` }],
      topFix: { cause: 'split-across-chunks', fix: `Use overlap.${evil}`, rescued: 1 },
    },
  };
}
