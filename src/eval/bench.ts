import type { Tokenizer } from '../chunkers/length.js';
// CachedEmbedder is only named in runBench's TSDoc ({@link}).
import type { CachedEmbedder } from '../embedders/cached.js';
import type { Embedder } from '../embedders/types.js';
import type { BenchReport, RetrieverKind } from '../report/types.js';
import type { MetadataFilter } from '../search/filter.js';
import type { FusionOptions } from '../search/fusion.js';
import type { VectorConfig } from '../search/pipeline.js';
import type { QueryRewriter } from '../search/query-variants.js';
import type { Reranker } from '../search/rerank/types.js';
import { assembleReport } from './bench/assemble.js';
import type { BenchBackend } from './bench/backend-search.js';
import { emptyTally, recordConfigs } from './bench/failures.js';
import type { GateThreshold } from './bench/gate.js';
import { indexConfig } from './bench/index-config.js';
import { BenchInsights } from './bench/insights.js';
import { openingWarnings, selectQuestions } from './bench/questions.js';
import { resolveBenchOptions } from './bench/resolve.js';
import { scoreQuestions } from './bench/score.js';
import { loadDiagnostics } from './bench/why-not.js';
import type { EvalDataset } from './types.js';

export type { BenchBackend, BenchBackendInput, BenchBackendLists } from './bench/backend-search.js';
export { type GateThreshold, parseGate } from './bench/gate.js';

/**
 * Chunker specs `runBench` (and `ragscope bench`) compares when none are given: fixed and recursive character
 * splitters at 400 characters, a larger overlapping recursive one, whole sentences, and a semantic chunker.
 *
 * @example
 * ```ts
 * await runBench({ dataset, embedder, chunkers: [...DEFAULT_BENCH_CHUNKERS, 'cluster:400'] });
 * ```
 */
export const DEFAULT_BENCH_CHUNKERS: readonly string[] = [
  'fixed:400/0',
  'recursive:400/0',
  'recursive:800/200',
  'sentence:400/1',
  'semantic:p95:max=400',
];

/**
 * Retrievers compared when none are given (`hybrid+rerank` needs a re-ranker, so it is opt-in).
 *
 * @example
 * ```ts
 * DEFAULT_BENCH_RETRIEVERS; // ['bm25', 'dense', 'hybrid']
 * ```
 */
export const DEFAULT_BENCH_RETRIEVERS: readonly RetrieverKind[] = ['bm25', 'dense', 'hybrid'];

/**
 * A progress event of {@link runBench}. `done`/`total` count the unit of the phase (documents, chunk texts,
 * questions, diagnosed failures); `total` is 0 for phases that are a single step.
 *
 * @example
 * ```ts
 * const onProgress = (e: BenchProgressEvent) => console.error(`${e.chunker} ${e.phase} ${e.done}/${e.total}`);
 * ```
 */
export interface BenchProgressEvent {
  phase: 'chunk' | 'embed' | 'index' | 'search' | 'diagnose' | 'compare' | 'done';
  /** The chunker spec being worked on ('' for phases over all configurations). */
  chunker: string;
  /** Position of the chunker in the list (0-based) and the number of chunkers. */
  chunkerIndex: number;
  chunkers: number;
  done: number;
  total: number;
}

/**
 * Options of {@link runBench}.
 *
 * @example
 * ```ts
 * const opts: BenchOptions = {
 *   dataset: await loadJsonl('examples/questions.jsonl', { corpus: 'examples/corpus' }),
 *   embedder: new HashingEmbedder(),
 *   chunkers: ['recursive:400/0', 'sentence:400/1'],
 *   retrievers: ['bm25', 'dense', 'hybrid'],
 *   failUnder: ['recall@5=0.8'],
 * };
 * ```
 */
export interface BenchOptions {
  /** Documents and questions (from `loadJsonl`, `loadBeir`, `loadChromaSpans`...). Required. */
  dataset: EvalDataset;
  /** Chunker spec strings (see `parseChunkerSpec`). Default {@link DEFAULT_BENCH_CHUNKERS}. */
  chunkers?: readonly string[];
  /** Retrievers. Default {@link DEFAULT_BENCH_RETRIEVERS}. `hybrid+rerank` needs `reranker`. */
  retrievers?: readonly RetrieverKind[];
  /**
   * Embeds chunks and questions for `dense`/`hybrid` and sentences for `semantic:`/`cluster:` chunkers. Required
   * unless every retriever is `bm25` and no chunker needs embeddings.
   */
  embedder?: Embedder;
  /**
   * Set when `embedder` is a stand-in for one that could not be loaded: the report gets `embedder.fallback = true`
   * and this text as its first warning. Default none.
   */
  embedderFallback?: string;
  /**
   * Query rewriters by name, for query-variant retrievers `<bm25|dense|hybrid>:<name>` (e.g. `hybrid:multiquery`):
   * each question's rewrites are searched too and fused with it by RRF. Default none.
   */
  rewriters?: Readonly<Record<string, QueryRewriter>>;
  /** Re-ranker of the `hybrid+rerank` retriever. Default none. */
  reranker?: Reranker;
  /** Tokenizer for chunker specs with the `tokens` unit (also used for `meanTokens` in chunk stats). Default none. */
  tokenizer?: Tokenizer;
  /**
   * `'spans'`: Chroma's protocol (all documents in one collection, top k chunks, character recall / precision /
   * IoU / PrecisionΩ). `'docs'`: trec_eval document metrics, chunk hits max-pooled to documents. Default `'auto'`:
   * spans when every question has gold spans, else docs.
   */
  mode?: 'spans' | 'docs' | 'auto';
  /**
   * Cut-off, or several (`[5, 10]`: every metric at each, from one search per question at the largest). The first
   * is the primary cut-off (default metric, failures, why-not). Default 5 for spans (Chroma), 10 for docs (BEIR).
   */
  k?: number | readonly number[];
  /** Metric ranked first (best configuration, paired comparisons). Default `recall@k` (spans) / `ndcg_cut@k` (docs). */
  primaryMetric?: string;
  /**
   * Folder of the persistent embedding cache (vectors go to `<cacheDir>/embeddings`), or `false` for no persistent
   * cache (vectors are then still shared across retrievers, since each chunker is embedded once). An embedder
   * that already is a `CachedEmbedder` is used as is. Default `'.ragscope-cache'`.
   */
  cacheDir?: string | false;
  /** Vector index settings. Default `{ index: 'exact' }` (deterministic; HNSW is faster on large corpora). */
  vector?: VectorConfig;
  /** Fusion of the hybrid retrievers. Default the pipeline's (`{ method: 'rrf', rrfK: 60 }`). */
  fusion?: Omit<FusionOptions, 'depth'>;
  /** Candidates per retriever (doc mode ranks documents from these chunks). Default `{ bm25: 100, vector: 100 }`. */
  depth?: { bm25?: number; vector?: number };
  /**
   * Search only chunks whose metadata match (e.g. `{ file: 'pubmed.md' }` or `'file=pubmed.md'`), and score only the
   * questions whose gold lies in documents that match. Default none.
   */
  filter?: MetadataFilter | string;
  /** Evaluate a seeded random sample of this many questions. Default: all. */
  maxQuestions?: number;
  /** Seed of the question sample and of the paired tests. Default 42. */
  seed?: number;
  /**
   * Failing questions recorded (with why-not causes) per configuration; 0 records none. A question fails when
   * recall < 1 (spans) or the primary metric is 0 (docs). Default 50.
   */
  maxFailures?: number;
  /** Iterations of each paired randomisation test. Default 10000. */
  iterations?: number;
  /** CI gate thresholds, as `'metric=value'` strings or objects. Default none. */
  failUnder?: ReadonlyArray<string | GateThreshold>;
  /** Which configurations the gate checks: every one (default `'all'`) or the best on the primary metric. */
  gateOn?: 'all' | 'best';
  /** Report title. Default `'ragscope bench: <dataset name>'`. */
  title?: string;
  /** Extra warnings to put in the report (after the fallback warning). Default none. */
  warnings?: readonly string[];
  /** Called as work progresses. Default none. */
  onProgress?: (event: BenchProgressEvent) => void;
  /**
   * Index every configuration in this backend (e.g. `PostgresBenchBackend`) instead of the in-memory indexes: its
   * lexical list fills the `bm25` slot, its dense list `dense`, fused by ragscope for `hybrid` (no `hybrid+rerank`).
   * The caller closes it after the run. Default none (in memory).
   */
  backend?: BenchBackend;
}

/**
 * Benchmark chunker specs x retrievers (x one embedder) on a dataset and return a {@link BenchReport}.
 *
 * Each chunker is run once over the corpus; its chunks are embedded once (through a persistent
 * {@link CachedEmbedder}, so a second run, or another chunker producing the same chunk text, embeds nothing new)
 * and indexed once in one pipeline holding BM25 and vectors. Every question is searched once per chunker with the
 * hybrid (+ re-rank) pipeline, and the BM25, dense, hybrid and re-ranked rankings are all read from that search's
 * trace (the stage lists are complete to their depth), so adding retrievers costs almost nothing.
 *
 * Span mode follows Chroma's protocol: all documents in one collection, the top `k` chunks per question, and per
 * question character recall, precision, IoU and PrecisionΩ, averaged. Doc mode max-pools chunk hits to documents
 * and scores trec_eval metrics. Per-query scores, chunk size histograms, stage timings, paired randomisation tests
 * of every configuration against the best one (on the primary metric), failing questions with their why-not causes
 * (from `ragscope/diagnostics`) and the `failUnder` gate are filled in. So are the report's diagnostics (built in
 * `src/eval/bench/`): failures by first cause (`causeSummary`), configurations tied with the best (`tiedWithBest`),
 * corpus-level triage with each fusion choice replayed over the same traces (`triage`), chunks over the embedder's
 * token limit (`truncation`, also a warning), and per configuration question-level abstention and re-ranker
 * helped/hurt counts (`diagnostics`).
 *
 * Throws `RagscopeError` for bad options (an unknown chunker spec, `hybrid+rerank` without a re-ranker, a gate on
 * a metric the report will not have...) before doing any work.
 *
 * @example
 * ```ts
 * import { HashingEmbedder } from 'ragscope/embedders';
 * import { loadJsonl, runBench } from 'ragscope/eval';
 * import { renderTerminal, writeReport } from 'ragscope/report';
 *
 * const dataset = await loadJsonl('examples/questions.jsonl', { corpus: 'examples/corpus' });
 * const report = await runBench({ dataset, embedder: new HashingEmbedder(), failUnder: ['recall@5=0.5'] });
 * console.log(renderTerminal(report));
 * await writeReport(report, { dir: 'ragscope-report' });
 * if (!report.gate?.passed) process.exitCode = 1;
 * ```
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const plan = resolveBenchOptions(options, {
    chunkers: DEFAULT_BENCH_CHUNKERS,
    retrievers: DEFAULT_BENCH_RETRIEVERS,
  });
  const warnings = openingWarnings(options, plan);
  const questions = selectQuestions(plan, options.maxQuestions, warnings);
  const emit = (e: BenchProgressEvent) => options.onProgress?.(e);
  const diagnostics = plan.maxFailures > 0 ? await loadDiagnostics(warnings) : null;
  const tally = emptyTally();
  const insights = new BenchInsights({
    mode: plan.mode,
    k: plan.k,
    primary: plan.primary,
    retrievers: plan.retrievers,
    ...(options.fusion ? { fusion: options.fusion } : {}),
  });
  for (const ci of plan.chunkers.keys()) {
    const config = await indexConfig(plan, options, ci, { emit, warnings, insights });
    const scored = await scoreQuestions(plan, config, questions, { emit, insights });
    await recordConfigs(plan, config, scored, questions, { emit, warnings, diagnostics, tally });
  }
  return assembleReport(plan, options, questions, {
    emit,
    warnings,
    tally,
    insights,
    diagnosed: diagnostics !== null,
  });
}
