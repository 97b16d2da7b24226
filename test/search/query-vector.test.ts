import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import type { EmbedOptions } from '../../src/embedders/types.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';

class CountingEmbedder extends HashingEmbedder {
  queries = 0;
  override async embed(texts: string[], options?: EmbedOptions) {
    if (options?.kind === 'query') this.queries += texts.length;
    return super.embed(texts, options);
  }
}

describe('search({ queryVector }): a caller that already embedded the query (why-not replays)', () => {
  it('gives the same hits and trace lists without embedding the query again', async () => {
    const embedder = new CountingEmbedder({ dimensions: 128 });
    const p = new RetrievalPipeline({ chunker: 'none', embedder, vector: { index: 'exact' } });
    await p.addDocuments([
      { id: 'a', text: 'Refunds take five business days.' },
      { id: 'b', text: 'Shipping is free over fifty dollars.' },
      { id: 'c', text: 'Business days are Monday to Friday.' },
    ]);
    const plain = await p.search('refund business days', { k: 3 });
    expect(embedder.queries).toBe(1);
    const [qv] = await embedder.embed(['refund business days'], { kind: 'query' });
    const reused = await p.search('refund business days', { k: 3, queryVector: qv! });
    expect(embedder.queries).toBe(2); // the explicit embed above, not the search
    expect(reused.hits.map((h) => h.chunk.id)).toEqual(plain.hits.map((h) => h.chunk.id));
    const lists = (r: typeof plain) =>
      r.trace.stages.map((s) => s.candidates.map((c) => [c.chunkId, c.score]));
    expect(lists(reused)).toEqual(lists(plain));
  });
});
