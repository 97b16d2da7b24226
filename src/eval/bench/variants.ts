import type { Chunk } from '../../core/document.js';
import { RagscopeError } from '../../core/errors.js';
import type { RetrieverKind } from '../../report/types.js';
import type { MetadataFilter } from '../../search/filter.js';
import { fuse } from '../../search/fusion.js';
import { cleanVariants, type QueryRewriter } from '../../search/query-variants.js';
import type { SearchResult } from '../../search/types.js';
import { type RetrieverRun, runsFromTrace } from './rankings.js';

/** What {@link variantRun} searches: the bench's pipeline, or a backend's fused search. @internal */
export interface VariantSearchable {
  search(query: string, options: { k: number; filter?: MetadataFilter }): Promise<SearchResult>;
  getChunk(id: string): Chunk | null | undefined;
}

/** The retrievers a query-variant bench retriever can build on. */
const VARIANT_BASES = ['bm25', 'dense', 'hybrid'] as const;

/** Candidates of each query's list fused (as `QueryVariantSearch`'s default depth). */
const VARIANT_DEPTH = 100;

/** A bench retriever `<base>:<rewriter>`, e.g. `hybrid:multiquery`. @internal */
export interface VariantRetriever {
  id: RetrieverKind;
  base: (typeof VARIANT_BASES)[number];
  rewriter: QueryRewriter;
}

/**
 * Split the requested bench retrievers into the built-in kinds and the query-variant ones (`<bm25|dense|hybrid>:<name>`
 * where `name` is a key of `rewriters`). An unknown base or rewriter is a `RagscopeError` naming the spec. @internal
 */
export function splitVariantRetrievers(
  requested: readonly string[],
  rewriters: Readonly<Record<string, QueryRewriter>> | undefined,
): { plain: string[]; variants: VariantRetriever[] } {
  const plain: string[] = [];
  const variants: VariantRetriever[] = [];
  for (const r of requested) {
    const at = typeof r === 'string' ? r.indexOf(':') : -1;
    if (at < 0) {
      plain.push(r);
      continue;
    }
    const base = r.slice(0, at);
    const name = r.slice(at + 1);
    const fail = (why: string): never => {
      throw new RagscopeError(
        'INVALID_SPEC',
        `invalid retriever spec ${JSON.stringify(r)}: ${why} (query variants are <bm25|dense|hybrid>:<rewriter>, e.g. hybrid:multiquery)`,
        { param: 'retrievers', value: r },
      );
    };
    if (!(VARIANT_BASES as readonly string[]).includes(base))
      fail(`unknown base retriever ${JSON.stringify(base)}`);
    const rewriter = rewriters && Object.hasOwn(rewriters, name) ? rewriters[name] : undefined;
    if (!rewriter || typeof rewriter.rewrite !== 'function')
      fail(
        `no query rewriter named ${JSON.stringify(name)} (given: ${Object.keys(rewriters ?? {}).join(', ') || 'none'}; the CLI's multiquery and hyde need --rewrite-llm)`,
      );
    variants.push({ id: r as RetrieverKind, base: base as VariantRetriever['base'], rewriter: rewriter! });
  }
  return { plain, variants };
}

/**
 * The ranked list of a query-variant retriever for one question: the base retriever's list for the question (from
 * the bench's own search) and for each rewrite (one more search each, same filter), the first 100 of each fused by
 * RRF (k 60), as `QueryVariantSearch` does. @internal
 */
export async function variantRun(
  pipeline: VariantSearchable,
  question: string,
  variant: VariantRetriever,
  original: RetrieverRun,
  maxK: number,
  filter: MetadataFilter | undefined,
): Promise<RetrieverRun> {
  const t0 = performance.now();
  const texts = cleanVariants(variant.rewriter.id, question, await variant.rewriter.rewrite(question));
  if (texts.length === 0) return { chunkIds: original.chunkIds, ms: original.ms + (performance.now() - t0) };
  const lists = [original.chunkIds];
  for (const text of texts) {
    const { trace } = await pipeline.search(text, { k: maxK, ...(filter ? { filter } : {}) });
    lists.push(runsFromTrace(trace, [variant.base]).get(variant.base)!.chunkIds);
  }
  const fused = fuse(
    lists.map((ids, i) => ({
      list: i === 0 ? 'original' : `variant:${i}`,
      candidates: ids.slice(0, VARIANT_DEPTH).map((chunkId, j) => ({
        chunkId,
        docId: pipeline.getChunk(chunkId)?.docId ?? '',
        rank: j + 1,
        score: 0,
        normalized: 0,
      })),
    })),
    { method: 'rrf', rrfK: 60 },
  );
  return { chunkIds: fused.candidates.map((c) => c.chunkId), ms: original.ms + (performance.now() - t0) };
}
