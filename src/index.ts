/**
 * ragscope — build and debug retrieval pipelines.
 *
 * Every stage is also its own entry point (`ragscope/chunkers`, `ragscope/embedders`, `ragscope/search`,
 * `ragscope/diagnostics`, `ragscope/eval`, `ragscope/report`). Native dependencies (onnxruntime, hnswlib) are only loaded when a
 * model or a vector index is first used, so importing this module loads no native code.
 * @packageDocumentation
 */

export * from './chunkers/index.js';
export * from './core/index.js';
export * from './diagnostics/index.js';
export * from './embedders/index.js';
export * from './eval/index.js';
export * from './generate/index.js';
export * from './langchain/index.js';
export * from './postgres/index.js';
export * from './report/index.js';
export * from './search/index.js';
