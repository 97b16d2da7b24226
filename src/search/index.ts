/**
 * `ragscope/search` — BM25 and vector indexes, hybrid fusion, re-rankers and the {@link RetrievalPipeline} whose
 * every search returns a plain-JSON trace and a per-hit score ledger. Native code (hnswlib-node, onnxruntime) is
 * loaded only when a vector index or a cross-encoder is first used.
 * @packageDocumentation
 */

// Types users meet through this subpath (documents in, chunks and embedders inside the pipeline).
export type { Chunk, Document, DocumentInput, LangChainDocument } from '../core/document.js';
export type { Embedder, EmbedKind, EmbedOptions } from '../embedders/types.js';
export * from './analyzer.js';
export * from './bm25.js';
export * from './builtin-retrievers.js';
export * from './defaults.js';
export * from './filter.js';
export { type FilterParams, postFilter, retrieveFiltered } from './filter-fallback.js';
export * from './fusion.js';
export * from './hybrid.js';
export * from './parent-stage.js';
export * from './persist.js';
export * from './pipeline.js';
export * from './query-rewriters.js';
export { type QueryRewriter, type QueryVariantOptions, QueryVariantSearch } from './query-variants.js';
export * from './rerank/cross-encoder.js';
export * from './rerank/http.js';
export * from './rerank/mmr.js';
export type * from './rerank/types.js';
export * from './rerank-stage.js';
export * from './retrieve-stages.js';
export * from './retriever.js';
export * from './retriever-search.js';
export * from './retrievers/registry.js';
export type * from './retrievers/types.js';
export * from './search-core.js';
export * from './stage-params.js';
export type * from './types.js';
export * from './vector.js';
