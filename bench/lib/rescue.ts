import type { Chunk } from '../../src/core/document.js';
import { type CauseCode, replay } from '../../src/diagnostics/index.js';
import { jaccard, shingles } from '../../src/diagnostics/similarity.js';
import type { RetrievalPipeline } from '../../src/search/pipeline.js';
import type { SearchTrace } from '../../src/search/types.js';
import { lexicalRescues, type OverrideChunker, splitRescues } from './rescue-reindex.js';
import { hitsOf, isSpan, K, ok, type Target } from './rescue-target.js';

/** The retrievers of bench/whynot-real.ts. */
export type Retriever = 'bm25' | 'dense' | 'hybrid' | 'hybrid+rerank';
/** The minimal fixes the bench applies, one at a time. */
export type Fix = 'split' | 'lexical' | 'fusion' | 'crowded' | 'rerank' | 'depth';
/** The cause each fix proves when it rescues. */
export const FIX_CAUSE: Record<Fix, CauseCode> = {
  split: 'split-by-chunking',
  lexical: 'lexical-mismatch',
  fusion: 'lost-in-fusion',
  crowded: 'crowded-out',
  rerank: 'demoted-by-reranker',
  depth: 'below-candidate-depth',
};

/** The chunk the fixes act on: the one covering most of the span, or the document's best-ranked chunk. */
function mainChunk(p: RetrievalPipeline, target: Target, fullList: Chunk[]): Chunk {
  const chunks = p.chunksOf(isSpan(target) ? target.docId : target);
  if (!isSpan(target)) {
    return fullList.find((c) => c.docId === target) ?? chunks[0]!;
  }
  const over = chunks.filter((c) => c.start < target.end && c.end > target.start);
  return over.sort(
    (a, b) =>
      Math.min(b.end, target.end) -
      Math.max(b.start, target.start) -
      (Math.min(a.end, target.end) - Math.max(a.start, target.start)),
  )[0]!;
}

/** fusion: the trace replayed over a grid (the bench's own, wider than whyNot's). */
async function fusionRescues(
  p: RetrievalPipeline,
  retriever: Retriever,
  query: string,
  target: Target,
  trace: SearchTrace,
): Promise<boolean> {
  const ws = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  const grid: object[] = [];
  for (const w of ws) {
    const weights = { bm25: w, vector: 1 - w };
    for (const rrfK of [1, 10, 30, 60, 100]) grid.push({ method: 'rrf', rrfK, weights });
    for (const normalization of ['minmax', 'zscore', 'none']) {
      grid.push({ method: 'weighted', normalization, weights });
      grid.push({ method: 'combmnz', normalization, weights });
    }
  }
  let confirmations = 0;
  for (const params of grid) {
    const r = replay(trace, { ...params, k: K });
    if (
      !ok(
        target,
        r.hits.map((h) => p.getChunk(h.chunkId)!),
      )
    )
      continue;
    // With a re-ranker, the replay knows only the recorded scores: confirm by a real search.
    if (retriever === 'hybrid+rerank') {
      if (confirmations++ >= 10) break;
      const real = await p.search(query, { k: K, fusion: params as never });
      if (!ok(target, hitsOf(real.hits))) continue;
    }
    return true;
  }
  return false;
}

/** Whether the chunk shingles `a` repeat `b` (Jaccard >= 0.5 or containment >= 0.8). */
function repeats(a: Set<string>, b: Set<string>): boolean {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return a.size > 0 && b.size > 0 && (jaccard(a, b) >= 0.5 || inter / Math.min(a.size, b.size) >= 0.8);
}

/**
 * crowded: the chunks above the target that repeat a higher hit's text taken out of the candidate lists, the
 * lists re-fused (real fusion code, recorded re-ranker order).
 */
function crowdedRescues(
  p: RetrievalPipeline,
  target: Target,
  main: Chunk,
  list: Chunk[],
  base: SearchTrace,
): boolean {
  const pos = list.findIndex((c) => (isSpan(target) ? c.id === main.id : c.docId === target));
  const upto = pos < 0 ? list.length : pos;
  const sh = list.slice(0, upto).map((c) => shingles(c.text));
  const drop = new Set<string>();
  for (let i = 0; i < upto; i++)
    for (let j = 0; j < i; j++) {
      if (repeats(sh[i]!, sh[j]!)) {
        drop.add(list[i]!.id);
        break;
      }
    }
  if (drop.size === 0) return false;
  const trace = {
    ...base,
    stages: base.stages.map((st) => ({
      ...st,
      candidates: st.candidates.filter((c) => !drop.has(c.chunkId)),
    })),
  };
  const r = replay(trace, { k: K });
  return ok(
    target,
    r.hits.map((h) => p.getChunk(h.chunkId)!),
  );
}

/** Each fix applied alone with the real search re-run: the fixes that rescue the target. */
export async function rescues(
  p: RetrievalPipeline,
  chunker: OverrideChunker,
  retriever: Retriever,
  query: string,
  target: Target,
): Promise<Set<Fix>> {
  const out = new Set<Fix>();
  // k = K: a larger k would widen the re-ranker's window (max(rerankDepth, k)).
  const base = await p.search(query, { k: K });
  const fullList = replay(base.trace, {}).candidates.map((c) => p.getChunk(c.chunkId)!);
  const main = mainChunk(p, target, fullList);
  // depth: both lists as deep as the index.
  const n = p.stats.chunks;
  if (ok(target, hitsOf((await p.search(query, { k: K, depth: { bm25: n, vector: n } })).hits)))
    out.add('depth');
  // rerank: searched again without it.
  if (
    retriever === 'hybrid+rerank' &&
    ok(target, hitsOf((await p.search(query, { k: K, rerank: false })).hits))
  )
    out.add('rerank');
  if (retriever.startsWith('hybrid') && (await fusionRescues(p, retriever, query, target, base.trace)))
    out.add('fusion');
  if (crowdedRescues(p, target, main, fullList, base.trace)) out.add('crowded');
  const doc = p.getDocument(isSpan(target) ? target.docId : target)!;
  const c = { p, chunker, query, target, main, doc };
  if (await splitRescues(c)) out.add('split');
  if (retriever !== 'dense' && (await lexicalRescues(c))) out.add('lexical');
  return out;
}
