import { VectorRetriever, type VectorRetrieverOptions } from '../builtin-retrievers.js';
import type { RetrieverEntry } from './types.js';

/**
 * Registry entry `vector`: a ragscope vector index with its embedder ({@link VectorRetriever}).
 *
 * @example
 * ```ts
 * const r = vectorEntry.create({ vectorIndex: new ExactVectorIndex({ dimensions: 256 }), embedder: new HashingEmbedder() }, {});
 * ```
 */
export const vectorEntry: RetrieverEntry = {
  kind: 'dense',
  needs: ['vectorIndex', 'embedder'],
  create: (sources, options) =>
    new VectorRetriever(sources.vectorIndex!, sources.embedder!, options as VectorRetrieverOptions),
};
