import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import type { Document } from '../../src/core/document.js';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { fuseFromTrace } from '../../src/search/fusion.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { CrossEncoderReranker } from '../../src/search/rerank/cross-encoder.js';
import { MmrReranker } from '../../src/search/rerank/mmr.js';
import type { SearchTrace } from '../../src/search/types.js';
import { CountingEmbedder, expectConsistent, repoRoot, scifactDocs } from './shared.js';

const chunker = () => new RecursiveChunker({ size: 300 });
const make = (
  embedder = new CountingEmbedder(),
  extra: Partial<ConstructorParameters<typeof RetrievalPipeline>[0]> = {},
) => new RetrievalPipeline({ chunker: chunker(), embedder, vector: { index: 'exact' }, ...extra });

const stripDurations = (t: SearchTrace) => ({ ...t, stages: t.stages.map((s) => ({ ...s, durationMs: 0 })) });

describe('RetrievalPipeline: add, update, remove keep chunk store, BM25 and vectors consistent', () => {
  it('on real SciFact abstracts', async () => {
    const docs = scifactDocs(40);
    const embedder = new CountingEmbedder();
    const p = make(embedder);
    const added = await p.addDocuments(docs);
    expect(added.added).toHaveLength(40);
    expect(added.chunksAdded).toBe(p.stats.chunks);
    expect(p.stats.chunks).toBeGreaterThan(40); // abstracts are longer than 300 chars
    expect(embedder.passages).toHaveLength(p.stats.chunks);
    await expectConsistent(p, docs);

    // The vector index agrees too: searching by a stored vector returns its chunk first.
    const someChunk = p.chunksOf(docs[3]!.id)[0]!;
    const [top] = await p.vectorIndex!.search(p.getVector(someChunk.id)!, 1);
    expect(top!.id).toBe(someChunk.id);

    // Update: two texts change at the end, one metadata-only change, one identical, one new document.
    embedder.passages.length = 0;
    const changed = [docs[0]!, docs[1]!].map((d) => ({
      ...d,
      text: `${d.text} Zyxwv quokka appendix sentence.`,
    }));
    const metaOnly = { ...docs[2]!, metadata: { title: 'renamed' } };
    const fresh: Document = { id: 'new-doc', text: 'Quokka populations on Rottnest Island.', metadata: {} };
    const oldChunkIds = new Set([...p.chunksOf(docs[0]!.id), ...p.chunksOf(docs[1]!.id)].map((c) => c.id));
    const report = await p.updateDocuments([...changed, metaOnly, docs[5]!, fresh]);
    expect(report.updated.sort()).toEqual([docs[0]!.id, docs[1]!.id, docs[2]!.id].sort());
    expect(report.unchanged).toEqual([docs[5]!.id]);
    expect(report.added).toEqual(['new-doc']);
    // Only chunks with new ids were embedded: the changed tails of docs 0 and 1 and the new doc; nothing of doc 2.
    const newChunks = [...changed.flatMap((d) => p.chunksOf(d.id)), ...p.chunksOf('new-doc')].filter(
      (c) => !oldChunkIds.has(c.id),
    );
    expect(embedder.passages.sort()).toEqual(newChunks.map((c) => c.text).sort());
    expect(embedder.passages.length).toBeLessThan(
      p.chunksOf(docs[0]!.id).length + p.chunksOf(docs[1]!.id).length + 1,
    );
    expect(embedder.passages.some((t) => t.includes('quokka appendix'))).toBe(true);
    expect(report.chunksEmbedded).toBe(embedder.passages.length);
    expect(p.chunksOf(docs[2]!.id).every((c) => c.metadata.title === 'renamed')).toBe(true);
    const current = [...changed, metaOnly, ...docs.slice(3), fresh];
    await expectConsistent(p, current);
    const { hits } = await p.search('zyxwv quokka appendix', { k: 3 });
    expect(new Set(hits.slice(0, 2).map((h) => h.chunk.docId))).toEqual(new Set([docs[0]!.id, docs[1]!.id]));

    // Remove: chunks disappear from every index and from results.
    const gone = [docs[0]!.id, 'new-doc', 'never-indexed'];
    const removed = await p.removeDocuments(gone);
    expect(removed.removed).toEqual([docs[0]!.id, 'new-doc']);
    await expectConsistent(
      p,
      current.filter((d) => !gone.includes(d.id)),
    );
    const after = await p.search('quokka', { k: 10 });
    expect(after.hits.every((h) => !gone.includes(h.chunk.docId))).toBe(true);
    expect(after.hits[0]!.chunk.docId).toBe(docs[1]!.id);
  });

  it('stays consistent under random add/update/remove sequences (property)', async () => {
    const words = ['alpha', 'beta', 'gamma', 'delta', 'cell', 'gene', 'tumour', 'virus', 'protein', 'risk'];
    const textArb = fc
      .array(fc.constantFrom(...words), { minLength: 1, maxLength: 40 })
      .map((w) => w.join(' '));
    const opArb = fc.oneof(
      fc.record({ op: fc.constant('upsert' as const), id: fc.integer({ min: 0, max: 5 }), text: textArb }),
      fc.record({ op: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 5 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const p = new RetrievalPipeline({
          chunker: new RecursiveChunker({ size: 60 }),
          embedder: new HashingEmbedder({ dimensions: 32 }),
          vector: { index: 'exact' },
        });
        const model = new Map<string, Document>();
        for (const o of ops) {
          const id = `d${o.id}`;
          if (o.op === 'upsert') {
            const doc = { id, text: o.text, metadata: {} };
            await p.updateDocuments([doc]);
            model.set(id, doc);
          } else {
            await p.removeDocuments([id]);
            model.delete(id);
          }
        }
        await expectConsistent(p, [...model.values()]);
      }),
      { numRuns: 25 },
    );
  });

  it('concurrent add/update/remove calls are applied one at a time, in call order', async () => {
    const docs = scifactDocs(30);
    const p = make();
    await Promise.all([
      p.addDocuments(docs.slice(0, 20)),
      p.updateDocuments([{ ...docs[0]!, text: 'quokka first' }, ...docs.slice(20, 25)]),
      p.removeDocuments([docs[1]!.id]),
      p.updateDocuments([{ ...docs[0]!, text: 'quokka second' }]),
      p.addDocuments(docs.slice(25, 30)),
    ]);
    const expected = [{ ...docs[0]!, text: 'quokka second' }, ...docs.slice(2, 30)];
    await expectConsistent(p, expected);
  });

  it('a chunk that embeds to the zero vector stays BM25-searchable and is listed, not fatal', async () => {
    const p = new RetrievalPipeline({
      chunker: new RecursiveChunker({ size: 20 }),
      embedder: new HashingEmbedder({ dimensions: 32 }),
      vector: { index: 'exact' },
    });
    const doc = {
      id: 'mixed',
      text: 'Refunds take 5 days.\n\n!!! ??? --- ***\n\nShipping is free.',
      metadata: {},
    };
    const report = await p.addDocuments([doc]);
    expect(report.chunksWithoutVector).toHaveLength(1);
    expect(p.getChunk(report.chunksWithoutVector[0]!)!.text.trim()).toBe('!!! ??? --- ***');
    await expectConsistent(p, [doc]);
    await p.updateDocuments([{ ...doc, text: 'Refunds take 5 days.' }]);
    expect(p.chunksWithoutVector()).toEqual([]);
    await expectConsistent(p, [{ ...doc, text: 'Refunds take 5 days.' }]);
    const bad = new RetrievalPipeline({
      chunker: 'none',
      embedder: {
        id: 'nan',
        dimensions: 2,
        embed: async (t: string[]) => t.map(() => Float32Array.of(Number.NaN, 1)),
      },
      vector: { index: 'exact' },
    });
    await expect(bad.addDocuments([doc])).rejects.toThrow(/non-finite value NaN/);
    expect(bad.stats).toMatchObject({ documents: 0, chunks: 0, bm25: 0, vectors: 0 });
  });

  it('refuses duplicate ids and bad configs with RagscopeError', async () => {
    const p = make();
    await p.addDocuments([{ id: 'a', text: 'hello world' }]);
    await expect(p.addDocuments([{ id: 'a', text: 'again' }])).rejects.toThrow(/already indexed/);
    await expect(
      p.updateDocuments([
        { id: 'b', text: 'x' },
        { id: 'b', text: 'y' },
      ]),
    ).rejects.toThrow(/unique/);
    await expect(p.search('   ')).rejects.toThrow(RagscopeError);
    await expect(p.search('hello', { k: 0 })).rejects.toThrow(/k must be/);
    expect(() => new RetrievalPipeline({ chunker: 'none', bm25: false })).toThrow(/both are off/);
    expect(() => new RetrievalPipeline({ chunker: 'none', vector: {} })).toThrow(/config\.embedder/);
    expect(() => new RetrievalPipeline({ chunker: 'bogus:1' })).toThrow(RagscopeError);
    expect(() => new RetrievalPipeline({ chunker: 'none', fusion: { method: 'x' as never } })).toThrow(
      /fusion\.method/,
    );
    expect(() => new RetrievalPipeline({ chunker: 'none', depth: { bm25: 0 } })).toThrow(/depth\.bm25/);
  });
});

describe('RetrievalPipeline: trace and ledger', () => {
  const docs = scifactDocs(120);
  const query = 'vitamin D deficiency and bone fracture risk';

  it('records every stage, is plain stable JSON, and the ledger adds up', async () => {
    const p = make(new CountingEmbedder(), { depth: { bm25: 30, vector: 25 } });
    await p.addDocuments(docs);
    const { hits, trace } = await p.search(query, { k: 5 });
    expect(hits).toHaveLength(5);
    expect(trace.stages.map((s) => s.stage)).toEqual(['bm25', 'vector', 'fusion']);
    const [bm25, vector, fusion] = trace.stages;
    expect(bm25!.candidates).toHaveLength(30);
    expect(vector!.candidates).toHaveLength(25);
    expect(bm25!.params).toMatchObject({ depth: 30, k1: 0.9, b: 0.4 });
    expect(fusion!.params).toMatchObject({ method: 'rrf', rrfK: 60 });
    for (const s of trace.stages) {
      s.candidates.forEach((c, i) => {
        expect(c.rank).toBe(i + 1);
        if (i > 0) expect(s.candidates[i - 1]!.score).toBeGreaterThanOrEqual(c.score);
      });
      expect(s.durationMs).toBeGreaterThanOrEqual(0);
    }
    // Plain JSON: a round trip is lossless, and the same search gives the same trace (durations aside).
    const json = JSON.stringify(trace);
    expect(JSON.parse(json)).toEqual(trace);
    expect(json).not.toMatch(/Float32Array|\{\}$/);
    const again = await p.search(query, { k: 5 });
    expect(stripDurations(again.trace)).toEqual(stripDurations(trace));
    // Fusion can be replayed from the saved trace.
    const replay = fuseFromTrace(JSON.parse(json), { method: 'rrf' });
    expect(replay.candidates.map((c) => c.chunkId)).toEqual(fusion!.candidates.map((c) => c.chunkId));

    for (const hit of hits) {
      const { ledger } = hit;
      expect(hit.score).toBe(ledger.fusion!.score);
      const sum = ledger.fusion!.contributions.reduce((a, c) => a + c.contribution, 0);
      expect(sum).toBeCloseTo(ledger.fusion!.score, 12);
      for (const c of ledger.fusion!.contributions) {
        expect(c.contribution).toBeCloseTo(c.rank === null ? 0 : 1 / (60 + c.rank), 12);
      }
      expect(ledger.fusion!.foundBy).toEqual(
        [ledger.bm25 ? 'bm25' : null, ledger.vector ? 'vector' : null].filter(Boolean),
      );
      if (ledger.bm25) {
        const terms = ledger.bm25.explanation.terms.reduce((a, t) => a + t.contribution, 0);
        expect(terms).toBeCloseTo(ledger.bm25.score, 9);
        expect(ledger.bm25.explanation.score).toBeCloseTo(ledger.bm25.score, 9);
        expect(ledger.bm25.rank).toBe(bm25!.candidates.find((c) => c.chunkId === hit.chunk.id)!.rank);
      }
      if (ledger.vector) {
        const cos = (await p.embedder!.embed([query], { kind: 'query' }))[0]!;
        const v = p.getVector(hit.chunk.id)!;
        const dot = cos.reduce((a, x, i) => a + x * v[i]!, 0);
        expect(ledger.vector.score).toBeCloseTo(dot, 4); // hashing vectors are unit length
        expect(ledger.vector.metric).toBe('cosine');
      }
      expect(ledger.rerank).toBeNull();
    }
    // A chunk found by one list only is marked and its missing contribution is 0.
    const single = fusion!.candidates.find((c) => {
      const inB = bm25!.candidates.some((x) => x.chunkId === c.chunkId);
      const inV = vector!.candidates.some((x) => x.chunkId === c.chunkId);
      return inB !== inV;
    });
    expect(single).toBeDefined();
  });

  it('weighted min-max fusion stores normalised scores in the retriever stages', async () => {
    const p = make(new CountingEmbedder(), { fusion: { method: 'weighted', normalization: 'minmax' } });
    await p.addDocuments(docs.slice(0, 40));
    const { hits, trace } = await p.search(query, { k: 3 });
    const bm25 = trace.stages[0]!;
    expect(bm25.candidates[0]!.normalized).toBe(1);
    expect(bm25.candidates.at(-1)!.normalized).toBe(0);
    const h = hits[0]!;
    for (const c of h.ledger.fusion!.contributions) {
      if (c.rank !== null) expect(c.contribution).toBeCloseTo(c.normalized!, 12);
    }
    // per-query override
    const rrf = await p.search(query, { k: 3, fusion: { method: 'rrf' } });
    expect(rrf.trace.stages[0]!.candidates[0]!.normalized).toBe(rrf.trace.stages[0]!.candidates[0]!.score);
  });

  it('re-ranking is recorded as a stage and in each ledger (rank movement)', async () => {
    const p = make(new CountingEmbedder(), { reranker: new MmrReranker({ lambda: 0.3 }), rerankDepth: 10 });
    await p.addDocuments(docs.slice(0, 60));
    const { hits, trace } = await p.search(query, { k: 5 });
    expect(trace.stages.map((s) => s.stage)).toEqual(['bm25', 'vector', 'fusion', 'rerank']);
    const rerank = trace.stages[3]!;
    expect(rerank.candidates).toHaveLength(10);
    expect(rerank.params).toMatchObject({ depth: 10, reranker: 'mmr:l0.3:score' });
    const fusion = trace.stages[2]!;
    for (const [i, hit] of hits.entries()) {
      const r = hit.ledger.rerank!;
      expect(r.rankAfter).toBe(i + 1);
      expect(r.rankBefore).toBe(fusion.candidates.find((c) => c.chunkId === hit.chunk.id)!.rank);
      expect(r.moved).toBe(r.rankBefore - r.rankAfter);
      expect(hit.score).toBe(r.score);
    }
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
    const skipped = await p.search(query, { k: 5, rerank: false });
    expect(skipped.trace.stages.map((s) => s.stage)).toEqual(['bm25', 'vector', 'fusion']);
  });

  it('a cross-encoder re-ranker (real transformers.js path) reorders the fused top', async () => {
    const models = path.resolve(repoRoot, '../shared/models');
    const reranker = new CrossEncoderReranker({
      model: 'glove-6B-50d-10k-pair-cosine',
      localModelPath: models,
      allowRemoteModels: false,
    });
    const p = make(new CountingEmbedder(), { reranker, rerankDepth: 8 });
    await p.addDocuments(docs.slice(0, 60));
    const { hits, trace } = await p.search(query, { k: 4 });
    const rerank = trace.stages.find((s) => s.stage === 'rerank')!;
    const fusionTop = trace.stages.find((s) => s.stage === 'fusion')!.candidates.slice(0, 8);
    const direct = await reranker.rerank(
      query,
      fusionTop.map((c) => ({ id: c.chunkId, text: p.getChunk(c.chunkId)!.text, score: c.score })),
    );
    expect(rerank.candidates.map((c) => [c.chunkId, c.score])).toEqual(direct.map((r) => [r.id, r.score]));
    expect(hits.map((h) => h.chunk.id)).toEqual(direct.slice(0, 4).map((r) => r.id));
  });

  it('a misbehaving re-ranker is reported, not trusted', async () => {
    const liar = {
      id: 'liar',
      rerank: async (_q: string, c: Array<{ id: string }>) => c.slice(1).map((x) => ({ id: x.id, score: 1 })),
    };
    const nan = {
      id: 'nan',
      rerank: async (_q: string, c: Array<{ id: string }>) => c.map((x) => ({ id: x.id, score: Number.NaN })),
    };
    for (const reranker of [liar, nan]) {
      const p = make(new CountingEmbedder(), { reranker });
      await p.addDocuments(docs.slice(0, 10));
      await expect(p.search(query, { k: 3 })).rejects.toThrow(new RegExp(`reranker ${reranker.id}`));
    }
  });

  it('single-retriever pipelines: whole-document chunks, BM25 only or vectors only', async () => {
    const bm25Only = new RetrievalPipeline({ chunker: 'none' });
    await bm25Only.addDocuments(docs.slice(0, 30));
    expect(bm25Only.stats).toMatchObject({ documents: 30, chunks: 30, vectors: 0 });
    expect(bm25Only.chunksOf(docs[0]!.id)[0]!.text).toBe(docs[0]!.text);
    const r1 = await bm25Only.search(query, { k: 3 });
    expect(r1.trace.stages.map((s) => s.stage)).toEqual(['bm25']);
    expect(r1.hits[0]!.ledger.fusion).toBeNull();
    expect(r1.hits[0]!.score).toBe(r1.hits[0]!.ledger.bm25!.score);

    const vecOnly = new RetrievalPipeline({
      chunker: 'none',
      bm25: false,
      embedder: new HashingEmbedder({ dimensions: 64 }),
      vector: { index: 'exact' },
    });
    await vecOnly.addDocuments(docs.slice(0, 30));
    const r2 = await vecOnly.search(query, { k: 3 });
    expect(r2.trace.stages.map((s) => s.stage)).toEqual(['vector']);
    expect(r2.trace.embedderId).toBe('hashing:d64:w1:c3-5');
    expect(r2.hits[0]!.ledger.bm25).toBeNull();
    expect(r2.hits[0]!.score).toBe(r2.hits[0]!.ledger.vector!.score);
  });

  it('works with the HNSW index', async () => {
    const p = new RetrievalPipeline({
      chunker: chunker(),
      embedder: new HashingEmbedder({ dimensions: 64 }),
      vector: { index: 'hnsw', M: 8, efConstruction: 50, efSearch: 50 },
    });
    await p.addDocuments(docs.slice(0, 50));
    await p.updateDocuments([{ ...docs[0]!, text: 'completely new text about quokkas' }]);
    await p.removeDocuments([docs[1]!.id]);
    expect(p.vectorIndex!.size).toBe(p.stats.chunks);
    const { hits } = await p.search('quokkas', { k: 1 });
    expect(hits[0]!.chunk.docId).toBe(docs[0]!.id);
  });
});
