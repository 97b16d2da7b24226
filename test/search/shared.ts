import { expect } from 'vitest';
import type { Document } from '../../src/core/document.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import type { Embedder, EmbedOptions } from '../../src/embedders/types.js';
import { seededRandom } from '../../src/eval/prng.js';
import type { RetrievalPipeline } from '../../src/search/pipeline.js';

export { repoRoot, scifactDir, scifactDocs } from './data.js';

/** A HashingEmbedder that records every passage text it embeds (queries are not recorded). */
export class CountingEmbedder implements Embedder {
  readonly inner: HashingEmbedder;
  readonly passages: string[] = [];
  queries = 0;
  constructor(dimensions = 128) {
    this.inner = new HashingEmbedder({ dimensions });
  }
  get id() {
    return this.inner.id;
  }
  get dimensions() {
    return this.inner.dimensions;
  }
  embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]> {
    if (options?.kind === 'query') this.queries += texts.length;
    else this.passages.push(...texts);
    return this.inner.embed(texts, options);
  }
}

/** Assert that chunk store, BM25 and the vector index hold exactly the same chunks, with matching contents. */
export async function expectConsistent(pipeline: RetrievalPipeline, docs: Document[]): Promise<void> {
  const ids = new Set(pipeline.chunkIds());
  expect(new Set(pipeline.documentIds())).toEqual(new Set(docs.map((d) => d.id)));
  const fromDocs = new Set<string>();
  for (const doc of docs) {
    expect(pipeline.getDocument(doc.id)?.text).toBe(doc.text);
    for (const c of pipeline.chunksOf(doc.id)) {
      fromDocs.add(c.id);
      expect(c.docId).toBe(doc.id);
      expect(doc.text.slice(c.start, c.end)).toBe(c.text);
    }
  }
  expect(fromDocs).toEqual(ids);
  const bm25 = pipeline.bm25!;
  expect(bm25.size).toBe(ids.size);
  const reference = new HashingEmbedder({ dimensions: pipeline.embedder!.dimensions });
  const chunks = [...ids].map((id) => pipeline.getChunk(id)!);
  const expected = await reference.embed(chunks.map((c) => c.text));
  chunks.forEach((c, i) => {
    expect(bm25.has(c.id)).toBe(true);
    // BM25 holds the chunk's current text
    const counts = new Map<string, number>();
    for (const t of bm25.analyzer.analyze(c.text)) counts.set(t, (counts.get(t) ?? 0) + 1);
    expect(bm25.termsOf(c.id)).toEqual(counts);
    // the vector index holds the embedding of the chunk's current text (zero vectors are listed instead)
    const zero = expected[i]!.every((x) => x === 0);
    expect(pipeline.vectorIndex!.has(c.id)).toBe(!zero);
    if (zero) expect(pipeline.chunksWithoutVector()).toContain(c.id);
    else expect(Array.from(pipeline.getVector(c.id)!)).toEqual(Array.from(expected[i]!));
  });
  expect(pipeline.vectorIndex!.size + pipeline.chunksWithoutVector().length).toBe(ids.size);
}

/** Seeded vectors with random norms (0.1 to 10): raw, not normalised, as many embedders return them. */
export function rawVectors(n: number, dims: number, seed: number): Float32Array[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const scale = 0.1 + 9.9 * r();
    return Float32Array.from({ length: dims }, () => (r() * 2 - 1) * scale);
  });
}
