/**
 * One candidate handed to a {@link Reranker}: the chunk id, its text and the score of the stage before.
 *
 * @example
 * ```ts
 * const c: RerankCandidate = { id: 'handbook#0.ab12cd34', text: 'Refunds take 5 days.', score: 0.031 };
 * ```
 */
export interface RerankCandidate {
  id: string;
  text: string;
  /** Score from the previous stage (fused, BM25 or vector score). */
  score: number;
  /** The chunk's stored embedding, when the caller has it (the pipeline passes it to re-rankers that ask). */
  vector?: Float32Array;
}

/**
 * Extra context a caller may give a re-ranker.
 *
 * @example
 * ```ts
 * await mmr.rerank(query, candidates, { queryVector });
 * ```
 */
export interface RerankContext {
  /** The query's embedding, when the caller computed one. */
  queryVector?: Float32Array;
}

/**
 * One re-ranked candidate.
 *
 * @example
 * ```ts
 * const r: RerankResult = { id: 'handbook#0.ab12cd34', score: 7.93 };
 * ```
 */
export interface RerankResult {
  id: string;
  /** The re-ranker's own score (logit, relevance score, MMR value...). */
  score: number;
}

/**
 * The interface shared by every re-ranker.
 *
 * Contract: `rerank` returns exactly one entry per input candidate (same ids), in the NEW order, best first.
 * The order is authoritative (MMR's selection order is not always sorted by its score).
 *
 * @example
 * ```ts
 * const reranker: Reranker = new CrossEncoderReranker();
 * const order = await reranker.rerank('refund policy', [{ id: 'a', text: 'Refunds take 5 days.', score: 1 }]);
 * order[0]; // { id: 'a', score: 7.93 }
 * ```
 */
export interface Reranker {
  /** Stable id naming the model / server and every option that changes scores. */
  readonly id: string;
  /** Input budget (query + passage) in tokens; longer pairs are truncated by the model. */
  readonly maxTokens?: number;
  /** When true, callers should fill {@link RerankCandidate.vector} (MMR needs embeddings). */
  readonly needsVectors?: boolean;
  rerank(query: string, candidates: RerankCandidate[], context?: RerankContext): Promise<RerankResult[]>;
}
