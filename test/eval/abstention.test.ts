import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { questionAbstention } from '../../src/eval/bench/abstention.js';

/** Pairwise AUROC (ties half) and the best-F1 threshold by brute force over every candidate threshold. */
function brute(rows: Array<{ score: number; answerable: boolean }>) {
  const pos = rows.filter((r) => r.answerable).map((r) => r.score);
  const neg = rows.filter((r) => !r.answerable).map((r) => r.score);
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  let bestF1 = -1;
  for (const t of new Set(rows.map((r) => r.score))) {
    const flagged = rows.filter((r) => r.score < t);
    if (flagged.length === 0) continue;
    const right = flagged.filter((r) => !r.answerable).length;
    const p = right / flagged.length;
    const r = right / neg.length;
    const f1 = p + r > 0 ? (2 * p * r) / (p + r) : 0;
    if (f1 > bestF1) bestF1 = f1;
  }
  return { auroc: wins / (pos.length * neg.length), f1: bestF1 };
}

describe('questionAbstention', () => {
  it('equals pairwise AUROC and the brute-force best F1; its threshold gives the precision and recall it reports', () => {
    const row = fc.record({
      score: fc.integer({ min: -5, max: 5 }).map((x) => x / 2),
      answerable: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 2, maxLength: 40 }), (rows) => {
        const a = questionAbstention('fusion', rows);
        const pos = rows.filter((r) => r.answerable).length;
        expect(a.answerable).toBe(pos);
        expect(a.unanswerable).toBe(rows.length - pos);
        if (pos === 0 || pos === rows.length) {
          expect(Number.isNaN(a.auroc)).toBe(true);
          expect(Number.isNaN(a.threshold)).toBe(true);
          return;
        }
        const b = brute(rows);
        expect(a.auroc).toBeCloseTo(b.auroc, 12);
        if (b.f1 < 0) return; // every score equal: no threshold flags anything
        expect(a.f1).toBeCloseTo(b.f1, 12);
        const flagged = rows.filter((r) => r.score < a.threshold);
        const right = flagged.filter((r) => !r.answerable).length;
        expect(a.precision).toBeCloseTo(right / flagged.length, 12);
        expect(a.recall).toBeCloseTo(right / (rows.length - pos), 12);
      }),
      { numRuns: 300 },
    );
  });

  it('ranks a question with no candidate below every scored one', () => {
    const a = questionAbstention('bm25', [
      { score: null, answerable: false },
      { score: 3, answerable: false },
      { score: 5, answerable: true },
      { score: 7, answerable: true },
    ]);
    expect(a.auroc).toBe(1);
    expect(a.threshold).toBe(5);
    expect([a.precision, a.recall]).toEqual([1, 1]);
  });
});
