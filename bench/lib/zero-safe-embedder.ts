import type { Embedder, EmbedOptions } from '../../src/embedders/types.js';

/**
 * Works around RetrievalPipeline refusing to index a chunk whose vector is zero (cosine is undefined for it): a
 * static (GloVe) embedder gives the zero vector to any text without an in-vocabulary word, e.g. a table row of
 * numbers in finance.md. Vectors get one extra dimension: 0 for every query and every non-zero passage vector (so
 * all cosines are unchanged), 1 for a zero passage vector (so its cosine with any query is exactly 0 — it is
 * ranked as "no evidence", after every chunk with a positive similarity). `zeroPassages` counts them.
 *
 * @example
 * ```ts
 * const safe = new ZeroSafeEmbedder(glove);
 * await safe.embed(['2011 | 2010'], { kind: 'passage' }); // [[0, ..., 0, 1]]
 * safe.zeroPassages; // 1
 * ```
 */
export class ZeroSafeEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly inner: Embedder;
  /** Distinct passage texts that embedded to the zero vector. */
  readonly zeroTexts = new Set<string>();

  constructor(inner: Embedder) {
    this.inner = inner;
    this.id = `${inner.id}+zero-safe`;
    this.dimensions = inner.dimensions + 1;
  }

  get zeroPassages(): number {
    return this.zeroTexts.size;
  }

  async embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]> {
    const vectors = await this.inner.embed(texts, options);
    const passage = (options?.kind ?? 'passage') === 'passage';
    return vectors.map((v, i) => {
      const out = new Float32Array(this.dimensions);
      out.set(v);
      if (passage && v.every((x) => x === 0)) {
        out[this.inner.dimensions] = 1;
        this.zeroTexts.add(texts[i]!);
      }
      return out;
    });
  }
}
