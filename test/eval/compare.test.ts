import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePaired, seededRandom } from '../../src/eval/index.js';

describe('comparePaired', () => {
  it('identical runs: p = 1, all ties', () => {
    const a = [0.1, 0.5, 0.9, 0.3, 0.3];
    for (const test of ['randomization', 'bootstrap'] as const) {
      const r = comparePaired(a, [...a], { test });
      expect(r.pValue).toBe(1);
      expect(r).toMatchObject({ delta: 0, wins: 0, losses: 0, ties: 5 });
    }
    expect(comparePaired(a, [...a], { exact: true }).pValue).toBe(1);
  });

  it('a clearly better run: p < 0.01 with both tests, and the CI excludes 0', () => {
    const rand = seededRandom(1);
    const a = Array.from({ length: 60 }, () => rand() * 0.5);
    const b = a.map((x) => x + 0.2 + (rand() - 0.5) * 0.1);
    const r = comparePaired(a, b, { ci: true });
    expect(r.pValue).toBeLessThan(0.01);
    expect(r.wins).toBe(60);
    expect(r.delta).toBeCloseTo(r.meanB - r.meanA, 12);
    expect(r.ci!.lower).toBeGreaterThan(0);
    const boot = comparePaired(a, b, { test: 'bootstrap' });
    expect(boot.pValue).toBeLessThan(0.01);
    expect(boot.ci!.lower).toBeGreaterThan(0.15);
    expect(boot.ci!.upper).toBeLessThan(0.25);
  });

  it('exact enumeration on hand examples', () => {
    // d = [1, 0, 1, 0]: |mean| >= 0.5 only when both nonzero signs agree: 2 of 4, times 4 for the zeros -> 8/16
    expect(comparePaired([0, 1, 0, 1], [1, 1, 1, 1], { exact: true }).pValue).toBe(0.5);
    // d = [1, 2, 3]: sums ±1±2±3 in {6,4,2,0,0,-2,-4,-6}; |sum| >= 6 in 2 of 8
    expect(comparePaired([0, 0, 0], [1, 2, 3], { exact: true }).pValue).toBe(0.25);
    // d = [1, 1, 1, 1, 1]: only all-plus / all-minus reach |mean| = 1 -> 2/32
    expect(comparePaired([0, 0, 0, 0, 0], [1, 1, 1, 1, 1], { exact: true }).pValue).toBe(2 / 32);
  });

  it('Monte Carlo randomisation agrees with exact enumeration for n <= 10 (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 })), {
          minLength: 2,
          maxLength: 10,
        }),
        fc.integer({ min: 0, max: 1000 }),
        (pairs, seed) => {
          const a = pairs.map(([x]) => x / 10);
          const b = pairs.map(([, y]) => y / 10);
          const exact = comparePaired(a, b, { exact: true }).pValue;
          const sampled = comparePaired(a, b, { iterations: 4000, seed }).pValue;
          // binomial sd at 4000 samples <= 0.008: 0.04 is 5 sd
          expect(Math.abs(exact - sampled)).toBeLessThan(0.04);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is deterministic for a seed and reports wins/losses/ties', () => {
    const a = [0.1, 0.4, 0.4, 0.9, 0.2, 0.6];
    const b = [0.3, 0.4, 0.1, 0.95, 0.2, 0.7];
    const r1 = comparePaired(a, b, { seed: 5 });
    const r2 = comparePaired(a, b, { seed: 5 });
    expect(r1).toEqual(r2);
    expect(r1).toMatchObject({ wins: 3, losses: 1, ties: 2 });
    expect(r1.method).toBe('randomization (10000 samples, seed 5)');
  });

  it('rejects bad input', () => {
    expect(() => comparePaired([1, 2], [1])).toThrow(/same length, got lengths 2 and 1/);
    expect(() => comparePaired([], [])).toThrow(/non-empty/);
    expect(() => comparePaired([1, Number.NaN], [1, 2])).toThrow(/runA\[1\]/);
    expect(() => comparePaired([1], [2], { iterations: 0 })).toThrow(/iterations/);
    expect(() => comparePaired(new Array(21).fill(0), new Array(21).fill(1), { exact: true })).toThrow(
      /n = 21/,
    );
    expect(() => comparePaired([1], [2], { test: 't-test' as 'bootstrap' })).toThrow(/t-test/);
  });
});
