import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RangeMeasure } from '../../src/chunkers/length.js';
import { SemanticChunker } from '../../src/chunkers/semantic.js';
import type { SentenceSpan } from '../../src/chunkers/sentences.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';

interface Group {
  first: number;
  last: number;
}

/** The merge as it was written before it became linear (restart the scan from the first group after each merge). */
function mergeSmallReference(
  minSize: number,
  maxSize: number,
  measure: RangeMeasure,
  sentences: SentenceSpan[],
  groups: Group[],
  distances: number[],
): Group[] {
  const len = (g: Group) => measure(sentences[g.first]!.start, sentences[g.last]!.end);
  const out = groups.slice();
  const stuck = new Set<Group>();
  for (;;) {
    const i = out.findIndex((g) => !stuck.has(g) && len(g) < minSize);
    if (i < 0 || out.length < 2) return out;
    const g = out[i]!;
    const prev = out[i - 1];
    const next = out[i + 1];
    const options: Array<{ with: Group; dist: number; merged: Group }> = [];
    if (prev)
      options.push({ with: prev, dist: distances[prev.last]!, merged: { first: prev.first, last: g.last } });
    if (next)
      options.push({ with: next, dist: distances[g.last]!, merged: { first: g.first, last: next.last } });
    options.sort((a, b) => a.dist - b.dist);
    const choice = options.find((o) => len(o.merged) <= maxSize || len(o.with) > maxSize);
    if (choice === undefined) {
      stuck.add(g);
      continue;
    }
    const at = choice.with === prev ? i - 1 : i;
    out.splice(at, 2, choice.merged);
  }
}

describe('SemanticChunker minSize merge', () => {
  it('merges exactly as the previous (quadratic) algorithm on random groups, sizes and distances', () => {
    const arb = fc.record({
      lengths: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 60 }),
      cuts: fc.array(fc.boolean(), { maxLength: 60 }),
      distances: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 60, maxLength: 60 }),
      minSize: fc.integer({ min: 0, max: 150 }),
      extra: fc.integer({ min: 0, max: 150 }),
    });
    fc.assert(
      fc.property(arb, ({ lengths, cuts, distances, minSize, extra }) => {
        const maxSize = Math.max(1, minSize + extra);
        const sentences: SentenceSpan[] = [];
        let pos = 0;
        for (const l of lengths) {
          sentences.push({ start: pos, end: pos + l });
          pos += l + 1;
        }
        const groups: Group[] = [];
        let first = 0;
        for (let i = 0; i + 1 < sentences.length; i++) {
          if (cuts[i]) {
            groups.push({ first, last: i });
            first = i + 1;
          }
        }
        groups.push({ first, last: sentences.length - 1 });
        const measure: RangeMeasure = (a, b) => b - a;
        const chunker = new SemanticChunker({ embedder: new HashingEmbedder(), minSize, maxSize });
        const merge = (chunker as unknown as { mergeSmall: (...a: unknown[]) => Group[] }).mergeSmall.bind(
          chunker,
        );
        const got = merge(measure, sentences, groups, distances);
        expect(got).toEqual(mergeSmallReference(minSize, maxSize, measure, sentences, groups, distances));
      }),
      { numRuns: 500 },
    );
  });
});
