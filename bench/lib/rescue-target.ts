import type { Chunk } from '../../src/core/document.js';
import type { EvalQuestion } from '../../src/eval/types.js';
import type { SearchHit } from '../../src/search/types.js';

/** The k of bench/whynot-real.ts: every search, judge and whyNot call reads the top 5. */
export const K = 5;

/** A missed gold target: a character span, or a document id. */
export type Target = { docId: string; start: number; end: number } | string;

/** Whether the target is a span (else a document id). */
export function isSpan(t: Target): t is { docId: string; start: number; end: number } {
  return typeof t !== 'string';
}

/** The bench's own judge: span fully covered by the top K, or the document among the top K's documents. */
export function ok(
  target: Target,
  hits: ReadonlyArray<{ docId: string; start: number; end: number }>,
): boolean {
  const top = hits.slice(0, K);
  if (!isSpan(target)) return top.some((h) => h.docId === target);
  let covered = 0;
  const ranges = top
    .filter((h) => h.docId === target.docId)
    .map((h) => [Math.max(h.start, target.start), Math.min(h.end, target.end)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let at = target.start;
  for (const [a, b] of ranges) {
    if (b <= at) continue;
    covered += b - Math.max(a, at);
    at = b;
  }
  return covered >= target.end - target.start;
}

/** The chunks of a search's hits, in order. */
export const hitsOf = (hs: SearchHit[]): Chunk[] => hs.map((h) => h.chunk);

/** The first gold span (or relevant document) of a question the hits miss, or null when all are retrieved. */
export function firstMiss(
  q: EvalQuestion,
  hits: ReadonlyArray<{ docId: string; start: number; end: number }>,
): Target | null {
  if (q.spans?.length) {
    for (const s of q.spans) if (!ok(s, hits)) return s;
    return null;
  }
  for (const [id, g] of Object.entries(q.relevantDocs ?? {})) if (g > 0 && !ok(id, hits)) return id;
  return null;
}
