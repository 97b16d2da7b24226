import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { type FusionOptions, fuse, normalizeScores } from '../../src/search/fusion.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { MmrReranker } from '../../src/search/rerank/mmr.js';
import { reorderWindow } from '../../src/search/rerank-stage.js';
import { createRetriever, RETRIEVER_REGISTRY } from '../../src/search/retrievers/registry.js';
import { findStage } from '../../src/search/stage-params.js';

const WORDS = [
  'refund',
  'ship',
  'days',
  'policy',
  'return',
  'order',
  'late',
  'fee',
  'card',
  'box',
  'free',
  'week',
];
const text = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 25 }).map((w) => w.join(' '));
const fusionArb = fc.oneof(
  fc.record({ method: fc.constant('rrf' as const), rrfK: fc.integer({ min: 0, max: 80 }) }),
  fc.record({
    method: fc.constantFrom('weighted' as const, 'combmnz' as const),
    normalization: fc.constantFrom('minmax' as const, 'zscore' as const, 'none' as const),
    weights: fc.record({
      bm25: fc.double({ min: 0, max: 2, noNaN: true }),
      vector: fc.double({ min: 0, max: 2, noNaN: true }),
    }),
  }),
);

/**
 * The previous direct path of RetrievalPipeline.search (before the Retriever contract): Bm25Index.search and
 * VectorSearchIndex.search called directly, normalised and fused, the BM25 explanation taken from the index.
 */
async function directSearch(
  p: RetrievalPipeline,
  embedder: HashingEmbedder,
  query: string,
  fusion: Omit<FusionOptions, 'depth'>,
  depth: number,
  k: number,
) {
  const normalization = fusion.method !== 'rrf' ? (fusion.normalization ?? 'minmax') : 'none';
  const bm25 = p.bm25!.search(query, depth);
  const [qv] = await embedder.embed([query], { kind: 'query' });
  const zero = qv!.every((x) => x === 0);
  const vec = zero || p.vectorIndex!.size === 0 ? [] : await p.vectorIndex!.search(qv!, depth);
  const toCandidates = (hits: Array<{ id: string; score: number }>) => {
    const n = normalizeScores(
      hits.map((h) => h.score),
      normalization,
    );
    return hits.map((h, i) => ({
      chunkId: h.id,
      docId: p.getChunk(h.id)!.docId,
      rank: i + 1,
      score: h.score,
      normalized: n[i]!,
    }));
  };
  const lists = [
    { list: 'bm25', candidates: toCandidates(bm25) },
    { list: 'vector', candidates: toCandidates(vec) },
  ];
  const fused = fuse(lists, fusion).candidates.slice(0, k);
  return { lists, fused, explain: (id: string) => p.bm25!.explain(query, id) };
}

describe('the pipeline searches through the Retriever contract', () => {
  it('property: its hits, scores, stage lists and ledger equal the previous direct index path', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(text, { minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom(...WORDS, 'zzz'), { minLength: 1, maxLength: 4 }),
        fusionArb,
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 1, max: 8 }),
        async (texts, queryWords, fusion, depth, k) => {
          const embedder = new HashingEmbedder({ dimensions: 32 });
          const p = new RetrievalPipeline({ chunker: 'none', embedder, vector: { index: 'exact' }, fusion });
          await p.addDocuments(texts.map((t, i) => ({ id: `d${i}`, text: t })));
          const query = queryWords.join(' ');
          const want = await directSearch(p, embedder, query, fusion, depth, k);
          const got = await p.search(query, { k, depth: { bm25: depth, vector: depth } });
          expect(got.hits.map((h) => h.chunk.id)).toEqual(want.fused.map((c) => c.chunkId));
          got.hits.forEach((h, i) => {
            expect(h.score).toBe(want.fused[i]!.score);
            expect(h.ledger.fusion?.contributions).toEqual(want.fused[i]!.contributions);
            const b = want.lists[0]!.candidates.find((c) => c.chunkId === h.chunk.id);
            expect(h.ledger.bm25?.rank ?? null).toBe(b?.rank ?? null);
            if (b) expect(h.ledger.bm25!.explanation).toEqual(want.explain(h.chunk.id));
            expect(h.ledger.lists?.bm25?.rank ?? null).toBe(b?.rank ?? null);
            const v = want.lists[1]!.candidates.find((c) => c.chunkId === h.chunk.id);
            expect(h.ledger.vector?.score ?? null).toBe(v?.score ?? null);
          });
          for (const [i, name] of ['bm25', 'vector'].entries()) {
            const stage = got.trace.stages.find((s) => s.stage === name)!;
            expect(stage.candidates).toEqual(want.lists[i]!.candidates);
            expect(stage.params.depth).toBe(depth);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('addChunks: index the chunks the caller already has', () => {
  const document = { id: 'faq', text: 'Refunds take five days.\n\nShipping is free over fifty euros.' };
  const chunks = new RecursiveChunker({ size: 30 }).chunkSync(document);

  it('indexes exactly the chunks given, as addDocuments with their chunker does', async () => {
    const given = new RetrievalPipeline({ chunker: 'none' });
    const report = await given.addChunks([{ document, chunks }]);
    expect(report.added).toEqual(['faq']);
    expect(given.chunksOf('faq')).toEqual(chunks);
    const chunked = new RetrievalPipeline({ chunker: new RecursiveChunker({ size: 30 }) });
    await chunked.addDocuments([document]);
    const a = await given.search('shipping free', { k: 3 });
    const b = await chunked.search('shipping free', { k: 3 });
    expect(a.hits.map((h) => [h.chunk.id, h.score])).toEqual(b.hits.map((h) => [h.chunk.id, h.score]));
  });

  it('rejects a chunk whose offsets do not select its text, naming the item and chunk', async () => {
    const p = new RetrievalPipeline({ chunker: 'none' });
    const shifted = chunks.map((c, j) => (j === 1 ? { ...c, start: c.start + 1 } : c));
    const err = await p.addChunks([{ document, chunks: shifted }]).catch((e) => e);
    expect(err).toBeInstanceOf(RagscopeError);
    expect(err.details.param).toBe('items[0].chunks[1].text');
    const wrongDoc = await p
      .addChunks([{ document, chunks: [{ ...chunks[0]!, docId: 'other' }] }])
      .catch((e) => e);
    expect(wrongDoc.details.param).toBe('items[0].chunks[0].docId');
    const outside = await p
      .addChunks([{ document, chunks: [{ ...chunks[0]!, end: 10_000 }] }])
      .catch((e) => e);
    expect(outside.details.param).toBe('items[0].chunks[0].end');
    expect(p.stats.chunks).toBe(0); // nothing was indexed by the failed calls
    await p.addChunks([{ document, chunks }]);
    const again = await p.addChunks([{ document, chunks }]).catch((e) => e);
    expect(again.details.param).toBe('items[0].document.id');
  });
});

describe('pipeline.view: some of its retrievers, its stores shared', () => {
  const docs = [
    { id: 'refunds', text: 'Refunds take five business days after the return arrives.' },
    { id: 'shipping', text: 'Shipping is free for orders over fifty euros.' },
    { id: 'cards', text: 'We accept every major credit card and bank transfer.' },
  ];

  it('runs only the retrievers named, equals a pipeline built with only them, and sees later updates', async () => {
    const embedder = new HashingEmbedder({ dimensions: 64 });
    const p = new RetrievalPipeline({
      chunker: 'none',
      embedder,
      vector: { index: 'exact' },
      reranker: new MmrReranker({ lambda: 0.5 }),
    });
    await p.addDocuments(docs);
    const lexical = p.view({ retrievers: ['bm25'], reranker: false });
    const dense = p.view({ retrievers: ['vector'] });
    const r = await lexical.search('refund days', { k: 3 });
    expect(r.trace.stages.map((s) => s.stage)).toEqual(['bm25']);
    const alone = new RetrievalPipeline({ chunker: 'none', vector: false });
    await alone.addDocuments(docs);
    const a = await alone.search('refund days', { k: 3 });
    expect(r.hits.map((h) => [h.chunk.id, h.score])).toEqual(a.hits.map((h) => [h.chunk.id, h.score]));
    expect((await dense.search('refund days', { k: 3 })).trace.stages.map((s) => s.stage)).toEqual([
      'vector',
      'rerank',
    ]);
    expect(lexical.bm25).toBe(p.bm25);
    expect(dense.bm25).toBeNull();
    expect(lexical.config.vector).toBe(false);
    await p.addDocuments([{ id: 'late', text: 'A late refund is paid with interest.' }]);
    expect(lexical.getDocument('late')?.id).toBe('late');
    expect((await lexical.search('late refund', { k: 1 })).hits[0]?.chunk.docId).toBe('late');
    const other = p.view({ reranker: new MmrReranker({ lambda: 0.9 }), rerankDepth: 2 });
    const rr = findStage((await other.search('refund', { k: 1 })).trace.stages, 'rerank');
    expect(rr?.params.reranker).toMatch(/mmr/);
    expect(rr?.params.depth).toBe(2);
  });

  it('rejects a retriever the pipeline does not have', async () => {
    const p = new RetrievalPipeline({ chunker: 'none' });
    expect(() => p.view({ retrievers: ['vector'] })).toThrow(RagscopeError);
    expect(() => p.view({ retrievers: [] })).toThrow(/options.retrievers/);
  });
});

describe('the rerank window and the retriever registry', () => {
  it('reorderWindow puts ranked items first in rank order, then unranked ones, then the rest', () => {
    const list = ['a', 'b', 'c', 'd'].map((chunkId) => ({ chunkId }));
    const ranks: Record<string, number> = { c: 1, a: 2 };
    expect(reorderWindow(list, 3, (c) => ranks[c.chunkId]).map((c) => c.chunkId)).toEqual([
      'c',
      'a',
      'b',
      'd',
    ]);
  });

  it('builds the built-ins by name and names what is missing', async () => {
    const p = new RetrievalPipeline({ chunker: 'none' });
    await p.addDocuments([{ id: 'faq', text: 'Refunds take five days.' }]);
    const r = createRetriever('bm25', { bm25: p.bm25 });
    expect(await r.retrieve('refund', 5)).toEqual(await p.retrievers[0]!.retrieve('refund', 5));
    expect(Object.keys(RETRIEVER_REGISTRY)).toEqual(
      expect.arrayContaining(['bm25', 'vector', 'pg-text', 'pg-vector', 'langchain']),
    );
    expect(() => createRetriever('elastic', {})).toThrow(/registered retriever/);
    expect(() => createRetriever('vector', { vectorIndex: p.vectorIndex })).toThrow(/sources.vectorIndex/);
  });
});
