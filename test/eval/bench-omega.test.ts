import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChunker } from '../../src/chunkers/spec.js';
import { touchingIndex } from '../../src/eval/bench/omega.js';
import { loadJsonl } from '../../src/eval/datasets/jsonl.js';
import { indexRanges, precisionOmega } from '../../src/eval/metrics/spans.js';

describe('touchingIndex (the per-question range index the bench scores replays with)', () => {
  it('gives the same PrecisionΩ as the whole collection index (property)', () => {
    const range = fc
      .tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 20 }))
      .map(([docId, start, len]) => ({ docId, start, end: start + len }));
    fc.assert(
      fc.property(
        fc.array(range, { minLength: 1, maxLength: 30 }),
        fc.array(range, { minLength: 1, maxLength: 3 }),
        (chunks, gold) => {
          const full = indexRanges(chunks);
          expect(precisionOmega(gold, touchingIndex(gold, full))).toEqual(precisionOmega(gold, full));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the same PrecisionΩ on every question of the examples corpus', async () => {
    const examples = path.resolve(__dirname, '../../examples');
    const ds = await loadJsonl(path.join(examples, 'questions.jsonl'), {
      corpus: path.join(examples, 'corpus'),
    });
    const chunker = createChunker('fixed:120/0');
    const chunks = (await Promise.all(ds.documents.map((d) => chunker.chunk(d)))).flat();
    const full = indexRanges(chunks);
    for (const q of ds.questions) {
      expect(precisionOmega(q.spans!, touchingIndex(q.spans!, full))).toEqual(precisionOmega(q.spans!, full));
    }
  });
});
