import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../../src/search/bm25.js';
import { FINE_SHIFT, FINE_SIZE } from '../../src/search/bm25-blocks.js';

// Pruned search (window bounds summed per query, windows visited best band first) against exhaustive scoring, on
// the states the bounds must follow: removals alone (the average length changes, so cached saturations must be
// recomputed), compaction (chunk numbers change, bounds dropped), appends after a query, and a filter.

const words = Array.from({ length: 30 }, (_, i) => `w${i}`);
/** Bursty texts: runs of adjacent chunks drawing from one small "topic" of words, so window bounds differ. */
const bursty = fc
  .array(
    fc.record({
      topic: fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 4 }),
      chunks: fc.array(fc.array(fc.nat(9), { maxLength: 12 }), { minLength: 1, maxLength: 40, size: 'max' }),
    }),
    { minLength: 1, maxLength: 80, size: 'max' },
  )
  .map((docs) =>
    docs.flatMap(({ topic, chunks }) =>
      chunks.map((picks) =>
        picks.map((p) => (p < 6 ? topic[p % topic.length] : words[(p * 7) % words.length])).join(' '),
      ),
    ),
  );

const same = (bm25: Bm25Index, query: string, k: number, accept?: (id: string) => boolean) => {
  const pruned = bm25.search(query, k, accept ? { accept } : {});
  expect(pruned).toEqual(bm25.searchExhaustive(query, k, accept ? { accept } : {}));
  for (const hit of pruned) expect(bm25.explain(query, hit.id).score).toBe(hit.score);
};

describe('Bm25Index pruned search across index changes', () => {
  it('property: pruned == exhaustive after removals alone, more removals and appends, with and without a filter', () => {
    fc.assert(
      fc.property(
        bursty,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 2, max: 4 }),
        (texts, removeShare, appendShare, q, k, keepEvery) => {
          const bm25 = new Bm25Index();
          const id = (i: number) => `c${i}`;
          bm25.add(texts.map((text, i) => ({ id: id(i), docId: `d${i >> 3}`, text })));
          const query = q.join(' ');
          const accept = (chunkId: string) => Number(chunkId.slice(1)) % keepEvery === 0;
          same(bm25, query, k); // builds the bounds and caches their saturations
          // removals alone: every third chunk (average length changes, no append)
          bm25.remove(texts.map((_, i) => id(i)).filter((_, i) => i % 3 === 1));
          same(bm25, query, k);
          same(bm25, query, k, accept);
          // a share of the rest (the compaction itself is the next test's)
          const more = texts
            .map((_, i) => id(i))
            .filter((_, i) => i % 3 !== 1 && (i * 0.618) % 1 < removeShare);
          bm25.remove(more);
          same(bm25, query, k);
          // appends after a query: bounds kept current
          const later = texts.slice(0, Math.floor(texts.length * appendShare));
          bm25.add(later.map((text, i) => ({ id: id(texts.length + i), docId: 'late', text })));
          same(bm25, query, k);
          same(bm25, query, k, accept);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('property: every window bound covers each of its chunks, after removals raise the average length', () => {
    fc.assert(
      fc.property(bursty, fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 4 }), (texts, q) => {
        const bm25 = new Bm25Index();
        bm25.add(texts.map((text, i) => ({ id: `c${i}`, docId: 'd', text })));
        const query = q.join(' ');
        bm25.search(query, 5); // builds and caches the bounds at this average length
        // remove the shorter half: the average length rises, so every chunk's true saturation rises too
        const byLength = texts.map((t, i) => ({ i, n: t.length })).sort((a, b) => a.n - b.n);
        bm25.remove(byLength.slice(0, byLength.length >> 1).map(({ i }) => `c${i}`));
        same(bm25, query, 5);
        const s = bm25.store;
        if (s.size === 0) return;
        const avg = s.totalLen / s.size;
        for (const term of new Set(q)) {
          const tid = s.termIds.get(term);
          if (tid === undefined || !s.pNums[tid]) continue;
          const { wins, sat, n } = s.blocks.withSaturation(s, tid, bm25.k1, bm25.b, avg);
          const nums = s.pNums[tid] as Int32Array;
          const tfs = s.pTfs[tid] as Int32Array;
          let p = 0;
          for (let i = 0; i < (s.pLen[tid] as number); i++) {
            const num = nums[i] as number;
            if (!s.alive[num]) continue;
            while ((wins[p] as number) !== num >>> FINE_SHIFT) p++;
            expect(p).toBeLessThan(n);
            const tf = tfs[i] as number;
            const norm = 1 - bm25.b + (bm25.b * (s.lens[num] as number)) / avg;
            const truth = (tf * (bm25.k1 + 1)) / (tf + bm25.k1 * norm);
            expect(sat[p] as number).toBeGreaterThanOrEqual(truth * (1 - 1e-12));
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('pruned == exhaustive across a compaction (chunk numbers renumbered, bounds rebuilt)', () => {
    const bm25 = new Bm25Index();
    const text = (i: number) =>
      `w${(i >> 5) % 9} w${(i >> 5) % 9} w${i % 13} ${i % 17 === 0 ? 'rare' : ''} w${(i * 7) % 29}`;
    bm25.add(Array.from({ length: 3000 }, (_, i) => ({ id: `c${i}`, docId: `d${i >> 5}`, text: text(i) })));
    const queries = ['w1 w3 rare', 'w2 w2 w12', 'rare', 'w0 w5 w7 w8 w28'];
    for (const q of queries) same(bm25, q, 10);
    bm25.remove(
      Array.from({ length: 2000 }, (_, i) => `c${(i * 3) % 3000}`)
        .filter((_, i) => i < 1000)
        .concat(Array.from({ length: 1000 }, (_, i) => `c${3 * i + 1}`)),
    );
    expect(bm25.store.generation).toBeGreaterThan(0); // compacted
    for (const q of queries) same(bm25, q, 10);
    bm25.add(Array.from({ length: 500 }, (_, i) => ({ id: `n${i}`, docId: 'late', text: text(i * 5) })));
    for (const q of queries) for (const k of [1, 10, 50]) same(bm25, q, k);
  });

  it('a search started from inside accept does not disturb the outer one (per-query scratch)', () => {
    const bm25 = new Bm25Index();
    bm25.add(
      Array.from({ length: 3000 }, (_, i) => ({
        id: `c${i}`,
        docId: `d${i >> 2}`,
        text: `w${i % 7} w${(i >> 4) % 5} w${i % 3} ${i % 11 === 0 ? 'rare' : ''}`,
      })),
    );
    const inner: number[] = [];
    const accept = (chunkId: string) => {
      inner.push(bm25.search('w1 w2', 3).length);
      return Number(chunkId.slice(1)) % 2 === 0;
    };
    const outer = bm25.search('rare w1 w4', 20, { accept });
    expect(inner.length).toBeGreaterThan(0);
    expect(inner.every((n) => n === 3)).toBe(true);
    expect(outer).toEqual(
      bm25.searchExhaustive('rare w1 w4', 20, { accept: (c) => Number(c.slice(1)) % 2 === 0 }),
    );
  });
});

describe('Bm25Index window bounds cache', () => {
  it('property: under a small budget the bounds stay within it (plus the list just built), and search stays exact', () => {
    fc.assert(
      fc.property(
        bursty,
        fc.array(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 5 }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 200 }),
        (texts, queries, min) => {
          const bm25 = new Bm25Index();
          bm25.add(texts.map((text, i) => ({ id: `c${i}`, docId: `d${i >> 3}`, text })));
          const blocks = bm25.store.blocks;
          blocks.budget = { share: 0, min };
          for (const round of [0, 1])
            for (const q of queries) {
              same(bm25, q.join(' '), 5 + round);
              const s = bm25.store;
              let largest = 0; // windows of the term with the most (its list may exceed a tiny budget alone)
              for (const term of words) {
                const tid = s.termIds.get(term);
                if (tid === undefined) continue;
                const nums = (s.pNums[tid] as Int32Array).subarray(0, s.pLen[tid] as number);
                largest = Math.max(largest, new Set(Array.from(nums, (n) => n >>> FINE_SHIFT)).size);
              }
              expect(blocks.entries).toBeLessThanOrEqual(min + largest);
            }
          // appends after evictions keep built lists current, evicted ones are rebuilt from postings
          bm25.add(texts.slice(0, 20).map((text, i) => ({ id: `n${i}`, docId: 'late', text })));
          for (const q of queries) same(bm25, q.join(' '), 7);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('evicts least recently used terms first once the index holds more bounds than its budget', () => {
    const bm25 = new Bm25Index();
    bm25.add(
      Array.from({ length: 4000 }, (_, i) => ({ id: `c${i}`, docId: 'd', text: `a${i % 5} b${i % 7} c` })),
    );
    const blocks = bm25.store.blocks;
    const perTerm = 4000 / FINE_SIZE; // window entries of a term in every window (c, and a1 at every 5th chunk)
    const budget = Math.floor(2.4 * perTerm); // two such terms fit, three do not
    blocks.budget = { share: 0, min: budget };
    bm25.search('c', 3);
    bm25.search('a1', 3);
    expect(blocks.entries).toBe(2 * perTerm);
    const before = blocks.entries;
    bm25.search('c', 3); // c becomes most recent
    bm25.search('b2', 3); // over budget: a1 (least recent) goes, c stays
    expect(blocks.entries).toBeLessThanOrEqual(budget);
    expect(blocks.entries).toBe(before);
    const tid = (term: string) => bm25.store.termIds.get(term) as number;
    expect([blocks.built(tid('c')), blocks.built(tid('a1')), blocks.built(tid('b2'))]).toEqual([
      true,
      false,
      true,
    ]);
    bm25.search('a1 b2 c', 10);
    expect(bm25.search('a1 b2 c', 10)).toEqual(bm25.searchExhaustive('a1 b2 c', 10));
  });
});
