import type { RetrieverKind } from '../../report/types.js';
import type { SearchTrace } from '../../search/types.js';

/** The ranked chunk list and time of one retriever, read from a full search trace. @internal */
export interface RetrieverRun {
  /** Chunk ids, best first (as deep as the stage went). */
  chunkIds: string[];
  /** Time of the stages this retriever runs (BM25 for `bm25`; vector for `dense`; both + fusion for `hybrid`...). */
  ms: number;
}

/**
 * Read what each retriever family would have returned from the trace of ONE hybrid (+ re-rank) search: the BM25
 * stage list is exactly a BM25-only search, the vector stage list a dense-only search (both run at full depth and
 * are kept complete in the trace), the fusion list the hybrid search, and the re-ranked head followed by the rest
 * of the fused list the hybrid+rerank search. This is what lets the bench run one search per question and chunker
 * instead of one per retriever.
 * @internal
 */
export function runsFromTrace(
  trace: SearchTrace,
  wanted: readonly RetrieverKind[],
): Map<RetrieverKind, RetrieverRun> {
  const stage = (name: string) => trace.stages.find((s) => s.stage === name);
  const bm25 = stage('bm25');
  const vector = stage('vector');
  const fusion = stage('fusion');
  const rerank = stage('rerank');
  const ids = (s: typeof bm25) => (s ? s.candidates.map((c) => c.chunkId) : []);
  const ms = (...ss: Array<typeof bm25>) => ss.reduce((t, s) => t + (s?.durationMs ?? 0), 0);
  const out = new Map<RetrieverKind, RetrieverRun>();
  for (const kind of wanted) {
    if (kind === 'bm25') out.set(kind, { chunkIds: ids(bm25), ms: ms(bm25) });
    else if (kind === 'dense') out.set(kind, { chunkIds: ids(vector), ms: ms(vector) });
    else if (kind === 'hybrid') out.set(kind, { chunkIds: ids(fusion), ms: ms(bm25, vector, fusion) });
    else {
      const head = ids(rerank);
      const seen = new Set(head);
      out.set(kind, {
        chunkIds: [...head, ...ids(fusion).filter((id) => !seen.has(id))],
        ms: ms(bm25, vector, fusion, rerank),
      });
    }
  }
  return out;
}
