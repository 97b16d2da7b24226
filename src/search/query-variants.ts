import { checkInteger, invalidArgument, RagscopeError } from '../core/errors.js';
import { type FusionInput, fuse } from './fusion.js';
import type { SearchWithTrace } from './parent-stage.js';
import type { Candidate, SearchHit, SearchResult, StageTrace } from './types.js';

/**
 * A query rewriter: returns variants of a query (paraphrases, sub-questions, a hypothetical answer passage...), each
 * retrieved and fused with the original by {@link QueryVariantSearch}. `id` names it in traces.
 *
 * @example
 * ```ts
 * const lower: QueryRewriter = { id: 'lowercase', rewrite: async (q) => [q.toLowerCase()] };
 * ```
 */
export interface QueryRewriter {
  readonly id: string;
  rewrite(query: string): Promise<string[]>;
}

/**
 * Options of {@link QueryVariantSearch}.
 *
 * @example
 * ```ts
 * const o: QueryVariantOptions = { depth: 100, rrfK: 60 };
 * ```
 */
export interface QueryVariantOptions {
  /** Hits taken from each query's search before fusion. Default 100. */
  depth?: number;
  /** RRF constant of the fusion of the original's and the variants' lists. Default 60. */
  rrfK?: number;
}

/**
 * Check a rewriter's answer: an array of strings; blank ones and repeats (of the query or of each other) are dropped.
 * Anything else is a `RagscopeError` naming the rewriter. @internal
 */
export function cleanVariants(rewriterId: string, query: string, variants: unknown): string[] {
  if (!Array.isArray(variants) || variants.some((v) => typeof v !== 'string'))
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `query rewriter ${rewriterId} must return an array of strings, got ${JSON.stringify(variants)?.slice(0, 200)}`,
      { param: 'rewrite', value: variants },
    );
  const seen = new Set([query.trim()]);
  const out: string[] = [];
  for (const v of variants as string[]) {
    const t = v.trim();
    if (t === '' || seen.has(t)) continue;
    seen.add(t);
    out.push(t);
  }
  return out;
}

const asCandidates = (hits: readonly SearchHit[]): Candidate[] =>
  hits.map((h, i) => ({
    chunkId: h.chunk.id,
    docId: h.chunk.docId,
    rank: i + 1,
    score: h.score,
    normalized: h.score,
  }));

/**
 * Query variants over ANY search: the rewriter's variants of the query are each searched like the original, and the
 * original's and the variants' ranked lists are fused by RRF. The trace holds the original search's stages, then one
 * stage per variant (`variant:1`, `variant:2`... with the variant text and the rewriter in its params, and its
 * ranked list), then the `query-fusion` stage. Each hit keeps the ledger of the first search that returned it (the
 * original's when it did). With no variant (the rewriter returned none) the result is the original search's.
 *
 * @example
 * ```ts
 * const search = new QueryVariantSearch(pipeline, multiQueryRewriter({ baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.1' }));
 * const { hits, trace } = await search.search('how long do refunds take?', { k: 5 });
 * trace.stages.filter((s) => s.stage.startsWith('variant:')).map((s) => s.params.query); // the rewrites
 * ```
 */
export class QueryVariantSearch {
  readonly depth: number;
  readonly rrfK: number;

  constructor(
    readonly inner: SearchWithTrace,
    readonly rewriter: QueryRewriter,
    options: QueryVariantOptions = {},
  ) {
    if (!inner || typeof inner.search !== 'function')
      invalidArgument('inner', inner, 'a search with search(query, options)');
    if (!rewriter || typeof rewriter.rewrite !== 'function' || typeof rewriter.id !== 'string')
      invalidArgument('rewriter', rewriter, 'a QueryRewriter ({ id, rewrite(query) })');
    this.depth = checkInteger('depth', options.depth ?? 100, 1);
    this.rrfK = checkInteger('rrfK', options.rrfK ?? 60, 0);
  }

  /** Search the query and its variants, fuse, and return the top `k` (other options pass through to each search). */
  async search(query: string, options: { k?: number } & Record<string, unknown> = {}): Promise<SearchResult> {
    if (typeof query !== 'string' || query.trim() === '')
      invalidArgument('query', query, 'a non-empty string');
    const k = checkInteger('k', options.k ?? 10, 1);
    const t0 = performance.now();
    const variants = cleanVariants(this.rewriter.id, query, await this.rewriter.rewrite(query));
    const rewriteMs = performance.now() - t0;
    const depth = Math.max(k, this.depth);
    const original = await this.inner.search(query, { ...options, k: depth });
    if (variants.length === 0) {
      const hits = original.hits.slice(0, k);
      return { hits, trace: { ...original.trace, k } };
    }
    const stages: StageTrace[] = [...original.trace.stages];
    const lists: FusionInput[] = [{ list: 'original', candidates: asCandidates(original.hits) }];
    const byId = new Map(original.hits.map((h) => [h.chunk.id, h]));
    for (const [i, v] of variants.entries()) {
      const t1 = performance.now();
      const r = await this.inner.search(v, { ...options, k: depth });
      const candidates = asCandidates(r.hits);
      for (const h of r.hits) if (!byId.has(h.chunk.id)) byId.set(h.chunk.id, h);
      const name = `variant:${i + 1}`;
      lists.push({ list: name, candidates });
      stages.push({
        stage: name,
        params: {
          query: v,
          rewriter: this.rewriter.id,
          from: r.trace.stages.at(-1)?.stage ?? null,
          depth,
          ...(i === 0 ? { rewriteMs: Math.round(rewriteMs * 1000) / 1000 } : {}),
        },
        candidates,
        durationMs: Math.round((performance.now() - t1) * 1000) / 1000,
      });
    }
    const t2 = performance.now();
    const fused = fuse(lists, { method: 'rrf', rrfK: this.rrfK });
    const candidates: Candidate[] = fused.candidates.map(({ chunkId, docId, rank, score, normalized }) => ({
      chunkId,
      docId,
      rank,
      score,
      normalized,
    }));
    stages.push({
      stage: 'query-fusion',
      params: { ...fused.params, variants: variants.length, rewriter: this.rewriter.id },
      candidates,
      durationMs: Math.round((performance.now() - t2) * 1000) / 1000,
    });
    const hits: SearchHit[] = candidates.slice(0, k).map((c) => {
      const h = byId.get(c.chunkId)!;
      return { chunk: h.chunk, score: c.score, rank: c.rank, ledger: h.ledger };
    });
    return { hits, trace: { ...original.trace, k, stages } };
  }
}
