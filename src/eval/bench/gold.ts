import type { Chunk } from '../../core/document.js';
import type { EvalQuestion } from '../types.js';

/**
 * A predicate "this chunk holds gold for the question": it overlaps one of the question's gold spans (span mode) or
 * belongs to one of its relevant documents (doc mode).
 * @internal
 */
export function goldMatcher(q: EvalQuestion, mode: 'spans' | 'docs'): (chunk: Chunk) => boolean {
  if (mode === 'spans') {
    const spans = q.spans ?? [];
    return (c) => spans.some((s) => s.docId === c.docId && s.start < c.end && c.start < s.end);
  }
  const rels = q.relevantDocs ?? {};
  return (c) => (rels[c.docId] ?? 0) > 0;
}

/** 1-based rank of the first gold chunk of `chunkIds` (looked up with `getChunk`), or null. @internal */
export function goldRank(
  chunkIds: readonly string[],
  isGold: (chunk: Chunk) => boolean,
  getChunk: (id: string) => Chunk | undefined,
): number | null {
  for (const [i, id] of chunkIds.entries()) {
    const c = getChunk(id);
    if (c && isGold(c)) return i + 1;
  }
  return null;
}
