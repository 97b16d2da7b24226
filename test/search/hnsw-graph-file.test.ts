import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { graphFileInfo, hnswData } from '../../src/search/hnsw-graph-file.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { VectorIndex } from '../../src/search/vector.js';
import { rawVectors, scifactDocs } from './shared.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ragscope-graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function answers(idx: VectorIndex, queries: Float32Array[]) {
  return Promise.all(queries.map((q) => idx.search(q, 10)));
}

async function expectCorrupt(p: Promise<unknown>, ...parts: string[]): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RagscopeError);
  expect((err as RagscopeError).code).toBe('CORRUPT_FILE');
  for (const part of parts) expect((err as RagscopeError).message).toContain(part);
}

describe('HNSW graph file (one copy of the vectors)', () => {
  it.each(['cosine', 'ip'] as const)(
    '%s: graph saved without its live vectors loads bit for bit: same answers, same scores',
    async (metric) => {
      const dims = 24;
      const n = 1500;
      const ids = Array.from({ length: n }, (_, i) => `g${i}`);
      // compactRatio 10: the replaced vectors stay in the graph as deleted nodes (they must be kept inline).
      const idx = new VectorIndex({ dimensions: dims, metric, efSearch: 80, compactRatio: 10 });
      await idx.add(ids, rawVectors(n, dims, 1));
      const fresh = rawVectors(400, dims, 2);
      await idx.add(ids.slice(0, 400), fresh);
      await idx.remove(ids.slice(1400));
      expect(idx.deletedCount).toBe(500);
      const live = ids.slice(0, 1400);
      const store = new Map<string, Float32Array>();
      const first = rawVectors(n, dims, 1);
      live.forEach((id, i) => {
        store.set(id, i < 400 ? fresh[i]! : first[i]!);
      });
      const queries = rawVectors(40, dims, 3);
      const before = await answers(idx, queries);

      const file = path.join(dir, `graph-${metric}.bin`);
      await idx.writeGraphTo(file, live, (id) => store.get(id));
      const buf = readFileSync(file);
      const info = graphFileInfo(file, buf);
      expect(info).toMatchObject({ count: 1400, elements: 1900, inline: 500 });
      const full = path.join(dir, `full-${metric}.hnsw`);
      await idx.writeTo(full);
      // The graph file is hnswlib's file minus the 1400 live vectors.
      expect(buf.length).toBeLessThan(statSync(full).size - 1400 * dims * 4 + 1900 + 1400 * 4);

      const back = await VectorIndex.readGraphFrom(
        file,
        buf,
        live,
        live.map((id) => store.get(id)!),
      );
      expect(back.size).toBe(1400);
      expect(back.deletedCount).toBe(500);
      expect(back.compactRatio).toBe(10);
      expect(await answers(back, queries)).toEqual(before);
      // Still growable, and updates still work.
      await back.add(['extra'], [queries[0]!]);
      expect((await back.search(queries[0]!, 1))[0]!.id).toBe('extra');
    },
  );

  it('after a compaction no live vector is stored in the graph (the bytes are reproduced exactly)', async () => {
    const dims = 16;
    const ids = Array.from({ length: 1200 }, (_, i) => `c${i}`);
    const idx = new VectorIndex({ dimensions: dims, compactRatio: 0.5 });
    await idx.add(ids, rawVectors(1200, dims, 4));
    const last = rawVectors(1200, dims, 5);
    await idx.add(ids, last); // 1200 deleted > 0.5 x 1200: the graph is rebuilt from hnswlib's own copies
    const file = path.join(dir, 'compacted.bin');
    const store = new Map(ids.map((id, i) => [id, last[i]!]));
    await idx.writeGraphTo(file, ids, (id) => store.get(id));
    const info = graphFileInfo(file, readFileSync(file));
    expect(info.count).toBe(1200);
    expect(info.inline).toBe(info.elements - 1200);
  });

  it('hnswData is hnswlib-node normalisation: unit norm in float32, direction kept; ip unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (xs) => {
          fc.pre(xs.some((x) => Math.abs(x) > 1e-3));
          const v = Float32Array.from(xs);
          expect(Array.from(hnswData(v, 'ip'))).toEqual(Array.from(v));
          const u = hnswData(v, 'cosine');
          let norm = 0;
          for (const x of u) norm += x * x;
          expect(Math.abs(Math.sqrt(norm) - 1)).toBeLessThan(1e-5);
          for (let i = 0; i < v.length; i++) if (u[i] !== 0) expect(Math.sign(u[i]!)).toBe(Math.sign(v[i]!));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses other ids, other counts and damaged bytes, naming the file', async () => {
    const dims = 8;
    const ids = Array.from({ length: 300 }, (_, i) => `d${i}`);
    const vs = rawVectors(300, dims, 6);
    const idx = new VectorIndex({ dimensions: dims });
    await idx.add(ids, vs);
    const file = path.join(dir, 'damaged.bin');
    const store = new Map(ids.map((id, i) => [id, vs[i]!]));
    await idx.writeGraphTo(file, ids, (id) => store.get(id));
    const buf = readFileSync(file);
    await expectCorrupt(VectorIndex.readGraphFrom(file, buf, ids.slice(1), vs.slice(1)), file, '300');
    const swapped = [ids[1]!, ids[0]!, ...ids.slice(2)];
    await expectCorrupt(VectorIndex.readGraphFrom(file, buf, swapped, vs), 'not the ones it was saved with');
    const short = vs.map((v) => v.subarray(0, 7));
    await expectCorrupt(VectorIndex.readGraphFrom(file, buf, ids, short), '7 dimensions, not 8');
    const cut = buf.subarray(0, buf.length - 500);
    await expectCorrupt(VectorIndex.readGraphFrom(file, cut, ids, vs), file);
    const bad = Buffer.from(buf);
    bad[0] = 0;
    await expectCorrupt(VectorIndex.readGraphFrom(file, bad, ids, vs), 'bad magic');
    // A node's flag byte (the first after hnswlib's header) set to something else.
    const flagAt = 12 + buf.readUInt32LE(8) + 300 * 4 + 96;
    const flagged = Buffer.from(buf);
    flagged[flagAt] = 7;
    await expectCorrupt(VectorIndex.readGraphFrom(file, flagged, ids, vs), 'node 0', 'bad flag');
  });

  it('a saved HNSW pipeline stores its vectors once and answers as before the save', async () => {
    const docs = scifactDocs(80);
    const make = () => new HashingEmbedder({ dimensions: 128 });
    const p = new RetrievalPipeline({
      chunker: 'recursive:300/0',
      embedder: make(),
      vector: { index: 'hnsw' },
    });
    await p.addDocuments(docs);
    await p.updateDocuments(docs.slice(0, 20).map((d) => ({ ...d, text: `${d.text} updated` })));
    const target = path.join(dir, 'pipeline');
    await p.save(target);
    const vectors = statSync(path.join(target, 'vectors.bin')).size;
    const graph = statSync(path.join(target, 'vector-index.bin')).size;
    // Before: vector-index.bin was hnswlib's whole file, all vectors again (> vectors.bin).
    expect(graph).toBeLessThan(vectors / 2);
    const q = await RetrievalPipeline.load(target, { embedder: make() });
    for (const query of ['vitamin D and bone density', 'gene expression in tumours', 'sleep']) {
      const a = (await p.search(query, { k: 10 })).hits.map((h) => [h.chunk.id, h.score]);
      const b = (await q.search(query, { k: 10 })).hits.map((h) => [h.chunk.id, h.score]);
      expect(b).toEqual(a);
    }
  });
});
