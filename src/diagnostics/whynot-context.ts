import type { Chunk } from '../core/document.js';
import { cosine, dot } from '../core/vectors.js';
import { type FusionInput, fuse } from '../search/fusion.js';
import type { SearchHit, SearchResult, SearchTrace } from '../search/types.js';
import { type ReplayedCandidate, recordedFusion, replay } from './replay.js';
import type { Resolved } from './whynot-target.js';
import type {
  CauseCode,
  WhyNotOptions,
  WhyNotPipeline,
  WhyNotTarget,
  WhyNotVerification,
} from './whynot-types.js';

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
  counterfactual(change: {
    remove?: readonly string[];
    add?: ChunkLike | readonly ChunkLike[];
  }): Promise<Outcome | { cannot: string }>;
  /** Outcome of a replay of the diagnosed trace with other fusion / re-rank parameters. */
  replayWith(params: Parameters<typeof replay>[1]): Outcome;
  /** Other questions losing their gold under a setting applied to every query. */
  othersLost(
    apply: { replay: Parameters<typeof replay>[1] } | { search: Record<string, unknown> },
  ): Promise<WhyNotVerification['othersLost']>;
  cannotCheck: Array<{ cause: CauseCode; missing: string }>;
}

function stageDepth(trace: SearchTrace, pipeline: WhyNotPipeline, list: 'bm25' | 'vector'): number | null {
  const stage = trace.stages.find((s) => s.stage === list);
  if (!stage) return null;
  const d = stage.params.depth;
  if (typeof d === 'number') return d;
  const c = pipeline.config?.depth?.[list];
  return typeof c === 'number' ? c : stage.candidates.length;
}

const toChunkLike = (c: Chunk): ChunkLike => ({
  id: c.id,
  docId: c.docId,
  start: c.start,
  end: c.end,
  text: c.text,
});

/** The outcomes of the other questions under the recorded settings, cached per pipeline and question list. */
const otherCache = new WeakMap<
  object,
  WeakMap<
    object,
    Array<{ id: string; judge: TargetJudge; query: string; trace: SearchTrace; before: boolean }>
  >
>();

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
  const listOf = (ids: Iterable<string>, extra?: ChunkLike) =>
    [...ids]
      .map((id) => (extra && id === extra.id ? extra : chunkOf(id)))
      .filter((c): c is ChunkLike => c !== null);
  const hasRerank = has('rerank');
  const rerankStage = trace.stages.find((s) => s.stage === 'rerank');
  const before = judge(j, listOf(finalList.map((c) => c.chunkId)));
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
      return judge(j, listOf(replay(trace, params).candidates.map((c) => c.chunkId)));
    },
    async counterfactual({ remove = [], add }) {
      const removed = new Set(remove);
      const added: ChunkLike[] = add === undefined ? [] : Array.isArray(add) ? [...add] : [add as ChunkLike];
      const addedById = new Map(added.map((c) => [c.id, c]));
      const lists: FusionInput[] = [];
      // A list from a retriever that is not ragscope's own (a Postgres table, a LangChain retriever) can lose
      // candidates (its recorded list without them) but cannot score a new text.
      for (const s of trace.stages) {
        if (s.stage === 'bm25' || s.stage === 'vector' || s.stage === 'fusion' || s.stage === 'rerank')
          continue;
        if (added.length > 0)
          return {
            cannot: `the retriever "${s.stage}" cannot score a changed chunk: ragscope replays only its own indexes`,
          };
        lists.push({ list: s.stage, candidates: s.candidates.filter((c) => !removed.has(c.chunkId)) });
      }
      const addVectors = new Map<string, Float32Array>();
      if (added.length > 0 && ranVector) {
        if (!pipeline.embedder)
          return { cannot: 'the pipeline exposes no embedder to embed a re-chunked text' };
        const vs = await pipeline.embedder.embed(
          added.map((c) => c.text),
          { kind: 'passage' },
        );
        added.forEach((c, i) => {
          if (vs[i]) addVectors.set(c.id, vs[i]!);
        });
      }
      if (ranBm25) {
        if (!fullBm25 || !bm25)
          return { cannot: 'the pipeline exposes no BM25 index to score the whole corpus' };
        let list = fullBm25.filter((h) => !removed.has(h.id));
        if (added.length > 0) {
          const index = bm25 as unknown as { add?: (x: unknown[]) => void; remove?: (ids: string[]) => void };
          if (typeof index.add !== 'function' || typeof index.remove !== 'function') {
            return { cannot: 'the BM25 index cannot score a new text (no add/remove)' };
          }
          // Synchronous add / search / remove: nothing else can observe the temporary entries.
          index.add(added.map((c) => ({ id: c.id, docId: c.docId, text: c.text })));
          try {
            list = bm25.search(query, Math.max(1, bm25.size)).filter((h) => !removed.has(h.id));
          } finally {
            index.remove(added.map((c) => c.id));
          }
        }
        lists.push({
          list: 'bm25',
          candidates: list
            .slice(0, depth.bm25 ?? list.length)
            .map((h) => ({ chunkId: h.id, docId: h.docId, score: h.score })),
        });
      }
      if (ranVector) {
        if (!fullVec) return { cannot: 'the pipeline exposes no vector index to rank the whole corpus' };
        const list = fullVec.filter((h) => !removed.has(h.id)).map((h) => ({ id: h.id, score: h.score }));
        if (queryVector) {
          const metric = vindex?.metric ?? 'cosine';
          for (const [id, v] of addVectors) {
            const s = metric === 'cosine' ? cosine(queryVector, v) : dot(queryVector, v);
            if (!Number.isFinite(s)) continue;
            const at = list.findIndex((h) => h.score < s);
            list.splice(at < 0 ? list.length : at, 0, { id, score: s });
          }
        }
        lists.push({
          list: 'vector',
          candidates: list.slice(0, depth.vector ?? list.length).map((h) => ({
            chunkId: h.id,
            docId: addedById.get(h.id)?.docId ?? pipeline.getChunk(h.id)?.docId ?? '',
            score: h.score,
          })),
        });
      }
      let ids: string[];
      if (lists.length > 1) {
        const f = { ...recordedFusion(trace) };
        delete f.depth;
        ids = fuse(lists, f).candidates.map((c) => c.chunkId);
      } else ids = lists[0]?.candidates.map((c) => c.chunkId) ?? [];
      const resolveChunk = (id: string) => addedById.get(id) ?? chunkOf(id);
      if (hasRerank && searchOptions.rerank !== false) {
        const reranker = pipeline.reranker;
        if (!reranker)
          return { cannot: 'the pipeline does not expose its re-ranker to re-rank a changed list' };
        const depthR =
          typeof rerankStage?.params.depth === 'number'
            ? rerankStage.params.depth
            : (rerankStage?.candidates.length ?? 0);
        const top = ids
          .slice(0, depthR)
          .map(resolveChunk)
          .filter((c): c is ChunkLike => c !== null);
        const order = await reranker.rerank(
          query,
          top.map((c) => {
            const v = addVectors.get(c.id) ?? pipeline.getVector?.(c.id) ?? null;
            return { id: c.id, text: c.text, score: 0, ...(reranker.needsVectors && v ? { vector: v } : {}) };
          }),
          queryVector ? { queryVector } : {},
        );
        ids = [...order.map((o) => o.id), ...ids.slice(depthR)];
      }
      const ordered = ids.map(resolveChunk).filter((c): c is ChunkLike => c !== null);
      return judge(j, ordered);
    },
    async othersLost(apply) {
      const others = options.otherQuestions;
      if (!others || others.length === 0) return undefined;
      let byList = otherCache.get(pipeline);
      if (!byList) {
        byList = new WeakMap();
        otherCache.set(pipeline, byList);
      }
      let base = byList.get(others);
      if (!base) {
        base = [];
        for (const [i, o] of others.entries()) {
          const r = await resolveOther(o.expected);
          if (r.missing || r.relevant.length === 0) continue;
          const oj: TargetJudge = {
            target: r.target,
            relevantIds: new Set(r.relevant.map((c) => c.id)),
            k,
            minCoverage,
          };
          const res = await pipeline.search(o.query, { ...searchOptions, k });
          const ok = judge(
            oj,
            res.hits.map((h) => toChunkLike(h.chunk)),
          ).retrieved;
          base.push({ id: o.id ?? String(i), judge: oj, query: o.query, trace: res.trace, before: ok });
        }
        byList.set(others, base);
      }
      const lost: string[] = [];
      for (const o of base) {
        if (!o.before || o.query === query) continue;
        let after: boolean;
        if ('replay' in apply) {
          after = judge(
            o.judge,
            listOf(replay(o.trace, apply.replay).candidates.map((c) => c.chunkId)),
          ).retrieved;
        } else {
          const r = await pipeline.search(o.query, { ...searchOptions, ...apply.search, k });
          after = judge(
            o.judge,
            r.hits.map((h) => toChunkLike(h.chunk)),
          ).retrieved;
        }
        if (!after) lost.push(o.id);
      }
      return { checked: base.length, lost: lost.length, ids: lost.slice(0, 20) };
    },
  };
  return ctx;
}

/** `rank 42` / `unranked`, for sentences. @internal */
export const rankText = (r: number | null) => (r === null ? 'unranked' : `rank ${r}`);

/** Build a verification record from before/after outcomes. @internal */
export function verification(
  ctx: WhyNotContext,
  applied: Record<string, unknown>,
  after: Outcome | { cannot: string },
  what: string,
): WhyNotVerification {
  if ('cannot' in after) {
    return {
      status: 'cannot-check',
      applied,
      rankBefore: ctx.before.rank,
      rankAfter: null,
      sentence: `Cannot check: ${after.cannot}.`,
    };
  }
  const v: WhyNotVerification = {
    status: after.retrieved ? 'rescued' : 'not-rescued',
    applied,
    rankBefore: ctx.before.rank,
    rankAfter: after.rank,
    sentence: `${what}, the target moves from ${rankText(ctx.before.rank)} to ${rankText(after.rank)}${
      after.coverage !== undefined ? ` (top ${ctx.k} cover ${Math.round(after.coverage * 100)}% of it)` : ''
    }: ${after.retrieved ? 'retrieved' : 'still missed'}.`,
  };
  if (after.coverage !== undefined) v.coverageAfter = after.coverage;
  return v;
}
