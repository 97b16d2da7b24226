import type { Chunk } from '../core/document.js';
import { findStage } from '../search/stage-params.js';
import type { SearchHit, SearchResult, SearchTrace } from '../search/types.js';
import { type ReplayedCandidate, replay } from './replay.js';
import { counterfactual, type ListChange } from './whynot-counterfactual.js';
import {
  type ChunkLike,
  judge,
  listOf,
  type Outcome,
  type TargetJudge,
  toChunkLike,
} from './whynot-judge.js';
import { type OtherSetting, othersLost } from './whynot-others.js';
import type { Resolved } from './whynot-target.js';
import type { CauseCode, WhyNotOptions, WhyNotPipeline, WhyNotVerification } from './whynot-types.js';

// The judge and the verification record live in their own files; the causes and whyNot import them from here too.
export { type ChunkLike, judge, type Outcome, type TargetJudge } from './whynot-judge.js';
export { rankText, verification } from './whynot-verification.js';

/** Resolved numeric options of whyNot. @internal */
export interface WhyNotSettings {
  k: number;
  minCoverage: number;
  lexicalShare: number;
  dupJaccard: number;
  dupContainment: number;
  nearDuplicates: 'text' | 'off';
  splitShare: number;
  reserved: number;
  minSupport: number;
  causes: ReadonlySet<CauseCode>;
}

/**
 * Everything the cause checks share, computed once per diagnosis: the diagnosed search and its trace, each list's
 * true ranks over the whole index (BM25 scored by the index itself, the vector list searched with the query vector
 * the search used), the replayed final list, the chunk followed, and the counterfactual helpers. @internal
 */
export interface WhyNotContext extends TargetJudge {
  pipeline: WhyNotPipeline;
  query: string;
  settings: WhyNotSettings;
  options: WhyNotOptions;
  relevant: Chunk[];
  result: SearchResult;
  trace: SearchTrace;
  hits: SearchHit[];
  ranBm25: boolean;
  ranVector: boolean;
  hasFusion: boolean;
  hasRerank: boolean;
  queryVector: Float32Array | null;
  /** Whole-index lists, best first (empty when the list did not run or cannot be scored). */
  fullBm25: Array<{ id: string; docId: string; score: number }> | null;
  fullVec: Array<{ id: string; score: number }> | null;
  bm25Rank: Map<string, { rank: number; score: number }>;
  vecRank: Map<string, { rank: number; score: number }>;
  finalList: ReplayedCandidate[];
  finalRank: Map<string, ReplayedCandidate>;
  depth: { bm25: number | null; vector: number | null };
  main: Chunk;
  before: Outcome;
  chunkOf(id: string): ChunkLike | null;
  /** Re-run the real search with other options (same query vector), or another query text. */
  searchWith(options: Record<string, unknown>, otherQuery?: string): Promise<Outcome>;
  /** The final list with chunks removed and/or one chunk added, re-scored, re-fused and re-ranked. */
  counterfactual(change: ListChange): Promise<Outcome | { cannot: string }>;
  /** Outcome of a replay of the diagnosed trace with other fusion / re-rank parameters. */
  replayWith(params: Parameters<typeof replay>[1]): Outcome;
  /** Other questions losing their gold under a setting applied to every query. */
  othersLost(apply: OtherSetting): Promise<WhyNotVerification['othersLost']>;
  cannotCheck: Array<{ cause: CauseCode; missing: string }>;
}

function stageDepth(trace: SearchTrace, pipeline: WhyNotPipeline, list: 'bm25' | 'vector'): number | null {
  const stage = findStage(trace.stages, list);
  if (!stage) return null;
  const d = stage.params.depth;
  if (typeof d === 'number') return d;
  const c = pipeline.config?.depth?.[list];
  return typeof c === 'number' ? c : stage.candidates.length;
}

/**
 * Each list's true ranks over the whole index (BM25 scored by the index itself, the vector list searched with the
 * query vector the search used); where a list cannot be scored, the ranks recorded in the trace.
 */
async function wholeIndexRanks(
  pipeline: WhyNotPipeline,
  query: string,
  trace: SearchTrace,
  queryVector: Float32Array | null,
  ran: { bm25: boolean; vector: boolean },
): Promise<Pick<WhyNotContext, 'fullBm25' | 'fullVec' | 'bm25Rank' | 'vecRank'>> {
  const ranBm25 = ran.bm25;
  const ranVector = ran.vector;
  const bm25 = pipeline.bm25 ?? null;
  const vindex = pipeline.vectorIndex ?? null;
  const fullBm25 =
    ranBm25 && bm25 && typeof bm25.search === 'function' ? bm25.search(query, Math.max(1, bm25.size)) : null;
  let fullVec: Array<{ id: string; score: number }> | null = null;
  if (ranVector && vindex) {
    const zero = !queryVector || queryVector.every((x) => x === 0);
    fullVec = zero || vindex.size === 0 ? [] : await vindex.search(queryVector, vindex.size);
  }
  const rankMap = (xs: Array<{ id: string; score: number }> | null) =>
    new Map((xs ?? []).map((h, i) => [h.id, { rank: i + 1, score: h.score }]));
  const bm25Rank = rankMap(fullBm25);
  const vecRank = rankMap(fullVec);
  // Ranks inside the recorded lists are known even when the index cannot be scored directly.
  for (const [name, m] of [
    ['bm25', bm25Rank],
    ['vector', vecRank],
  ] as const) {
    const stage = trace.stages.find((s) => s.stage === name);
    if (stage && m.size === 0)
      for (const c of stage.candidates) m.set(c.chunkId, { rank: c.rank, score: c.score });
  }
  return { fullBm25, fullVec, bm25Rank, vecRank };
}

/** Build the shared context. @internal */
export async function buildContext(
  pipeline: WhyNotPipeline,
  query: string,
  resolved: Resolved,
  settings: WhyNotSettings,
  options: WhyNotOptions,
  queryVector: Float32Array | null,
  result: SearchResult,
  resolveOther: (expected: unknown) => Promise<Resolved>,
): Promise<WhyNotContext> {
  const { k, minCoverage } = settings;
  const { trace } = result;
  const { target, relevant } = resolved;
  const relevantIds = new Set(relevant.map((c) => c.id));
  const j: TargetJudge = { target, relevantIds, k, minCoverage };
  const has = (s: string) => trace.stages.some((x) => x.stage === s);
  const ranBm25 = has('bm25');
  const ranVector = has('vector');
  const { fullBm25, fullVec, bm25Rank, vecRank } = await wholeIndexRanks(
    pipeline,
    query,
    trace,
    queryVector,
    {
      bm25: ranBm25,
      vector: ranVector,
    },
  );
  const finalList = replay(trace, {}).candidates;
  const finalRank = new Map(finalList.map((c) => [c.chunkId, c]));
  const bestOf = (c: Chunk) =>
    Math.min(
      finalRank.get(c.id)?.rank ?? Infinity,
      bm25Rank.get(c.id)?.rank ?? Infinity,
      vecRank.get(c.id)?.rank ?? Infinity,
    );
  let main = relevant.find((c) => c.id === target.mainChunkId);
  if (!main) main = [...relevant].sort((a, b) => bestOf(a) - bestOf(b))[0]!;
  target.mainChunkId = main.id;
  const depth = { bm25: stageDepth(trace, pipeline, 'bm25'), vector: stageDepth(trace, pipeline, 'vector') };
  const chunkOf = (id: string): ChunkLike | null => {
    const c = pipeline.getChunk(id);
    return c ? toChunkLike(c) : null;
  };
  const hasRerank = has('rerank');
  const before = judge(
    j,
    listOf(
      chunkOf,
      finalList.map((c) => c.chunkId),
    ),
  );
  const searchOptions = options.searchOptions ?? {};

  const ctx: WhyNotContext = {
    ...j,
    pipeline,
    query,
    settings,
    options,
    relevant,
    result,
    trace,
    hits: result.hits.slice(0, k),
    ranBm25,
    ranVector,
    hasFusion: has('fusion'),
    hasRerank,
    queryVector,
    fullBm25,
    fullVec,
    bm25Rank,
    vecRank,
    finalList,
    finalRank,
    depth,
    main,
    before,
    chunkOf,
    cannotCheck: [],
    async searchWith(extra, otherQuery) {
      // A deeper k shows the rank beyond the top k; not with a re-ranker, whose depth grows with k.
      const r = await pipeline.search(otherQuery ?? query, {
        ...searchOptions,
        ...extra,
        k: hasRerank ? k : Math.max(k, 100),
        ...(queryVector && otherQuery === undefined ? { queryVector } : {}),
      });
      return judge(
        j,
        r.hits.map((h) => toChunkLike(h.chunk)),
      );
    },
    replayWith(params) {
      return judge(
        j,
        listOf(
          chunkOf,
          replay(trace, params).candidates.map((c) => c.chunkId),
        ),
      );
    },
    counterfactual(change) {
      return counterfactual(ctx, change);
    },
    othersLost(apply) {
      return othersLost(ctx, apply, resolveOther);
    },
  };
  return ctx;
}
