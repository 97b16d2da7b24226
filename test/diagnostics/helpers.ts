import { HashingEmbedder } from '../../src/embedders/hashing.js';
import type { Embedder, EmbedOptions } from '../../src/embedders/types.js';
import { type PipelineConfig, RetrievalPipeline } from '../../src/search/pipeline.js';

/** A hybrid pipeline over hand-made documents: BM25 + hashing vectors (exact index), RRF. */
export async function makePipeline(
  docs: Array<{ id: string; text: string }>,
  config: Partial<PipelineConfig> = {},
): Promise<RetrievalPipeline> {
  const p = new RetrievalPipeline({
    chunker: 'none',
    embedder: new HashingEmbedder({ dimensions: 512 }),
    vector: { index: 'exact' },
    ...config,
  });
  await p.addDocuments(docs);
  return p;
}

import { countWords } from './words.js';

export { countWords };

/** An embedder that reads only the first `maxTokens` words, like a model truncating its input. */
export class TruncatingEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  constructor(
    private readonly inner: Embedder,
    readonly maxTokens: number,
  ) {
    this.id = `${inner.id}:trunc${maxTokens}`;
    this.dimensions = inner.dimensions;
  }
  embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]> {
    return this.inner.embed(
      texts.map((t) => (t.match(/\S+/g) ?? []).slice(0, this.maxTokens).join(' ')),
      options,
    );
  }
  countTokens(text: string): number {
    return countWords(text);
  }
}
