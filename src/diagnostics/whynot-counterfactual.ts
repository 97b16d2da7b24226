import { cosine, dot } from '../core/vectors.js';
import { type FusionInput, fuse } from '../search/fusion.js';
import { recordedRerankDepth } from '../search/rerank-stage.js';
import { recordedFusion } from './replay.js';
import type { WhyNotContext } from './whynot-context.js';
import { type ChunkLike, judge, type Outcome } from './whynot-judge.js';

/** A change to the diagnosed final list: chunks removed and/or chunks added. @internal */
export interface ListChange {
  remove?: readonly string[];
  add?: ChunkLike | readonly ChunkLike[];
}

type Cannot = { cannot: string };

/** Embed the added texts when the vector list ran (they must be ranked against the query vector). */
async function embedAdded(
  ctx: WhyNotContext,
  added: ChunkLike[],
): Promise<Map<string, Float32Array> | Cannot> {
  const addVectors = new Map<string, Float32Array>();
  if (added.length > 0 && ctx.ranVector) {
    const { embedder } = ctx.pipeline;
    if (!embedder) return { cannot: 'the pipeline exposes no embedder to embed a re-chunked text' };
    const vs = await embedder.embed(
      added.map((c) => c.text),
      { kind: 'passage' },
    );
    added.forEach((c, i) => {
      if (vs[i]) addVectors.set(c.id, vs[i]!);
    });
  }
  return addVectors;
}

/** The BM25 list with the change applied, scored by the index itself, cut at the recorded depth. */
function bm25List(ctx: WhyNotContext, removed: Set<string>, added: ChunkLike[]): FusionInput | Cannot {
  const bm25 = ctx.pipeline.bm25 ?? null;
  const { fullBm25, query } = ctx;
  if (!fullBm25 || !bm25) return { cannot: 'the pipeline exposes no BM25 index to score the whole corpus' };
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
  return {
    list: 'bm25',
    candidates: list
      .slice(0, ctx.depth.bm25 ?? list.length)
      .map((h) => ({ chunkId: h.id, docId: h.docId, score: h.score })),
  };
}

/** The vector list with the change applied (added vectors inserted by their score), cut at the recorded depth. */
function vectorList(
  ctx: WhyNotContext,
  removed: Set<string>,
  addVectors: Map<string, Float32Array>,
  addedById: Map<string, ChunkLike>,
): FusionInput | Cannot {
  const { fullVec, queryVector, pipeline } = ctx;
  if (!fullVec) return { cannot: 'the pipeline exposes no vector index to rank the whole corpus' };
  const list = fullVec.filter((h) => !removed.has(h.id)).map((h) => ({ id: h.id, score: h.score }));
  if (queryVector) {
    const metric = pipeline.vectorIndex?.metric ?? 'cosine';
    for (const [id, v] of addVectors) {
      const s = metric === 'cosine' ? cosine(queryVector, v) : dot(queryVector, v);
      if (!Number.isFinite(s)) continue;
      const at = list.findIndex((h) => h.score < s);
      list.splice(at < 0 ? list.length : at, 0, { id, score: s });
    }
  }
  return {
    list: 'vector',
    candidates: list.slice(0, ctx.depth.vector ?? list.length).map((h) => ({
      chunkId: h.id,
      docId: addedById.get(h.id)?.docId ?? pipeline.getChunk(h.id)?.docId ?? '',
      score: h.score,
    })),
  };
}

/** Re-rank the top of a changed list with the pipeline's re-ranker, at the recorded re-rank depth. */
async function rerankIds(
  ctx: WhyNotContext,
  ids: string[],
  resolveChunk: (id: string) => ChunkLike | null,
  addVectors: Map<string, Float32Array>,
): Promise<string[] | Cannot> {
  const { pipeline, queryVector } = ctx;
  const reranker = pipeline.reranker;
  if (!reranker) return { cannot: 'the pipeline does not expose its re-ranker to re-rank a changed list' };
  const depthR = recordedRerankDepth(ctx.trace);
  const top = ids
    .slice(0, depthR)
    .map(resolveChunk)
    .filter((c): c is ChunkLike => c !== null);
  const order = await reranker.rerank(
    ctx.query,
    top.map((c) => {
      const v = addVectors.get(c.id) ?? pipeline.getVector?.(c.id) ?? null;
      return { id: c.id, text: c.text, score: 0, ...(reranker.needsVectors && v ? { vector: v } : {}) };
    }),
    queryVector ? { queryVector } : {},
  );
  return [...order.map((o) => o.id), ...ids.slice(depthR)];
}

/**
 * The diagnosed final list with chunks removed and/or added, re-scored by each list that ran, re-fused with the
 * recorded fusion parameters and re-ranked: where the target lands, or why that cannot be checked. @internal
 */
export async function counterfactual(
  ctx: WhyNotContext,
  { remove = [], add }: ListChange,
): Promise<Outcome | Cannot> {
  const removed = new Set(remove);
  const added: ChunkLike[] = add === undefined ? [] : Array.isArray(add) ? [...add] : [add as ChunkLike];
  const addedById = new Map(added.map((c) => [c.id, c]));
  const lists: FusionInput[] = [];
  // A list from a retriever that is not ragscope's own (a Postgres table, a LangChain retriever) can lose
  // candidates (its recorded list without them) but cannot score a new text.
  for (const s of ctx.trace.stages) {
    if (s.stage === 'bm25' || s.stage === 'vector' || s.stage === 'fusion' || s.stage === 'rerank') continue;
    if (added.length > 0)
      return {
        cannot: `the retriever "${s.stage}" cannot score a changed chunk: ragscope replays only its own indexes`,
      };
    lists.push({ list: s.stage, candidates: s.candidates.filter((c) => !removed.has(c.chunkId)) });
  }
  const addVectors = await embedAdded(ctx, added);
  if ('cannot' in addVectors) return addVectors;
  if (ctx.ranBm25) {
    const l = bm25List(ctx, removed, added);
    if ('cannot' in l) return l;
    lists.push(l);
  }
  if (ctx.ranVector) {
    const l = vectorList(ctx, removed, addVectors, addedById);
    if ('cannot' in l) return l;
    lists.push(l);
  }
  let ids: string[];
  if (lists.length > 1) {
    const f = { ...recordedFusion(ctx.trace) };
    delete f.depth;
    ids = fuse(lists, f).candidates.map((c) => c.chunkId);
  } else ids = lists[0]?.candidates.map((c) => c.chunkId) ?? [];
  const resolveChunk = (id: string) => addedById.get(id) ?? ctx.chunkOf(id);
  if (ctx.hasRerank && ctx.options.searchOptions?.rerank !== false) {
    const r = await rerankIds(ctx, ids, resolveChunk, addVectors);
    if (!Array.isArray(r)) return r;
    ids = r;
  }
  const ordered = ids.map(resolveChunk).filter((c): c is ChunkLike => c !== null);
  return judge(ctx, ordered);
}
