import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { seededRandom as rng } from '../../src/eval/prng.js';
import { ExactVectorIndex } from '../../src/search/exact.js';
import type { VectorSearchIndex } from '../../src/search/types.js';
import { HNSW_DEFAULTS, VectorIndex } from '../../src/search/vector.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ragscope-vector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Seeded PRNG (mulberry32) and normal deviates, so failures reproduce. */
function randomUnitVectors(n: number, dims: number, seed: number): Float32Array[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const v = new Float32Array(dims);
    let norm = 0;
    for (let j = 0; j < dims; j++) {
      const x = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      v[j] = x;
      norm += x * x;
    }
    const s = 1 / Math.sqrt(norm);
    for (let j = 0; j < dims; j++) v[j] = v[j]! * s;
    return v;
  });
}
const f = (...xs: number[]) => new Float32Array(xs);

async function expectCode(
  p: Promise<unknown> | (() => unknown),
  code: string,
  ...parts: string[]
): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(RagscopeError);
    expect((err as RagscopeError).code).toBe(code);
    for (const part of parts) expect((err as RagscopeError).message).toContain(part);
    return;
  }
  throw new Error(`expected a RagscopeError ${code}`);
}

const makers: Array<[string, (o: { dimensions: number; metric?: 'cosine' | 'ip' }) => VectorSearchIndex]> = [
  ['VectorIndex (hnsw)', (o) => new VectorIndex({ ...o, initialCapacity: 2 })],
  [
    'VectorIndex (hnsw, segments of 40)',
    (o) => new VectorIndex({ ...o, initialCapacity: 2, segmentSize: 40 }),
  ],
  ['ExactVectorIndex', (o) => new ExactVectorIndex(o)],
];

describe.each(makers)('%s', (_name, make) => {
  it('cosine: scores are cosine similarities, best first', async () => {
    const idx = make({ dimensions: 3 });
    expect(idx.metric).toBe('cosine');
    await idx.add(['x', 'y', 'xy'], [f(2, 0, 0), f(0, 3, 0), f(1, 1, 0)]);
    const hits = await idx.search(f(1, 0, 0), 3);
    expect(hits.map((h) => h.id)).toEqual(['x', 'xy', 'y']);
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    expect(hits[1]!.score).toBeCloseTo(Math.SQRT1_2, 5);
    expect(hits[2]!.score).toBeCloseTo(0, 5);
  });

  it('ip: scores are raw inner products', async () => {
    const idx = make({ dimensions: 2, metric: 'ip' });
    await idx.add(['a', 'b'], [f(1, 0), f(3, 1)]);
    const hits = await idx.search(f(2, 1), 2);
    expect(hits.map((h) => h.id)).toEqual(['b', 'a']);
    expect(hits[0]!.score).toBeCloseTo(7, 4);
    expect(hits[1]!.score).toBeCloseTo(2, 4);
  });

  it('grows past its initial capacity; update replaces; remove drops; re-add works', async () => {
    const idx = make({ dimensions: 16 });
    const vs = randomUnitVectors(300, 16, 1);
    const ids = vs.map((_, i) => `c${i}`);
    for (let i = 0; i < 300; i += 37) await idx.add(ids.slice(i, i + 37), vs.slice(i, i + 37));
    expect(idx.size).toBe(300);
    for (const i of [0, 5, 150, 299]) expect((await idx.search(vs[i]!, 1))[0]!.id).toBe(ids[i]);
    // update c7 to c8's vector: both now answer c8's query with score 1
    await idx.add(['c7'], [vs[8]!]);
    expect(idx.size).toBe(300);
    const top2 = await idx.search(vs[8]!, 2);
    expect(top2.map((h) => h.id).sort()).toEqual(['c7', 'c8']);
    expect((await idx.search(vs[7]!, 1))[0]!.id).not.toBe('c7');
    await idx.remove(['c8', 'nope']);
    expect(idx.size).toBe(299);
    expect(idx.has('c8')).toBe(false);
    expect((await idx.search(vs[8]!, 5)).map((h) => h.id)).not.toContain('c8');
    await idx.add(['c8', 'new'], [vs[8]!, vs[3]!]);
    expect(idx.size).toBe(301);
    expect((await idx.search(vs[8]!, 2)).map((h) => h.id).sort()).toEqual(['c7', 'c8']);
    const few = make({ dimensions: 16 });
    expect(await few.search(vs[0]!, 5)).toEqual([]);
    await few.add(['only'], [vs[0]!]);
    expect(await few.search(vs[1]!, 5)).toHaveLength(1);
  });

  it('rejects bad vectors naming the parameter', async () => {
    const idx = make({ dimensions: 4 });
    await idx.add(['a'], [f(1, 0, 0, 0)]);
    await expectCode(idx.search(f(1, 0, 0), 3), 'INVALID_ARGUMENT', 'vector', '4', '3');
    await expectCode(
      idx.add(['b', 'c'], [f(1, 0, 0, 0), f(1, 0)]),
      'INVALID_ARGUMENT',
      'vectors[1]',
      '4 dimensions',
    );
    await expectCode(idx.add(['b'], [f(1, Number.NaN, 0, 0)]), 'INVALID_ARGUMENT', 'vectors[0][1]');
    await expectCode(idx.add(['b'], [f(0, 0, 0, 0)]), 'INVALID_ARGUMENT', 'vectors[0]', 'zero');
    await expectCode(idx.add(['b', 'c'], [f(1, 0, 0, 0)]), 'INVALID_ARGUMENT', 'vectors');
    await expectCode(idx.search(f(1, 0, 0, 0), 0), 'INVALID_ARGUMENT', 'k');
    expect(idx.has('b')).toBe(false); // a rejected batch changes nothing
    await expectCode(() => make({ dimensions: 0 }), 'INVALID_ARGUMENT', 'dimensions');
    await expectCode(() => make({ dimensions: 3, metric: 'l2' as 'ip' }), 'INVALID_ARGUMENT', 'metric', 'l2');
  });
});

describe('persistence', () => {
  it('VectorIndex round trip: same results, parameters kept, still growable, no temp files left', async () => {
    const vs = randomUnitVectors(200, 8, 2);
    const idx = new VectorIndex({
      dimensions: 8,
      M: 8,
      efConstruction: 50,
      efSearch: 40,
      initialCapacity: 16,
    });
    await idx.add(
      vs.map((_, i) => `v${i}`),
      vs,
    );
    await idx.remove(['v3']);
    await idx.add(['v4'], [vs[5]!]);
    const file = path.join(dir, 'hnsw.rsvi');
    await idx.writeTo(file);
    await idx.writeTo(file); // overwrite is atomic too
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    const back = await VectorIndex.readFrom(file);
    expect([back.dimensions, back.metric, back.M, back.efConstruction, back.efSearch, back.size]).toEqual([
      8,
      'cosine',
      8,
      50,
      40,
      199,
    ]);
    for (const q of vs.slice(0, 20)) expect(await back.search(q, 5)).toEqual(await idx.search(q, 5));
    expect(back.has('v3')).toBe(false);
    const more = randomUnitVectors(100, 8, 3);
    await back.add(
      more.map((_, i) => `m${i}`),
      more,
    );
    expect(back.size).toBe(299);
    expect((await back.search(more[99]!, 1))[0]!.id).toBe('m99');
  });

  it('ExactVectorIndex round trip', async () => {
    const vs = randomUnitVectors(50, 5, 4);
    const idx = new ExactVectorIndex({ dimensions: 5, metric: 'ip' });
    await idx.add(
      vs.map((_, i) => `e${i}`),
      vs,
    );
    await idx.remove(['e0']);
    const file = path.join(dir, 'exact.rsvi');
    await idx.writeTo(file);
    const back = await ExactVectorIndex.readFrom(file);
    expect([back.dimensions, back.metric, back.size]).toEqual([5, 'ip', 49]);
    for (const q of vs.slice(0, 10)) expect(await back.search(q, 7)).toEqual(await idx.search(q, 7));
    await back.add(['z'], [vs[0]!]);
    expect((await back.search(vs[0]!, 1))[0]!.id).toBe('z');
  });

  it('damaged, mismatched or missing files give typed errors naming the file', async () => {
    const idx = new ExactVectorIndex({ dimensions: 3 });
    await idx.add(['a', 'b'], [f(1, 0, 0), f(0, 1, 0)]);
    const file = path.join(dir, 'damaged.rsvi');
    await idx.writeTo(file);
    await expectCode(VectorIndex.readFrom(file), 'INCOMPATIBLE_INDEX', file, 'ExactVectorIndex');
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    writeFileSync(file, bytes);
    await expectCode(ExactVectorIndex.readFrom(file), 'CORRUPT_FILE', file, 'checksum');
    writeFileSync(file, bytes.subarray(0, 20));
    await expectCode(ExactVectorIndex.readFrom(file), 'CORRUPT_FILE', file);
    writeFileSync(file, '{"not": "an index"}');
    await expectCode(VectorIndex.readFrom(file), 'CORRUPT_FILE', file, 'magic');
    await expectCode(VectorIndex.readFrom(path.join(dir, 'missing.rsvi')), 'NOT_FOUND', 'missing.rsvi');
  });
});

describe('recall and exactness', () => {
  it('ExactVectorIndex equals a naive sort (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        async (n, k, seed) => {
          const vs = randomUnitVectors(n + 1, 6, seed);
          const q = vs.pop()!;
          const idx = new ExactVectorIndex({ dimensions: 6, metric: 'ip' });
          await idx.add(
            vs.map((_, i) => `p${String(i).padStart(3, '0')}`),
            vs,
          );
          const naive = vs
            .map((v, i) => ({
              id: `p${String(i).padStart(3, '0')}`,
              score: v.reduce((s, x, j) => s + x * q[j]!, 0),
            }))
            .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
            .slice(0, k);
          const got = await idx.search(q, k);
          expect(got.map((h) => h.id)).toEqual(naive.map((h) => h.id));
          for (const [i, h] of got.entries()) expect(h.score).toBeCloseTo(naive[i]!.score, 5);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('HNSW recall@10 against exact search on 5k x 64 random unit vectors is >= 0.95', async () => {
    const vs = randomUnitVectors(5000, 64, 7);
    const queries = randomUnitVectors(100, 64, 8);
    const ids = vs.map((_, i) => `r${i}`);
    const hnsw = new VectorIndex({ dimensions: 64, M: 16, efConstruction: 100, efSearch: 100 });
    const exact = new ExactVectorIndex({ dimensions: 64 });
    await hnsw.add(ids, vs);
    await exact.add(ids, vs);
    let found = 0;
    for (const q of queries) {
      const truth = new Set((await exact.search(q, 10)).map((h) => h.id));
      for (const h of await hnsw.search(q, 10)) if (truth.has(h.id)) found++;
    }
    const recall = found / (queries.length * 10);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  it('HNSW updates insert fresh nodes and compact once deleted outnumber live: recall kept, save/load kept', async () => {
    const n = 2000;
    const dims = 32;
    const ids = Array.from({ length: n }, (_, i) => `u${i}`);
    const hnsw = new VectorIndex({ dimensions: dims, efSearch: 100 });
    expect(hnsw.efConstruction).toBe(HNSW_DEFAULTS.efConstruction);
    await hnsw.add(ids, randomUnitVectors(n, dims, 11));
    let current: Float32Array[] = [];
    let maxDeleted = 0;
    for (let round = 0; round < 3; round++) {
      current = randomUnitVectors(n, dims, 20 + round);
      for (let i = 0; i < n; i += 250) {
        await hnsw.add(ids.slice(i, i + 250), current.slice(i, i + 250));
        maxDeleted = Math.max(maxDeleted, hnsw.deletedCount);
      }
    }
    expect(hnsw.size).toBe(n);
    // 6000 replacements: deleted nodes never exceeded compactRatio x live — compaction ran.
    expect(maxDeleted).toBeGreaterThan(0);
    expect(maxDeleted).toBeLessThanOrEqual(HNSW_DEFAULTS.compactRatio * n + 1);
    expect(hnsw.deletedCount).toBeLessThan(6000);
    const exact = new ExactVectorIndex({ dimensions: dims });
    await exact.add(ids, current);
    const queries = randomUnitVectors(50, dims, 99);
    const recallOf = async (idx: VectorIndex) => {
      let found = 0;
      for (const q of queries) {
        const truth = new Set((await exact.search(q, 10)).map((h) => h.id));
        for (const h of await idx.search(q, 10)) if (truth.has(h.id)) found++;
      }
      return found / (queries.length * 10);
    };
    expect(await recallOf(hnsw)).toBeGreaterThanOrEqual(0.95);
    // Each id answers with its latest vector (score 1), never an old one.
    for (const i of [0, 777, 1999])
      expect((await hnsw.search(current[i]!, 1))[0]).toMatchObject({ id: ids[i] });
    const file = path.join(dir, 'updated.hnsw');
    await hnsw.writeTo(file);
    const back = await VectorIndex.readFrom(file);
    back.efSearch = 100;
    expect(back.deletedCount).toBe(hnsw.deletedCount);
    expect(await recallOf(back)).toBe(await recallOf(hnsw));
    await back.remove(ids.slice(0, 1500));
    expect(back.size).toBe(500);
    expect((await back.search(current[1999]!, 1))[0]).toMatchObject({ id: 'u1999' });
  });

  it('compactRatio is an option: checked, honoured (compaction sooner at 0.5), kept by save/load', async () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '2'])
      await expectCode(
        () => new VectorIndex({ dimensions: 8, compactRatio: bad as number }),
        'INVALID_ARGUMENT',
        'compactRatio',
      );
    const dims = 8;
    const ids = Array.from({ length: 600 }, (_, i) => `c${i}`);
    const half = new VectorIndex({ dimensions: dims, compactRatio: 0.5 });
    const dflt = new VectorIndex({ dimensions: dims });
    for (const idx of [half, dflt]) {
      await idx.add(ids, randomUnitVectors(600, dims, 1));
      await idx.add(ids, randomUnitVectors(600, dims, 2)); // 600 deleted > 0.5 x max(600, 1024) = 512
    }
    expect(half.deletedCount).toBeLessThan(600);
    expect(dflt.deletedCount).toBe(600);
    const file = path.join(dir, 'ratio.hnsw');
    await half.writeTo(file);
    expect((await VectorIndex.readFrom(file)).compactRatio).toBe(0.5);
  });
});
