import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CharRange, indexRanges, meanStd, precisionOmega, spanMetrics } from '../../src/eval/index.js';

/*
 * Oracle: a literal transcription of the reference algorithm (chunking_evaluation base_evaluation.py:
 * union_ranges, intersect_two_ranges, difference, _scores_from_dataset_and_retrievals, _full_precision_score)
 * for ONE corpus, used to check that our implementation counts exactly as the reference does.
 */
type R = [number, number];
function unionRanges(ranges: R[]): R[] {
  if (ranges.length === 0) return [];
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: R[] = [[...sorted[0]!]];
  for (const [s, e] of sorted.slice(1)) {
    const last = merged[merged.length - 1]!;
    if (s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}
function intersect(a: R, b: R): R | null {
  const s = Math.max(a[0], b[0]);
  const e = Math.min(a[1], b[1]);
  return s <= e ? [s, e] : null;
}
function difference(ranges: R[], [ts, te]: R): R[] {
  const out: R[] = [];
  for (const [s, e] of ranges) {
    if (e < ts || s > te) out.push([s, e]);
    else if (s < ts && e > te) out.push([s, ts], [te, e]);
    else if (s < ts) out.push([s, ts]);
    else if (e > te) out.push([te, e]);
  }
  return out;
}
const sum = (rs: R[]) => rs.reduce((n, [s, e]) => n + e - s, 0);
function oracleScores(refs: R[], retrieved: R[]) {
  let numerator: R[] = [];
  let unused: R[] = refs.map((r) => [...r] as R);
  for (const c of retrieved) {
    for (const r of refs) {
      const x = intersect(c, r);
      if (x) {
        unused = difference(unused, x);
        numerator = unionRanges([x, ...numerator]);
      }
    }
  }
  const num = sum(numerator);
  const precDen = sum(retrieved);
  return { recall: num / sum(refs), precision: num / precDen, iou: num / (precDen + sum(unused)) };
}
function oracleOmega(refs: R[], chunks: R[]) {
  let numerator: R[] = [];
  let denomChunks: R[] = [];
  let unused: R[] = refs.map((r) => [...r] as R);
  for (const c of chunks) {
    for (const r of refs) {
      const x = intersect(c, r);
      if (x) {
        unused = difference(unused, x);
        numerator = unionRanges([x, ...numerator]);
        denomChunks = unionRanges([c, ...denomChunks]);
      }
    }
  }
  return numerator.length ? sum(numerator) / sum(unionRanges([...denomChunks, ...unused])) : 0;
}

const d = (start: number, end: number, docId = 'd'): CharRange => ({ docId, start, end });

describe('spanMetrics (hand-computed)', () => {
  it('partial coverage, a chunk of another document and the IoU denominator', () => {
    // gold [10,20); chunks [0,15) on d and [0,5) on x: covered 5, Σ|C| 20, uncovered 5
    const s = spanMetrics([d(10, 20)], [d(0, 15), d(0, 5, 'x')]);
    expect(s).toEqual({
      recall: 0.5,
      precision: 0.25,
      iou: 0.2,
      coveredChars: 5,
      goldChars: 10,
      retrievedChars: 20,
    });
  });

  it('overlapping retrieved chunks cover a char once but are paid for twice in Σ|C|', () => {
    // gold [0,10); chunks [0,8) and [4,12): covered 10; Σ|C| = 16
    const s = spanMetrics([d(0, 10)], [d(0, 8), d(4, 12)]);
    expect(s.recall).toBe(1);
    expect(s.precision).toBe(10 / 16);
    expect(s.iou).toBe(10 / 16);
  });

  it('overlapping gold spans are summed in Σ|R| (as the reference), unioned in covered', () => {
    // gold [0,10) and [5,15): Σ|R| = 20; chunk [0,15) covers union = 15 chars
    const s = spanMetrics([d(0, 10), d(5, 15)], [d(0, 15)]);
    expect(s.recall).toBe(15 / 20);
    expect(s.precision).toBe(1);
    expect(s.iou).toBe(15 / 15);
  });

  it('two gold documents, nothing retrieved', () => {
    const s = spanMetrics([d(0, 4), d(0, 6, 'e')], []);
    expect(s).toMatchObject({ recall: 0, precision: 0, iou: 0, goldChars: 10 });
  });

  it('rejects empty gold and malformed ranges', () => {
    expect(() => spanMetrics([], [d(0, 1)])).toThrow(/gold must hold at least one non-empty span/);
    expect(() => spanMetrics([d(5, 2)], [])).toThrow(/gold\[0\]/);
    expect(() => spanMetrics([d(0, 2)], [{ docId: 'd', start: 0.5, end: 2 }])).toThrow(/retrieved\[0\]/);
  });
});

describe('precisionOmega (hand-computed)', () => {
  const chunks = [d(0, 10), d(10, 20), d(20, 30), d(0, 30, 'other')];
  it('uses every chunk touching a gold span, adjacent ones included by default (reference)', () => {
    expect(precisionOmega([d(12, 18)], chunks)).toEqual({ precisionOmega: 0.6, touchingChunks: 1 });
    expect(precisionOmega([d(10, 20)], chunks)).toEqual({ precisionOmega: 10 / 30, touchingChunks: 3 });
    expect(precisionOmega([d(10, 20)], chunks, { adjacentTouches: false })).toEqual({
      precisionOmega: 1,
      touchingChunks: 1,
    });
  });
  it('overlapping chunks are unioned; gold outside every chunk enlarges the denominator', () => {
    // chunks [0,10) and [5,15) touch gold [8,12); gold [40,44) has no chunk
    const s = precisionOmega([d(8, 12), d(40, 44)], [d(0, 10), d(5, 15), d(20, 30)]);
    expect(s.touchingChunks).toBe(2);
    expect(s.precisionOmega).toBe(4 / (15 + 4));
  });
  it('accepts a prebuilt index', () => {
    expect(precisionOmega([d(12, 18)], indexRanges(chunks)).precisionOmega).toBe(0.6);
  });
});

describe('span metrics match the reference algorithm (property)', () => {
  const range = fc
    .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 25 }))
    .map(([s, len]) => [s, s + len] as R);
  it('recall, precision, IoU', () => {
    fc.assert(
      fc.property(
        fc.array(range, { minLength: 1, maxLength: 4 }),
        fc.array(range, { minLength: 1, maxLength: 6 }),
        (refs, ret) => {
          const ours = spanMetrics(
            refs.map(([s, e]) => d(s, e)),
            ret.map(([s, e]) => d(s, e)),
          );
          const ref = oracleScores(refs, ret);
          expect(ours.recall).toBeCloseTo(ref.recall, 12);
          expect(ours.precision).toBeCloseTo(ref.precision, 12);
          expect(ours.iou).toBeCloseTo(ref.iou, 12);
        },
      ),
      { numRuns: 500 },
    );
  });
  it('PrecisionΩ over a tiling chunker (with or without overlap)', () => {
    fc.assert(
      fc.property(
        fc.array(range, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 3, max: 20 }),
        fc.integer({ min: 0, max: 2 }),
        (refs, size, ov) => {
          const overlap = Math.min(ov, size - 1);
          const chunks: R[] = [];
          for (let s = 0; s < 100; s += size - overlap) chunks.push([s, Math.min(100, s + size)]);
          const ours = precisionOmega(
            refs.map(([s, e]) => d(s, e)),
            chunks.map(([s, e]) => d(s, e)),
          );
          expect(ours.precisionOmega).toBeCloseTo(oracleOmega(refs, chunks), 12);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('meanStd', () => {
  it('is the population std (numpy default)', () => {
    expect(meanStd([1, 0, 1, 0])).toEqual({ mean: 0.5, std: 0.5, n: 4 });
    expect(meanStd([2, 4, 4, 4, 5, 5, 7, 9]).std).toBe(2);
    expect(meanStd([])).toEqual({ mean: 0, std: 0, n: 0 });
    expect(() => meanStd([1, Number.NaN])).toThrow(/values\[1\]/);
  });
});
