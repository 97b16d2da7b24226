import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FixedChunker } from '../../src/chunkers/fixed.js';
import { SentenceChunker } from '../../src/chunkers/sentence.js';
import type { Chunk } from '../../src/core/document.js';
import { makeChunk } from '../../src/core/document.js';
import { boundaryReport, calibration, corpusHealth, tokenBudgetReport } from '../../src/diagnostics/index.js';
import { truncationOffset } from '../../src/diagnostics/tokens.js';
import type { SearchResult } from '../../src/search/types.js';
import { countWords } from './words.js';

const doc = {
  id: 'd',
  text: 'The cat sat on the mat. It was warm there. The dog barked twice at noon. Then everyone slept soundly.',
};

describe('boundaryReport', () => {
  it('measures mid-sentence boundaries, sizes, overlap and straddling gold spans', async () => {
    const fixed = new FixedChunker({ size: 30, overlap: 5 }).chunkSync(doc);
    const sentence = new SentenceChunker({ size: 50 }).chunkSync(doc);
    const gold = { docId: 'd', start: doc.text.indexOf('The dog'), end: doc.text.indexOf(' Then') };
    const [f, s] = await boundaryReport(
      [
        { name: 'fixed', chunks: fixed, configuredOverlapChars: 5 },
        { name: 'sentence', chunks: sentence },
      ],
      [doc],
      { goldSpans: [gold], countTokens: countWords },
    );
    expect(f!.midSentenceStartShare).toBeGreaterThan(0.5);
    expect(s!.midSentenceStartShare).toBe(0);
    expect(s!.midSentenceEndShare).toBe(0);
    expect(f!.overlapChars.p50).toBe(5);
    expect(f!.sizeChars.max).toBeLessThanOrEqual(30);
    expect(f!.sizeTokens?.count).toBe(fixed.length);
    expect(f!.gold?.straddling).toBe(1);
    const pieces = f!.gold!.examples[0]!.pieces;
    expect(pieces.reduce((sum, p) => sum + p.fraction, 0)).toBeGreaterThanOrEqual(1 - 1e-9);
    expect(s!.gold?.straddling).toBe(0);
  });
  it('rejects chunks of unknown documents', async () => {
    const c = makeChunk({ id: 'other', text: 'x' }, 0, 0, 1);
    await expect(boundaryReport([{ name: 'x', chunks: [c] }], [doc])).rejects.toThrow(/docId/);
  });
});

describe('tokenBudgetReport', () => {
  it('lists chunks over each budget with the dropped tail', async () => {
    const d = { id: 'd', text: 'one two three four five six seven eight nine ten' };
    const chunks = [makeChunk(d, 0, 0, d.text.length), makeChunk(d, 1, 0, 13)];
    const r = await tokenBudgetReport(chunks, {
      embedderMaxTokens: 4,
      rerankerMaxTokens: 8,
      countTokens: countWords,
    });
    expect(r.embedder?.over).toBe(1);
    expect(r.embedder?.examples[0]?.droppedPreview.trim().startsWith('five')).toBe(true);
    expect(r.reranker?.examples[0]?.droppedPreview.trim()).toBe('nine ten');
    await expect(tokenBudgetReport(chunks, { countTokens: 3 as never })).rejects.toThrow(/countTokens/);
  });
  it('property: the kept prefix fits the budget and the cut never grows with a smaller budget', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 20 }),
        async (words, max) => {
          const text = words.join(' ');
          const cut = await truncationOffset(text, max, countWords);
          expect(countWords(text.slice(0, cut))).toBeLessThanOrEqual(max);
          const cut2 = await truncationOffset(text, Math.max(1, max - 1), countWords);
          expect(cut2).toBeLessThanOrEqual(cut);
          if (countWords(text) <= max) expect(cut).toBe(text.length);
        },
      ),
    );
  });
});

function fakeResult(ids: string[], chunks: Map<string, Chunk>): SearchResult {
  return {
    hits: ids.map((id, i) => ({
      chunk: chunks.get(id)!,
      score: 1 / (i + 1),
      rank: i + 1,
      ledger: { bm25: null, vector: null, fusion: null, rerank: null },
    })),
    trace: { version: 1, query: 'q', k: ids.length, stages: [] },
  };
}

describe('corpusHealth', () => {
  it('finds hubs, near-duplicates, never-retrieved, empty and tiny chunks', () => {
    const texts = [
      'Cookie notice: we use cookies to improve the site and remember your settings.',
      'Cookie notice: we use cookies to improve the site and remember your settings!',
      'Refunds take five business days after the item arrives back at the warehouse.',
      'Ok.',
      '   ',
      'Shipping is free for orders above fifty dollars within the country.',
    ];
    const d = { id: 'd', text: texts.join('\n') };
    let pos = 0;
    const chunks = texts.map((t, i) => {
      const c = makeChunk(d, i, pos, pos + t.length);
      pos += t.length + 1;
      return c;
    });
    const byId = new Map(chunks.map((c) => [c.id, c]));
    const ids = chunks.map((c) => c.id);
    const results = [
      fakeResult([ids[0]!, ids[2]!], byId),
      fakeResult([ids[0]!, ids[5]!], byId),
      fakeResult([ids[0]!, ids[2]!], byId),
    ];
    const h = corpusHealth(results, chunks, { k: 2, hubShare: 0.9, tinyChars: 5 });
    expect(h.hubs.map((x) => x.chunkId)).toEqual([ids[0]]);
    expect(h.hubs[0]?.share).toBe(1);
    expect(h.nearDuplicates.pairs).toBe(1);
    expect(h.nearDuplicates.examples[0]).toMatchObject({ a: ids[0], b: ids[1], jaccard: 1 });
    expect(h.neverRetrieved.count).toBe(3);
    expect(h.empty).toEqual([ids[4]]);
    expect(h.tiny).toEqual([ids[3]]);
  });
});

describe('calibration', () => {
  it('describes relevant vs non-relevant scores and picks the max-F1 threshold', () => {
    const labelled = [
      ...[0.9, 0.8, 0.7, 0.4].map((score) => ({ stage: 'vector', score, relevant: true })),
      ...[0.6, 0.3, 0.2, 0.1].map((score) => ({ stage: 'vector', score, relevant: false })),
    ];
    const [c] = calibration(labelled);
    expect(c!.relevant.p50).toBeCloseTo(0.75, 10);
    expect(c!.nonRelevant.max).toBe(0.6);
    // thresholds: 0.7 -> P 1, R .75, F1 .857; 0.4 -> P .8, R 1, F1 .889 (the max)
    expect(c!.suggestion).toMatchObject({ threshold: 0.4, precision: 0.8, recall: 1 });
    expect(c!.suggestion!.f1).toBeCloseTo(8 / 9, 10);
    expect(c!.auc).toBeCloseTo(15 / 16, 10);
    const [p] = calibration(labelled, { criterion: { targetPrecision: 1 } });
    expect(p!.suggestion).toMatchObject({ threshold: 0.7, precision: 1, recall: 0.75 });
    expect(c!.histogram.relevant.reduce((s, b) => s + b.count, 0)).toBe(4);
  });
  it('handles 200k scores (the score range was once spread into Math.max: stack overflow)', () => {
    const n = 200_000;
    const labelled = Array.from({ length: n }, (_, i) => ({
      stage: 'bm25',
      score: (i * 7919) % n,
      relevant: i % 10 === 0,
    }));
    const [c] = calibration(labelled);
    expect(c!.relevant.max).toBe(n - 10);
    expect(c!.nonRelevant.min).toBe(1);
    expect(c!.histogram.relevant.reduce((s, b) => s + b.count, 0)).toBe(n / 10);
  });
  it('rejects bad labels', () => {
    expect(() => calibration([{ stage: 'x', score: Number.NaN, relevant: true }])).toThrow(/score/);
    expect(() => calibration([], { criterion: { targetPrecision: 2 } })).toThrow(/targetPrecision/);
  });
});
