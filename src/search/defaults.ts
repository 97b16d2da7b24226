/**
 * One named constant per search component holding its defaults, so that docs, code and traces quote the same
 * numbers. BM25's defaults are its presets (`Bm25Options.preset`, `'anserini'`: k1 0.9, b 0.4, in `bm25.ts`) and the
 * HNSW index's are `HNSW_DEFAULTS` (in `vector.ts`).
 * @packageDocumentation
 */

/**
 * Defaults of fusion ({@link fuse}, every pipeline and {@link RetrieverSearch}): reciprocal rank fusion with the
 * constant k = 60 of Cormack et al. (2009); `weighted`/`combmnz` normalise each list by min-max unless told.
 *
 * @example
 * ```ts
 * FUSION_DEFAULTS.rrfK; // 60
 * const fused = fuse(lists, { ...FUSION_DEFAULTS, method: 'weighted' });
 * ```
 */
export const FUSION_DEFAULTS = Object.freeze({
  method: 'rrf' as const,
  rrfK: 60,
  normalization: 'minmax' as const,
});

/**
 * Defaults of {@link RetrievalPipeline} and {@link RetrieverSearch}: candidates taken from each retriever (`depth`),
 * final hits (`k`), candidates handed to the re-ranker (`rerankDepth`; the re-ranker sees `max(rerankDepth, k)`),
 * and texts per `embedder.embed` call while indexing (`embedBatchSize`).
 *
 * @example
 * ```ts
 * SEARCH_DEFAULTS.depth; // 100 candidates per retriever
 * const pipeline = new RetrievalPipeline({ chunker: 'none', rerankDepth: SEARCH_DEFAULTS.rerankDepth * 2 });
 * ```
 */
export const SEARCH_DEFAULTS = Object.freeze({
  depth: 100,
  k: 10,
  rerankDepth: 20,
  embedBatchSize: 256,
});
