import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundaryReport, explain, replay, sweepReplay, triage, whyNot } from '../../src/diagnostics/index.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import { makePipeline } from './helpers.js';

const docs = [
  { id: 'a', text: 'Refunds take five business days after we receive the item.' },
  { id: 'b', text: 'Shipping is free over fifty dollars; refunds of shipping are not possible.' },
  { id: 'c', text: 'Business days are Monday to Friday.' },
  { id: 'd', text: 'Our store sells garden tools.' },
];

describe('replay', () => {
  it('reproduces the recorded order with no parameters, and survives JSON', async () => {
    const p = await makePipeline(docs);
    const result = await p.search('refunds business days', { k: 3 });
    const saved = JSON.parse(JSON.stringify(result.trace));
    const r = replay(saved);
    expect(r.hits.map((h) => h.chunkId)).toEqual(result.hits.map((h) => h.chunk.id));
    const w = replay(
      saved,
      { method: 'weighted', normalization: 'minmax', weights: { bm25: 1, vector: 0 } },
      'c',
    );
    const bm25Order = saved.stages
      .find((s: { stage: string }) => s.stage === 'bm25')
      .candidates.map((c: { chunkId: string }) => c.chunkId);
    expect(w.candidates.slice(0, bm25Order.length).map((c) => c.chunkId)).toEqual(bm25Order);
    expect(w.expected?.rank).toBe(bm25Order.indexOf(p.chunksOf('c')[0]!.id) + 1);
    expect(() => replay(saved, { k: 0 })).toThrow(/params\.k/);
  });
  it('sweepReplay says which settings retrieve the target', async () => {
    const p = await makePipeline(docs);
    const { trace } = await p.search('refunds business days', { k: 1 });
    const s = sweepReplay(trace, 'c', { rrfK: [60] });
    expect(s.rows.length).toBe(5 * (1 + 3 * 2));
    for (const row of s.rows) expect(row.retrieved).toBe(row.rank === 1);
    for (const row of s.retrieving) expect(row.rank).toBe(1);
    expect(s.sentence).toMatch(/setting/);
    const top = trace.stages.find((x) => x.stage === 'fusion')!.candidates[0]!.docId;
    const t = sweepReplay(trace, top, { rrfK: [60] });
    expect(t.baseline.retrieved).toBe(true);
    expect(t.retrieving.length).toBeGreaterThan(0);
  });
});

describe('explain', () => {
  it('renders the ledger with highlighted terms, plain or ANSI', async () => {
    const p = await makePipeline(docs);
    const result = await p.search('how long do refunds take', { k: 2 });
    const plain = explain(result, 1);
    expect(plain.json.chunkId).toBe(result.hits[0]!.chunk.id);
    expect(plain.json.ledger).toEqual(result.hits[0]!.ledger);
    expect(plain.text).toMatch(/\[Refunds\]/);
    expect(plain.text).toMatch(/BM25: rank \d+, score/);
    expect(plain.text).toMatch(/Fusion \(rrf\)/);
    expect(plain.text).not.toContain('\x1b[');
    const colored = explain(result, result.hits[0]!.chunk.id, { color: true });
    expect(colored.text).toContain('\x1b[1;33mRefunds\x1b[0m');
    expect(() => explain(result, 9)).toThrow(/hit/);
  });
});

describe('triage', () => {
  it('separates retrieval failures (with cause) from retrieved-gold failures', async () => {
    const p = await makePipeline(docs);
    const t = await triage(
      p,
      [
        { id: 'ok', query: 'refunds business days', expected: 'a', correct: true },
        { id: 'gen', query: 'refunds business days', expected: 'a', correct: false },
        { id: 'missing', query: 'refunds', expected: 'zzz', correct: false },
      ],
      { k: 2 },
    );
    expect(t.skippedCorrect).toBe(1);
    expect(t.generationFailures).toBe(1);
    expect(t.retrievalFailures).toBe(1);
    expect(t.byCause).toEqual([{ cause: 'not-in-corpus', count: 1 }]);
    expect(t.verdicts.find((v) => v.id === 'gen')?.category).toBe('generation-failure');
  });
});

describe('on real Chroma data', () => {
  it('fixed-size chunks split more gold spans than recursive ones, and whyNot names the split', async () => {
    const dir = path.resolve(process.cwd(), '../shared/data/chroma');
    const data = await loadChromaSpans(dir).catch((e) => {
      throw new Error(`Chroma data missing at ${dir} (see ../shared/data/README.md): ${e.message}`);
    });
    const docs2 = data.documents.filter((d) => d.id === 'state_of_the_union');
    expect(docs2.length).toBe(1);
    const spans = data.questions
      .flatMap((q) => q.spans ?? [])
      .filter((s) => s.docId === 'state_of_the_union');
    expect(spans.length).toBeGreaterThan(50);
    const fixed = await makePipeline(docs2, { chunker: 'fixed:300/0:chars' });
    const rec = await makePipeline(docs2, { chunker: 'recursive:300/0:chars' });
    const [f, r] = await boundaryReport(
      [
        { name: 'fixed', chunks: fixed.chunksOf('state_of_the_union') },
        { name: 'recursive', chunks: rec.chunksOf('state_of_the_union') },
      ],
      docs2,
      { goldSpans: spans },
    );
    expect(f!.gold!.straddling).toBeGreaterThan(r!.gold!.straddling);
    expect(f!.midSentenceStartShare).toBeGreaterThan(r!.midSentenceStartShare);
    const straddled = f!.gold!.examples[0]!.span;
    const q = data.questions.find((x) =>
      x.spans?.some((s) => s.start === straddled.start && s.docId === straddled.docId),
    )!;
    const report = await whyNot(fixed, q.text, straddled, { k: 5 });
    expect(report.retrieved).toBe(false);
    expect(report.causes[0]?.cause).toBe('split-by-chunking');
  });
});
