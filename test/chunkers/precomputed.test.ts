import { describe, expect, it } from 'vitest';
import { precomputedChunker } from '../../src/chunkers/precomputed.js';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { RagscopeError } from '../../src/core/errors.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';

describe('precomputedChunker', () => {
  const doc = { id: 'a', text: 'Refunds take five business days.\n\nShipping is free over fifty dollars.' };
  const chunks = new RecursiveChunker({ size: 40 }).chunkSync(doc);

  it('lets a pipeline index exactly the chunks it was given', async () => {
    expect(chunks.length).toBe(2);
    const pipeline = new RetrievalPipeline({
      chunker: precomputedChunker('recursive:40/0', new Map([['a', chunks]])),
    });
    await pipeline.addDocuments([doc]);
    expect(pipeline.chunksOf('a')).toEqual(chunks);
    const { hits } = await pipeline.search('shipping', { k: 1 });
    expect(hits[0]?.chunk.id).toBe(chunks[1]!.id);
  });

  it('throws NOT_FOUND for a document it holds no chunks for', async () => {
    const chunker = precomputedChunker('x', new Map());
    await expect(chunker.chunk(doc)).rejects.toSatisfy(
      (e: unknown) => e instanceof RagscopeError && e.code === 'NOT_FOUND' && /"a"/.test(e.message),
    );
  });
});
