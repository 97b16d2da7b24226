import type { Chunk } from '../core/document.js';
import { RagscopeError } from '../core/errors.js';
import { describeFilter, type MetadataFilter, matchesFilter } from './filter.js';
import type { RetrieveContext, RetrievedHit, Retriever } from './retriever.js';

/** The most hits the fallback asks one retriever for before it stops doubling. */
const MAX_ASK = 1 << 20;

/**
 * What a filtered retrieval records in its stage params: the filter, whether the retriever applied it (`native`) or
 * ragscope post-filtered its list (`post`, with how many hits it asked for and whether the list ran out).
 *
 * @example
 * ```ts
 * const p: FilterParams = { filter: 'file=a.md', filtered: 'post', asked: 400, exhausted: false };
 * ```
 */
export interface FilterParams {
  filter: string;
  filtered: 'native' | 'post';
  asked?: number;
  exhausted?: boolean;
}

/**
 * The exact post-filter: ask `fetch` for `depth` items, keep those that pass, and while fewer than `depth` pass and
 * the list was full, ask again for twice as many (up to `cap`). Returns the first `depth` passing items in order;
 * `exhausted` is true when the source had no more.
 *
 * @example
 * ```ts
 * const { kept } = await postFilter((n) => bm25.search('refund', n), 10, (h) => h.docId === 'faq');
 * ```
 */
export async function postFilter<T>(
  fetch: (n: number) => Promise<readonly T[]>,
  depth: number,
  keep: (item: T) => boolean | Promise<boolean>,
  cap = MAX_ASK,
): Promise<{ kept: T[]; asked: number; exhausted: boolean }> {
  let ask = Math.min(depth, cap);
  for (;;) {
    const items = await fetch(ask);
    const kept: T[] = [];
    for (const it of items) {
      if (kept.length === depth) break;
      if (await keep(it)) kept.push(it);
    }
    const exhausted = items.length < ask;
    if (kept.length >= depth || exhausted || ask >= cap) return { kept, asked: ask, exhausted };
    ask = Math.min(ask * 2, cap);
  }
}

/**
 * Retrieve with a metadata filter from ANY {@link Retriever}: one that declares `nativeFilter` gets the filter in
 * its context and applies it; for any other, ragscope post-filters exactly ({@link postFilter}: re-query with
 * doubling depth until `depth` allowed hits or the retriever is exhausted), reading each hit's metadata from
 * `chunkOf` (the chunks a search knows, or the retriever's `getChunk`). A hit whose metadata cannot be read is a
 * `RagscopeError`: ragscope will not guess whether it passes.
 *
 * @example
 * ```ts
 * const { hits, params } = await retrieveFiltered(langchain, 'refund', 10, {}, { file: 'faq.md' }, (id) => chunks.get(id));
 * params; // { filter: 'file=faq.md', filtered: 'post', asked: 40, exhausted: false }
 * ```
 */
export async function retrieveFiltered(
  r: Retriever,
  query: string,
  depth: number,
  context: RetrieveContext,
  filter: MetadataFilter,
  chunkOf: (chunkId: string) => Chunk | null | undefined | Promise<Chunk | null | undefined>,
): Promise<{ hits: RetrievedHit[]; params: FilterParams }> {
  const shown = describeFilter(filter);
  if (r.nativeFilter === true) {
    const hits = await r.retrieve(query, depth, { ...context, filter });
    return { hits, params: { filter: shown, filtered: 'native' } };
  }
  const { filter: _drop, ...plain } = context;
  const size = r.size ? await r.size() : undefined;
  const cap = size !== undefined && size > 0 ? Math.max(size, depth) : MAX_ASK;
  const { kept, asked, exhausted } = await postFilter(
    (n) => r.retrieve(query, n, plain),
    depth,
    async (h) => {
      const c = (await chunkOf(h.chunkId)) ?? (r.getChunk ? await r.getChunk(h.chunkId) : undefined);
      if (!c)
        throw new RagscopeError(
          'NOT_FOUND',
          `cannot filter retriever ${r.name}: the metadata of chunk ${h.chunkId} is unknown (give the search its chunks, or a retriever with getChunk or nativeFilter)`,
          { param: 'filter', value: shown },
        );
      return matchesFilter(c.metadata, filter);
    },
    cap,
  );
  return { hits: kept, params: { filter: shown, filtered: 'post', asked, exhausted } };
}

/**
 * A retriever's own `retrieve` under `context.filter` when it does not filter natively but knows its chunks
 * (`getChunk`): the exact post-filter of {@link retrieveFiltered}. Without `getChunk` it is a `RagscopeError`.
 * @internal
 */
export async function filteredByLookup(
  r: Retriever,
  query: string,
  depth: number,
  context: RetrieveContext,
): Promise<RetrievedHit[]> {
  if (!r.getChunk)
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `retriever ${r.name} cannot apply filter ${describeFilter(context.filter!)}: it does not know chunk metadata (construct it with { chunks }, e.g. (id) => pipeline.getChunk(id))`,
      { param: 'context.filter', value: context.filter },
    );
  return (await retrieveFiltered(r, query, depth, context, context.filter!, () => undefined)).hits;
}
