import { RagscopeError } from '../core/errors.js';
import type { Reranker, RerankResult } from './rerank/types.js';
import { findStage } from './stage-params.js';
import type { Candidate, Ledger, SearchTrace, StageTrace } from './types.js';

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Re-order the first `window` items of a list: those `rankOf` ranks come first in that rank's order, then the
 * window's unranked items in their order, then the rest of the list unchanged. Search uses it with the re-ranker's
 * answer, replay with the re-ranker's recorded ranks (so that both apply a re-ranking the same way).
 *
 * @example
 * ```ts
 * const list = [{ chunkId: 'a' }, { chunkId: 'b' }, { chunkId: 'c' }];
 * reorderWindow(list, 2, (c) => ({ b: 1, a: 2 })[c.chunkId]).map((c) => c.chunkId); // ['b', 'a', 'c']
 * ```
 */
export function reorderWindow<T extends { chunkId: string }>(
  list: readonly T[],
  window: number,
  rankOf: (item: T) => number | undefined,
): T[] {
  const head = list.slice(0, window);
  const ranked = head.filter((c) => rankOf(c) !== undefined);
  ranked.sort((a, b) => rankOf(a)! - rankOf(b)!);
  return [...ranked, ...head.filter((c) => rankOf(c) === undefined), ...list.slice(window)];
}

/**
 * Check a re-ranker's answer against its contract: each candidate exactly once, finite scores. Throws
 * `INVALID_ARGUMENT` naming the re-ranker otherwise.
 *
 * @example
 * ```ts
 * checkRerankOrder(reranker, ['a', 'b'], [{ id: 'b', score: 2 }, { id: 'a', score: 1 }]); // fine
 * checkRerankOrder(reranker, ['a', 'b'], [{ id: 'a', score: 1 }]); // throws: must return each of the 2 candidates
 * ```
 */
export function checkRerankOrder(reranker: Reranker, ids: readonly string[], order: readonly RerankResult[]) {
  const expected = new Set(ids);
  const got = new Set(order.map((r) => r.id));
  if (order.length !== ids.length || got.size !== expected.size || [...got].some((id) => !expected.has(id))) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `reranker ${reranker.id} must return each of the ${ids.length} candidates once, got ${order.length} results`,
      { param: 'reranker' },
    );
  }
  const bad = order.find((r) => typeof r.score !== 'number' || !Number.isFinite(r.score));
  if (bad) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `reranker ${reranker.id} returned a non-finite score ${String(bad.score)} for chunk ${bad.id}`,
      { param: 'reranker' },
    );
  }
}

/**
 * How many fused candidates a recorded search re-ranked: the `rerank` stage's `depth` parameter, else its number of
 * candidates (a trace written by hand), else 0 (no re-ranking).
 *
 * @example
 * ```ts
 * const { trace } = await pipeline.search('refund delay', { k: 5 }); // reranker configured, rerankDepth 20
 * recordedRerankDepth(trace); // 20
 * ```
 */
export function recordedRerankDepth(trace: SearchTrace): number {
  const stage = findStage(trace.stages, 'rerank');
  if (!stage) return 0;
  return typeof stage.params.depth === 'number' ? stage.params.depth : stage.candidates.length;
}

/**
 * What a search's re-rank stage needs from the store: each candidate's text, and its stored vector for re-rankers
 * that ask (`needsVectors`).
 *
 * @example
 * ```ts
 * const source: RerankSource = { text: async (c) => store.get(c.chunkId)!.text, vector: (id) => vectors.get(id) };
 * ```
 */
export interface RerankSource {
  text(candidate: Candidate): Promise<string> | string;
  vector?(chunkId: string): Float32Array | undefined;
}

/**
 * What {@link runRerankStage} returns: the stage trace, the whole list re-ordered, and each re-ranked chunk's
 * ledger entry.
 *
 * @example
 * ```ts
 * const { stage, list, ledger } = await runRerankStage(query, fused, { reranker, depth: 20 }, source);
 * ledger.get(list[0]!.chunkId)?.moved; // +3: promoted three places
 * ```
 */
export interface RerankStageResult {
  stage: StageTrace;
  list: Candidate[];
  ledger: Map<string, NonNullable<Ledger['rerank']>>;
}

/**
 * The re-rank stage of every search: hand the first `depth` candidates to the re-ranker, check its answer, record
 * the stage (`{ reranker, depth }` and its scored list) and return the list re-ordered (candidates past `depth`
 * keep their order, renumbered after the re-ranked ones).
 *
 * @example
 * ```ts
 * const mmr = new MmrReranker({ lambda: 0.7 });
 * const { list } = await runRerankStage('refund delay', candidates, { reranker: mmr, depth: 20 }, source, { queryVector });
 * ```
 */
export async function runRerankStage(
  query: string,
  list: readonly Candidate[],
  plan: { reranker: Reranker; depth: number },
  source: RerankSource,
  context: { queryVector?: Float32Array } = {},
): Promise<RerankStageResult> {
  const t0 = performance.now();
  const { reranker, depth } = plan;
  const top = list.slice(0, depth);
  const wantVectors = reranker.needsVectors === true;
  const inputs = [];
  for (const c of top) {
    const vector = wantVectors ? source.vector?.(c.chunkId) : undefined;
    inputs.push({ id: c.chunkId, text: await source.text(c), score: c.score, ...(vector ? { vector } : {}) });
  }
  const order = await reranker.rerank(
    query,
    inputs,
    context.queryVector ? { queryVector: context.queryVector } : {},
  );
  checkRerankOrder(
    reranker,
    top.map((c) => c.chunkId),
    order,
  );
  const byId = new Map(top.map((c) => [c.chunkId, c]));
  const scored: Candidate[] = order.map((r, i) => ({
    chunkId: r.id,
    docId: byId.get(r.id)!.docId,
    rank: i + 1,
    score: r.score,
    normalized: r.score,
  }));
  const scoredById = new Map(scored.map((c) => [c.chunkId, c]));
  const reordered = reorderWindow(list, depth, (c) => scoredById.get(c.chunkId)?.rank).map((c, i) => {
    const s = scoredById.get(c.chunkId);
    return s ?? { ...c, rank: i + 1 };
  });
  const ledger = new Map<string, NonNullable<Ledger['rerank']>>();
  for (const s of scored) {
    const before = byId.get(s.chunkId)!.rank;
    ledger.set(s.chunkId, { score: s.score, rankBefore: before, rankAfter: s.rank, moved: before - s.rank });
  }
  return {
    stage: {
      stage: 'rerank',
      params: { reranker: reranker.id, depth },
      candidates: scored,
      durationMs: round3(performance.now() - t0),
    },
    list: reordered,
    ledger,
  };
}
