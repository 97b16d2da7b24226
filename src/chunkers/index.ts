/**
 * `ragscope/chunkers` — chunkers that keep exact source offsets and explain their boundaries.
 * Importing this entry point loads no native code.
 * @packageDocumentation
 */

// Types users meet through this subpath (its functions take and return them), so that
// `import type { Chunk } from 'ragscope/chunkers'` works without the root entry.
export type { Chunk, Document, DocumentInput, LangChainDocument } from '../core/document.js';
export type { Embedder } from '../embedders/types.js';
export * from './cluster.js';
export { type ContextTarget, ContextualChunker, contextualText, indexText } from './contextual.js';
export * from './fixed.js';
export * from './langchain.js';
export type { LengthFunction, RangeMeasure, Tokenizer } from './length.js';
export * from './lengths.js';
export { markdownSections, ParentChildChunker, type ParentRef, parentChunk, parentRefOf } from './parent.js';
export * from './precomputed.js';
export {
  CHROMA_SEPARATORS,
  LANGCHAIN_SEPARATORS,
  RecursiveChunker,
  type RecursiveChunkerOptions,
} from './recursive.js';
export * from './semantic.js';
export * from './sentence.js';
export * from './spec.js';
export * from './token-cache.js';
export * from './tokenizer.js';
export type {
  Boundary,
  BoundaryReason,
  Chunker,
  ChunkingTrace,
  DistanceCurve,
  SyncChunker,
} from './types.js';
export * from './whole.js';
