import { RagscopeError } from '../../core/errors.js';
import type { CharRange, Judgments } from '../types.js';

/**
 * A retrieved chunk as the helpers below read it: its document and, optionally, its score.
 *
 * @example
 * ```ts
 * const hit: ChunkHit = { docId: 'billing.md', score: 0.83 };
 * ```
 */
export interface ChunkHit {
  docId: string;
  score?: number;
}

/**
 * A document-level run made from chunk hits.
 *
 * @example
 * ```ts
 * const { docIds } = docRunFromChunks(chunkHits, 10);
 * ndcgAt(docIds, q.relevantDocs!, 10);
 * ```
 */
export interface DocRun {
  /** Document ids, each once, ranked by the first (best-ranked) chunk of each document. */
  docIds: string[];
  /** Max-pooled score of each document (the maximum over its chunks; NaN when the hits carry no score). */
  scores: number[];
  /** For each document, the 1-based rank of its first chunk in the chunk list. */
  firstChunkRank: number[];
}

/**
 * Turn a ranked list of chunk hits into a document ranking for document-level metrics (recall@k, nDCG@k...):
 * each document appears once, at the position of its first (best-ranked) chunk, with the maximum score of its
 * chunks (max-pooling). The chunk order given is trusted as the ranking. With `k`, the document list is cut
 * to `k` documents.
 *
 * @example
 * ```ts
 * docRunFromChunks([{ docId: 'a', score: 0.9 }, { docId: 'b', score: 0.8 }, { docId: 'a', score: 0.7 }]);
 * // { docIds: ['a', 'b'], scores: [0.9, 0.8], firstChunkRank: [1, 2] }
 * ```
 */
export function docRunFromChunks(hits: readonly ChunkHit[], k?: number): DocRun {
  if (!Array.isArray(hits)) {
    throw new RagscopeError('INVALID_ARGUMENT', 'hits must be an array of { docId, score? }', {
      param: 'hits',
    });
  }
  if (k !== undefined && !(Number.isInteger(k) && k >= 1)) {
    throw new RagscopeError('INVALID_ARGUMENT', `k must be a positive integer, got ${String(k)}`, {
      param: 'k',
      value: k,
    });
  }
  const pos = new Map<string, number>();
  const run: DocRun = { docIds: [], scores: [], firstChunkRank: [] };
  hits.forEach((hit, i) => {
    if (!hit || typeof hit.docId !== 'string') {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `hits[${i}].docId must be a string, got ${JSON.stringify(hit)}`,
        {
          param: `hits[${i}].docId`,
          value: hit,
        },
      );
    }
    const score = typeof hit.score === 'number' ? hit.score : Number.NaN;
    const at = pos.get(hit.docId);
    if (at === undefined) {
      pos.set(hit.docId, run.docIds.length);
      run.docIds.push(hit.docId);
      run.scores.push(score);
      run.firstChunkRank.push(i + 1);
    } else if (score > run.scores[at]! || Number.isNaN(run.scores[at]!)) {
      run.scores[at] = score;
    }
  });
  if (k !== undefined && run.docIds.length > k) {
    run.docIds.length = k;
    run.scores.length = k;
    run.firstChunkRank.length = k;
  }
  return run;
}

/**
 * Grade of each chunk hit from document judgments: a chunk inherits its document's grade (0 if unjudged).
 *
 * @example
 * ```ts
 * chunkGrades([{ docId: 'a' }, { docId: 'b' }], { a: 2 }); // [2, 0]
 * ```
 */
export function chunkGrades(hits: readonly ChunkHit[], rels: Judgments): number[] {
  return hits.map((h) => rels[h.docId] ?? 0);
}

/**
 * Characters of each chunk that fall inside a gold span of its document (a chunk "hits" the evidence when > 0).
 * Overlapping gold spans count a character once.
 *
 * @example
 * ```ts
 * chunkSpanOverlap([{ docId: 'd', start: 0, end: 10 }, { docId: 'd', start: 10, end: 20 }], [{ docId: 'd', start: 8, end: 12 }]);
 * // [2, 2]
 * ```
 */
export function chunkSpanOverlap(chunks: readonly CharRange[], gold: readonly CharRange[]): number[] {
  return chunks.map((c) => {
    const marks: Array<[number, number]> = [];
    for (const g of gold) {
      if (g.docId !== c.docId) continue;
      const lo = Math.max(c.start, g.start);
      const hi = Math.min(c.end, g.end);
      if (hi > lo) marks.push([lo, hi]);
    }
    marks.sort((a, b) => a[0] - b[0]);
    let n = 0;
    let reach = -1;
    for (const [lo, hi] of marks) {
      const from = Math.max(lo, reach);
      if (hi > from) n += hi - from;
      reach = Math.max(reach, hi);
    }
    return n;
  });
}
