import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { type FusionInput, fuse, fuseFromTrace, normalizeScores } from '../../src/search/fusion.js';
import type { SearchTrace } from '../../src/search/types.js';

const c = (id: string, score: number) => ({ chunkId: id, docId: id.split('#')[0]!, score });

// bm25: a 10, b 6, c 2     vector: b 0.9, d 0.5, a 0.1
const lists: FusionInput[] = [
  { list: 'bm25', candidates: [c('a', 10), c('b', 6), c('c', 2)] },
  { list: 'vector', candidates: [c('b', 0.9), c('d', 0.5), c('a', 0.1)] },
];

const byId = (r: ReturnType<typeof fuse>) => new Map(r.candidates.map((x) => [x.chunkId, x]));

describe('fuse: reciprocal rank fusion', () => {
  it('matches hand-computed RRF values with k = 60', () => {
    const r = fuse(lists, { method: 'rrf' });
    const m = byId(r);
    expect(m.get('a')!.score).toBeCloseTo(1 / 61 + 1 / 63, 12); // 0.032266...
    expect(m.get('b')!.score).toBeCloseTo(1 / 62 + 1 / 61, 12); // 0.032522...
    expect(m.get('c')!.score).toBeCloseTo(1 / 63, 12);
    expect(m.get('d')!.score).toBeCloseTo(1 / 62, 12);
    expect(r.candidates.map((x) => x.chunkId)).toEqual(['b', 'a', 'd', 'c']);
    expect(r.candidates.map((x) => x.rank)).toEqual([1, 2, 3, 4]);
    expect(r.params).toMatchObject({ method: 'rrf', rrfK: 60, weights: { bm25: 1, vector: 1 } });
  });

  it('uses rrfK and weights', () => {
    const r = fuse(lists, { method: 'rrf', rrfK: 0, weights: { bm25: 2, vector: 1 } });
    const m = byId(r);
    expect(m.get('a')!.score).toBeCloseTo(2 / 1 + 1 / 3, 12);
    expect(m.get('b')!.score).toBeCloseTo(2 / 2 + 1 / 1, 12);
    expect(m.get('d')!.contributions).toEqual([
      { list: 'bm25', rank: null, rawScore: null, normalized: null, contribution: 0 },
      { list: 'vector', rank: 2, rawScore: 0.5, normalized: 0.5, contribution: 0.5 },
    ]);
  });

  it('depth cuts each list before fusing', () => {
    const r = fuse(lists, { method: 'rrf', depth: { vector: 1 } });
    const m = byId(r);
    expect(m.has('d')).toBe(false);
    expect(m.get('a')!.foundBy).toEqual(['bm25']);
    expect(m.get('a')!.score).toBeCloseTo(1 / 61, 12);
  });
});

describe('fuse: weighted sums', () => {
  it('min-max: hand-computed', () => {
    const r = fuse(lists, { method: 'weighted', normalization: 'minmax' });
    const m = byId(r);
    // bm25 minmax over [10, 6, 2]: a 1, b 0.5, c 0.  vector over [0.9, 0.5, 0.1]: b 1, d 0.5, a 0.
    expect(m.get('a')!.score).toBeCloseTo(1, 12);
    expect(m.get('b')!.score).toBeCloseTo(1.5, 12);
    expect(m.get('c')!.score).toBeCloseTo(0, 12);
    expect(m.get('d')!.score).toBeCloseTo(0.5, 12);
    expect(r.candidates.map((x) => x.chunkId)).toEqual(['b', 'a', 'd', 'c']);
  });

  it('z-score: hand-computed', () => {
    const r = fuse(lists, { method: 'weighted', normalization: 'zscore' });
    const m = byId(r);
    // bm25 [10, 6, 2]: mean 6, std sqrt(32/3) = 3.2660 -> a 1.2247, b 0, c -1.2247 ; vector likewise b 1.2247, d 0, a -1.2247
    const z = 4 / Math.sqrt(32 / 3);
    expect(m.get('a')!.score).toBeCloseTo(z - z, 12);
    expect(m.get('b')!.score).toBeCloseTo(0 + z, 12);
    expect(m.get('c')!.score).toBeCloseTo(-z, 12);
    expect(m.get('d')!.score).toBeCloseTo(0, 12); // missing bm25 contributes 0 = the bm25 mean
    expect(m.get('d')!.contributions[0]!.contribution).toBe(0);
  });

  it("'none' sums raw scores, so BM25's scale decides (the trap)", () => {
    const r = fuse(lists, { method: 'weighted', normalization: 'none' });
    const m = byId(r);
    expect(m.get('a')!.score).toBeCloseTo(10.1, 12);
    expect(m.get('b')!.score).toBeCloseTo(6.9, 12);
    expect(m.get('d')!.score).toBeCloseTo(0.5, 12);
    // the fused order is exactly the BM25 order followed by vector-only chunks
    expect(r.candidates.map((x) => x.chunkId)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('constant lists: min-max gives 1, z-score gives 0', () => {
    expect(normalizeScores([3, 3], 'minmax')).toEqual([1, 1]);
    expect(normalizeScores([3, 3], 'zscore')).toEqual([0, 0]);
    expect(normalizeScores([5], 'minmax')).toEqual([1]);
  });
});

describe('fuse: CombMNZ', () => {
  it('multiplies the normalised sum by the number of lists that found the chunk', () => {
    const r = fuse(lists, { method: 'combmnz', normalization: 'minmax' });
    const m = byId(r);
    expect(m.get('a')!.score).toBeCloseTo((1 + 0) * 2, 12);
    expect(m.get('b')!.score).toBeCloseTo((0.5 + 1) * 2, 12);
    expect(m.get('d')!.score).toBeCloseTo(0.5 * 1, 12);
    expect(m.get('b')!.contributions.map((x) => x.contribution)).toEqual([1, 2]);
  });
});

describe('fuse: chunks found by one list', () => {
  it('are marked in foundBy and their missing contribution is 0', () => {
    for (const method of ['rrf', 'weighted', 'combmnz'] as const) {
      const m = byId(fuse(lists, { method }));
      expect(m.get('c')!.foundBy).toEqual(['bm25']);
      expect(m.get('d')!.foundBy).toEqual(['vector']);
      expect(m.get('b')!.foundBy).toEqual(['bm25', 'vector']);
      const missing = m.get('c')!.contributions.find((x) => x.list === 'vector')!;
      expect(missing).toEqual({
        list: 'vector',
        rank: null,
        rawScore: null,
        normalized: null,
        contribution: 0,
      });
    }
  });

  it('a single list keeps its order', () => {
    const r = fuse([lists[0]!], { method: 'weighted' });
    expect(r.candidates.map((x) => x.chunkId)).toEqual(['a', 'b', 'c']);
  });
});

describe('fuse: invariants (property)', () => {
  const listArb = fc.uniqueArray(
    fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'),
      score: fc.double({ min: -5, max: 50, noNaN: true }),
    }),
    { selector: (x) => x.id, maxLength: 7 },
  );
  it('contributions sum to the fused score, ranks are 1..n, union of inputs, sorted', () => {
    fc.assert(
      fc.property(
        listArb,
        listArb,
        fc.constantFrom('rrf', 'weighted', 'combmnz'),
        fc.constantFrom('minmax', 'zscore', 'none'),
        (l1, l2, method, normalization) => {
          const input: FusionInput[] = [
            { list: 'bm25', candidates: l1.sort((x, y) => y.score - x.score).map((x) => c(x.id, x.score)) },
            { list: 'vector', candidates: l2.sort((x, y) => y.score - x.score).map((x) => c(x.id, x.score)) },
          ];
          const r = fuse(input, { method, normalization });
          const ids = new Set([...l1, ...l2].map((x) => x.id));
          expect(new Set(r.candidates.map((x) => x.chunkId))).toEqual(ids);
          r.candidates.forEach((x, i) => {
            expect(x.rank).toBe(i + 1);
            const sum = x.contributions.reduce((a, y) => a + y.contribution, 0);
            expect(Math.abs(sum - x.score)).toBeLessThan(1e-9);
            if (i > 0) expect(r.candidates[i - 1]!.score).toBeGreaterThanOrEqual(x.score);
            expect(x.foundBy.length).toBe(x.contributions.filter((y) => y.rank !== null).length);
          });
        },
      ),
    );
  });
});

describe('fuse: validation and replay', () => {
  it('rejects bad options with RagscopeError naming the parameter', () => {
    expect(() => fuse(lists, { method: 'borda' as never })).toThrow(/fusion\.method/);
    expect(() => fuse(lists, { rrfK: -1 })).toThrow(RagscopeError);
    expect(() => fuse(lists, { weights: { bm25: Number.NaN } })).toThrow(/fusion\.weights\.bm25/);
    expect(() => fuse(lists, { depth: 0 })).toThrow(/fusion\.depth/);
    expect(() => fuse([lists[0]!, lists[0]!])).toThrow(/unique/);
    expect(() => fuse([{ list: 'bm25', candidates: [c('a', Number.NaN)] }])).toThrow(/score/);
  });

  it('fuseFromTrace recomputes fusion from a saved trace', () => {
    const trace: SearchTrace = {
      version: 1,
      query: 'q',
      k: 2,
      stages: lists.map((l) => ({
        stage: l.list,
        params: {},
        durationMs: 0,
        candidates: l.candidates.map((x, i) => ({ ...x, rank: i + 1, normalized: x.score })),
      })),
    };
    const replayed = fuseFromTrace(JSON.parse(JSON.stringify(trace)), { method: 'rrf' });
    expect(replayed.candidates.map((x) => x.chunkId)).toEqual(fuse(lists).candidates.map((x) => x.chunkId));
  });
});
