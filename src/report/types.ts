/**
 * The data shape of a benchmark report. The bench runner fills a {@link BenchReport}; the renderers in this
 * folder turn it into a terminal table, JSON, or a self-contained HTML page.
 *
 * Everything is plain JSON (no Dates, Maps or class instances) so a report survives `JSON.stringify` /
 * `JSON.parse` unchanged and can be re-rendered later from `report.json`.
 * @packageDocumentation
 */

import type {
  CauseSummary,
  ConfigDiagnostics,
  CorpusTriage,
  FailureRecord,
  TiedWithBest,
  TruncationRecord,
} from './findings-types.js';

export type {
  Abstention,
  CauseCount,
  CauseSummary,
  ConfigDiagnostics,
  CorpusTriage,
  FailureCause,
  FailureRecord,
  FusionEffect,
  TiedWithBest,
  TruncationRecord,
} from './findings-types.js';

/**
 * The only report format version this module reads and writes.
 *
 * @example
 * ```ts
 * REPORT_VERSION; // 1
 * const raw = JSON.parse(await readFile('ragscope-report/report.json', 'utf8'));
 * if (raw.version !== REPORT_VERSION) throw new Error(`report.json is version ${raw.version}, not ${REPORT_VERSION}`);
 * ```
 */
export const REPORT_VERSION = 1 as const;

/**
 * A retriever family compared by `ragscope bench`.
 * - `bm25`: lexical BM25 only.
 * - `dense`: embedding similarity only.
 * - `hybrid`: BM25 and dense fused.
 * - `hybrid+rerank`: hybrid, then a reranking stage.
 *
 * @example
 * ```ts
 * const retrievers: RetrieverKind[] = ['bm25', 'dense', 'hybrid'];
 * report.configs.filter((c) => c.retriever === 'hybrid+rerank').map((c) => c.id);
 * ```
 */
export type RetrieverKind =
  | 'bm25'
  | 'dense'
  | 'hybrid'
  | 'hybrid+rerank'
  /** A base retriever with query variants from a named rewriter, e.g. `hybrid:multiquery`. */
  | `${'bm25' | 'dense' | 'hybrid'}:${string}`;

/**
 * One bin of a size histogram: `count` chunks have a size in `[from, to)` (the last bin includes `to`).
 *
 * @example
 * ```ts
 * const bin: HistogramBin = { from: 0, to: 200, count: 42 };
 * ```
 */
export interface HistogramBin {
  /** Lower bound of the bin (inclusive), in the histogram's unit. */
  from: number;
  /** Upper bound of the bin (exclusive, except for the last bin), in the histogram's unit. */
  to: number;
  /** Number of chunks whose size falls in the bin. */
  count: number;
}

/**
 * Statistics about the chunks one chunker produced over the whole corpus.
 *
 * @example
 * ```ts
 * const stats: ChunkStats = {
 *   count: 120,
 *   meanChars: 395.2,
 *   meanTokens: 88.1,
 *   sizeHistogram: { unit: 'chars', bins: [{ from: 0, to: 200, count: 10 }, { from: 200, to: 400, count: 110 }] },
 * };
 * ```
 */
export interface ChunkStats {
  /** Number of chunks over all documents. */
  count: number;
  /** Mean chunk length in characters (UTF-16 code units, as `String.prototype.length` counts). */
  meanChars: number;
  /** Mean chunk length in tokens, when a tokenizer was used to count them. Optional. */
  meanTokens?: number;
  /** Distribution of chunk sizes. */
  sizeHistogram: {
    /** What the bin bounds count, e.g. `'chars'` or `'tokens'`. Shown as the axis label. */
    unit: string;
    /** Bins in increasing order of `from`. May be empty when there are no chunks. */
    bins: HistogramBin[];
  };
}

/**
 * Wall-clock time spent in each stage of one configuration, in milliseconds.
 * A stage served from a cache (e.g. embeddings reused across configurations) reports the time actually spent.
 *
 * @example
 * ```ts
 * const t: StageTimings = { chunkMs: 12.5, embedMs: 310, indexMs: 4.1, searchMs: 22 };
 * ```
 */
export interface StageTimings {
  /** Time to chunk the corpus. */
  chunkMs: number;
  /** Time to embed the chunks and the questions (0 for `bm25`). */
  embedMs: number;
  /** Time to build the search index(es). */
  indexMs: number;
  /** Time to run every question (retrieval, fusion and reranking). */
  searchMs: number;
}

/**
 * One benchmarked configuration: a chunker x a retriever (x the report's embedder).
 *
 * @example
 * ```ts
 * const cfg: ConfigResult = {
 *   id: 'recursive:400/0 + bm25',
 *   chunker: 'recursive:400/0',
 *   retriever: 'bm25',
 *   chunkStats: { count: 120, meanChars: 395, sizeHistogram: { unit: 'chars', bins: [] } },
 *   metrics: { 'recall@5': 0.81, 'iou@5': 0.12 },
 *   timings: { chunkMs: 12, embedMs: 0, indexMs: 4, searchMs: 20 },
 * };
 * ```
 */
export interface ConfigResult {
  /** Unique id of the configuration within the report; the key used in {@link PerQueryResult.scores}. */
  id: string;
  /** The chunker's spec string, e.g. `'recursive:400/0'` (as the chunker spec parser reads it). */
  chunker: string;
  /** The retriever used. */
  retriever: RetrieverKind;
  /** Statistics about the chunks this configuration's chunker produced. */
  chunkStats: ChunkStats;
  /**
   * Mean metric values over all questions, keyed by trec_eval-style name (`'recall@5'`, `'P@5'`, `'ndcg_cut@10'`,
   * `'mrr@10'`, `'map'`, `'iou@5'`, `'precision_omega@5'`...). Every metric is "higher is better".
   * A `NaN` (written as `null` in JSON) means "undefined for this configuration" and is shown as `n/a`.
   */
  metrics: Record<string, number>;
  /** Time spent per stage. */
  timings: StageTimings;
}

/**
 * Per-question scores for every configuration, used for wins/losses charts and paired tests.
 *
 * @example
 * ```ts
 * const q: PerQueryResult = {
 *   questionId: 'q1',
 *   question: 'How long do refunds take?',
 *   scores: { 'recursive:400/0 + bm25': { 'recall@5': 1 }, 'fixed:200/0 + dense': { 'recall@5': 0 } },
 * };
 * ```
 */
export interface PerQueryResult {
  /** The question's id in the dataset. */
  questionId: string;
  /** The question's text (shown as plain text, never interpreted as markup). */
  question: string;
  /** `scores[configId][metric]` is this question's value of `metric` under configuration `configId`. */
  scores: Record<string, Record<string, number>>;
  /**
   * `hits[configId]` is the configuration's top-k chunks for this question, best first, as source positions (chunk
   * ids depend on the chunker, positions can be compared across runs). Optional: older reports lack it.
   */
  hits?: Record<string, HitRef[]>;
}

/**
 * A retrieved chunk identified by its position in the corpus: `[start, end)` of document `docId`.
 *
 * @example
 * ```ts
 * const hit: HitRef = { docId: 'billing.md', start: 400, end: 812 };
 * ```
 */
export interface HitRef {
  /** Id of the chunk's document. */
  docId: string;
  /** Start offset of the chunk in its document (inclusive). */
  start: number;
  /** End offset of the chunk in its document (exclusive). */
  end: number;
}

/**
 * What a report was made from, so two reports can be checked for comparability. Optional: older reports lack it.
 *
 * @example
 * ```ts
 * const p: ReportProvenance = { corpusHash: 'sha256:9f…', questionsHash: 'sha256:41…', chunkers: ['recursive:400/0'],
 *   retrievers: ['bm25'], embedder: 'hashing:256', ragscopeVersion: '0.1.0', k: 5, mode: 'spans' };
 * ```
 */
export interface ReportProvenance {
  /** SHA-256 of every document id and text, in corpus order. */
  corpusHash: string;
  /** SHA-256 of every evaluated question's id, text and gold labels, in order. */
  questionsHash: string;
  /** The chunker specs run. */
  chunkers: string[];
  /** The retrievers run. */
  retrievers: string[];
  /** The embedder's id (`'none'` when only BM25 ran). */
  embedder: string;
  /** The re-ranker's id, when `hybrid+rerank` ran. */
  reranker?: string;
  /** The ragscope version that made the report. */
  ragscopeVersion: string;
  /** The cut-off. */
  k: number;
  /** Span or document metrics. */
  mode: 'spans' | 'docs';
}

/**
 * A paired comparison of two configurations on one metric.
 *
 * @example
 * ```ts
 * const c: Comparison = { a: 'recursive:400/0 + hybrid', b: 'recursive:400/0 + bm25', metric: 'recall@5',
 *   wins: 14, losses: 3, ties: 83, pValue: 0.004 };
 * ```
 */
export interface Comparison {
  /** Id of the first configuration. */
  a: string;
  /** Id of the second configuration. */
  b: string;
  /** The metric compared. */
  metric: string;
  /** Questions where `a` scored higher than `b`. */
  wins: number;
  /** Questions where `a` scored lower than `b`. */
  losses: number;
  /** Questions where both scored the same. */
  ties: number;
  /** Two-sided p-value of the paired test (randomisation or bootstrap) of "a and b have the same mean". */
  pValue: number;
}

/**
 * The result of a `--fail-under metric=value` CI gate.
 *
 * @example
 * ```ts
 * const g: GateResult = { expr: 'recall@5=0.8', passed: false };
 * ```
 */
export interface GateResult {
  /** The gate expression as given on the command line. */
  expr: string;
  /** Whether every gated configuration met the threshold. */
  passed: boolean;
}

/**
 * A whole benchmark report: what was run, on what, with which results. Plain JSON.
 *
 * @example
 * ```ts
 * const report: BenchReport = {
 *   version: 1,
 *   title: 'Chunking benchmark',
 *   createdAt: new Date().toISOString(),
 *   tool: { name: 'ragscope', version: '0.1.0' },
 *   warnings: [],
 *   dataset: { name: 'examples/corpus', documents: 12, questions: 40 },
 *   embedder: { id: 'hashing:256', dimensions: 256 },
 *   configs: [],
 *   perQuery: [],
 * };
 * ```
 */
export interface BenchReport {
  /** Report format version; always `1` for this module. */
  version: typeof REPORT_VERSION;
  /** Title shown at the top of every format. */
  title: string;
  /** When the run finished, as an ISO 8601 string (`new Date().toISOString()`). */
  createdAt: string;
  /** The program that produced the report. */
  tool: {
    /** Program name, e.g. `'ragscope'`. */
    name: string;
    /** Program version, e.g. `'0.1.0'`. */
    version: string;
  };
  /**
   * Things the reader must know before trusting the numbers, shown prominently at the top (and, in the terminal,
   * also at the bottom) of every format. E.g. `'EMBEDDER FALLBACK: the default transformers model could not be
   * loaded (offline); using the hashing embedder'`. Empty when there is nothing to warn about.
   */
  warnings: string[];
  /** The evaluation dataset. */
  dataset: {
    /** Dataset name or path. */
    name: string;
    /** Number of documents in the corpus. */
    documents: number;
    /** Number of questions evaluated. */
    questions: number;
  };
  /** The embedder used by the dense and hybrid retrievers. */
  embedder: {
    /** The embedder's id, e.g. `'Xenova/all-MiniLM-L6-v2'` or `'hashing:256'`. */
    id: string;
    /** Vector dimension. */
    dimensions: number;
    /** `true` when this embedder is a fallback because the requested/default one could not be loaded. */
    fallback?: boolean;
  };
  /** One entry per benchmarked configuration, in the order they should be shown. */
  configs: ConfigResult[];
  /** Per-question scores for every configuration. May be empty. */
  perQuery: PerQueryResult[];
  /** Paired comparisons of configurations. Optional. */
  comparisons?: Comparison[];
  /** Failing questions with their why-not causes, when diagnostics exist. Optional. */
  failures?: FailureRecord[];
  /** The CI gate's outcome, when `--fail-under` was given. Optional. */
  gate?: GateResult;
  /** What the report was made from. Optional (reports made before ragscope 0.2 lack it). */
  provenance?: ReportProvenance;
  /** Failures grouped by first why-not cause, with the fix that rescued most of them. Optional (older reports). */
  causeSummary?: CauseSummary;
  /** Configurations statistically tied with the best one on the primary metric. Optional (older reports). */
  tiedWithBest?: TiedWithBest;
  /** Corpus-level findings (a much weaker retriever) with the measured effect of each fusion choice. Optional. */
  triage?: CorpusTriage;
  /** Chunks longer than the embedder's token limit, per chunker (only chunkers with any). Optional. */
  truncation?: TruncationRecord[];
  /** Per-configuration diagnostics: re-ranker attribution and question-level abstention. Optional. */
  diagnostics?: ConfigDiagnostics[];
}
