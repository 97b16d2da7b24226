/**
 * ragscope/eval — evaluation datasets (BEIR, Chroma spans, ragscope JSONL, a folder of files), ranking metrics
 * with trec_eval semantics, Chroma's span metrics, and paired comparison of two runs.
 * Pure JavaScript (plus node:fs for the loaders): importing it loads no native code.
 * @packageDocumentation
 */

// Types users meet through this subpath (bench options and the report it returns).
export type { Tokenizer } from '../chunkers/length.js';
export type { Chunk, Document, DocumentInput } from '../core/document.js';
export type { Embedder } from '../embedders/types.js';
export type { BenchReport, RetrieverKind } from '../report/types.js';
export type { FusionOptions } from '../search/fusion.js';
export type { VectorConfig } from '../search/pipeline.js';
export type { Reranker } from '../search/rerank/types.js';
export * from './bench.js';
export {
  checkRegressions,
  parseRegressionRule,
  type Regression,
  type RegressionGateResult,
  type RegressionRule,
} from './compare/regression.js';
export type { ComparePairedOptions, PairedComparison } from './compare.js';
export { comparePaired } from './compare.js';
export * from './compare-runs.js';
export * from './datasets/index.js';
export * from './evaluate-retriever.js';
export * from './metrics/index.js';
export { seededRandom } from './prng.js';
export type { CharRange, EvalDataset, EvalQuestion, Judgments } from './types.js';
