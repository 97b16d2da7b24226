/**
 * `ragscope/chunkers` — chunkers that keep exact source offsets and explain their boundaries.
 * Importing this entry point loads no native code.
 * @packageDocumentation
 */

export * from './cluster.js';
export * from './fixed.js';
export type { LengthFunction, RangeMeasure, Tokenizer } from './length.js';
export * from './lengths.js';
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
