import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePairedMany } from '../../src/eval/bench/paired.js';
import { comparePaired } from '../../src/eval/compare.js';

// Scores as the bench has them: many exact ties (recall 1 vs 1, 0 vs 0) among fractional values.
const score = fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true }));

describe('comparePairedMany', () => {
  it('gives comparePaired’s wins, losses, ties and p-value for every run against the same base', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 40 })
          .chain((n) =>
            fc.tuple(
              fc.array(score, { minLength: n, maxLength: n }),
              fc.array(fc.array(score, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 4 }),
            ),
          ),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 300 }),
        ([base, others], seed, iterations) => {
          const got = comparePairedMany(base, others, { seed, iterations });
          const want = others.map((o) => {
            const r = comparePaired(base, o, { seed, iterations });
            return { wins: r.wins, losses: r.losses, ties: r.ties, pValue: r.pValue };
          });
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('agrees on a bench-sized case with a small real difference (p well below 1)', () => {
    const n = 472;
    const base = Array.from({ length: n }, (_, i) => ((i * 7919) % 101) / 100);
    const other = base.map((v, i) => (i % 5 === 0 ? Math.min(1, v + 0.3) : i % 11 === 0 ? v / 2 : v));
    const [got] = comparePairedMany(base, [other], { seed: 42, iterations: 10000 });
    const want = comparePaired(base, other, { seed: 42, iterations: 10000 });
    expect(got).toEqual({ wins: want.wins, losses: want.losses, ties: want.ties, pValue: want.pValue });
    expect(want.pValue).toBeLessThan(0.05);
  });

  it('rejects runs of another length with a RagscopeError naming the parameter', () => {
    expect(() => comparePairedMany([1, 2], [[1]], { seed: 1, iterations: 10 })).toThrow(/others/);
  });
});
