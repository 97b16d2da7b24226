import type { Chunk } from '../core/document.js';
import type { WhyNotTarget } from './whynot-types.js';

/** A chunk-like item a counterfactual list may hold (a real chunk, or a re-chunked / expanded one). @internal */
export interface ChunkLike {
  id: string;
  docId: string;
  start: number;
  end: number;
  text: string;
}

/** Where the target lands in a (counterfactual) final list. @internal */
export interface Outcome {
  retrieved: boolean;
  /** Best final rank of a chunk holding (part of) the target; null when none is a candidate. */
  rank: number | null;
  coverage?: number;
}

/** How a target is judged retrieved; shared by the diagnosed question and `otherQuestions`. @internal */
export interface TargetJudge {
  target: WhyNotTarget;
  relevantIds: Set<string>;
  k: number;
  minCoverage: number;
}

/** Judge a final list (best first) against a target: rank, coverage (spans, answers) and retrieved. @internal */
export function judge(j: TargetJudge, ordered: readonly ChunkLike[], extraRelevant?: Set<string>): Outcome {
  const { target, k } = j;
  const isRel = (c: ChunkLike) =>
    target.kind === 'document'
      ? c.docId === target.docId
      : j.relevantIds.has(c.id) ||
        (extraRelevant?.has(c.id) ?? false) ||
        (c.docId === target.docId &&
          target.span !== null &&
          c.start < target.span.end &&
          c.end > target.span.start &&
          (target.span.end > target.span.start || c.start === target.span.start));
  const idx = ordered.findIndex(isRel);
  const rank = idx >= 0 ? idx + 1 : null;
  const hits = ordered.slice(0, k);
  if (target.kind === 'span' || target.kind === 'answer') {
    const span = target.span!;
    if (span.end === span.start)
      return { retrieved: rank !== null && rank <= k, rank, coverage: rank !== null && rank <= k ? 1 : 0 };
    const covered = new Uint8Array(span.end - span.start);
    for (const h of hits) {
      if (h.docId !== target.docId) continue;
      for (let i = Math.max(h.start, span.start); i < Math.min(h.end, span.end); i++)
        covered[i - span.start] = 1;
    }
    const coverage = covered.reduce((s, v) => s + v, 0) / (span.end - span.start);
    return { retrieved: coverage >= j.minCoverage && coverage > 0, rank, coverage };
  }
  return { retrieved: rank !== null && rank <= k, rank };
}

/** A chunk as the counterfactual lists hold it. @internal */
export const toChunkLike = (c: Chunk): ChunkLike => ({
  id: c.id,
  docId: c.docId,
  start: c.start,
  end: c.end,
  text: c.text,
});

/** The chunks of `ids`, in order, skipping ids the pipeline does not hold. @internal */
export const listOf = (chunkOf: (id: string) => ChunkLike | null, ids: Iterable<string>): ChunkLike[] =>
  [...ids].map((id) => chunkOf(id)).filter((c): c is ChunkLike => c !== null);
