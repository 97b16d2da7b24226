import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { ExactVectorIndex } from '../../src/search/exact.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { HNSW_DEFAULTS, VectorIndex } from '../../src/search/vector.js';
import { rawVectors, scifactDocs } from './shared.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ragscope-segments-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectCode(p: Promise<unknown> | (() => unknown), code: string, ...parts: string[]) {
  const err = await (async () => {
    try {
      await (typeof p === 'function' ? p() : p);
      return null;
    } catch (e) {
      return e;
    }
  })();
  expect(err).toBeInstanceOf(RagscopeError);
  expect((err as RagscopeError).code).toBe(code);
  for (const part of parts) expect((err as RagscopeError).message).toContain(part);
}

const answers = (idx: VectorIndex, queries: Float32Array[], k = 10) =>
  Promise.all(queries.map((q) => idx.search(q, k)));

describe('segmented VectorIndex (segmentSize)', () => {
  it('segments fill one after the other; one segment is the plain graph (same answers, version-1 file)', async () => {
    const dims = 16;
    const vs = rawVectors(1000, dims, 1);
    const ids = vs.map((_, i) => `s${i}`);
    const seg = new VectorIndex({ dimensions: dims, segmentSize: 300 });
    expect(seg.segmentSize).toBe(300);
    expect(new VectorIndex({ dimensions: dims }).segmentSize).toBe(HNSW_DEFAULTS.segmentSize);
    for (let i = 0; i < 1000; i += 128) await seg.add(ids.slice(i, i + 128), vs.slice(i, i + 128));
    expect([seg.size, seg.segmentCount]).toEqual([1000, 4]);
    // Under its segment size the index is one graph, built exactly as without segments.
    const one = new VectorIndex({ dimensions: dims, segmentSize: 5000 });
    const plain = new VectorIndex({ dimensions: dims });
    await one.add(ids, vs);
    await plain.add(ids, vs);
    const queries = rawVectors(20, dims, 2);
    expect(await answers(one, queries)).toEqual(await answers(plain, queries));
    const file = path.join(dir, 'one.rsvi');
    await one.writeTo(file);
    expect(readFileSync(file).readUInt32LE(4)).toBe(1); // older readers still read a one-graph index
    await expectCode(
      () => new VectorIndex({ dimensions: 4, segmentSize: -1 }),
      'INVALID_ARGUMENT',
      'segmentSize',
    );
    await expectCode(
      () => new VectorIndex({ dimensions: 4, segmentSize: 2.5 }),
      'INVALID_ARGUMENT',
      'segmentSize',
    );
  });

  it('equals exact search under any sequence of adds, replacements and removes (tiny segments, exact graphs)', async () => {
    // Segments of at most 12 nodes with M 16 are complete graphs, so each segment search is exact and the merged
    // answer must be the exact top k: the merge (and the routing of updates to the segment holding an id) is the
    // invariant under test.
    const dims = 6;
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 0, max: 40 }), seed: fc.nat() }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 40 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 15 }),
        fc.nat(),
        async (ops, segmentSize, k, qseed) => {
          const seg = new VectorIndex({ dimensions: dims, metric: 'ip', segmentSize, efSearch: 64 });
          const exact = new ExactVectorIndex({ dimensions: dims, metric: 'ip' });
          for (const o of ops) {
            const id = `x${String(o.id).padStart(2, '0')}`;
            if (o.kind === 'add') {
              const v = rawVectors(1, dims, o.seed)[0]!;
              await seg.add([id], [v]);
              await exact.add([id], [v]);
            } else {
              await seg.remove([id]);
              await exact.remove([id]);
            }
          }
          expect(seg.size).toBe(exact.size);
          for (let i = 0; i < 41; i++)
            expect(seg.has(`x${String(i).padStart(2, '0')}`)).toBe(
              exact.has(`x${String(i).padStart(2, '0')}`),
            );
          for (const q of rawVectors(3, dims, qseed)) {
            const got = await seg.search(q, k);
            const want = await exact.search(q, k);
            expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
            for (const [i, h] of got.entries()) expect(h.score).toBeCloseTo(want[i]!.score, 3);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('recall@10 of 6 segments against exact search stays >= 0.95 at the same efSearch as one graph', async () => {
    const dims = 32;
    const vs = rawVectors(3000, dims, 3);
    const ids = vs.map((_, i) => `r${i}`);
    const seg = new VectorIndex({ dimensions: dims, segmentSize: 500, efSearch: 64 });
    const exact = new ExactVectorIndex({ dimensions: dims });
    await seg.add(ids, vs);
    await exact.add(ids, vs);
    expect(seg.segmentCount).toBe(6);
    let found = 0;
    const queries = rawVectors(100, dims, 4);
    for (const q of queries) {
      const truth = new Set((await exact.search(q, 10)).map((h) => h.id));
      const hits = await seg.search(q, 10);
      expect(new Set(hits.map((h) => h.id)).size).toBe(hits.length); // no id twice
      for (const h of hits) if (truth.has(h.id)) found++;
    }
    expect(found / 1000).toBeGreaterThanOrEqual(0.95);
  });

  it('updates go to the last segment and delete in the old one; an emptied segment is dropped', async () => {
    const dims = 8;
    const vs = rawVectors(600, dims, 5);
    const ids = vs.map((_, i) => `u${i}`);
    const idx = new VectorIndex({ dimensions: dims, segmentSize: 200 });
    await idx.add(ids, vs);
    expect(idx.segmentCount).toBe(3);
    const fresh = rawVectors(100, dims, 6);
    await idx.add(ids.slice(0, 100), fresh); // replaces half of segment 0: a new segment 3
    expect([idx.size, idx.deletedCount, idx.segmentCount]).toEqual([600, 100, 4]);
    expect((await idx.search(fresh[7]!, 1))[0]).toMatchObject({ id: 'u7' });
    await idx.remove(ids.slice(100, 200)); // the rest of segment 0: dropped with its deleted nodes
    expect([idx.size, idx.deletedCount, idx.segmentCount]).toEqual([500, 0, 3]);
    for (const id of ids.slice(100, 200)) expect(idx.has(id)).toBe(false);
    expect((await idx.search(vs[150]!, 5)).map((h) => h.id)).not.toContain('u150');
  });

  it('writeTo / readFrom: same answers and scores, segments and parameters kept, still updatable', async () => {
    const dims = 12;
    const vs = rawVectors(900, dims, 7);
    const ids = vs.map((_, i) => `w${i}`);
    const idx = new VectorIndex({ dimensions: dims, segmentSize: 250, efSearch: 30, compactRatio: 5 });
    await idx.add(ids, vs);
    await idx.add(ids.slice(0, 50), rawVectors(50, dims, 8));
    await idx.remove(ids.slice(300, 320));
    const file = path.join(dir, 'segments.rsvi');
    await idx.writeTo(file);
    expect(readFileSync(file).readUInt32LE(4)).toBe(2);
    const back = await VectorIndex.readFrom(file);
    expect([back.segmentCount, back.segmentSize, back.efSearch, back.compactRatio, back.size]).toEqual([
      idx.segmentCount,
      250,
      30,
      5,
      880,
    ]);
    expect(back.deletedCount).toBe(idx.deletedCount);
    const queries = rawVectors(30, dims, 9);
    expect(await answers(back, queries)).toEqual(await answers(idx, queries));
    await back.add(['w5'], [queries[0]!]);
    expect((await back.search(queries[0]!, 1))[0]!.id).toBe('w5');
    expect(back.size).toBe(880);
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(file, bytes);
    await expectCode(VectorIndex.readFrom(file), 'CORRUPT_FILE', file, 'checksum');
  });

  it('the graph file without vectors: segments load bit for bit, and a wrong pairing is refused', async () => {
    const dims = 10;
    const vs = rawVectors(700, dims, 10);
    const ids = vs.map((_, i) => `g${i}`);
    const idx = new VectorIndex({ dimensions: dims, segmentSize: 200, compactRatio: 10 });
    await idx.add(ids, vs);
    const repl = rawVectors(60, dims, 11);
    await idx.add(ids.slice(0, 60), repl); // deleted nodes stay inline in segment 0
    const store = new Map(ids.map((id, i) => [id, i < 60 ? repl[i]! : vs[i]!]));
    const order = [...ids].reverse(); // the caller's order, not the index's
    const file = path.join(dir, 'segments-graph.bin');
    await idx.writeGraphTo(file, order, (id) => store.get(id));
    const buf = readFileSync(file);
    expect(buf.readUInt32LE(4)).toBe(2);
    const list = order.map((id) => store.get(id)!);
    const back = await VectorIndex.readGraphFrom(file, buf, order, list);
    expect([back.segmentCount, back.size, back.deletedCount]).toEqual([4, 700, 60]);
    const queries = rawVectors(25, dims, 12);
    expect(await answers(back, queries)).toEqual(await answers(idx, queries));
    // One copy of the vectors: far smaller than the self-contained file.
    await idx.writeTo(path.join(dir, 'segments-full.rsvi'));
    expect(buf.length).toBeLessThan(
      statSync(path.join(dir, 'segments-full.rsvi')).size - 700 * dims * 4 + 5000,
    );
    const swapped = [order[1]!, order[0]!, ...order.slice(2)];
    await expectCode(VectorIndex.readGraphFrom(file, buf, swapped, list), 'CORRUPT_FILE', 'not the ones');
    await expectCode(
      VectorIndex.readGraphFrom(file, buf, order.slice(1), list.slice(1)),
      'CORRUPT_FILE',
      '700',
    );
    const moved = Buffer.from(buf);
    const at = 12 + buf.readUInt32LE(8); // the first id's segment number
    moved.writeUInt32LE((buf.readUInt32LE(at) + 1) % 4, at);
    await expectCode(VectorIndex.readGraphFrom(file, moved, order, list), 'CORRUPT_FILE', file);
    await expectCode(
      VectorIndex.readGraphFrom(file, buf.subarray(0, buf.length - 100), order, list),
      'CORRUPT_FILE',
    );
  });

  it('a pipeline with vector.segmentSize saves, loads and answers as before', async () => {
    const docs = scifactDocs(80);
    const make = () => new HashingEmbedder({ dimensions: 64 });
    const p = new RetrievalPipeline({
      chunker: 'recursive:200/0',
      embedder: make(),
      vector: { index: 'hnsw', segmentSize: 100 },
    });
    await p.addDocuments(docs);
    await p.updateDocuments(docs.slice(0, 10).map((d) => ({ ...d, text: `${d.text} revised` })));
    const target = path.join(dir, 'pipeline');
    await p.save(target);
    const q = await RetrievalPipeline.load(target, { embedder: make() });
    const vi = q.vectorIndex as VectorIndex;
    expect(vi.segmentSize).toBe(100);
    expect(vi.segmentCount).toBe((p.vectorIndex as VectorIndex).segmentCount);
    expect(vi.segmentCount).toBeGreaterThan(1);
    for (const query of ['vitamin D and bone density', 'gene expression in tumours', 'sleep']) {
      const a = (await p.search(query, { k: 10 })).hits.map((h) => [h.chunk.id, h.score]);
      const b = (await q.search(query, { k: 10 })).hits.map((h) => [h.chunk.id, h.score]);
      expect(b).toEqual(a);
    }
  });
});
