import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import { Bm25Retriever, VectorRetriever } from '../../src/search/builtin-retrievers.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { RetrieverSearch } from '../../src/search/retriever-search.js';
import { sharedPath } from '../chunkers/chunk-invariants.js';

describe('the built-in BM25 and vector indexes as Retrievers', () => {
  it("fused through RetrieverSearch, they give the pipeline's own hybrid top k and scores (Chroma questions)", async () => {
    expect(fs.existsSync(sharedPath('data/chroma'))).toBe(true);
    const all = await loadChromaSpans(sharedPath('data/chroma'));
    const ids = new Set(['state_of_the_union', 'chatlogs']);
    const documents = all.documents.filter((d) => ids.has(d.id));
    const questions = all.questions.filter((q) => q.spans?.every((s) => ids.has(s.docId))).slice(0, 25);
    const embedder = new HashingEmbedder({ dimensions: 256 });
    for (const fusion of [
      { method: 'rrf' as const, rrfK: 60 },
      { method: 'weighted' as const, normalization: 'zscore' as const, weights: { bm25: 0.4, vector: 0.6 } },
    ]) {
      const pipeline = new RetrievalPipeline({
        chunker: 'recursive:400/0',
        embedder,
        vector: { index: 'exact' },
        fusion,
        depth: { bm25: 60, vector: 60 },
      });
      await pipeline.addDocuments(documents);
      const search = new RetrieverSearch({
        retrievers: [new Bm25Retriever(pipeline.bm25!), new VectorRetriever(pipeline.vectorIndex!, embedder)],
        embedder,
        fusion,
        depth: 60,
      });
      for (const q of questions) {
        const want = await pipeline.search(q.text, { k: 5 });
        const got = await search.search(q.text, { k: 5 });
        expect(got.hits.map((h) => h.chunk.id)).toEqual(want.hits.map((h) => h.chunk.id));
        for (const [i, h] of got.hits.entries()) expect(h.score).toBeCloseTo(want.hits[i]!.score, 12);
        expect(got.trace.stages.map((s) => s.stage)).toEqual(['bm25', 'vector', 'fusion']);
      }
    }
  });

  it('explains a BM25 score term by term through the contract, and rejects what is not an index', async () => {
    const pipeline = new RetrievalPipeline({ chunker: 'recursive:200/0' });
    await pipeline.addDocuments([{ id: 'faq', text: 'Refunds take five business days. Shipping is free.' }]);
    const bm25 = new Bm25Retriever(pipeline.bm25!);
    const [top] = await bm25.retrieve('refund days', 5);
    const e = await bm25.explain('refund days', top!.chunkId);
    expect(e!.score).toBe(top!.score);
    expect(await bm25.has(top!.chunkId)).toBe(true);
    expect(await bm25.explain('refund', 'nope#0.x')).toBeUndefined();
    expect(() => new Bm25Retriever({} as never)).toThrow(/index/);
    expect(() => new VectorRetriever({} as never, new HashingEmbedder())).toThrow(/index/);
  });
});

describe('RetrieverSearch shares the pipeline search core, re-ranking included', () => {
  it('with the same re-ranker over the built-ins it gives the pipeline hits, ledger and rerank stage', async () => {
    // A re-ranker of the caller's own (the Reranker contract): shortest text first.
    const byLength = {
      id: 'shortest-first',
      rerank: async (_q: string, cs: Array<{ id: string; text: string; score: number }>) =>
        [...cs]
          .sort((a, b) => a.text.length - b.text.length || (a.id < b.id ? -1 : 1))
          .map((c, i) => ({ id: c.id, score: -i })),
    };
    const embedder = new HashingEmbedder({ dimensions: 64 });
    const pipeline = new RetrievalPipeline({
      chunker: 'recursive:80/0',
      embedder,
      vector: { index: 'exact' },
      reranker: byLength,
      rerankDepth: 4,
    });
    await pipeline.addDocuments([
      { id: 'a', text: 'Refunds take five business days. Refunds are paid to the card used for the order.' },
      { id: 'b', text: 'Shipping is free over fifty euros. Late orders are refunded in full.' },
    ]);
    const chunks = pipeline.chunkIds().map((id) => pipeline.getChunk(id)!);
    const search = new RetrieverSearch({
      retrievers: pipeline.retrievers,
      embedder,
      chunks,
      reranker: byLength,
      rerankDepth: 4,
    });
    const want = await pipeline.search('refund late order', { k: 3 });
    const got = await search.search('refund late order', { k: 3 });
    expect(got.hits.map((h) => h.chunk.id)).toEqual(want.hits.map((h) => h.chunk.id));
    expect(got.hits.map((h) => h.ledger)).toEqual(want.hits.map((h) => h.ledger));
    const strip = (r: typeof want) => r.trace.stages.map((s) => ({ ...s, durationMs: 0 }));
    expect(strip(got)).toEqual(strip(want));
    expect(want.trace.stages.map((s) => s.stage)).toEqual(['bm25', 'vector', 'fusion', 'rerank']);
  });
});
