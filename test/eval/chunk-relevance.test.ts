import { describe, expect, it } from 'vitest';
import { chunkGrades, chunkSpanOverlap, docRunFromChunks, ndcgAt } from '../../src/eval/index.js';

describe('chunk -> document helpers', () => {
  it('max-pools chunk hits into a document run at first-occurrence rank', () => {
    const run = docRunFromChunks([
      { docId: 'a', score: 0.5 },
      { docId: 'b', score: 0.8 },
      { docId: 'a', score: 0.9 },
      { docId: 'c', score: 0.1 },
    ]);
    expect(run).toEqual({ docIds: ['a', 'b', 'c'], scores: [0.9, 0.8, 0.1], firstChunkRank: [1, 2, 4] });
    expect(docRunFromChunks([{ docId: 'a' }, { docId: 'b' }, { docId: 'c' }], 2).docIds).toEqual(['a', 'b']);
    expect(Number.isNaN(docRunFromChunks([{ docId: 'a' }]).scores[0])).toBe(true);
    // the document run feeds document metrics
    expect(ndcgAt(run.docIds, { b: 1 }, 10)).toBeCloseTo(1 / Math.log2(3), 12);
    expect(() => docRunFromChunks([{ docId: 'a' }], 0)).toThrow(/k must be a positive integer/);
    expect(() => docRunFromChunks([{ id: 'a' } as unknown as { docId: string }])).toThrow(/hits\[0\]\.docId/);
  });

  it('grades chunks by their document and measures gold overlap per chunk', () => {
    expect(chunkGrades([{ docId: 'a' }, { docId: 'b' }], { a: 2 })).toEqual([2, 0]);
    const chunks = [
      { docId: 'd', start: 0, end: 10 },
      { docId: 'd', start: 10, end: 20 },
      { docId: 'e', start: 0, end: 10 },
    ];
    const gold = [
      { docId: 'd', start: 8, end: 12 },
      { docId: 'd', start: 9, end: 11 },
    ];
    expect(chunkSpanOverlap(chunks, gold)).toEqual([2, 2, 0]);
  });
});
