/**
 * Diagnostics: why did a query retrieve what it did, and why not what it should have?
 *
 * @example
 * ```ts
 * import { explain, whyNot, replay } from 'ragscope/diagnostics';
 * const result = await pipeline.search('refund window', { k: 5 });
 * console.log(explain(result, 1, { color: true }).text);
 * const report = await whyNot(pipeline, 'refund window', { answer: '30 days' });
 * ```
 * @module
 */

// Types users meet through this subpath (the pipeline, its results and traces that the diagnostics read).
export type { Chunk, Document, DocumentInput } from '../core/document.js';
export type { Embedder } from '../embedders/types.js';
export type { HistogramBin } from '../report/types.js';
export type { Analyzer } from '../search/analyzer.js';
export type { FusedCandidate, FusionOptions } from '../search/fusion.js';
export type {
  Ledger,
  SearchHit,
  SearchResult,
  SearchTrace,
  VectorSearchIndex,
} from '../search/types.js';
export { type AnswerSupport, locateSupport } from './answer-support.js';
export {
  type BoundaryReportOptions,
  boundaryReport,
  type ChunkerBoundaryReport,
  type ChunkerRun,
  type GoldSpan,
  type StraddlingSpan,
} from './boundary.js';
export {
  type CalibrationOptions,
  calibration,
  type LabelledScore,
  labelStageScores,
  type StageCalibration,
  type ThresholdSuggestion,
} from './calibration.js';
export { type CorpusHealthOptions, type CorpusHealthReport, corpusHealth } from './corpus-health.js';
export { type ExplainOptions, explain, type HitExplanation } from './explain.js';
export {
  type ReplayedCandidate,
  type ReplayGrid,
  type ReplayParams,
  type ReplayResult,
  type ReplayTarget,
  replay,
  type SweepResult,
  type SweepRow,
  sweepReplay,
} from './replay.js';
export type { Distribution } from './stats.js';
export {
  type BudgetSection,
  embedderTokenBudget,
  type OverBudgetChunk,
  type TokenBudgetOptions,
  type TokenBudgetReport,
  type TokenLimitedModel,
  tokenBudgetReport,
  truncationWarning,
} from './token-budget.js';
export type { CountTokens } from './tokens.js';
export {
  summarizeTriage,
  type TriageItem,
  type TriageReport,
  type TriageVerdict,
  triage,
} from './triage.js';
export {
  CAUSE_ORDER,
  type CauseCode,
  type Expected,
  findAnswer,
  type WhyNotCause,
  type WhyNotOptions,
  type WhyNotPipeline,
  type WhyNotReport,
  type WhyNotTarget,
  type WhyNotVerification,
  whyNot,
} from './whynot.js';
