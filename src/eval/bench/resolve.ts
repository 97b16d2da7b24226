import path from 'node:path';
import type { Tokenizer } from '../../chunkers/length.js';
import { createChunker } from '../../chunkers/spec.js';
import { TokenizationCache } from '../../chunkers/token-cache.js';
import type { Chunker } from '../../chunkers/types.js';
import { checkInteger, invalidArgument } from '../../core/errors.js';
import { CachedEmbedder } from '../../embedders/cached.js';
import type { Embedder } from '../../embedders/types.js';
import type { RetrieverKind } from '../../report/types.js';
import { checkFilter, type MetadataFilter, parseFilter } from '../../search/filter.js';
import type { BenchOptions } from '../bench.js';
import type { EvalDataset } from '../types.js';
import { cutoffOf, metricNamesForCutoffs, resolveCutoffs } from './cutoffs.js';
import { type GateThreshold, gateExpr, parseGate } from './gate.js';
import { splitVariantRetrievers, type VariantRetriever } from './variants.js';

/** The retrievers, in display order. */
const RETRIEVER_ORDER: readonly RetrieverKind[] = ['bm25', 'dense', 'hybrid', 'hybrid+rerank'];

/** `BenchOptions` checked and with every default filled in: what the phases of `runBench` read. @internal */
export interface ResolvedBench {
  dataset: EvalDataset;
  chunkerSpecs: string[];
  /** One built chunker per spec, in the same order. */
  chunkers: Chunker[];
  /** The plain retrievers, in display order. */
  retrievers: RetrieverKind[];
  variants: VariantRetriever[];
  /** Every retriever scored: the plain ones, then the query-variant ones. */
  scoredKinds: RetrieverKind[];
  /** Every list searched: the plain retrievers and the base of each query variant. */
  searched: RetrieverKind[];
  needsVectors: boolean;
  seed: number;
  maxFailures: number;
  iterations: number;
  filter: MetadataFilter | undefined;
  gateOn: 'all' | 'best';
  mode: 'spans' | 'docs';
  cutoffs: number[];
  maxK: number;
  /** Metric names, primary first. */
  metrics: string[];
  primary: string;
  /** The primary metric's cut-off: failures and why-not are judged at it. */
  k: number;
  gates: GateThreshold[];
  /** The embedder, wrapped in the persistent cache unless `cacheDir` is false. */
  embedder: Embedder | undefined;
  /** The tokenizer behind a per-run tokenisation cache. */
  tokenizer: Tokenizer | undefined;
}

/**
 * Check `options` and fill in the defaults, throwing `RagscopeError` naming the option for anything bad (an unknown
 * chunker spec, `hybrid+rerank` without a re-ranker, a gate on a metric the report will not have...) before any
 * work is done. `defaults` are the chunkers and retrievers used when none are given. @internal
 */
export function resolveBenchOptions(
  options: BenchOptions,
  defaults: { chunkers: readonly string[]; retrievers: readonly RetrieverKind[] },
): ResolvedBench {
  if (options === null || typeof options !== 'object')
    invalidArgument('options', options, 'a BenchOptions object');
  const { dataset } = options;
  if (!dataset || !Array.isArray(dataset.documents) || !Array.isArray(dataset.questions)) {
    invalidArgument('options.dataset', dataset, 'an EvalDataset ({ documents, questions })');
  }
  const chunkerSpecs = [...(options.chunkers ?? defaults.chunkers)];
  if (chunkerSpecs.length === 0)
    invalidArgument('options.chunkers', options.chunkers, 'a non-empty list of specs');
  if (new Set(chunkerSpecs).size !== chunkerSpecs.length) {
    invalidArgument('options.chunkers', chunkerSpecs, 'a list without repeated specs');
  }
  const requested = [...(options.retrievers ?? defaults.retrievers)];
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
  const scoring = resolveScoring(options);
  const { embedder, tokenizer, chunkers } = resolveModels(options, chunkerSpecs, needsVectors);
  return {
    dataset,
    chunkerSpecs,
    chunkers,
    retrievers,
    variants,
    scoredKinds,
    searched,
    needsVectors,
    seed,
    maxFailures,
    iterations,
    filter,
    gateOn,
    ...scoring,
    embedder,
    tokenizer,
  };
}

/** Mode, cut-offs, metric names and gates: known before any work, so bad gates fail fast. */
function resolveScoring(
  options: BenchOptions,
): Pick<ResolvedBench, 'mode' | 'cutoffs' | 'maxK' | 'metrics' | 'primary' | 'k' | 'gates'> {
  const { dataset } = options;
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
  return { mode: resolvedMode, cutoffs, maxK, metrics, primary, k, gates };
}

/** The embedder (behind the shared cache), the tokenizer (behind a per-run cache) and every chunker, built. */
function resolveModels(
  options: BenchOptions,
  chunkerSpecs: readonly string[],
  needsVectors: boolean,
): Pick<ResolvedBench, 'embedder' | 'tokenizer' | 'chunkers'> {
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
  return { embedder, tokenizer, chunkers };
}
