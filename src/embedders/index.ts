/**
 * `ragscope/embedders` — turn texts into vectors: local transformer models, static word vectors, feature hashing,
 * OpenAI-compatible HTTP servers, and a persistent cache around any of them.
 * Importing this entry point loads no native code: `@huggingface/transformers` (onnxruntime) is imported only
 * when a {@link TransformersEmbedder} first embeds or counts tokens.
 * @packageDocumentation
 */

export * from './cached.js';
export * from './hashing.js';
export * from './http.js';
export * from './spec.js';
export * from './static.js';
export * from './transformers.js';
export type { Embedder, EmbedKind, EmbedOptions } from './types.js';
