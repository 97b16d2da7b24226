import { Bm25Retriever } from '../builtin-retrievers.js';
import type { RetrieverEntry } from './types.js';

/**
 * Registry entry `bm25`: ragscope's BM25 index ({@link Bm25Retriever}).
 *
 * @example
 * ```ts
 * const r = bm25Entry.create({ bm25: new Bm25Index() }, {});
 * ```
 */
export const bm25Entry: RetrieverEntry = {
  kind: 'lexical',
  needs: ['bm25'],
  create: (sources, options) =>
    new Bm25Retriever(sources.bm25!, options as ConstructorParameters<typeof Bm25Retriever>[1]),
};
