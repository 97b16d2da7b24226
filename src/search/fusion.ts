import { checkInteger, checkNumber, invalidArgument } from '../core/errors.js';
import { FUSION_DEFAULTS } from './defaults.js';
import type { Candidate, FusionContribution, ScoredChunk, SearchTrace, StageTrace } from './types.js';

/**
 * The name of a list that can be fused: the built-in `bm25` and `vector`, or any {@link Retriever}'s name
 * (letters, digits, `_`, `.`, `:`, `+`, `-`), e.g. `pg-text`, `pg-vector`, `langchain`.
 *
 * @example
 * ```ts
 * const name: ListName = 'pg-text';
 * ```
 */
export type ListName = 'bm25' | 'vector' | (string & {});

const LIST_NAME = /^[A-Za-z0-9_.:+-]{1,64}$/;

/** Check a list name (see {@link ListName}). @internal */
export function checkListName(param: string, name: unknown): ListName {
  if (typeof name !== 'string' || !LIST_NAME.test(name))
    invalidArgument(param, name, 'a list name of letters, digits, "_", ".", ":", "+" or "-"');
  return name;
}

/**
 * How lists are fused.
 *
 * - `rrf`: reciprocal rank fusion, `Σ weight / (rrfK + rank)`; scores are ignored, only ranks count.
 * - `weighted`: `Σ weight × normalised score` (normalisation chosen by `normalization`).
 * - `combmnz`: `(Σ weight × normalised score) × (number of lists that returned the chunk)`.
 *
 * @example
 * ```ts
 * fuse(lists, { method: 'combmnz' });
 * ```
 */
export type FusionMethod = 'rrf' | 'weighted' | 'combmnz';

/**
 * Per-list score normalisation used by `weighted` and `combmnz` (ignored by `rrf`).
 *
 * - `minmax`: `(s - min) / (max - min)` over the list (to its depth); all-equal lists give 1 for everyone.
 * - `zscore`: `(s - mean) / std` (population std); a constant list gives 0 for everyone.
 * - `none`: raw scores. Kept on purpose: summing BM25 scores (0..30) with cosines (0..1) lets BM25 decide
 *   everything, which is the trap this option exists to show.
 *
 * @example
 * ```ts
 * fuse(lists, { method: 'weighted', normalization: 'zscore' });
 * ```
 */
export type Normalization = 'minmax' | 'zscore' | 'none';

/**
 * Fusion options. Every field is optional.
 *
 * @example
 * ```ts
 * const opts: FusionOptions = { method: 'weighted', normalization: 'minmax', weights: { bm25: 0.3, vector: 0.7 } };
 * ```
 */
export interface FusionOptions {
  /** Default `'rrf'`. */
  method?: FusionMethod;
  /** RRF constant k (default {@link FUSION_DEFAULTS}.rrfK = 60, as in Cormack et al. 2009). Must be >= 0. */
  rrfK?: number;
  /** Weight of each list (default 1 for every list). Must be finite and >= 0. */
  weights?: Partial<Record<ListName, number>>;
  /** Default `'minmax'`. Ignored by `rrf`. */
  normalization?: Normalization;
  /** Only the first `depth` candidates of each list take part (default: whole lists). A number or one per list. */
  depth?: number | Partial<Record<ListName, number>>;
}

/**
 * One input list of {@link fuse}: candidates best first (their order defines their rank).
 *
 * @example
 * ```ts
 * const input: FusionInput = { list: 'bm25', candidates: [{ chunkId: 'a#0.1', docId: 'a', score: 7.1 }] };
 * ```
 */
export interface FusionInput {
  list: ListName;
  candidates: readonly ScoredChunk[];
}

/**
 * A fused candidate with its per-list account.
 *
 * @example
 * ```ts
 * const [top] = fuse(lists).candidates;
 * top.foundBy; // ['bm25', 'vector']
 * ```
 */
export interface FusedCandidate extends Candidate {
  /** One entry per input list, in input order; absent lists contribute 0 (`rank: null`). */
  contributions: FusionContribution[];
  /** The lists that returned the chunk (within their depth), in input order. */
  foundBy: ListName[];
}

/**
 * What {@link fuse} returns.
 *
 * @example
 * ```ts
 * const { candidates, params } = fuse(lists, { method: 'rrf' });
 * params.rrfK; // 60
 * ```
 */
export interface FusionResult {
  /** The union of all lists, best first, with 1-based `rank`; `score` = `normalized` = fused score. */
  candidates: FusedCandidate[];
  /** The resolved parameters (plain JSON), as recorded in the trace. */
  params: {
    method: FusionMethod;
    rrfK: number;
    normalization: Normalization;
    weights: Partial<Record<ListName, number>>;
    depth: Partial<Record<ListName, number>>;
  };
}

/**
 * Normalise a list of scores.
 *
 * @example
 * ```ts
 * normalizeScores([3, 2, 1], 'minmax'); // [1, 0.5, 0]
 * normalizeScores([3, 2, 1], 'zscore'); // [1.2247…, 0, -1.2247…]
 * ```
 */
export function normalizeScores(scores: readonly number[], normalization: Normalization): number[] {
  if (normalization === 'none' || scores.length === 0) return scores.slice();
  if (normalization === 'minmax') {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const range = max - min;
    return scores.map((s) => (range > 0 ? (s - min) / range : 1));
  }
  if (normalization === 'zscore') {
    const mean = scores.reduce((a, s) => a + s, 0) / scores.length;
    const variance = scores.reduce((a, s) => a + (s - mean) ** 2, 0) / scores.length;
    const std = Math.sqrt(variance);
    return scores.map((s) => (std > 0 ? (s - mean) / std : 0));
  }
  return invalidArgument('normalization', normalization, "one of 'minmax', 'zscore', 'none'");
}

const METHODS: readonly FusionMethod[] = ['rrf', 'weighted', 'combmnz'];
const NORMALIZATIONS: readonly Normalization[] = ['minmax', 'zscore', 'none'];

/**
 * Validate fusion options and fill in defaults (`rrf`, k 60, min-max, weights 1).
 *
 * @example
 * ```ts
 * resolveFusionOptions({ method: 'weighted' }).normalization; // 'minmax'
 * ```
 */
export function resolveFusionOptions(
  options: FusionOptions = {},
  lists: readonly ListName[] = ['bm25', 'vector'],
) {
  const method = options.method ?? FUSION_DEFAULTS.method;
  if (!METHODS.includes(method))
    invalidArgument('fusion.method', method, "one of 'rrf', 'weighted', 'combmnz'");
  const rrfK = checkNumber('fusion.rrfK', options.rrfK ?? FUSION_DEFAULTS.rrfK, 0);
  const normalization = options.normalization ?? FUSION_DEFAULTS.normalization;
  if (!NORMALIZATIONS.includes(normalization)) {
    invalidArgument('fusion.normalization', normalization, "one of 'minmax', 'zscore', 'none'");
  }
  const weights: Partial<Record<ListName, number>> = {};
  const depth: Partial<Record<ListName, number>> = {};
  // Weights and depths are keyed by list name; a key naming no list being fused is a typo, not a no-op.
  const known = `the names of the lists fused (${lists.map((l) => `'${l}'`).join(', ')})`;
  for (const key of Object.keys(options.weights ?? {})) {
    if (!lists.includes(key)) invalidArgument('fusion.weights', options.weights, `keys among ${known}`);
  }
  const rawDepth: unknown = options.depth;
  if (rawDepth !== undefined && typeof rawDepth !== 'number') {
    const ok =
      rawDepth !== null &&
      typeof rawDepth === 'object' &&
      !Array.isArray(rawDepth) &&
      Object.keys(rawDepth).every((key) => lists.includes(key));
    if (!ok) invalidArgument('fusion.depth', rawDepth, `a positive integer or an object keyed by ${known}`);
  }
  for (const list of lists) {
    weights[list] = checkNumber(`fusion.weights.${list}`, options.weights?.[list] ?? 1, 0);
    const d = typeof options.depth === 'number' ? options.depth : options.depth?.[list];
    if (d !== undefined) depth[list] = checkInteger(`fusion.depth.${list}`, d, 1);
  }
  return { method, rrfK, normalization, weights, depth };
}

/**
 * Each candidate's per-list fused value before weighting: `1 / (rrfK + rank)` under RRF, else its normalised score.
 * Shared by {@link fuse} and the bench's id-only replay, so the two cannot drift. @internal
 */
export function listContributions(
  kept: ReadonlyArray<{ score: number }>,
  method: string,
  rrfK: number,
  normalization: Parameters<typeof normalizeScores>[1],
): number[] {
  return method === 'rrf'
    ? kept.map((_, i) => 1 / (rrfK + i + 1))
    : normalizeScores(
        kept.map((c) => c.score),
        normalization,
      );
}

/**
 * Fuse ranked lists into one.
 *
 * The exact rule for a chunk that some list did not return (within that list's depth): that list's contribution
 * is **0**, its `rank`/`rawScore`/`normalized` are `null`, and the list is absent from `foundBy`. What 0 means
 * depends on the method, and is deliberate:
 * - `rrf`: 0 is what an infinitely deep rank would give;
 * - `weighted` + `minmax`: 0 equals the contribution of that list's worst retrieved candidate;
 * - `weighted` + `zscore`: 0 equals the contribution of a candidate scoring exactly that list's mean;
 * - `weighted` + `none`: 0 raw score (for BM25 that is "no term matched");
 * - `combmnz`: 0, and the multiplier (number of lists that found it) is smaller, so single-list chunks are damped.
 *
 * Contributions sum to the fused score exactly (for `combmnz` each contribution already includes the multiplier).
 * For `rrf`, `normalized` in a contribution is `1 / (rrfK + rank)` (before the weight). Ties in fused score are
 * broken by the number of lists that found the chunk (more first), then by best rank, then by chunk id, so the
 * output is deterministic.
 *
 * @example
 * ```ts
 * const { candidates } = fuse(
 *   [
 *     { list: 'bm25', candidates: [{ chunkId: 'a', docId: 'a', score: 9 }, { chunkId: 'b', docId: 'b', score: 4 }] },
 *     { list: 'vector', candidates: [{ chunkId: 'b', docId: 'b', score: 0.8 }] },
 *   ],
 *   { method: 'rrf', rrfK: 60 },
 * );
 * candidates[0].chunkId; // 'b' : 1/62 + 1/61 beats 1/61
 * ```
 */
export function fuse(lists: readonly FusionInput[], options: FusionOptions = {}): FusionResult {
  if (!Array.isArray(lists as unknown)) invalidArgument('lists', lists, 'an array of { list, candidates }');
  const names = lists.map((l) => l.list);
  for (const [i, name] of names.entries()) {
    checkListName(`lists[${i}].list`, name);
    if (names.indexOf(name) !== i) invalidArgument(`lists[${i}].list`, name, 'unique across lists');
  }
  // With no lists (validating options ahead of a search), weights may name the built-in lists.
  const params = resolveFusionOptions(options, names.length > 0 ? names : ['bm25', 'vector']);
  const { method, rrfK, normalization } = params;

  interface Entry {
    chunkId: string;
    docId: string;
    perList: Array<{ rank: number; raw: number; norm: number } | null>;
  }
  const entries = new Map<string, Entry>();
  lists.forEach((input, li) => {
    const limit = params.depth[input.list] ?? input.candidates.length;
    const kept = input.candidates.slice(0, limit);
    const seen = new Set<string>();
    for (const [i, c] of kept.entries()) {
      if (typeof c.score !== 'number' || !Number.isFinite(c.score)) {
        invalidArgument(`lists[${li}].candidates[${i}].score`, c.score, 'a finite number');
      }
      if (seen.has(c.chunkId))
        invalidArgument(`lists[${li}].candidates[${i}].chunkId`, c.chunkId, 'unique in its list');
      seen.add(c.chunkId);
    }
    const norms = listContributions(kept, method, rrfK, normalization);
    kept.forEach((c, i) => {
      let e = entries.get(c.chunkId);
      if (!e) {
        e = { chunkId: c.chunkId, docId: c.docId, perList: lists.map(() => null) };
        entries.set(c.chunkId, e);
      }
      e.perList[li] = { rank: i + 1, raw: c.score, norm: norms[i]! };
    });
  });

  const fused = [...entries.values()].map((e) => {
    const found = e.perList.filter((p) => p !== null).length;
    const multiplier = method === 'combmnz' ? found : 1;
    const contributions: FusionContribution[] = e.perList.map((p, li) => {
      const list = names[li]!;
      if (!p) return { list, rank: null, rawScore: null, normalized: null, contribution: 0 };
      const weight = params.weights[list] ?? 1;
      return {
        list,
        rank: p.rank,
        rawScore: p.raw,
        normalized: p.norm,
        contribution: weight * p.norm * multiplier,
      };
    });
    const score = contributions.reduce((a, c) => a + c.contribution, 0);
    const bestRank = Math.min(...e.perList.map((p) => (p ? p.rank : Infinity)));
    return {
      chunkId: e.chunkId,
      docId: e.docId,
      score,
      contributions,
      foundBy: names.filter((_, li) => e.perList[li] !== null),
      bestRank,
    };
  });
  fused.sort(
    (a, b) =>
      b.score - a.score ||
      b.foundBy.length - a.foundBy.length ||
      a.bestRank - b.bestRank ||
      (a.chunkId < b.chunkId ? -1 : a.chunkId > b.chunkId ? 1 : 0),
  );
  const candidates: FusedCandidate[] = fused.map((f, i) => ({
    chunkId: f.chunkId,
    docId: f.docId,
    rank: i + 1,
    score: f.score,
    normalized: f.score,
    contributions: f.contributions,
    foundBy: f.foundBy,
  }));
  return { candidates, params };
}

/**
 * Recompute fusion from a saved {@link SearchTrace} with other options, without re-querying: every retriever stage
 * of the trace (`bm25`, `vector`, or any {@link Retriever}'s named stage; everything but `fusion` and `rerank`)
 * holds its full candidate list (to its depth).
 *
 * @example
 * ```ts
 * const { trace } = await pipeline.search('refund policy', { k: 10 });
 * const again = fuseFromTrace(JSON.parse(JSON.stringify(trace)), { method: 'weighted', normalization: 'zscore' });
 * again.candidates[0].chunkId;
 * ```
 */
export function fuseFromTrace(trace: SearchTrace, options: FusionOptions = {}): FusionResult {
  const lists: FusionInput[] = trace.stages
    .filter((s: StageTrace) => s.stage !== 'fusion' && s.stage !== 'rerank')
    .map((s) => ({ list: s.stage, candidates: s.candidates }));
  if (lists.length === 0)
    invalidArgument(
      'trace.stages',
      trace.stages.map((s) => s.stage),
      'at least one retriever stage',
    );
  return fuse(lists, options);
}
