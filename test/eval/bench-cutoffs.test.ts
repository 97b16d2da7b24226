import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { type BenchOptions, runBench } from '../../src/eval/bench.js';
import { loadJsonl } from '../../src/eval/datasets/jsonl.js';
import type { EvalDataset } from '../../src/eval/types.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { validateReport } from '../../src/report/validate.js';

const EXAMPLES = path.resolve(__dirname, '../../examples');
let dataset: EvalDataset;
beforeAll(async () => {
  dataset = await loadJsonl(path.join(EXAMPLES, 'questions.jsonl'), {
    corpus: path.join(EXAMPLES, 'corpus'),
  });
});

const base = (): BenchOptions => ({
  dataset,
  chunkers: ['recursive:200/0', 'sentence:300/0'],
  retrievers: ['bm25', 'dense', 'hybrid'],
  embedder: new HashingEmbedder(),
  cacheDir: false,
  maxFailures: 0,
  iterations: 200,
});

const stable = (metrics: Record<string, number>, names: string[]) =>
  Object.fromEntries(names.map((n) => [n, metrics[n]]));

describe('runBench with several cut-offs (k: [3, 10]) in one run', () => {
  it.each(['spans', 'docs'] as const)(
    '%s: every metric at each cut-off equals a single-k run at that cut-off; report valid and shown',
    async (mode) => {
      const [both, at3, at10] = await Promise.all([
        runBench({ ...base(), mode, k: [3, 10] }),
        runBench({ ...base(), mode, k: 3 }),
        runBench({ ...base(), mode, k: 10 }),
      ]);
      const names3 = Object.keys(at3.configs[0]!.metrics);
      const names10 = Object.keys(at10.configs[0]!.metrics);
      expect(Object.keys(both.configs[0]!.metrics)).toEqual([
        ...names3,
        ...names10.filter((n) => !names3.includes(n)),
      ]);
      both.configs.forEach((c, i) => {
        expect(stable(c.metrics, names3)).toEqual(at3.configs[i]!.metrics);
        expect(stable(c.metrics, names10)).toEqual(at10.configs[i]!.metrics);
      });
      // Per-question scores carry both cut-offs; the primary metric (and comparisons) is at the first one.
      expect(Object.keys(Object.values(both.perQuery[0]!.scores)[0]!)).toEqual(
        Object.keys(both.configs[0]!.metrics),
      );
      expect(both.comparisons?.[0]?.metric).toBe(mode === 'spans' ? 'recall@3' : 'ndcg_cut@3');
      expect(() => validateReport(JSON.parse(JSON.stringify(both)))).not.toThrow();
      const table = renderTerminal(both, { width: 200 });
      for (const n of mode === 'spans'
        ? ['recall@3', 'recall@10', 'iou@10']
        : ['ndcg_cut@3', 'ndcg_cut@10']) {
        expect(table).toContain(n);
      }
    },
  );

  it('gates and the primary metric may use any cut-off; failures are judged at the primary metric’s', async () => {
    const r = await runBench({
      ...base(),
      retrievers: ['bm25'],
      k: [1, 10],
      primaryMetric: 'recall@10',
      failUnder: ['recall@1=0', 'recall@10=0.01'],
      maxFailures: 50,
    });
    expect(r.gate).toEqual({ expr: 'recall@1=0, recall@10=0.01', passed: true });
    const single = await runBench({ ...base(), retrievers: ['bm25'], k: 10, maxFailures: 50 });
    expect(r.failures?.map((f) => [f.configId, f.questionId])).toEqual(
      single.failures?.map((f) => [f.configId, f.questionId]),
    );
  });

  it('bad cut-off lists are INVALID_ARGUMENT naming options.k', async () => {
    for (const [k, message] of [
      [[], /^options\.k must be a positive integer or a non-empty list/],
      [[5, 5], /^options\.k must be a list without repeated cut-offs/],
      [[5, 0], /^options\.k\[1\] must be a positive integer, got 0/],
      ['5', /^options\.k must be a positive integer, got "5"/],
    ] as const) {
      const err = await runBench({ ...base(), k: k as never }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RagscopeError);
      expect((err as Error).message).toMatch(message);
    }
  });
});
