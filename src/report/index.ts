/**
 * Benchmark reports: the {@link BenchReport} data shape filled by `ragscope bench`, and its renderers — a terminal
 * table, JSON, and a self-contained HTML page with charts.
 * @packageDocumentation
 */
export { type CompareHtmlOptions, renderCompareHtml } from './compare-html.js';
export { type CompareTerminalOptions, renderCompareTerminal } from './compare-terminal.js';
export { writeCompare } from './compare-write.js';
export { escapeHtml, jsonForScript, sanitizeTerminal } from './escape.js';
export { type HtmlOptions, renderHtml } from './html.js';
export {
  causeSentences,
  diagnosticsRows,
  leadFindings,
  tiedConfigIds,
  tieSentence,
} from './insights.js';
export { renderJson } from './json.js';
export {
  bestConfig,
  bestConfigIds,
  comparePair,
  distinctChunkers,
  effectiveWarnings,
  metricNames,
  type PairResult,
  primaryMetric,
} from './summary.js';
export { renderTerminal, type TerminalOptions } from './terminal.js';
export type {
  Abstention,
  BenchReport,
  CauseCount,
  CauseSummary,
  ChunkStats,
  Comparison,
  ConfigDiagnostics,
  ConfigResult,
  CorpusTriage,
  FailureCause,
  FailureRecord,
  FusionEffect,
  GateResult,
  HistogramBin,
  HitRef,
  PerQueryResult,
  ReportProvenance,
  RetrieverKind,
  StageTimings,
  TiedWithBest,
  TruncationRecord,
} from './types.js';
export { REPORT_VERSION } from './types.js';
export { validateReport } from './validate.js';
export {
  type ReportFormat,
  type ReportWriteFailure,
  type WriteReportOptions,
  writeReport,
} from './write.js';
