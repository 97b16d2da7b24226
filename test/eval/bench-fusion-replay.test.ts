import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fusedIdsFromTrace } from '../../src/eval/bench/fusion-replay.js';
import { type FusionOptions, fuseFromTrace } from '../../src/search/fusion.js';
import type { SearchTrace, StageTrace } from '../../src/search/types.js';

// Lists over a small id space (overlap and absent chunks) with many tied scores, as BM25 and cosine give.
const list = (stage: string) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 25 })
    .chain((ids) =>
      fc.tuple(
        fc.constant(ids),
        fc.array(fc.oneof(fc.constant(1), fc.constant(0.5), fc.double({ min: -3, max: 3, noNaN: true })), {
          minLength: ids.length,
          maxLength: ids.length,
        }),
      ),
    )
    .map(([ids, scores]): StageTrace => {
      const sorted = scores.slice().sort((a, b) => b - a);
      return {
        stage,
        params: {},
        durationMs: 0,
        candidates: ids.map((id, i) => ({
          chunkId: `c${id}`,
          docId: `d${id % 4}`,
          rank: i + 1,
          score: sorted[i]!,
          normalized: sorted[i]!,
        })),
      };
    });

const options: fc.Arbitrary<FusionOptions> = fc.record(
  {
    method: fc.constantFrom('rrf' as const, 'weighted' as const, 'combmnz' as const),
    rrfK: fc.oneof(fc.constant(60), fc.integer({ min: 0, max: 100 })),
    normalization: fc.constantFrom('minmax' as const, 'zscore' as const, 'none' as const),
    weights: fc.record({ bm25: fc.constantFrom(0, 0.5, 1, 2), vector: fc.constantFrom(0, 1, 3) }),
    depth: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.record({ bm25: fc.integer({ min: 1, max: 30 }) })),
  },
  { requiredKeys: ['method'] },
);

describe('fusedIdsFromTrace', () => {
  it('orders the chunks exactly as fuseFromTrace for every method, normalisation, weight and depth', () => {
    fc.assert(
      fc.property(list('bm25'), list('vector'), fc.boolean(), options, (bm25, vector, fusedStage, o) => {
        const stages = [bm25, vector];
        // A recorded fusion stage is not an input list (as in a real trace).
        if (fusedStage) stages.push({ ...bm25, stage: 'fusion' });
        const trace: SearchTrace = { version: 1, query: 'q', k: 5, stages };
        expect(fusedIdsFromTrace(trace, o)).toEqual(fuseFromTrace(trace, o).candidates.map((c) => c.chunkId));
      }),
      { numRuns: 500 },
    );
  });
});
