import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createChunker } from '../../src/chunkers/spec.js';
import { TransformersEmbedder } from '../../src/embedders/transformers.js';
import { runBench } from '../../src/eval/bench.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import type { EvalDataset } from '../../src/eval/types.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderTerminal } from '../../src/report/terminal.js';
import type { BenchReport } from '../../src/report/types.js';
import { validateReport } from '../../src/report/validate.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { CrossEncoderReranker } from '../../src/search/rerank/cross-encoder.js';

const SHARED = path.resolve(__dirname, '../../../shared');
const MODELS = path.join(SHARED, 'models');
const CHROMA = path.join(SHARED, 'data/chroma');
const CORPORA = new Set(['state_of_the_union', 'chatlogs']);
const SMALL = 'recursive:400/0';
/** Chunks of ~3,000 characters: several exceed GloVe-transformers' 512-token limit. */
const BIG = 'recursive:3000/0';

let dataset: EvalDataset;
let embedder: TransformersEmbedder;
let reranker: CrossEncoderReranker;
let report: BenchReport;

beforeAll(async () => {
  for (const p of [
    CHROMA,
    path.join(MODELS, 'glove-6B-50d-10k'),
    path.join(MODELS, 'glove-6B-50d-10k-pair-cosine'),
  ]) {
    if (!existsSync(p)) throw new Error(`shared data missing: ${p} (see ../shared/*/README.md)`);
  }
  const all = await loadChromaSpans(CHROMA);
  dataset = {
    ...all,
    documents: all.documents.filter((d) => CORPORA.has(d.id)),
    questions: all.questions.filter((q) => q.spans?.every((s) => CORPORA.has(s.docId))),
  };
  embedder = await TransformersEmbedder.create({
    model: 'glove-6B-50d-10k',
    localModelPath: MODELS,
    allowRemoteModels: false,
    dtype: 'fp32',
    pooling: 'mean',
  });
  reranker = new CrossEncoderReranker({
    model: 'glove-6B-50d-10k-pair-cosine',
    localModelPath: MODELS,
    allowRemoteModels: false,
  });
  report = await runBench({
    dataset,
    embedder,
    reranker,
    chunkers: [SMALL, BIG],
    retrievers: ['bm25', 'dense', 'hybrid', 'hybrid+rerank'],
    cacheDir: false,
    iterations: 2000,
    maxFailures: 15,
  });
}, 240_000);

describe('runBench diagnostics on two Chroma corpora (GloVe transformers embedder, 512-token limit)', () => {
  it('evaluates the 132 questions of the two corpora and writes a report that validates after a JSON round trip', () => {
    expect(report.dataset.questions).toBe(132);
    expect(() => validateReport(JSON.parse(renderJson(report)))).not.toThrow();
  });

  it('warns about chunks over the embedder token limit, per chunker, with a recounted example', async () => {
    const big = report.truncation?.find((t) => t.chunker === BIG);
    expect(big).toBeDefined();
    expect(report.truncation?.some((t) => t.chunker === SMALL)).toBe(false);
    expect(big!.maxTokens).toBe(512);
    expect(big!.over).toBeGreaterThan(0);
    // The example is the longest chunk, and the embedder's own tokenizer agrees it is over the limit.
    const doc = dataset.documents.find((d) => d.id === big!.example.docId)!;
    const chunk = (await createChunker(BIG).chunk(doc)).find((c) => c.id === big!.example.chunkId)!;
    const counted = await embedder.countTokens(chunk.text);
    expect(counted).toBe(big!.longest);
    expect(counted).toBeGreaterThan(510);
    const warning = report.warnings.find((w) =>
      w.startsWith(`${BIG}: ${big!.over} of ${big!.chunks} chunks`),
    );
    expect(warning).toContain('512-token limit');
    expect(warning).toContain(big!.example.chunkId);
  });

  it('says FIRST that dense is much weaker than BM25, with each fusion choice measured in the same run', () => {
    const t = report.triage!;
    expect(t.weak?.retriever).toBe('dense');
    expect(t.findings[0]).toMatch(/^dense is much weaker than bm25 on these 132 questions: recall@5/);
    for (const e of t.effects) {
      const m = (r: string) =>
        report.configs.find((c) => c.id === `${e.chunker} + ${r}`)!.metrics['recall@5']!;
      // The retriever and configured-fusion columns are the configurations' own metrics (the replayed choices are
      // checked against recorded ones in bench.test.ts).
      expect(e.values.bm25).toBeCloseTo(m('bm25'), 12);
      expect(e.values.dense).toBeCloseTo(m('dense'), 12);
      expect(e.values['hybrid rrf k=60']).toBeCloseTo(m('hybrid'), 12);
      expect(Object.keys(e.values)).toEqual([
        'bm25',
        'dense',
        'hybrid rrf k=60',
        'hybrid weighted minmax',
        'hybrid weighted zscore',
      ]);
    }
    const text = renderTerminal(report);
    const findings = text.indexOf('FINDINGS');
    expect(findings).toBeGreaterThan(0);
    expect(findings).toBeLessThan(text.indexOf('FAILURES BY CAUSE'));
    expect(text.indexOf('FAILURES BY CAUSE')).toBeLessThan(text.indexOf('Mean chars'));
    expect(text).toContain('dense is much weaker than bm25');
  });

  it('summarises failures by first why-not cause, with the fix that rescued most of them', () => {
    const s = report.causeSummary!;
    const failing = report.configs.reduce(
      (n, c) => n + report.perQuery.filter((q) => q.scores[c.id]!['recall@5']! < 1).length,
      0,
    );
    expect(s.failures).toBe(failing);
    expect(s.diagnosed).toBe(report.failures!.length);
    const firsts = report.failures!.map((f) => f.causes[0]).filter((c) => c !== undefined);
    expect(s.withCause).toBe(firsts.length);
    expect(s.byCause.reduce((n, c) => n + c.count, 0)).toBe(s.withCause);
    for (const row of s.byCause) {
      expect(row.count).toBe(firsts.filter((c) => c.cause === row.cause).length);
      expect(row.decisive).toBe(firsts.filter((c) => c.cause === row.cause && c.decisive === true).length);
    }
    const maxDecisive = Math.max(...s.byCause.map((c) => c.decisive));
    expect(maxDecisive).toBeGreaterThan(0);
    expect(s.topFix?.rescued).toBe(maxDecisive);
    expect(s.ms).toBeGreaterThan(0);
    const html = renderHtml(report);
    expect(html.indexOf('id="findings"')).toBeLessThan(html.indexOf('id="summary"'));
    expect(html).toContain('id="cause-summary"');
    expect(html).toContain(`The fix that rescued most: ${s.topFix!.cause}`);
  });

  it('counts re-ranker helped/hurt per configuration, agreeing with the hits ledger of a fresh search', async () => {
    const d = report.diagnostics!.find((x) => x.configId === `${SMALL} + hybrid+rerank`)!.rerank!;
    expect(d.helped + d.hurt + d.unchanged + d.outside).toBe(132);
    const pipeline = new RetrievalPipeline({
      chunker: SMALL,
      embedder,
      vector: { index: 'exact' },
      reranker,
    });
    await pipeline.addDocuments(dataset.documents);
    let helped = 0;
    let hurt = 0;
    for (const q of dataset.questions) {
      // The ledger of each re-ranked hit has its rank before and after re-ranking.
      const { hits } = await pipeline.search(q.text, { k: 20 });
      const gold = hits.filter((h) =>
        q.spans!.some((s) => s.docId === h.chunk.docId && s.start < h.chunk.end && h.chunk.start < s.end),
      );
      if (gold.length === 0) continue;
      const before = Math.min(...gold.map((h) => h.ledger.rerank!.rankBefore));
      const after = Math.min(...gold.map((h) => h.ledger.rerank!.rankAfter));
      if (after < before) helped++;
      else if (after > before) hurt++;
    }
    expect({ helped: d.helped, hurt: d.hurt }).toEqual({ helped, hurt });
    expect(d.helped + d.hurt).toBeGreaterThan(0);
  }, 120_000);

  it('evaluates abstention per question, and search({ minScore }) applies the chosen threshold', async () => {
    const id = `${SMALL} + hybrid`;
    const a = report.diagnostics!.find((x) => x.configId === id)!.abstention!;
    const answerable = report.perQuery.filter((q) => q.scores[id]!['recall@5']! > 0).length;
    expect(a.answerable).toBe(answerable);
    expect(a.unanswerable).toBe(132 - answerable);
    expect(a.auroc).toBeGreaterThan(0.5);
    expect(a.auroc).toBeLessThan(1);
    // Replay the rule through the public search option: the questions left with no hit are the flagged ones.
    const pipeline = new RetrievalPipeline({ chunker: SMALL, embedder, vector: { index: 'exact' } });
    await pipeline.addDocuments(dataset.documents);
    let flagged = 0;
    let flaggedRight = 0;
    for (const q of dataset.questions) {
      const { hits } = await pipeline.search(q.text, { k: 5, minScore: a.threshold });
      for (const h of hits) expect(h.score).toBeGreaterThanOrEqual(a.threshold);
      if (hits.length > 0) continue;
      flagged++;
      if (report.perQuery.find((p) => p.questionId === q.id)!.scores[id]!['recall@5'] === 0) flaggedRight++;
    }
    expect(flaggedRight / flagged).toBeCloseTo(a.precision, 12);
    expect(flaggedRight / a.unanswerable).toBeCloseTo(a.recall, 12);
  }, 120_000);
});
