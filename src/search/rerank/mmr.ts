import { checkNumber, invalidArgument, RagscopeError } from '../../core/errors.js';
import { cosine } from '../../core/vectors.js';
import type { Embedder } from '../../embedders/types.js';
import type { RerankCandidate, RerankContext, Reranker, RerankResult } from './types.js';

/**
 * Options of {@link MmrReranker}.
 *
 * @example
 * ```ts
 * const opts: MmrOptions = { lambda: 0.7, relevance: 'score' };
 * ```
 */
export interface MmrOptions {
  /** Trade-off between relevance (1) and diversity (0). Default 0.5. */
  lambda?: number;
  /**
   * What "relevance" is. `'score'` (default): the incoming score, min-max normalised over the candidates, so MMR
   * keeps the previous stage's judgement. `'cosine'`: cosine(query vector, candidate vector), the textbook MMR;
   * needs `context.queryVector` or an `embedder`.
   */
  relevance?: 'score' | 'cosine';
  /**
   * Embeds candidate texts that come without a `vector` (and the query for `'cosine'`). Default none: the pipeline
   * passes the stored chunk vectors; without an embedder a candidate without vector throws `INVALID_ARGUMENT`.
   */
  embedder?: Embedder;
}

/**
 * Maximal Marginal Relevance (Carbonell & Goldstein 1998): greedily picks the candidate maximising
 * `lambda × relevance − (1 − lambda) × max cosine(candidate, already picked)`, so near-duplicates sink.
 * The returned order is the selection order; `score` is the MMR value when the candidate was picked.
 *
 * @example
 * ```ts
 * const mmr = new MmrReranker({ lambda: 0.5, embedder: new HashingEmbedder({ dimensions: 256 }) });
 * const order = await mmr.rerank('refunds', [
 *   { id: 'a', text: 'Refunds take 5 days.', score: 1 },
 *   { id: 'b', text: 'Refunds take 5 days!', score: 0.99 },
 *   { id: 'c', text: 'Refunds go to your card.', score: 0.8 },
 * ]);
 * order.map((x) => x.id); // ['a', 'c', 'b']
 * ```
 */
export class MmrReranker implements Reranker {
  readonly id: string;
  readonly needsVectors = true;
  readonly lambda: number;
  readonly relevance: 'score' | 'cosine';
  private readonly embedder: Embedder | undefined;

  constructor(options: MmrOptions = {}) {
    this.lambda = checkNumber('lambda', options.lambda ?? 0.5, 0, 1);
    this.relevance = options.relevance ?? 'score';
    if (this.relevance !== 'score' && this.relevance !== 'cosine') {
      invalidArgument('relevance', options.relevance, "'score' or 'cosine'");
    }
    this.embedder = options.embedder;
    this.id = `mmr:l${this.lambda}:${this.relevance}${this.embedder ? `:${this.embedder.id}` : ''}`;
  }

  async rerank(
    query: string,
    candidates: RerankCandidate[],
    context: RerankContext = {},
  ): Promise<RerankResult[]> {
    if (!Array.isArray(candidates)) invalidArgument('candidates', candidates, 'an array');
    if (candidates.length === 0) return [];
    const vectors = await this.vectorsOf(candidates);
    let relevance: number[];
    if (this.relevance === 'cosine') {
      let q = context.queryVector;
      if (!q) {
        if (!this.embedder) {
          throw new RagscopeError(
            'INVALID_ARGUMENT',
            "MmrReranker relevance 'cosine' needs context.queryVector or an embedder, got neither",
            { param: 'embedder' },
          );
        }
        [q] = await this.embedder.embed([query], { kind: 'query' });
      }
      relevance = vectors.map((v) => cosine(q!, v));
    } else {
      const s = candidates.map((c) => c.score);
      const min = s.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
      const max = s.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
      relevance = s.map((x) => (max > min ? (x - min) / (max - min) : 1));
    }
    const remaining = candidates.map((_, i) => i);
    const maxSim = candidates.map(() => -Infinity);
    const out: RerankResult[] = [];
    while (remaining.length > 0) {
      let best = -1;
      let bestValue = -Infinity;
      for (const [pos, i] of remaining.entries()) {
        const penalty = out.length === 0 ? 0 : maxSim[i]!;
        const value = this.lambda * relevance[i]! - (1 - this.lambda) * penalty;
        if (value > bestValue) {
          bestValue = value;
          best = pos;
        }
      }
      const [picked] = remaining.splice(best, 1);
      out.push({ id: candidates[picked!]!.id, score: bestValue });
      for (const i of remaining) {
        const sim = cosine(vectors[i]!, vectors[picked!]!);
        if (sim > maxSim[i]!) maxSim[i] = sim;
      }
    }
    return out;
  }

  private async vectorsOf(candidates: RerankCandidate[]): Promise<Float32Array[]> {
    const missing = candidates.map((c, i) => (c.vector ? -1 : i)).filter((i) => i >= 0);
    const vectors = candidates.map((c) => c.vector);
    if (missing.length > 0) {
      if (!this.embedder) {
        const c = candidates[missing[0]!]!;
        throw new RagscopeError(
          'INVALID_ARGUMENT',
          `MmrReranker needs vectors: candidate ${JSON.stringify(c.id)} has no vector and no embedder was given`,
          { param: 'candidates.vector', value: c.id },
        );
      }
      const embedded = await this.embedder.embed(
        missing.map((i) => candidates[i]!.text),
        { kind: 'passage' },
      );
      missing.forEach((i, j) => {
        vectors[i] = embedded[j]!;
      });
    }
    return vectors as Float32Array[];
  }
}
