import { checkInteger, invalidArgument } from '../core/errors.js';
import { type FusedCandidate, type FusionOptions, fuseFromTrace } from '../search/fusion.js';
import { recordedRerankDepth, reorderWindow } from '../search/rerank-stage.js';
import { findStage } from '../search/stage-params.js';
import type { SearchTrace } from '../search/types.js';

/**
 * What to look for in a replay: a chunk id or document id (a string matches either), several ids, or an object
 * naming document ids and/or chunk ids. A candidate matches when its chunk id or document id is listed.
 *
 * @example
 * ```ts
 * const t1: ReplayTarget = 'handbook#3.ab12cd34';
 * const t2: ReplayTarget = { docIds: ['handbook'] };
 * ```
 */
export type ReplayTarget = string | string[] | { docIds?: string[]; chunkIds?: string[] };

/**
 * Parameters of {@link replay}: any fusion option, plus re-ranking and cut-off. Unset fields keep the recorded values.
 *
 * @example
 * ```ts
 * // Unset fields keep the recorded values (k: the trace's k; rerank: true when the trace has a rerank stage).
 * const params: ReplayParams = { method: 'weighted', normalization: 'zscore', weights: { bm25: 0.3, vector: 0.7 }, k: 10, rerank: false };
 * const { hits } = replay(trace, params);
 * ```
 */
export interface ReplayParams extends FusionOptions {
  /** Final number of hits. Default: the trace's `k`. */
  k?: number;
  /**
   * Re-order the fused top `rerankDepth` in the re-ranker's recorded order (its ranks in the trace's `rerank` stage). Default `true` when the
   * trace has a `rerank` stage. Candidates the re-ranker never scored (because the original fusion did not put them
   * in its top `rerankDepth`) cannot be scored without re-querying: they are kept after the scored ones, in fused
   * order, and counted in `unscored`.
   */
  rerank?: boolean;
  /** How many fused candidates are re-ranked. Default: the number of candidates in the recorded `rerank` stage. */
  rerankDepth?: number;
}

/**
 * One candidate of a replayed final list.
 *
 * @example
 * ```ts
 * const [top]: ReplayedCandidate[] = replay(trace, { method: 'weighted' }).hits;
 * top; // { chunkId: 'ship#0.0cec8538', docId: 'ship', rank: 1, fusedRank: 1, fusedScore: 2, rerankScore: null, contributions: [...] }
 * top?.contributions.map((c) => c.list); // ['bm25', 'vector']
 * ```
 */
export interface ReplayedCandidate {
  chunkId: string;
  docId: string;
  /** 1-based final rank after (replayed) fusion and re-ranking. */
  rank: number;
  /** Rank after fusion, before re-ranking. */
  fusedRank: number;
  fusedScore: number;
  /** Recorded re-ranker score, or null when not re-ranked / never scored. */
  rerankScore: number | null;
  /** The fusion account (per-list ranks and contributions). */
  contributions: FusedCandidate['contributions'];
}

/**
 * What {@link replay} returns.
 *
 * @example
 * ```ts
 * const r: ReplayResult = replay(trace, { method: 'weighted', k: 2 }, 'ship');
 * r.params; // { fusion: { method: 'weighted', rrfK: 60, normalization: 'minmax', weights: {...}, depth: {...} }, k: 2, rerank: false, rerankDepth: 0 }
 * r.hits.length; // at most 2
 * r.expected; // { rank: 1, retrieved: true, chunkId: 'ship#0.0cec8538' }
 * ```
 */
export interface ReplayResult {
  /** The resolved parameters actually used (JSON). */
  params: { fusion: Record<string, unknown>; k: number; rerank: boolean; rerankDepth: number };
  /** The whole replayed list (union of the recorded candidate lists), best first. */
  candidates: ReplayedCandidate[];
  /** The first `k` candidates. */
  hits: ReplayedCandidate[];
  /** Candidates inside the re-rank window that have no recorded re-ranker score. */
  unscored: number;
  /** Present when a target was given: its best (smallest) final rank, or null when no candidate matches. */
  expected?: { rank: number | null; retrieved: boolean; chunkId: string | null };
}

/** @internal */
export function targetMatcher(target: ReplayTarget): (c: { chunkId: string; docId: string }) => boolean {
  if (typeof target === 'string') return (c) => c.chunkId === target || c.docId === target;
  if (Array.isArray(target)) {
    const set = new Set(target);
    return (c) => set.has(c.chunkId) || set.has(c.docId);
  }
  if (target && typeof target === 'object') {
    const docs = new Set(target.docIds ?? []);
    const chunks = new Set(target.chunkIds ?? []);
    if (docs.size + chunks.size === 0) invalidArgument('expected', target, 'at least one docId or chunkId');
    return (c) => chunks.has(c.chunkId) || docs.has(c.docId);
  }
  return invalidArgument(
    'expected',
    target,
    'a chunk or document id, an array of ids, or { docIds, chunkIds }',
  );
}

const FUSION_KEYS = ['method', 'rrfK', 'weights', 'normalization', 'depth'] as const;

/** The fusion options recorded in a trace's `fusion` stage. @internal */
export function recordedFusion(trace: SearchTrace): FusionOptions {
  const stage = findStage(trace.stages, 'fusion');
  const out: Record<string, unknown> = {};
  if (stage) for (const key of FUSION_KEYS) if (stage.params[key] !== undefined) out[key] = stage.params[key];
  // An empty per-list depth object means "whole lists".
  if (out.depth && typeof out.depth === 'object' && Object.keys(out.depth as object).length === 0)
    delete out.depth;
  return out as FusionOptions;
}

function checkTrace(trace: SearchTrace): void {
  if (!trace || typeof trace !== 'object' || !Array.isArray(trace.stages)) {
    invalidArgument('trace', trace, 'a SearchTrace (the `trace` of a search result)');
  }
}

/**
 * Re-run fusion (with the real {@link fuse} code) and re-ranking order over a saved trace with other parameters,
 * without re-querying. Replaying with no parameters reproduces the recorded order (a test checks it).
 *
 * Limits, by construction: candidate lists cannot be made deeper than recorded (`depth` may only shrink them), and
 * the re-ranker's scores are only known for what it scored (see {@link ReplayParams.rerank}).
 *
 * @example
 * ```ts
 * const { trace } = await pipeline.search('refund window', { k: 5 });
 * const r = replay(trace, { method: 'weighted', normalization: 'zscore', weights: { bm25: 0.3, vector: 0.7 } }, 'faq#2.1a2b3c4d');
 * r.expected; // { rank: 3, retrieved: true, chunkId: 'faq#2.1a2b3c4d' }
 * ```
 */
export function replay(trace: SearchTrace, params: ReplayParams = {}, expected?: ReplayTarget): ReplayResult {
  checkTrace(trace);
  if (params === null || typeof params !== 'object') invalidArgument('params', params, 'an object');
  const k = checkInteger('params.k', params.k ?? trace.k, 1);
  const fusionOptions: FusionOptions = { ...recordedFusion(trace) };
  for (const key of FUSION_KEYS) {
    if (params[key] !== undefined) (fusionOptions as Record<string, unknown>)[key] = params[key];
  }
  const fused = fuseFromTrace(trace, fusionOptions);
  const rerankStage = findStage(trace.stages, 'rerank');
  const rerank = params.rerank ?? rerankStage !== undefined;
  if (typeof rerank !== 'boolean') invalidArgument('params.rerank', params.rerank, 'a boolean');
  const rerankDepth = checkInteger('params.rerankDepth', params.rerankDepth ?? recordedRerankDepth(trace), 0);
  const recorded = new Map<string, { score: number; rank: number }>();
  if (rerankStage)
    for (const c of rerankStage.candidates) recorded.set(c.chunkId, { score: c.score, rank: c.rank });

  const base: ReplayedCandidate[] = fused.candidates.map((c) => ({
    chunkId: c.chunkId,
    docId: c.docId,
    rank: c.rank,
    fusedRank: c.rank,
    fusedScore: c.score,
    rerankScore: null,
    contributions: c.contributions,
  }));
  let unscored = 0;
  let ordered = base;
  if (rerank && rerankDepth > 0) {
    const window = base.slice(0, rerankDepth);
    unscored = window.filter((c) => !recorded.has(c.chunkId)).length;
    for (const c of window) c.rerankScore = recorded.get(c.chunkId)?.score ?? null;
    // The recorded order is authoritative (MMR's selection order is not sorted by its score); the same window
    // re-ordering as the search's re-rank stage, unscored candidates after the scored ones.
    ordered = reorderWindow(base, rerankDepth, (c) => recorded.get(c.chunkId)?.rank);
  }
  ordered.forEach((c, i) => {
    c.rank = i + 1;
  });
  const result: ReplayResult = {
    params: { fusion: fused.params as unknown as Record<string, unknown>, k, rerank, rerankDepth },
    candidates: ordered,
    hits: ordered.slice(0, k),
    unscored,
  };
  if (expected !== undefined) {
    const match = targetMatcher(expected);
    const found = ordered.find(match) ?? null;
    result.expected = {
      rank: found ? found.rank : null,
      retrieved: found !== null && found.rank <= k,
      chunkId: found ? found.chunkId : null,
    };
  }
  return result;
}

/**
 * A grid of settings for {@link sweepReplay}. Every field is optional; see defaults.
 *
 * @example
 * ```ts
 * // Defaults: rrfK [1, 10, 30, 60, 100], normalizations ['minmax', 'zscore', 'none'],
 * // bm25Weights [0, 0.25, 0.5, 0.75, 1], depths: the recorded depth only, toggleRerank true.
 * const grid: ReplayGrid = { rrfK: [10, 60], bm25Weights: [0.25, 0.5, 0.75], depths: [20, 50, 100], toggleRerank: false };
 * const sweep = sweepReplay(trace, 'faq#2.1a2b3c4d', grid);
 * ```
 */
export interface ReplayGrid {
  /** RRF constants tried with `method: 'rrf'`. Default `[1, 10, 30, 60, 100]`. */
  rrfK?: number[];
  /** Normalisations tried with `weighted` and `combmnz`. Default `['minmax', 'zscore', 'none']`. */
  normalizations?: Array<'minmax' | 'zscore' | 'none'>;
  /** BM25 weight w (vector weight 1 - w) tried with every method. Default `[0, 0.25, 0.5, 0.75, 1]`. */
  bm25Weights?: number[];
  /** Per-list depths tried (only values <= the recorded depth change anything). Default: the recorded depth only. */
  depths?: number[];
  /** Also try with and without re-ranking when the trace has a rerank stage. Default `true`. */
  toggleRerank?: boolean;
}

/**
 * One setting of a sweep and where the expected item landed.
 *
 * @example
 * ```ts
 * const sweep = sweepReplay(trace, 'ship', { rrfK: [10, 60] });
 * const row: SweepRow | undefined = sweep.retrieving[0];
 * row; // { params: { method: 'rrf', rrfK: 10, weights: { bm25: 0, vector: 1 } }, rank: 1, retrieved: true }
 * sweep.baseline; // { params: {}, rank: 1, retrieved: true }: the recorded settings
 * ```
 */
export interface SweepRow {
  params: ReplayParams;
  rank: number | null;
  retrieved: boolean;
}

/**
 * What {@link sweepReplay} returns.
 *
 * @example
 * ```ts
 * const sweep: SweepResult = sweepReplay(trace, 'ship', { rrfK: [10, 60] });
 * sweep.rows.length; // 40 settings tried
 * sweep.retrieving.length; // how many of them put 'ship' in the top k
 * sweep.sentence; // 'Retrieved under 40 of 40 settings; best: rrf, k=10, w(bm25)=0, w(vector)=1 (rank 1).'
 * ```
 */
export interface SweepResult {
  /** The expected item's rank under the recorded settings. */
  baseline: SweepRow;
  /** Every setting tried. */
  rows: SweepRow[];
  /** The settings under which the expected item is within the top k, best rank first. */
  retrieving: SweepRow[];
  /** A one-line conclusion for people. */
  sentence: string;
}

function describeParams(p: ReplayParams): string {
  const parts: string[] = [String(p.method ?? 'recorded')];
  if (p.method === 'rrf' && p.rrfK !== undefined) parts.push(`k=${p.rrfK}`);
  if (p.method !== 'rrf' && p.normalization) parts.push(p.normalization);
  if (p.weights) parts.push(`w(bm25)=${p.weights.bm25}, w(vector)=${p.weights.vector}`);
  if (p.depth !== undefined) parts.push(`depth=${JSON.stringify(p.depth)}`);
  if (p.rerank === false) parts.push('no rerank');
  return parts.join(', ');
}

/**
 * Replay a trace over a grid of fusion settings and say which would have put `expected` in the top k.
 *
 * @example
 * ```ts
 * const sweep = sweepReplay(result.trace, 'faq#2.1a2b3c4d', { rrfK: [10, 60] });
 * sweep.sentence; // 'Retrieved under 4 of 48 settings; best: weighted, minmax, w(bm25)=0.25, w(vector)=0.75 (rank 2)'
 * ```
 */
export function sweepReplay(trace: SearchTrace, expected: ReplayTarget, grid: ReplayGrid = {}): SweepResult {
  checkTrace(trace);
  const rrfKs = grid.rrfK ?? [1, 10, 30, 60, 100];
  const norms = grid.normalizations ?? ['minmax', 'zscore', 'none'];
  const ws = grid.bm25Weights ?? [0, 0.25, 0.5, 0.75, 1];
  const hasBoth =
    trace.stages.some((s) => s.stage === 'bm25') && trace.stages.some((s) => s.stage === 'vector');
  const depths: Array<number | undefined> = grid.depths ?? [undefined];
  const reranks: Array<boolean | undefined> =
    (grid.toggleRerank ?? true) && trace.stages.some((s) => s.stage === 'rerank')
      ? [true, false]
      : [undefined];
  const settings: ReplayParams[] = [];
  for (const depth of depths) {
    for (const rr of reranks) {
      const extra: ReplayParams = {};
      if (depth !== undefined) extra.depth = depth;
      if (rr !== undefined) extra.rerank = rr;
      const weightSets = hasBoth ? ws.map((w) => ({ bm25: w, vector: 1 - w })) : [undefined];
      for (const weights of weightSets) {
        for (const rrfK of rrfKs)
          settings.push({ method: 'rrf', rrfK, ...(weights ? { weights } : {}), ...extra });
        for (const normalization of norms) {
          settings.push({ method: 'weighted', normalization, ...(weights ? { weights } : {}), ...extra });
          settings.push({ method: 'combmnz', normalization, ...(weights ? { weights } : {}), ...extra });
        }
      }
    }
  }
  const b = replay(trace, {}, expected).expected!;
  const baseline: SweepRow = { params: {}, rank: b.rank, retrieved: b.retrieved };
  const rows = settings.map((params) => {
    const e = replay(trace, params, expected).expected!;
    return { params, rank: e.rank, retrieved: e.retrieved };
  });
  const retrieving = rows.filter((r) => r.retrieved).sort((x, y) => x.rank! - y.rank!);
  const best = retrieving[0];
  const sentence = best
    ? `Retrieved under ${retrieving.length} of ${rows.length} settings; best: ${describeParams(best.params)} (rank ${best.rank}).`
    : `No setting of ${rows.length} tried puts it in the top ${trace.k}; fusion parameters cannot fix this miss.`;
  return { baseline, rows, retrieving, sentence };
}
