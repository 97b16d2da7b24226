/**
 * ragscope/eval — evaluation datasets (BEIR, Chroma spans, ragscope JSONL, a folder of files), ranking metrics
 * with trec_eval semantics, Chroma's span metrics, and paired comparison of two runs.
 * Pure JavaScript (plus node:fs for the loaders): importing it loads no native code.
 * @packageDocumentation
 */
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
export * from './metrics/index.js';
export { seededRandom } from './prng.js';
export type { CharRange, EvalDataset, EvalQuestion, Judgments } from './types.js';
