import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import type { EvalDataset } from '../../src/eval/types.js';
import { fuse } from '../../src/search/fusion.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { hydeRewriter, multiQueryRewriter } from '../../src/search/query-rewriters.js';
import { QueryVariantSearch } from '../../src/search/query-variants.js';
import { sharedPath } from '../chunkers/chunk-invariants.js';
import { StubChatServer } from '../generate/stub-server.js';

// Multi-query rewrites of three Chroma questions, as an instruction-tuned model writes them (written for this test).
const REWRITES: Record<string, string[]> = {
  'Which country is Putin invading, causing chaos in Europe and beyond?': [
    'What nation has Russia under Putin invaded?',
    'Putin invasion sowing chaos throughout Europe',
    'Which country did Russia attack according to the State of the Union?',
  ],
  'How many people are no longer denied health insurance due to preexisting conditions according to President Biden?':
    [
      'number of Americans protected from denial of coverage for preexisting conditions',
      'How many can no longer be refused health insurance because of a preexisting condition?',
      'preexisting condition health insurance protections count Biden',
    ],
  'According to President Biden, what is the current status of China compared to the past decade?': [
    "China's position now versus over the last ten years, per Biden",
    'Biden says China is at its lowest point in how many years?',
    'state of China compared with a decade ago',
  ],
};

let chroma: EvalDataset;
let pipeline: RetrievalPipeline;
const stub = new StubChatServer((_doc, _window, user) => {
  const q = /<question>\n([\s\S]*)\n<\/question>/.exec(user)?.[1] ?? '';
  if (q === 'malformed please') return 'Sure! Here are some rephrasings: 1. one 2. two';
  if (/passage/.test(user)) {
    const gold = chroma.questions.find((x) => x.text === q)?.spans?.[0];
    const doc = chroma.documents.find((d) => d.id === gold?.docId);
    return doc && gold ? doc.text.slice(gold.start, gold.end) : 'No idea.';
  }
  return `\`\`\`json\n${JSON.stringify(REWRITES[q] ?? [])}\n\`\`\``;
});

beforeAll(async () => {
  chroma = await loadChromaSpans(sharedPath('data/chroma'));
  pipeline = new RetrievalPipeline({
    chunker: 'recursive:400/0',
    embedder: new HashingEmbedder({ dimensions: 256 }),
    vector: { index: 'exact' },
  });
  await pipeline.addDocuments(chroma.documents.filter((d) => d.id === 'state_of_the_union'));
  await stub.start();
});
afterAll(() => stub.stop());

describe('query variants through an OpenAI-compatible chat endpoint (stub server on 127.0.0.1)', () => {
  it('multi-query: each rewrite is searched and fused with the original by RRF, one trace stage per variant', async () => {
    const rewriter = multiQueryRewriter({ baseURL: stub.url, model: 'stub-model', n: 3 });
    const search = new QueryVariantSearch(pipeline, rewriter, { depth: 50 });
    for (const [q, rewrites] of Object.entries(REWRITES)) {
      const { hits, trace } = await search.search(q, { k: 5 });
      const variants = trace.stages.filter((s) => s.stage.startsWith('variant:'));
      expect(variants.map((s) => s.params.query)).toEqual(rewrites);
      expect(variants.every((s) => s.params.rewriter === 'multiquery:stub-model:n3:v1')).toBe(true);
      expect(trace.stages.at(-1)!.stage).toBe('query-fusion');
      // The same fusion computed from independent searches of the original and of each rewrite.
      const lists = [];
      for (const [i, text] of [q, ...rewrites].entries()) {
        const r = await pipeline.search(text, { k: 50 });
        lists.push({
          list: i === 0 ? 'original' : `variant:${i}`,
          candidates: r.hits.map((h, j) => ({
            chunkId: h.chunk.id,
            docId: h.chunk.docId,
            rank: j + 1,
            score: h.score,
            normalized: h.score,
          })),
        });
      }
      const want = fuse(lists, { method: 'rrf', rrfK: 60 }).candidates.slice(0, 5);
      expect(hits.map((h) => [h.chunk.id, h.score])).toEqual(want.map((c) => [c.chunkId, c.score]));
    }
    const asked = stub.received.filter((r) => r.body.model === 'stub-model');
    expect(asked).toHaveLength(3);
    expect(asked.every((r) => r.body.temperature === 0)).toBe(true);
    // Remembered: the same query is not asked again.
    await search.search(Object.keys(REWRITES)[0]!, { k: 5 });
    expect(stub.received.filter((r) => r.body.model === 'stub-model')).toHaveLength(3);
  });

  it('HyDE: the hypothetical passage is searched too; a passage that is the answer brings the gold into the top 5', async () => {
    const search = new QueryVariantSearch(pipeline, hydeRewriter({ baseURL: stub.url, model: 'hyde-model' }));
    let found = 0;
    let plainFound = 0;
    const qs = chroma.questions
      .filter((q) => q.spans?.every((s) => s.docId === 'state_of_the_union'))
      .slice(0, 10);
    for (const q of qs) {
      const { hits, trace } = await search.search(q.text, { k: 5 });
      expect(trace.stages.filter((s) => s.stage.startsWith('variant:'))).toHaveLength(1);
      const g = q.spans![0]!;
      const covers = (hs: typeof hits) => hs.some((h) => h.chunk.start <= g.start && g.end <= h.chunk.end);
      if (covers(hits)) found++;
      if (covers((await pipeline.search(q.text, { k: 5 })).hits)) plainFound++;
    }
    expect(found).toBeGreaterThanOrEqual(8);
    expect(found).toBeGreaterThan(plainFound); // hashing vectors find fewer without the passage
  });

  it('retries a 429 like generate does, and a reply that is not a JSON array is an error quoting it', async () => {
    const rewriter = multiQueryRewriter({ baseURL: stub.url, model: 'retry-model', retryDelayMs: 1 });
    stub.failures.set('', [{ status: 429, headers: { 'retry-after': '0' } }]);
    const q = Object.keys(REWRITES)[1]!;
    expect(await rewriter.rewrite(q)).toEqual(REWRITES[q]);
    expect(stub.received.filter((r) => r.body.model === 'retry-model')).toHaveLength(2);
    const err = await rewriter.rewrite('malformed please').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RagscopeError);
    expect((err as Error).message).toMatch(/did not answer with a JSON array of strings: "Sure! Here are/);
  });

  it('a hook that returns no variant gives the original search; a bad hook is an error naming it', async () => {
    const q = 'Which country is Putin invading?';
    const same = await new QueryVariantSearch(pipeline, { id: 'none', rewrite: async () => [q, ' '] }).search(
      q,
      { k: 5 },
    );
    const plain = await pipeline.search(q, { k: 5 });
    expect(same.hits.map((h) => h.chunk.id)).toEqual(plain.hits.map((h) => h.chunk.id));
    const bad = new QueryVariantSearch(pipeline, { id: 'broken', rewrite: async () => 'oops' as never });
    await expect(bad.search(q)).rejects.toThrow(/query rewriter broken must return an array of strings/);
  });
});
