import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { ExactVectorIndex } from '../../src/search/exact.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import type { SearchResult, VectorSearchIndex } from '../../src/search/types.js';
import { VectorIndex } from '../../src/search/vector.js';
import { scifactDir, scifactDocs } from './data.js';

const queries = readFileSync(path.join(scifactDir, 'queries.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, 25)
  .map((line) => (JSON.parse(line) as { text: string }).text);

/** The pipeline's vectors, in the order its store holds them. */
function vectorsOf(p: RetrievalPipeline): { ids: string[]; vectors: Float32Array[] } {
  const ids = p.chunkIds().filter((id) => p.getVector(id) !== undefined);
  return { ids, vectors: ids.map((id) => p.getVector(id)!) };
}

const stage = (r: SearchResult, name: string) => r.trace.stages.find((s) => s.stage === name)!;
const list = (r: SearchResult, name: string) => stage(r, name).candidates.map((c) => [c.chunkId, c.score]);

describe('pipeline.view({ vectorIndex }): the same stores, another vector index', () => {
  let exact: RetrievalPipeline;
  beforeAll(async () => {
    exact = new RetrievalPipeline({
      chunker: 'recursive:400/0',
      embedder: new HashingEmbedder({ dimensions: 128 }),
      vector: { index: 'exact' },
    });
    await exact.addDocuments(scifactDocs(300));
  });

  it('searches the HNSW index it is given, with the pipeline BM25 list, and describes it', async () => {
    const { ids, vectors } = vectorsOf(exact);
    const hnsw = new VectorIndex({ dimensions: 128, M: 12, efConstruction: 100, efSearch: 80 });
    await hnsw.add(ids, vectors);
    const view = exact.view({ vectorIndex: hnsw });
    expect(view.vectorIndex).toBe(hnsw);
    expect(view.bm25).toBe(exact.bm25);
    expect(view.stats).toEqual(exact.stats);
    expect(view.config.vector).toEqual({
      index: 'hnsw',
      metric: 'cosine',
      M: 12,
      efConstruction: 100,
      efSearch: 80,
    });
    const embedder = exact.embedder!;
    for (const q of queries) {
      const got = await view.search(q, { k: 10 });
      const own = await exact.search(q, { k: 10 });
      const [qv] = await embedder.embed([q], { kind: 'query' });
      const bare = await hnsw.search(qv!, exact.config.depth.vector);
      expect(list(got, 'vector')).toEqual(bare.map((h) => [h.id, h.score]));
      expect(list(got, 'bm25')).toEqual(list(own, 'bm25'));
      expect(stage(got, 'vector').params).toMatchObject({ index: 'hnsw', efSearch: 80 });
      expect(stage(own, 'vector').params).toMatchObject({ index: 'exact' });
    }
    // The trace records the index's efSearch at search time.
    hnsw.efSearch = 120;
    expect(stage(await view.search(queries[0]!), 'vector').params).toMatchObject({ efSearch: 120 });
  });

  it('searches the given index, not its own: vectors negated under the same ids reverse the vector list', async () => {
    const { ids, vectors } = vectorsOf(exact);
    const negated = new ExactVectorIndex({ dimensions: 128 });
    negated.addSync(
      ids,
      vectors.map((v) => v.map((x) => -x)),
    );
    const view = exact.view({ retrievers: ['vector'], vectorIndex: negated });
    expect(view.config.vector).toEqual({ index: 'exact', metric: 'cosine' });
    const [qv] = await exact.embedder!.embed([queries[1]!], { kind: 'query' });
    const got = await view.search(queries[1]!, { k: 5 });
    expect(got.trace.stages.map((s) => s.stage)).toEqual(['vector']);
    expect(list(got, 'vector')).toEqual(negated.searchSync(qv!, 100).map((h) => [h.id, h.score]));
    const own = (exact.vectorIndex as ExactVectorIndex).searchSync(qv!, ids.length);
    expect(got.hits[0]!.chunk.id).toBe(own.at(-1)!.id);
  });

  it('property: a view over a copy of its own index returns exactly what the pipeline returns', async () => {
    const { ids, vectors } = vectorsOf(exact);
    const copy = new ExactVectorIndex({ dimensions: 128 });
    copy.addSync(ids, vectors);
    const view = exact.view({ vectorIndex: copy });
    const words = queries.join(' ').split(/\s+/).filter(Boolean);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 20 }),
        async (terms, k) => {
          const q = terms.join(' ');
          const a = await view.search(q, { k });
          const b = await exact.search(q, { k });
          expect(a.hits.map((h) => [h.chunk.id, h.score])).toEqual(b.hits.map((h) => [h.chunk.id, h.score]));
          const strip = (r: SearchResult) => r.trace.stages.map(({ durationMs: _, ...s }) => s);
          expect(strip(a)).toEqual(strip(b));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('rejects an index that is not a ragscope index, the wrong size or dimensions, or no vector stage', async () => {
    const { ids, vectors } = vectorsOf(exact);
    const param = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(RagscopeError);
        return (e as RagscopeError).details.param;
      }
      return 'no error';
    };
    const custom: VectorSearchIndex = {
      dimensions: 128,
      metric: 'cosine',
      size: ids.length,
      add: async () => {},
      remove: async () => {},
      search: async () => [],
      has: () => true,
    };
    expect(param(() => exact.view({ vectorIndex: custom }))).toBe('options.vectorIndex');
    const full = new ExactVectorIndex({ dimensions: 128 });
    full.addSync(ids, vectors);
    expect(param(() => exact.view({ retrievers: ['bm25'], vectorIndex: full }))).toBe('options.vectorIndex');
    const bm25Only = new RetrievalPipeline({ chunker: 'none' });
    expect(param(() => bm25Only.view({ vectorIndex: full }))).toBe('options.vectorIndex');
    const narrow = new ExactVectorIndex({ dimensions: 64 });
    expect(param(() => exact.view({ vectorIndex: narrow }))).toBe('options.vectorIndex.dimensions');
    const missing = new ExactVectorIndex({ dimensions: 128 });
    missing.addSync(ids.slice(1), vectors.slice(1));
    expect(param(() => exact.view({ vectorIndex: missing }))).toBe('options.vectorIndex');
    const extra = new ExactVectorIndex({ dimensions: 128 });
    extra.addSync([...ids, 'not-a-chunk'], [...vectors, vectors[0]!]);
    expect(param(() => exact.view({ vectorIndex: extra }))).toBe('options.vectorIndex.size');
    expect(param(() => exact.view({ vectorIndex: full }))).toBe('no error');
  });
});
