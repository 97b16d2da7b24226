import { describe, expect, it } from 'vitest';
import { makeChunk } from '../../src/core/document.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { Bm25Index } from '../../src/search/bm25.js';
import { fuse } from '../../src/search/fusion.js';
import { HybridRetriever } from '../../src/search/hybrid.js';
import { ExactVectorIndex } from '../../src/search/vector.js';
import { scifactDocs } from './data.js';

describe('HybridRetriever over indexes managed by the caller', async () => {
  const docs = scifactDocs(80);
  const chunks = docs.map((d) => makeChunk(d, 0, 0, d.text.length, 'whole'));
  const embedder = new HashingEmbedder({ dimensions: 64 });
  const bm25 = new Bm25Index();
  bm25.add(chunks.map((c) => ({ id: c.id, docId: c.docId, text: c.text })));
  const index = new ExactVectorIndex({ dimensions: 64, metric: 'cosine' });
  await index.add(
    chunks.map((c) => c.id),
    await embedder.embed(chunks.map((c) => c.text)),
  );
  const query = 'vitamin D deficiency and bone fracture risk';

  it('records both lists to their depth and fuses them exactly like fuse()', async () => {
    const retriever = new HybridRetriever({
      bm25,
      vector: { index, embedder },
      depth: { bm25: 15, vector: 12 },
    });
    const r = await retriever.retrieve(query);
    expect(r.stages.map((s) => s.stage)).toEqual(['bm25', 'vector', 'fusion']);
    const [b, v, f] = r.stages;
    expect(b!.candidates).toHaveLength(15);
    expect(v!.candidates).toHaveLength(12);
    // default docIdOf: the chunk id up to its last '#'
    for (const c of v!.candidates) expect(c.chunkId.startsWith(`${c.docId}#`)).toBe(true);
    const expected = fuse([
      { list: 'bm25', candidates: b!.candidates },
      { list: 'vector', candidates: v!.candidates },
    ]);
    expect(f!.candidates.map((c) => [c.chunkId, c.score])).toEqual(
      expected.candidates.map((c) => [c.chunkId, c.score]),
    );
    expect(r.candidates).toBe(f!.candidates);
    expect(r.method).toBe('rrf');
    expect(r.queryVector).toHaveLength(64);
    expect(r.fused!.get(r.candidates[0]!.chunkId)!.foundBy.length).toBeGreaterThan(0);
  });

  it('per-call overrides and single-retriever use', async () => {
    const retriever = new HybridRetriever({ bm25, vector: { index, embedder } });
    const r = await retriever.retrieve(query, {
      depth: { bm25: 3 },
      fusion: { method: 'weighted', normalization: 'minmax' },
    });
    expect(r.stages[0]!.candidates).toHaveLength(3);
    expect(r.stages[0]!.candidates[0]!.normalized).toBe(1);
    expect(r.stages[2]!.params).toMatchObject({ method: 'weighted', normalization: 'minmax' });
    const lexical = await new HybridRetriever({ bm25 }).retrieve(query);
    expect(lexical.stages.map((s) => s.stage)).toEqual(['bm25']);
    expect(lexical.fused).toBeNull();
    const dropped = await new HybridRetriever({ vector: { index, embedder }, docIdOf: () => null }).retrieve(
      query,
    );
    expect(dropped.candidates).toEqual([]);
    expect(() => new HybridRetriever({})).toThrow(/bm25 and\/or vector/);
  });
});
