import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { runBench } from '../../src/eval/bench.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import type { EvalDataset } from '../../src/eval/types.js';
import { Bm25Retriever, VectorRetriever } from '../../src/search/builtin-retrievers.js';
import { checkFilter, describeFilter, matchesFilter, parseFilter } from '../../src/search/filter.js';
import { postFilter } from '../../src/search/filter-fallback.js';
import { fuse } from '../../src/search/fusion.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import type { RetrieveContext, Retriever } from '../../src/search/retriever.js';
import { RetrieverSearch } from '../../src/search/retriever-search.js';
import { sharedPath } from '../chunkers/chunk-invariants.js';

let chroma: EvalDataset;
let pipeline: RetrievalPipeline;
const embedder = new HashingEmbedder({ dimensions: 256 });
const fileOf = (id: string) => path.join(sharedPath('data/chroma'), 'corpora', `${id}.md`);

beforeAll(async () => {
  chroma = await loadChromaSpans(sharedPath('data/chroma'));
  pipeline = new RetrievalPipeline({ chunker: 'recursive:400/0', embedder, vector: { index: 'exact' } });
  await pipeline.addDocuments(chroma.documents);
});

describe('metadata filters', () => {
  it('are checked, and a bad one is a RagscopeError naming the key', () => {
    expect(parseFilter('lang=en|fr,year=2020,ok=true,id="7"')).toEqual({
      lang: ['en', 'fr'],
      year: 2020,
      ok: true,
      id: '7',
    });
    expect(describeFilter({ lang: ['en', 'fr'], year: 2020 })).toBe('lang=en|fr,year=2020');
    for (const [f, param] of [
      [{ file: [] }, 'filter.file'],
      [{ file: { $ne: 1 } }, 'filter.file'],
      [{ n: Number.NaN }, 'filter.n'],
      [{}, 'filter'],
      ['file=a', 'filter'],
    ] as const) {
      try {
        checkFilter(f);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(RagscopeError);
        expect((e as RagscopeError).message.startsWith(param)).toBe(true);
      }
    }
    expect(() => parseFilter('a=1,a=2')).toThrow(/filter\.a/);
    expect(() => parseFilter('novalue')).toThrow(RagscopeError);
    expect(matchesFilter({ a: 1 }, { a: '1' })).toBe(false); // strict equality
    expect(matchesFilter({}, { a: null })).toBe(false); // a missing field never matches
    expect(matchesFilter({ a: null }, { a: null })).toBe(true);
  });

  it('postFilter is exactly the first depth passing items of the whole list', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 9 }),
        async (list, depth, mod) => {
          let calls = 0;
          const keep = (x: number) => x % 10 <= mod;
          const { kept, exhausted } = await postFilter(
            async (n) => {
              calls++;
              return list.slice(0, n);
            },
            depth,
            keep,
          );
          expect(kept).toEqual(list.filter(keep).slice(0, depth));
          if (kept.length < depth) expect(exhausted).toBe(true);
          expect(calls).toBeLessThanOrEqual(Math.ceil(Math.log2(Math.max(1, list.length))) + 2);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('RetrievalPipeline.search never returns a chunk outside the filter, and each list is exactly the filtered full list (Chroma)', async () => {
    const allowed = [fileOf('pubmed'), fileOf('finance')];
    const filter = { file: allowed };
    const total = pipeline.stats.chunks;
    for (const q of chroma.questions.slice(0, 40)) {
      const { hits, trace } = await pipeline.search(q.text, { k: 10, filter });
      expect(hits.length).toBe(10);
      for (const h of hits) expect(allowed).toContain(h.chunk.metadata.file);
      const full = await pipeline.search(q.text, { k: 10, depth: { bm25: total, vector: total } });
      const lists = [];
      for (const name of ['bm25', 'vector']) {
        const want = full.trace.stages
          .find((s) => s.stage === name)!
          .candidates.filter((c) => allowed.includes(pipeline.getChunk(c.chunkId)!.metadata.file as string))
          .slice(0, 100);
        const got = trace.stages.find((s) => s.stage === name)!;
        // BM25 filters inside its search (accept), the vector list is post-filtered: both equal the filtered full list.
        expect(got.params).toMatchObject({
          filter: describeFilter(filter),
          filtered: name === 'bm25' ? 'native' : 'post',
          depth: 100,
        });
        expect(got.candidates.map((c) => [c.chunkId, c.score])).toEqual(
          want.map((c) => [c.chunkId, c.score]),
        );
        lists.push({ list: name, candidates: got.candidates });
      }
      const fused = fuse(lists, { method: 'rrf', rrfK: 60 });
      expect(hits.map((h) => h.chunk.id)).toEqual(fused.candidates.slice(0, 10).map((c) => c.chunkId));
    }
  });

  it('RetrieverSearch post-filters retrievers without nativeFilter, and hands the filter to those with it', async () => {
    const filter = { file: fileOf('chatlogs') };
    const chunks = (id: string) => pipeline.getChunk(id);
    let seen: RetrieveContext | undefined;
    const bm25 = new Bm25Retriever(pipeline.bm25!, { chunks });
    const native: Retriever = {
      name: 'native',
      kind: 'lexical',
      nativeFilter: true,
      params: () => ({}),
      retrieve: async (query, depth, context) => {
        seen = context;
        const all = await bm25.retrieve(query, pipeline.stats.chunks);
        return all
          .filter((h) => matchesFilter(pipeline.getChunk(h.chunkId)!.metadata, context!.filter!))
          .slice(0, depth);
      },
    };
    // The same BM25 list from a retriever that cannot filter (no nativeFilter): RetrieverSearch post-filters it.
    const plain: Retriever = {
      name: 'bm25',
      kind: 'lexical',
      params: () => ({}),
      retrieve: (query, depth) => bm25.retrieve(query, depth),
      getChunk: async (id) => chunks(id),
    };
    const search = new RetrieverSearch({
      retrievers: [plain, native, new VectorRetriever(pipeline.vectorIndex!, embedder, { chunks })],
      embedder,
      depth: 50,
    });
    for (const q of chroma.questions.slice(100, 120)) {
      const { hits, trace } = await search.search(q.text, { k: 10, filter });
      for (const h of hits) expect(h.chunk.metadata.file).toBe(filter.file);
      expect(seen?.filter).toEqual(filter);
      const [b, n, v] = trace.stages;
      expect(b!.params).toMatchObject({ filtered: 'post', filter: describeFilter(filter) });
      expect(n!.params).toMatchObject({ filtered: 'native' });
      expect(v!.params).toMatchObject({ filtered: 'post' });
      expect(b!.candidates.map((c) => c.chunkId)).toEqual(n!.candidates.map((c) => c.chunkId));
      // The built-in retriever applies the filter itself too when called directly.
      const direct = await bm25.retrieve(q.text, 50, { filter });
      expect(direct.map((h) => h.chunkId)).toEqual(b!.candidates.map((c) => c.chunkId));
    }
  });

  it('a retriever whose chunk metadata cannot be read is an error, not an unfiltered list', async () => {
    const bare = new RetrieverSearch({ retrievers: [new Bm25Retriever(pipeline.bm25!)] });
    await expect(bare.search('refund', { filter: { file: 'x' } })).rejects.toThrow(
      /cannot filter retriever bm25/,
    );
    await expect(
      new Bm25Retriever(pipeline.bm25!).retrieve('refund', 5, { filter: { a: 1 } }),
    ).rejects.toThrow(/construct it with \{ chunks \}/);
    await expect(pipeline.search('refund', { filter: { file: [] } })).rejects.toThrow(/filter\.file/);
  });

  it('bench under a filter scores exactly the questions whose gold lies in the filter, with hits only there (Chroma)', async () => {
    const allowed = ['pubmed', 'state_of_the_union'];
    const filter = `file=${allowed.map(fileOf).join('|')}`;
    const report = await runBench({
      dataset: chroma,
      chunkers: ['recursive:400/0'],
      retrievers: ['bm25'],
      cacheDir: false,
      filter,
      iterations: 100,
    });
    const expected = chroma.questions.filter((q) => q.spans!.every((s) => allowed.includes(s.docId)));
    expect(expected.length).toBeGreaterThan(50);
    expect(expected.length).toBeLessThan(chroma.questions.length);
    expect(report.dataset.questions).toBe(expected.length);
    expect(report.perQuery.map((p) => p.questionId).sort()).toEqual(expected.map((q) => q.id).sort());
    for (const p of report.perQuery)
      for (const h of Object.values(p.hits!).flat()) expect(allowed).toContain(h.docId);
    expect(report.warnings.some((w) => w.startsWith(`filter ${filter}`))).toBe(true);
    expect(report.failures!.every((f) => f.causes.length === 0)).toBe(true);
  });
});
