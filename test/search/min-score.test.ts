import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { loadCorpusFolder } from '../../src/eval/datasets/folder.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';

describe('search({ minScore })', () => {
  it('keeps exactly the hits scoring at least minScore, in order, on the examples corpus', async () => {
    const p = new RetrievalPipeline({ chunker: 'recursive:400/0', embedder: new HashingEmbedder() });
    await p.addDocuments(await loadCorpusFolder('examples/corpus'));
    for (const q of ['how long do refunds take?', 'share a project with my team', 'zzzz qqqq']) {
      const all = (await p.search(q, { k: 5 })).hits;
      const t = all[2]?.score ?? 0;
      const kept = (await p.search(q, { k: 5, minScore: t })).hits;
      expect(kept.map((h) => h.chunk.id)).toEqual(all.filter((h) => h.score >= t).map((h) => h.chunk.id));
      expect(kept.map((h) => h.rank)).toEqual(kept.map((_, i) => i + 1));
    }
    expect((await p.search('refunds', { k: 5, minScore: 1e9 })).hits).toEqual([]);
  });

  it('rejects a minScore that is not a finite number, naming it', async () => {
    const p = new RetrievalPipeline({ chunker: 'recursive:400/0', bm25: {} });
    await p.addDocuments([{ id: 'a', text: 'refunds take five days' }]);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '0.5', null]) {
      const err = await p.search('refunds', { minScore: bad as never }).catch((e) => e);
      expect(err).toBeInstanceOf(RagscopeError);
      expect((err as RagscopeError).message).toMatch(/^minScore must be a finite number/);
    }
  });
});
