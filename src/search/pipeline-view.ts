import type { Chunker } from '../chunkers/types.js';
import { checkInteger, invalidArgument } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';
import type { PipelineConfig, PipelineConfigJSON, PipelineViewOptions } from './pipeline-config.js';
import type { Reranker } from './rerank/types.js';
import type { VectorSearchIndex } from './types.js';
import { ExactVectorIndex, VectorIndex } from './vector.js';

/** @internal The parts of a pipeline a view is made from. */
export interface ViewBase {
  chunker: Chunker;
  embedder: Embedder | undefined;
  reranker: Reranker | undefined;
  resolved: PipelineConfigJSON;
  /** Names of the pipeline's retrievers, in order. */
  retrievers: ReadonlyArray<'bm25' | 'vector'>;
  /** Ids of the chunks with a vector in the pipeline's store. */
  vectorIds: () => Iterable<string>;
}

/**
 * @internal Check a view's options against the pipeline it views: the view's config and, with
 * `options.vectorIndex`, the index its vector retriever searches instead of the pipeline's own. Bad input throws
 * `INVALID_ARGUMENT` naming the option.
 */
export function resolveView(
  options: PipelineViewOptions,
  base: ViewBase,
): { config: PipelineConfig; vectorIndex?: VectorSearchIndex } {
  if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
  const own = base.retrievers;
  const names = options.retrievers ?? own;
  if (!Array.isArray(names) || names.length === 0)
    invalidArgument('options.retrievers', names, `a non-empty array among ${JSON.stringify(own)}`);
  for (const [i, n] of names.entries())
    if (!own.includes(n)) invalidArgument(`options.retrievers[${i}]`, n, `one of ${JSON.stringify(own)}`);
  const r = options.reranker ?? true;
  if (typeof r !== 'boolean' && typeof r?.rerank !== 'function')
    invalidArgument('options.reranker', r, 'a boolean or a Reranker');
  const reranker = r === true ? base.reranker : r === false ? undefined : r;
  const vector = names.includes('vector');
  const given = options.vectorIndex;
  if (given !== undefined && !vector)
    invalidArgument('options.vectorIndex', given?.constructor?.name ?? given, "a view running 'vector'");
  const { resolved } = base;
  return {
    config: {
      chunker: base.chunker,
      ...(vector && base.embedder ? { embedder: base.embedder } : {}),
      bm25: names.includes('bm25') ? resolved.bm25 : false,
      vector: !vector ? false : given === undefined ? resolved.vector : describeIndex(given, base),
      fusion: resolved.fusion,
      depth: resolved.depth,
      ...(reranker ? { reranker } : {}),
      rerankDepth: checkInteger('options.rerankDepth', options.rerankDepth ?? resolved.rerankDepth, 1),
      embedBatchSize: resolved.embedBatchSize,
    },
    ...(given === undefined ? {} : { vectorIndex: given }),
  };
}

/** The vector config that describes `index`, once it is checked to hold exactly the pipeline's vectors. */
function describeIndex(index: unknown, base: ViewBase): PipelineConfigJSON['vector'] {
  if (!(index instanceof VectorIndex) && !(index instanceof ExactVectorIndex)) {
    return invalidArgument(
      'options.vectorIndex',
      (index as object | null)?.constructor?.name ?? index,
      'a VectorIndex or an ExactVectorIndex (search another index with RetrieverSearch)',
    );
  }
  const dimensions = base.embedder!.dimensions;
  if (index.dimensions !== dimensions)
    invalidArgument('options.vectorIndex.dimensions', index.dimensions, `${dimensions} (the embedder's)`);
  let count = 0;
  for (const id of base.vectorIds()) {
    count++;
    if (!index.has(id)) invalidArgument('options.vectorIndex', `no vector ${id}`, "the pipeline's vectors");
  }
  if (index.size !== count)
    invalidArgument('options.vectorIndex.size', index.size, `${count} (the pipeline's vectors)`);
  return index instanceof ExactVectorIndex
    ? { index: 'exact', metric: index.metric }
    : {
        index: 'hnsw',
        metric: index.metric,
        M: index.M,
        efConstruction: index.efConstruction,
        efSearch: index.efSearch,
      };
}
