import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import type { Embedder, EmbedOptions } from '../../src/embedders/types.js';
import { type BenchOptions, runBench } from '../../src/eval/bench.js';
import { loadJsonl } from '../../src/eval/datasets/jsonl.js';
import { evaluateSpans } from '../../src/eval/metrics/evaluate-spans.js';
import type { EvalDataset } from '../../src/eval/types.js';
import { renderHtml } from '../../src/report/html.js';
import { renderTerminal } from '../../src/report/terminal.js';
import type { BenchReport } from '../../src/report/types.js';
import { validateReport } from '../../src/report/validate.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';

const EXAMPLES = path.resolve(__dirname, '../../examples');

/** Counts the texts that reach the real embedder (i.e. were not served by the cache). */
class CountingEmbedder implements Embedder {
  readonly inner = new HashingEmbedder();
  texts = 0;
  get id() {
    return this.inner.id;
  }
  get dimensions() {
    return this.inner.dimensions;
  }
  async embed(texts: string[], options?: EmbedOptions) {
    this.texts += texts.length;
    return this.inner.embed(texts, options);
  }
}

let dataset: EvalDataset;
let cacheDir: string;
let first: BenchReport;
let firstEmbedded: number;
const CHUNKERS = ['recursive:400/0', 'sentence:400/1'];

beforeAll(async () => {
  dataset = await loadJsonl(path.join(EXAMPLES, 'questions.jsonl'), {
    corpus: path.join(EXAMPLES, 'corpus'),
  });
  cacheDir = mkdtempSync(path.join(tmpdir(), 'ragscope-bench-'));
  const embedder = new CountingEmbedder();
  first = await runBench({ dataset, embedder, chunkers: CHUNKERS, cacheDir, iterations: 2000 });
  firstEmbedded = embedder.texts;
});

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('runBench on the examples corpus (hashing embedder)', () => {
  it('produces a valid report with every configuration scored on the span metrics at k = 5', () => {
    expect(() => validateReport(first)).not.toThrow();
    expect(first.configs.map((c) => c.id)).toEqual([
      'recursive:400/0 + bm25',
      'recursive:400/0 + dense',
      'recursive:400/0 + hybrid',
      'sentence:400/1 + bm25',
      'sentence:400/1 + dense',
      'sentence:400/1 + hybrid',
    ]);
    for (const c of first.configs) {
      expect(Object.keys(c.metrics)).toEqual(['recall@5', 'precision@5', 'iou@5', 'precision_omega@5']);
      for (const v of Object.values(c.metrics)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      const binned = c.chunkStats.sizeHistogram.bins.reduce((s, b) => s + b.count, 0);
      expect(binned).toBe(c.chunkStats.count);
    }
    expect(first.dataset).toEqual({ name: dataset.name, documents: 7, questions: 35 });
    expect(first.perQuery).toHaveLength(35);
    expect(first.comparisons).toHaveLength(first.configs.length - 1);
    expect(first.embedder.fallback).toBeUndefined();
  });

  it('scores each retriever as a separate single-retriever search would (the trace trick is exact)', async () => {
    const docs = dataset.documents;
    for (const [retriever, config] of [
      ['bm25', { bm25: {}, vector: false as const }],
      [
        'dense',
        { bm25: false as const, embedder: new HashingEmbedder(), vector: { index: 'exact' as const } },
      ],
      ['hybrid', { embedder: new HashingEmbedder(), vector: { index: 'exact' as const } }],
    ] as const) {
      const p = new RetrievalPipeline({ chunker: 'recursive:400/0', ...config });
      await p.addDocuments(docs);
      const run: Record<string, ReturnType<RetrievalPipeline['getChunk']>[]> = {};
      for (const q of dataset.questions)
        run[q.id] = (await p.search(q.text, { k: 5 })).hits.map((h) => h.chunk);
      const all = p.chunkIds().map((id) => p.getChunk(id)!);
      const expected = evaluateSpans(dataset.questions, run as never, all).summary;
      const got = first.configs.find((c) => c.id === `recursive:400/0 + ${retriever}`)!.metrics;
      expect(got['recall@5']).toBeCloseTo(expected.recall.mean, 12);
      expect(got['iou@5']).toBeCloseTo(expected.iou.mean, 12);
      expect(got['precision_omega@5']).toBeCloseTo(expected.precisionOmega.mean, 12);
    }
  });

  it('records failing questions (recall < 1) with why-not causes', () => {
    const failures = first.failures ?? [];
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      const scores = first.perQuery.find((q) => q.questionId === f.questionId)!.scores[f.configId]!;
      expect(scores['recall@5']).toBeLessThan(1);
    }
    expect(failures.some((f) => f.causes.length > 0 && f.causes[0]!.sentence.length > 0)).toBe(true);
  });

  it('embeds nothing new on a second run with the same cache folder', async () => {
    expect(firstEmbedded).toBeGreaterThan(0);
    const again = new CountingEmbedder();
    const second = await runBench({
      dataset,
      embedder: again,
      chunkers: CHUNKERS,
      cacheDir,
      iterations: 2000,
    });
    expect(again.texts).toBe(0);
    expect(second.configs.map((c) => c.metrics)).toEqual(first.configs.map((c) => c.metrics));
  });

  it('fills the gate: passed when reachable, failed with the offending configurations otherwise', async () => {
    const base: BenchOptions = {
      dataset,
      embedder: new HashingEmbedder(),
      chunkers: ['recursive:400/0'],
      retrievers: ['bm25'],
      cacheDir,
      maxFailures: 0,
    };
    const ok = await runBench({ ...base, failUnder: ['recall@5=0.1'] });
    expect(ok.gate).toEqual({ expr: 'recall@5=0.1', passed: true });
    const bad = await runBench({ ...base, failUnder: ['recall@5=0.99', { metric: 'iou@5', value: 0 }] });
    expect(bad.gate).toEqual({ expr: 'recall@5=0.99, iou@5=0', passed: false });
    expect(bad.warnings.join('\n')).toMatch(
      /GATE FAILED.*recursive:400\/0 \+ bm25: recall@5 = 0\.\d+ < 0\.99/,
    );
  });

  it('marks a fallback embedder in the report header', async () => {
    const r = await runBench({
      dataset,
      embedder: new HashingEmbedder(),
      embedderFallback: 'EMBEDDER FALLBACK: test',
      chunkers: ['recursive:400/0'],
      retrievers: ['dense'],
      cacheDir,
      maxFailures: 0,
    });
    expect(r.embedder.fallback).toBe(true);
    expect(r.warnings[0]).toBe('EMBEDDER FALLBACK: test');
  });

  it('scores document-level metrics at k = 10 in docs mode', async () => {
    const r = await runBench({
      dataset,
      embedder: new HashingEmbedder(),
      mode: 'docs',
      chunkers: ['recursive:400/0'],
      retrievers: ['bm25', 'hybrid'],
      cacheDir,
      maxFailures: 0,
    });
    expect(Object.keys(r.configs[0]!.metrics)).toEqual([
      'ndcg_cut@10',
      'recall@10',
      'P@10',
      'recip_rank',
      'map',
      'success@10',
    ]);
    // 7 documents, so the top 10 holds every document: recall@10 and success@10 are 1 for every question and
    // P@10 (trec_eval divides by 10, not by the 7 retrieved) is the mean number of relevant documents / 10.
    const relevant = dataset.questions.map((q) => Object.values(q.relevantDocs!).filter((g) => g > 0).length);
    const meanP = relevant.reduce((a, b) => a + b, 0) / relevant.length / 10;
    for (const c of r.configs) {
      expect(c.metrics['recall@10']).toBe(1);
      expect(c.metrics['success@10']).toBe(1);
      expect(c.metrics['P@10']).toBeCloseTo(meanP, 12);
    }
  });

  it('samples questions reproducibly with maxQuestions and seed', async () => {
    const opts: BenchOptions = {
      dataset,
      embedder: new HashingEmbedder(),
      chunkers: ['recursive:400/0'],
      retrievers: ['bm25'],
      cacheDir,
      maxFailures: 0,
      maxQuestions: 10,
    };
    const a = await runBench({ ...opts, seed: 7 });
    const b = await runBench({ ...opts, seed: 7 });
    const c = await runBench({ ...opts, seed: 8 });
    expect(a.perQuery.map((q) => q.questionId)).toEqual(b.perQuery.map((q) => q.questionId));
    expect(a.perQuery).toHaveLength(10);
    expect(c.perQuery.map((q) => q.questionId)).not.toEqual(a.perQuery.map((q) => q.questionId));
  });

  it('rejects bad options before doing any work', async () => {
    const e = new HashingEmbedder();
    await expect(runBench({ dataset, embedder: e, failUnder: ['ndcg@10=0.5'] })).rejects.toThrow(
      /recall@5.*ndcg@10=0\.5/,
    );
    await expect(runBench({ dataset, embedder: e, retrievers: ['hybrid+rerank'] })).rejects.toThrow(
      /reranker/,
    );
    await expect(runBench({ dataset, chunkers: ['recursive:400/0'] })).rejects.toThrow(/embedder/);
    await expect(runBench({ dataset, embedder: e, chunkers: ['nope:1'] })).rejects.toBeInstanceOf(
      RagscopeError,
    );
    await expect(runBench({ dataset, embedder: e, failUnder: ['recall@5'] })).rejects.toThrow(
      /<metric>=<number>/,
    );
  });
});

describe('runBench report diagnostics on the examples corpus (hashing embedder)', () => {
  it('marks the configurations a paired test cannot separate from the best, in JSON, terminal and HTML', () => {
    const t = first.tiedWithBest!;
    const best = first.configs.reduce((a, c) => (c.metrics['recall@5']! > a.metrics['recall@5']! ? c : a));
    expect(t.best).toBe(best.id);
    expect(t.ids).toEqual(first.comparisons!.filter((c) => c.pValue >= 0.05).map((c) => c.a));
    expect(t.ids.length).toBeGreaterThan(0);
    const text = renderTerminal(first);
    for (const c of first.configs) expect(text.includes(`${c.id} =`)).toBe(t.ids.includes(c.id));
    expect(text).toContain('= statistically tied with the best (paired test p >= 0.05)');
    expect(renderHtml(first).split('tied with best</span>').length - 1).toBe(t.ids.length);
  });

  it('gives every configuration a question-level abstention that matches its per-query scores', () => {
    expect(first.diagnostics!.map((d) => d.configId)).toEqual(first.configs.map((c) => c.id));
    for (const d of first.diagnostics!) {
      const a = d.abstention!;
      const answerable = first.perQuery.filter((q) => q.scores[d.configId]!['recall@5']! > 0).length;
      expect(a.answerable).toBe(answerable);
      expect(a.answerable + a.unanswerable).toBe(35);
      expect(a.score).toBe({ bm25: 'bm25', dense: 'vector', hybrid: 'fusion' }[d.configId.split(' + ')[1]!]);
      expect(d.rerank).toBeUndefined();
    }
  });

  it('measures each fusion choice by replaying the traces: a replayed choice equals the same choice run for real', async () => {
    const zscore = await runBench({
      dataset,
      embedder: new HashingEmbedder(),
      chunkers: CHUNKERS,
      cacheDir,
      iterations: 500,
      maxFailures: 0,
      fusion: { method: 'weighted', normalization: 'zscore' },
      retrievers: ['hybrid'],
    });
    for (const chunker of CHUNKERS) {
      const rrfRun = first.triage!.effects.find((e) => e.chunker === chunker)!.values;
      const zRun = zscore.triage!.effects.find((e) => e.chunker === chunker)!.values;
      const hybrid = (r: BenchReport) =>
        r.configs.find((c) => c.id === `${chunker} + hybrid`)!.metrics['recall@5'];
      // Configured RRF in the first run (recorded) = RRF replayed in the z-score run, and the other way round.
      expect(zRun['hybrid rrf k=60']).toBeCloseTo(hybrid(first)!, 12);
      // BM25 and dense were not benchmarked in this run: their lists are scored from the hybrid search's trace.
      const m = (r: string) => first.configs.find((c) => c.id === `${chunker} + ${r}`)!.metrics['recall@5']!;
      expect(zRun.bm25).toBeCloseTo(m('bm25'), 12);
      expect(zRun.dense).toBeCloseTo(m('dense'), 12);
      expect(rrfRun['hybrid weighted zscore']).toBeCloseTo(hybrid(zscore)!, 12);
      expect(Object.keys(zRun)).toEqual([
        'bm25',
        'dense',
        'hybrid weighted zscore',
        'hybrid rrf k=60',
        'hybrid weighted minmax',
      ]);
    }
  });

  it('leaves the cause summary out when diagnosis is off (maxFailures 0), and keeps the rest', async () => {
    const off = await runBench({
      dataset,
      embedder: new HashingEmbedder(),
      chunkers: CHUNKERS,
      cacheDir,
      iterations: 500,
      maxFailures: 0,
    });
    expect(off.causeSummary).toBeUndefined();
    expect(off.failures).toEqual([]);
    expect(off.diagnostics).toHaveLength(6);
    expect(renderTerminal(off)).not.toContain('FAILURES BY CAUSE');
    expect(first.causeSummary!.diagnosed).toBe(first.failures!.length);
    expect(renderTerminal(first)).toContain('FAILURES BY CAUSE');
  });
});
