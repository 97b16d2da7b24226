import path from 'node:path';
import { indexText } from '../chunkers/contextual.js';
import type { Tokenizer } from '../chunkers/length.js';
import { createChunker } from '../chunkers/spec.js';
import { TokenizationCache } from '../chunkers/token-cache.js';
import type { Chunk } from '../core/document.js';
import { checkInteger, invalidArgument, RagscopeError } from '../core/errors.js';
import { CachedEmbedder } from '../embedders/cached.js';
import type { Embedder } from '../embedders/types.js';
import type {
  BenchReport,
  Comparison,
  ConfigResult,
  FailureRecord,
  HitRef,
  PerQueryResult,
  RetrieverKind,
} from '../report/types.js';
import { REPORT_VERSION } from '../report/types.js';
import { checkFilter, type MetadataFilter, parseFilter } from '../search/filter.js';
import type { FusionOptions } from '../search/fusion.js';
import { parentIndex } from '../search/parent-stage.js';
import { RetrievalPipeline, type VectorConfig } from '../search/pipeline.js';
import type { QueryRewriter } from '../search/query-variants.js';
import type { Reranker } from '../search/rerank/types.js';
import { BackendSearch, type BenchBackend } from './bench/backend-search.js';
import { cutoffOf, metricNamesForCutoffs, resolveCutoffs } from './bench/cutoffs.js';
import { questionsUnderFilter } from './bench/filter.js';
import { type GateThreshold, gateExpr, parseGate } from './bench/gate.js';
import { chunkStats } from './bench/histogram.js';
import { BenchInsights } from './bench/insights.js';
import { touchingIndex } from './bench/omega.js';
import { comparePairedMany } from './bench/paired.js';
import { corpusHash, hitRefs, questionsHash } from './bench/provenance.js';
import { runsFromTrace } from './bench/rankings.js';
import { splitVariantRetrievers, variantRun } from './bench/variants.js';
import { ragscopeVersion } from './bench/version.js';
import { docRunFromChunks } from './metrics/chunk-relevance.js';
import {
  averagePrecision,
  ndcgAt,
  precisionAt,
  recallAt,
  reciprocalRank,
  successAt,
} from './metrics/ranking.js';
import { indexRanges, precisionOmega, spanMetrics } from './metrics/spans.js';
import { seededRandom } from './prng.js';
import type { CharRange, EvalDataset, EvalQuestion } from './types.js';

export type { BenchBackend, BenchBackendInput, BenchBackendLists } from './bench/backend-search.js';
export { type GateThreshold, parseGate } from './bench/gate.js';

/** The retrievers, in display order. */
const RETRIEVER_ORDER: readonly RetrieverKind[] = ['bm25', 'dense', 'hybrid', 'hybrid+rerank'];

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

interface Scored {
  /** questionId -> metric -> value */
  perQuery: Map<string, Record<string, number>>;
  /** questionId -> top-k chunk positions */
  hits: Map<string, HitRef[]>;
  failures: EvalQuestion[];
  searchMs: number;
}

const mean = (xs: readonly number[]) =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;

function configId(chunker: string, retriever: RetrieverKind): string {
  return `${chunker} + ${retriever}`;
}

function sampleQuestions(questions: EvalQuestion[], max: number | undefined, seed: number): EvalQuestion[] {
  if (max === undefined || max >= questions.length) return questions;
  const rand = seededRandom(seed);
  const idx = questions.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const keep = new Set(idx.slice(0, max));
  return questions.filter((_, i) => keep.has(i));
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
  if (options === null || typeof options !== 'object')
    invalidArgument('options', options, 'a BenchOptions object');
  const { dataset } = options;
  if (!dataset || !Array.isArray(dataset.documents) || !Array.isArray(dataset.questions)) {
    invalidArgument('options.dataset', dataset, 'an EvalDataset ({ documents, questions })');
  }
  const chunkerSpecs = [...(options.chunkers ?? DEFAULT_BENCH_CHUNKERS)];
  if (chunkerSpecs.length === 0)
    invalidArgument('options.chunkers', options.chunkers, 'a non-empty list of specs');
  if (new Set(chunkerSpecs).size !== chunkerSpecs.length) {
    invalidArgument('options.chunkers', chunkerSpecs, 'a list without repeated specs');
  }
  const requested = [...(options.retrievers ?? DEFAULT_BENCH_RETRIEVERS)];
  if (requested.length === 0)
    invalidArgument('options.retrievers', requested, 'a non-empty list of retrievers');
  const { plain, variants } = splitVariantRetrievers(requested, options.rewriters);
  for (const r of plain) {
    if (!RETRIEVER_ORDER.includes(r as RetrieverKind)) {
      invalidArgument('options.retrievers', r, `one of ${RETRIEVER_ORDER.join(', ')}, or <base>:<rewriter>`);
    }
  }
  const retrievers = RETRIEVER_ORDER.filter((r) => plain.includes(r));
  // Query-variant retrievers are scored beside the others; their base retriever's list must be searched.
  const scoredKinds: RetrieverKind[] = [...retrievers, ...variants.map((v) => v.id)];
  const searched: RetrieverKind[] = [...retrievers, ...variants.map((v) => v.base)];
  if (retrievers.includes('hybrid+rerank') && !options.reranker) {
    invalidArgument(
      'options.reranker',
      options.reranker,
      "a Reranker (the 'hybrid+rerank' retriever needs one)",
    );
  }
  if (options.backend && retrievers.includes('hybrid+rerank'))
    invalidArgument(
      'options.retrievers',
      'hybrid+rerank',
      'bm25, dense or hybrid (a backend has no re-rank stage)',
    );
  const needsVectors = searched.some((r) => r !== 'bm25');
  const seed = checkInteger('options.seed', options.seed ?? 42, 0);
  const maxFailures = checkInteger('options.maxFailures', options.maxFailures ?? 50, 0);
  const iterations = checkInteger('options.iterations', options.iterations ?? 10000, 1);
  if (options.maxQuestions !== undefined) checkInteger('options.maxQuestions', options.maxQuestions, 1);
  const filter =
    options.filter === undefined
      ? undefined
      : typeof options.filter === 'string'
        ? parseFilter(options.filter)
        : checkFilter(options.filter);
  const gateOn = options.gateOn ?? 'all';
  if (gateOn !== 'all' && gateOn !== 'best') invalidArgument('options.gateOn', gateOn, "'all' or 'best'");

  // Mode, cut-off and metric names are known before any work, so bad gates fail fast.
  const hasSpans = dataset.questions.length > 0 && dataset.questions.every((q) => (q.spans?.length ?? 0) > 0);
  const mode = options.mode ?? 'auto';
  if (mode !== 'auto' && mode !== 'spans' && mode !== 'docs') {
    invalidArgument('options.mode', mode, "'spans', 'docs' or 'auto'");
  }
  const resolvedMode: 'spans' | 'docs' = mode === 'auto' ? (hasSpans ? 'spans' : 'docs') : mode;
  const cutoffs = resolveCutoffs(options.k, resolvedMode);
  const maxK = Math.max(...cutoffs);
  let metrics = metricNamesForCutoffs(resolvedMode, cutoffs);
  const primary = options.primaryMetric ?? metrics[0]!;
  if (!metrics.includes(primary))
    invalidArgument('options.primaryMetric', primary, `one of ${metrics.join(', ')}`);
  // Failures and why-not are judged at the primary metric's cut-off.
  const k = cutoffOf(primary, cutoffs);
  metrics = [primary, ...metrics.filter((m) => m !== primary)];
  const gates = (options.failUnder ?? []).map((g) => (typeof g === 'string' ? parseGate(g) : g));
  for (const g of gates) {
    if (!g || typeof g.metric !== 'string' || typeof g.value !== 'number' || !Number.isFinite(g.value)) {
      invalidArgument('options.failUnder', g, 'a "metric=value" string or { metric, value }');
    }
    if (!metrics.includes(g.metric)) {
      invalidArgument(
        'options.failUnder',
        gateExpr(g),
        `a threshold on one of this run's metrics (${metrics.join(', ')})`,
      );
    }
  }

  // Embedder: shared cache, so chunk texts are embedded once across chunkers, retrievers and runs.
  const chunkersNeedEmbedder = chunkerSpecs.some((s) => /^\s*(semantic|cluster)\b/.test(s));
  let embedder: Embedder | undefined = options.embedder;
  if ((needsVectors || chunkersNeedEmbedder) && !embedder) {
    invalidArgument(
      'options.embedder',
      embedder,
      'an Embedder (the dense/hybrid retrievers and semantic/cluster chunkers need one)',
    );
  }
  const cacheDir = options.cacheDir ?? '.ragscope-cache';
  if (embedder && cacheDir !== false && !(embedder instanceof CachedEmbedder)) {
    embedder = new CachedEmbedder(embedder, { dir: path.join(cacheDir, 'embeddings') });
  }
  // Each document is tokenised once per run, shared by every config measuring in this tokenizer.
  const tokenizer = options.tokenizer ? new TokenizationCache().wrap(options.tokenizer) : undefined;
  // Build every chunker now: a bad spec fails before any work.
  const chunkers = chunkerSpecs.map((spec) =>
    createChunker(spec, {
      ...(embedder ? { embedder } : {}),
      ...(tokenizer ? { tokenizer } : {}),
    }),
  );

  const warnings: string[] = [];
  if (options.embedderFallback) warnings.push(options.embedderFallback);
  for (const v of variants)
    warnings.push(
      `${v.id}: each question's rewrites by ${v.rewriter.id} are searched too and fused with it by RRF (k 60, 100 per list); why-not is not run for it`,
    );
  for (const w of options.warnings ?? []) warnings.push(w);
  warnings.push(...dataset.warnings.slice(0, 20).map((w) => `dataset: ${w}`));
  if (dataset.warnings.length > 20)
    warnings.push(`dataset: ${dataset.warnings.length - 20} more loader warnings`);

  const scorable = dataset.questions.filter((q) =>
    resolvedMode === 'spans'
      ? (q.spans?.length ?? 0) > 0
      : Object.values(q.relevantDocs ?? {}).some((g) => g > 0),
  );
  const skipped = dataset.questions.length - scorable.length;
  if (skipped > 0) {
    warnings.push(
      `${skipped} of ${dataset.questions.length} questions have no ${resolvedMode === 'spans' ? 'gold spans' : 'relevant documents'} and were not scored`,
    );
  }
  const underFilter = filter ? questionsUnderFilter(scorable, dataset.documents, filter, resolvedMode) : null;
  if (underFilter) warnings.push(underFilter.warning);
  const questions = sampleQuestions(underFilter?.kept ?? scorable, options.maxQuestions, seed);
  if (questions.length === 0) {
    throw new RagscopeError(
      'DATASET_ERROR',
      `dataset ${dataset.name} has no question with ${resolvedMode === 'spans' ? 'gold spans' : 'relevant documents'} to score`,
      { dataset: dataset.name },
    );
  }
  if (questions.length < scorable.length) {
    warnings.push(
      `evaluated a random sample of ${questions.length} of ${scorable.length} questions (seed ${seed})`,
    );
  }

  const emit = (e: BenchProgressEvent) => options.onProgress?.(e);
  const diagnostics = maxFailures > 0 ? await loadDiagnostics(warnings) : null;
  const docs = dataset.documents;
  const configs: ConfigResult[] = [];
  const scoresByConfig = new Map<string, Scored>();
  const failures: FailureRecord[] = [];
  const insights = new BenchInsights({
    mode: resolvedMode,
    k,
    primary,
    retrievers,
    ...(options.fusion ? { fusion: options.fusion } : {}),
  });
  let totalFailures = 0;
  let diagnoseMs = 0;

  for (const [ci, chunker] of chunkers.entries()) {
    const spec = chunkerSpecs[ci]!;
    const base = { chunker: spec, chunkerIndex: ci, chunkers: chunkers.length };
    // 1. Chunk once.
    const t0 = performance.now();
    const byDoc = new Map<string, Chunk[]>();
    for (const [i, doc] of docs.entries()) {
      byDoc.set(doc.id, await chunker.chunk(doc));
      emit({ ...base, phase: 'chunk', done: i + 1, total: docs.length });
    }
    const chunkMs = performance.now() - t0;
    const allChunks = [...byDoc.values()].flat().filter((c) => /\S/.test(c.text));
    if (allChunks.length > 0 && allChunks.every((c) => c.metadata.contextText === c.text)) {
      warnings.push(
        `${spec}: no chunk has a title or heading path, so its contextual text is the chunk text (Markdown headings need the chunker's :md option; titles come from metadata.title)`,
      );
    }
    // 2. Embed once (warms the cache the pipeline then reads).
    let embedMs = 0;
    if (needsVectors && embedder) {
      const t1 = performance.now();
      const texts = allChunks.map((c) => indexText(c, 'embed'));
      const batch = 256;
      for (let i = 0; i < texts.length; i += batch) {
        await embedder.embed(texts.slice(i, i + batch), { kind: 'passage' });
        emit({ ...base, phase: 'embed', done: Math.min(i + batch, texts.length), total: texts.length });
      }
      embedMs = performance.now() - t1;
    }
    // 3. Index once: BM25 and vectors in one pipeline.
    emit({ ...base, phase: 'index', done: 0, total: 0 });
    const t2 = performance.now();
    let pipeline: RetrievalPipeline | BackendSearch;
    if (options.backend) {
      const input = {
        chunker: spec,
        chunkerIndex: ci,
        documents: docs,
        chunks: allChunks,
        retrievers: searched,
        vector: options.vector ?? { index: 'exact' as const },
        ...(needsVectors && embedder ? { embedder } : {}),
      };
      pipeline = new BackendSearch(await options.backend.index(input), {
        ...input,
        chunkerObject: chunker,
        ...(options.fusion ? { fusion: options.fusion } : {}),
        ...(options.depth ? { depth: options.depth } : {}),
      });
    } else
      pipeline = new RetrievalPipeline({
        chunker,
        ...(needsVectors && embedder ? { embedder, vector: options.vector ?? { index: 'exact' } } : {}),
        bm25: searched.some((r) => r !== 'dense') ? {} : false,
        ...(options.fusion ? { fusion: options.fusion } : {}),
        ...(options.depth ? { depth: options.depth } : {}),
        ...(retrievers.includes('hybrid+rerank') && options.reranker ? { reranker: options.reranker } : {}),
      });
    const indexed =
      pipeline instanceof BackendSearch
        ? { chunksWithoutVector: pipeline.chunksWithoutVector() }
        : await pipeline.addChunks(docs.map((document) => ({ document, chunks: byDoc.get(document.id)! })));
    const indexMs = performance.now() - t2;
    if (indexed.chunksWithoutVector.length > 0) {
      // A zero vector has no cosine (e.g. a chunk whose words are all out of a static embedder's vocabulary):
      // the pipeline keeps such chunks in BM25 only. Say so, with an example, rather than hide it.
      const example = pipeline.getChunk(indexed.chunksWithoutVector[0]!)?.text ?? '';
      warnings.push(
        `${spec}: ${indexed.chunksWithoutVector.length} chunk(s) embed to the zero vector under ${embedder?.id} (e.g. ${JSON.stringify(example.slice(0, 40))}); they are searchable by BM25 only`,
      );
    }
    // The model reads the contextual text (title + heading path + chunk under :ctx), so that is what is counted.
    const embeddedTexts = allChunks.map((c) => ({ ...c, text: indexText(c, 'embed') }));
    const truncated = await insights.checkTokens(spec, embeddedTexts, needsVectors ? embedder : undefined);
    if (truncated) warnings.push(truncated);
    const stats = chunkStats(
      allChunks,
      tokenizer ? allChunks.map((c) => tokenizer.count(c.text)) : undefined,
    );
    // Parent-child (:parent=): children are searched, their parents (deduplicated, best child first) are scored.
    const parents = parentIndex(allChunks, docs);
    const omegaIndex = resolvedMode === 'spans' ? indexRanges(parents?.chunks ?? allChunks) : null;

    // 4. One search per question; every retriever's ranking comes from its trace.
    const scored = new Map<RetrieverKind, Scored>(
      scoredKinds.map((r) => [r, { perQuery: new Map(), hits: new Map(), failures: [], searchMs: 0 }]),
    );
    const getChunk = (id: string) => parents?.get(id) ?? pipeline.getChunk(id) ?? undefined;
    let omegaOf: { q: EvalQuestion; index: ReturnType<typeof indexRanges> } | null = null;
    const scoreIds = (q: EvalQuestion, ids: string[]) => {
      if (resolvedMode === 'docs')
        return docScores(
          q,
          ids.map((id) => getChunk(id)!),
          k,
        );
      if (omegaOf?.q !== q) omegaOf = { q, index: touchingIndex(q.spans ?? [], omegaIndex!) };
      return spanScores(
        q,
        ids.slice(0, k).map((id) => getChunk(id)!),
        omegaOf.index,
        k,
      );
    };
    insights.startChunker(spec, getChunk);
    for (const [qi, q] of questions.entries()) {
      const { trace } = await pipeline.search(q.text, { k: maxK, ...(filter ? { filter } : {}) });
      const runs = runsFromTrace(trace, retrievers);
      for (const v of variants) {
        const original = runs.get(v.base) ?? runsFromTrace(trace, [v.base]).get(v.base)!;
        runs.set(v.id, await variantRun(pipeline, q.text, v, original, maxK, filter));
      }
      if (parents) for (const run of runs.values()) run.chunkIds = parents.map(run.chunkIds);
      for (const [retriever, run] of runs) {
        const s = scored.get(retriever)!;
        s.searchMs += run.ms;
        const values: Record<string, number> = {};
        for (const atK of cutoffs) {
          Object.assign(
            values,
            resolvedMode === 'spans'
              ? spanScores(
                  q,
                  run.chunkIds.slice(0, atK).map((id) => getChunk(id)!),
                  omegaIndex!,
                  atK,
                )
              : docScores(
                  q,
                  run.chunkIds.map((id) => getChunk(id)!),
                  atK,
                ),
          );
        }
        s.perQuery.set(q.id, values);
        s.hits.set(q.id, hitRefs(run.chunkIds.slice(0, k).map((id) => getChunk(id)!)));
        const failed = resolvedMode === 'spans' ? values[`recall@${k}`]! < 1 : values[primary] === 0;
        if (failed) s.failures.push(q);
      }
      insights.observe(
        q,
        trace,
        runs,
        (r) => scored.get(r)!.perQuery.get(q.id)!,
        (ids) => scoreIds(q, parents ? parents.map(ids) : ids),
      );
      emit({ ...base, phase: 'search', done: qi + 1, total: questions.length });
    }
    insights.endChunker();

    // 5. Metrics, failures and their causes.
    for (const retriever of scoredKinds) {
      const s = scored.get(retriever)!;
      const id = configId(spec, retriever);
      const means: Record<string, number> = {};
      for (const m of metrics) means[m] = mean(questions.map((q) => s.perQuery.get(q.id)![m]!));
      configs.push({
        id,
        chunker: spec,
        retriever,
        chunkStats: stats,
        metrics: means,
        timings: {
          chunkMs: round(chunkMs),
          embedMs: retriever === 'bm25' ? 0 : round(embedMs),
          indexMs: round(indexMs),
          searchMs: round(s.searchMs),
        },
      });
      scoresByConfig.set(id, s);
      const toRecord = s.failures.slice(0, maxFailures);
      totalFailures += s.failures.length;
      for (const [fi, q] of toRecord.entries()) {
        const td = performance.now();
        const diagnosed =
          diagnostics && !filter && !retriever.includes(':')
            ? await diagnose(diagnostics, pipeline, retriever, q, k, resolvedMode, warnings)
            : { causes: [] };
        diagnoseMs += performance.now() - td;
        failures.push({ configId: id, questionId: q.id, question: q.text, ...diagnosed });
        emit({ ...base, phase: 'diagnose', done: fi + 1, total: toRecord.length });
      }
    }
  }

  if (options.backend) warnings.push(options.backend.describe());
  // Per-query table, paired comparisons against the best configuration, gate.
  emit({
    phase: 'compare',
    chunker: '',
    chunkerIndex: chunkers.length,
    chunkers: chunkers.length,
    done: 0,
    total: 0,
  });
  const perQuery: PerQueryResult[] = questions.map((q) => ({
    questionId: q.id,
    question: q.text,
    scores: Object.fromEntries(configs.map((c) => [c.id, scoresByConfig.get(c.id)!.perQuery.get(q.id)!])),
    hits: Object.fromEntries(configs.map((c) => [c.id, scoresByConfig.get(c.id)!.hits.get(q.id)!])),
  }));
  const best = bestOf(configs, primary);
  const comparisons: Comparison[] = [];
  if (best && questions.length > 0) {
    const runOf = (id: string) => questions.map((q) => scoresByConfig.get(id)!.perQuery.get(q.id)![primary]!);
    const others = configs.filter((c) => c.id !== best.id);
    // comparePaired of each against the best, sign flips drawn once (same values to the bit).
    const outcomes = comparePairedMany(
      runOf(best.id),
      others.map((c) => runOf(c.id)),
      { seed, iterations },
    );
    for (const [ci, c] of others.entries()) {
      const r = outcomes[ci]!;
      comparisons.push({
        a: c.id,
        b: best.id,
        metric: primary,
        wins: r.wins,
        losses: r.losses,
        ties: r.ties,
        pValue: r.pValue,
      });
    }
  }
  const report: BenchReport = {
    version: REPORT_VERSION,
    title: options.title ?? `ragscope bench: ${dataset.name}`,
    createdAt: new Date().toISOString(),
    tool: { name: 'ragscope', version: ragscopeVersion() },
    warnings,
    dataset: { name: dataset.name, documents: docs.length, questions: questions.length },
    embedder: embedder
      ? {
          id: embedder.id,
          dimensions: embedder.dimensions,
          ...(options.embedderFallback ? { fallback: true } : {}),
        }
      : { id: 'none (bm25 only)', dimensions: 0 },
    configs,
    perQuery,
    comparisons,
    failures,
    ...insights.result({
      questions: questions.length,
      best: best?.id,
      comparisons,
      failures,
      totalFailures,
      diagnosed: diagnostics !== null,
      diagnoseMs,
    }),
    provenance: {
      corpusHash: corpusHash(docs),
      questionsHash: questionsHash(questions),
      chunkers: chunkerSpecs,
      retrievers: scoredKinds,
      embedder: embedder?.id ?? 'none',
      ...(retrievers.includes('hybrid+rerank') && options.reranker ? { reranker: options.reranker.id } : {}),
      ragscopeVersion: ragscopeVersion(),
      k,
      mode: resolvedMode,
    },
  };
  if (gates.length > 0) {
    const gated = gateOn === 'best' ? (best ? [best] : []) : configs;
    const misses: string[] = [];
    for (const g of gates) {
      for (const c of gated) {
        const v = c.metrics[g.metric]!;
        if (!(v >= g.value))
          misses.push(`${c.id}: ${g.metric} = ${Number.isFinite(v) ? v.toFixed(3) : 'n/a'} < ${g.value}`);
      }
    }
    report.gate = { expr: gates.map(gateExpr).join(', '), passed: misses.length === 0 };
    if (misses.length > 0) {
      const shown = misses.slice(0, 10).join('; ');
      report.warnings.push(
        `GATE FAILED (${gateOn === 'best' ? 'best configuration' : 'every configuration'} must reach ${report.gate.expr}): ${shown}${misses.length > 10 ? `; and ${misses.length - 10} more` : ''}`,
      );
    }
  }
  emit({
    phase: 'done',
    chunker: '',
    chunkerIndex: chunkers.length,
    chunkers: chunkers.length,
    done: 1,
    total: 1,
  });
  return report;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function bestOf(configs: ConfigResult[], metric: string): ConfigResult | undefined {
  let best: ConfigResult | undefined;
  for (const c of configs) {
    const v = c.metrics[metric]!;
    if (Number.isFinite(v) && (!best || v > best.metrics[metric]!)) best = c;
  }
  return best;
}

function spanScores(
  q: EvalQuestion,
  top: Chunk[],
  omega: ReturnType<typeof indexRanges>,
  k: number,
): Record<string, number> {
  const gold = q.spans as CharRange[];
  const s = spanMetrics(gold, top);
  return {
    [`recall@${k}`]: s.recall,
    [`precision@${k}`]: s.precision,
    [`iou@${k}`]: s.iou,
    [`precision_omega@${k}`]: precisionOmega(gold, omega).precisionOmega,
  };
}

function docScores(q: EvalQuestion, ranked: Chunk[], k: number): Record<string, number> {
  const rels = q.relevantDocs ?? {};
  const docIds = docRunFromChunks(ranked).docIds;
  return {
    [`ndcg_cut@${k}`]: ndcgAt(docIds, rels, k),
    [`recall@${k}`]: recallAt(docIds, rels, k),
    [`P@${k}`]: precisionAt(docIds, rels, k),
    recip_rank: reciprocalRank(docIds, rels),
    map: averagePrecision(docIds, rels),
    [`success@${k}`]: successAt(docIds, rels, k),
  };
}

type Diagnostics = typeof import('../diagnostics/index.js');

async function loadDiagnostics(warnings: string[]): Promise<Diagnostics | null> {
  try {
    return await import('../diagnostics/index.js');
  } catch (err) {
    warnings.push(
      `why-not diagnostics unavailable (${(err as Error).message}); failures are listed without causes`,
    );
    return null;
  }
}

/** A view of the shared pipeline that runs one retriever, for why-not (which re-searches). */
function viewFor(pipeline: RetrievalPipeline, retriever: RetrieverKind): RetrievalPipeline {
  if (retriever === 'hybrid' || retriever === 'hybrid+rerank') return pipeline;
  return pipeline.view({ retrievers: [retriever === 'bm25' ? 'bm25' : 'vector'], reranker: false });
}

async function diagnose(
  diagnostics: Diagnostics,
  pipeline: RetrievalPipeline | BackendSearch,
  retriever: RetrieverKind,
  q: EvalQuestion,
  k: number,
  mode: 'spans' | 'docs',
  warnings: string[],
): Promise<Pick<FailureRecord, 'causes' | 'cannotCheck'>> {
  const views = viewCache.get(pipeline) ?? new Map<RetrieverKind, RetrievalPipeline | WhyNotView>();
  viewCache.set(pipeline, views);
  let view = views.get(retriever);
  if (!view) {
    view = pipeline instanceof BackendSearch ? pipeline.view(retriever) : viewFor(pipeline, retriever);
    views.set(retriever, view);
  }
  // The first gold item the top k missed: a span not fully covered, or a relevant document not retrieved.
  const { hits } = await view.search(q.text, { k, ...(retriever === 'hybrid' ? { rerank: false } : {}) });
  let expected: import('../diagnostics/index.js').Expected | undefined;
  if (mode === 'spans') {
    for (const span of q.spans ?? []) {
      if (
        spanMetrics(
          [span],
          hits.map((h) => h.chunk),
        ).recall < 1
      ) {
        expected = { docId: span.docId, start: span.start, end: span.end };
        break;
      }
    }
  } else {
    const got = new Set(docRunFromChunks(hits.map((h) => h.chunk)).docIds.slice(0, k));
    const missing = Object.entries(q.relevantDocs ?? {}).find(([id, g]) => g > 0 && !got.has(id));
    if (missing) expected = missing[0];
  }
  if (expected === undefined) return { causes: [] };
  try {
    const report = await diagnostics.whyNot(view, q.text, expected, {
      k,
      ...(retriever === 'hybrid' ? { searchOptions: { rerank: false } } : {}),
    });
    const causes = report.causes.map((c) => ({
      cause: c.cause,
      sentence: c.sentence,
      fix: c.fix,
      // "Decisive" in the report means verified: why-not replayed this fix alone on the real search and it
      // retrieved the gold (a cause that is only conclusive by evidence is not counted as a rescue).
      decisive: c.verification ? c.verification.status === 'rescued' : c.decisive,
      ...(c.verification?.sentence ? { effect: c.verification.sentence } : {}),
    }));
    return report.cannotCheck.length > 0 ? { causes, cannotCheck: report.cannotCheck } : { causes };
  } catch (err) {
    const msg = `why-not failed for question ${q.id}: ${(err as Error).message}`;
    if (!warnings.includes(msg) && warnings.length < 100) warnings.push(msg);
    return { causes: [] };
  }
}

type WhyNotView = ReturnType<BackendSearch['view']>;
const viewCache = new WeakMap<
  RetrievalPipeline | BackendSearch,
  Map<RetrieverKind, RetrievalPipeline | WhyNotView>
>();
