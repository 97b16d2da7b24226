import type { Chunker } from '../../src/chunkers/types.js';
import type { Chunk, Document } from '../../src/core/document.js';
import type { Embedder } from '../../src/embedders/types.js';
import { evaluateSpans, type SpanEvaluation } from '../../src/eval/metrics/evaluate-spans.js';
import type { CharRange, EvalQuestion } from '../../src/eval/types.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';

/** The retrievers of the Chroma matrix, read from one hybrid search's trace. */
export const SPAN_RETRIEVERS = ['bm25', 'dense', 'hybrid'] as const;
export type SpanRetriever = (typeof SPAN_RETRIEVERS)[number];

const STAGE: Record<SpanRetriever, string> = { bm25: 'bm25', dense: 'vector', hybrid: 'fusion' };

/** Result of {@link runSpanConfig}: one chunker, every retriever. */
export interface SpanConfigRun {
  spec: string;
  chunks: Chunk[];
  /** cl100k tokens of each chunk, in `chunks` order. */
  tokens: number[];
  byRetriever: Record<SpanRetriever, SpanEvaluation>;
  ms: { chunk: number; index: number; search: number };
  /** Chunks kept out of the vector index because they embed to the zero vector (searchable by BM25 only). */
  chunksWithoutVector: number;
}

/**
 * Chroma's protocol for one chunker: chunk every document, put all chunks in ONE collection (BM25 + exact
 * cosine vectors), search each question once (hybrid = RRF of the two lists; the BM25 and vector stage lists in
 * the trace are exactly what BM25-only and dense-only searches return), keep the top `k` of each list and score
 * them with `evaluateSpans` (recall, precision, IoU, PrecisionΩ per question, mean ± std).
 */
export async function runSpanConfig(
  chunker: Chunker,
  docs: readonly Document[],
  questions: readonly EvalQuestion[],
  embedder: Embedder,
  countTokens: (text: string) => number,
  k = 5,
): Promise<SpanConfigRun> {
  const t0 = performance.now();
  const byDoc = new Map<string, Chunk[]>();
  for (const doc of docs) byDoc.set(doc.id, await chunker.chunk(doc));
  const t1 = performance.now();
  const pipeline = new RetrievalPipeline({ chunker, embedder, vector: { index: 'exact' } });
  // Chunking is timed on its own: index exactly those chunks.
  await pipeline.addChunks(docs.map((document) => ({ document, chunks: byDoc.get(document.id)! })));
  const t2 = performance.now();
  const chunks = pipeline.chunkIds().map((id) => pipeline.getChunk(id)!);
  const top: Record<SpanRetriever, Record<string, CharRange[]>> = { bm25: {}, dense: {}, hybrid: {} };
  for (const q of questions) {
    const { trace } = await pipeline.search(q.text, { k });
    for (const r of SPAN_RETRIEVERS) {
      const stage = trace.stages.find((s) => s.stage === STAGE[r]);
      top[r][q.id] = (stage?.candidates ?? []).slice(0, k).map((c) => pipeline.getChunk(c.chunkId)!);
    }
  }
  const t3 = performance.now();
  const byRetriever = Object.fromEntries(
    SPAN_RETRIEVERS.map((r) => [r, evaluateSpans(questions, top[r], chunks)]),
  ) as Record<SpanRetriever, SpanEvaluation>;
  return {
    spec: chunker.spec,
    chunks,
    tokens: chunks.map((c) => countTokens(c.text)),
    byRetriever,
    ms: { chunk: t1 - t0, index: t2 - t1, search: t3 - t2 },
    chunksWithoutVector: pipeline.chunksWithoutVector().length,
  };
}
