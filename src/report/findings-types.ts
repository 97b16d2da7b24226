/**
 * What a benchmark report found beyond its metrics: why-not failure records and their summary by cause,
 * configurations tied with the best one, corpus triage with the measured effect of each fusion choice, chunks over
 * the embedder's token limit, and per-configuration re-rank attribution and abstention. Parts of a
 * {@link BenchReport} (re-exported from `./types.js`); plain JSON like the rest of it.
 * @packageDocumentation
 */

/**
 * One reason why a gold passage was not retrieved, from the why-not diagnostics.
 *
 * @example
 * ```ts
 * const c: FailureCause = { cause: 'split-across-chunks', sentence: 'The answer was cut between chunks 3 and 4.',
 *   fix: 'Use overlap or a sentence-aware chunker.' };
 * ```
 */
export interface FailureCause {
  /** Short machine-readable cause name, e.g. `'split-across-chunks'`, `'below-cutoff'`. */
  cause: string;
  /** A human-readable sentence explaining what happened (may quote document text). */
  sentence: string;
  /** A suggested fix. */
  fix: string;
  /**
   * Whether the cause's fix was verified to rescue the target: why-not replayed it alone on the real search and the
   * gold was retrieved. Absent in reports written before it was recorded.
   */
  decisive?: boolean;
  /** The measured effect of the replayed fix, e.g. "with dense weight 0.3 the target moves from rank 14 to rank 3". */
  effect?: string;
}

/**
 * A question a configuration failed on, with the why-not causes when diagnostics were run.
 *
 * @example
 * ```ts
 * const f: FailureRecord = { configId: 'fixed:200/0 + bm25', questionId: 'q7', question: 'Who signed it?',
 *   causes: [{ cause: 'vocabulary-mismatch', sentence: 'No query term appears in the gold chunk.', fix: 'Try hybrid.' }] };
 * ```
 */
export interface FailureRecord {
  /** The configuration that failed. */
  configId: string;
  /** The question's id. */
  questionId: string;
  /** The question's text. */
  question: string;
  /** Why it failed; may be empty when no diagnostics were available. */
  causes: FailureCause[];
  /** Causes why-not could not check on this configuration's retrievers (e.g. a Postgres backend), with why. */
  cannotCheck?: Array<{ cause: string; missing: string }>;
}

/**
 * One row of {@link CauseSummary.byCause}.
 *
 * @example
 * ```ts
 * const row: CauseCount = { cause: 'lexical-mismatch', count: 31, decisive: 12, fix: 'Add the query terms ...' };
 * ```
 */
export interface CauseCount {
  /** The first (most upstream decisive) why-not cause of the failures counted. */
  cause: string;
  /** Failures whose first cause this is. */
  count: number;
  /** Of those, how many the cause's own counterfactual fix rescues (why-not marked it decisive). */
  decisive: number;
  /** The most frequent fix suggested for this cause (fixes are specific to each config). */
  fix: string;
}

/**
 * Failures of the run grouped by their first why-not cause.
 *
 * @example
 * ```ts
 * const s: CauseSummary = {
 *   failures: 120, diagnosed: 100, withCause: 97, ms: 5400,
 *   byCause: [{ cause: 'split-by-chunking', count: 60, decisive: 41, fix: 'Use overlap ...' }],
 *   topFix: { cause: 'split-by-chunking', fix: 'Use overlap ...', rescued: 41 },
 * };
 * ```
 */
export interface CauseSummary {
  /** Failing (configuration, question) pairs in the run. */
  failures: number;
  /** Of those, how many were diagnosed (bounded by `maxFailures` per configuration). */
  diagnosed: number;
  /** Diagnosed failures that got at least one cause. */
  withCause: number;
  /** Wall time spent in why-not, in milliseconds. */
  ms: number;
  /** Most frequent first cause first. */
  byCause: CauseCount[];
  /** The cause whose fix rescued the most diagnosed failures (decisive first causes), if any did. */
  topFix?: { cause: string; fix: string; rescued: number };
}

/**
 * Which configurations a paired test cannot tell apart from the best one.
 *
 * @example
 * ```ts
 * const t: TiedWithBest = { metric: 'recall@5', alpha: 0.05, best: 'recursive:400/0 + bm25', ids: ['sentence:400/1 + bm25'] };
 * ```
 */
export interface TiedWithBest {
  metric: string;
  /** Significance level: a comparison with `pValue >= alpha` is a tie. */
  alpha: number;
  /** The best configuration on `metric`. */
  best: string;
  /** Other configurations whose paired test against the best has `pValue >= alpha`. */
  ids: string[];
}

/**
 * The primary metric of one chunker under each retrieval / fusion choice, measured on the same questions in the same
 * run (fusion choices are replayed over the same search traces).
 *
 * @example
 * ```ts
 * const row: FusionEffect = { chunker: 'recursive:400/0', values: { bm25: 0.92, dense: 0.54, 'hybrid rrf k=60': 0.81 } };
 * ```
 */
export interface FusionEffect {
  chunker: string;
  /** Choice label -> mean primary metric. Always has `bm25` and `dense`; fusion labels name method and weights. */
  values: Record<string, number>;
}

/**
 * Corpus-level triage: facts about the whole evaluated set that every single-question diagnosis would otherwise
 * rediscover.
 *
 * @example
 * ```ts
 * const t: CorpusTriage = {
 *   metric: 'ndcg_cut@10',
 *   findings: ['dense is much weaker than bm25 on these questions: ndcg_cut@10 0.540 vs 0.920 ...'],
 *   weak: { retriever: 'dense', value: 0.54, strong: 'bm25', strongValue: 0.92 },
 *   effects: [{ chunker: 'recursive:400/0', values: { bm25: 0.92, dense: 0.54, 'hybrid rrf k=60': 0.81 } }],
 * };
 * ```
 */
export interface CorpusTriage {
  metric: string;
  /** Sentences for people, most important first. Empty when nothing stands out. */
  findings: string[];
  /** The much weaker retriever, averaged over chunkers, when there is one. */
  weak?: { retriever: 'bm25' | 'dense'; value: number; strong: 'bm25' | 'dense'; strongValue: number };
  /** Per chunker: the metric with each retriever and fusion choice. */
  effects: FusionEffect[];
}

/**
 * Chunks of one chunker that exceed a model's token limit (the model silently reads only the start).
 *
 * @example
 * ```ts
 * const t: TruncationRecord = { chunker: 'recursive:800/400', model: 'transformers:glove', maxTokens: 512, chunks: 704,
 *   over: 37, longest: 1691, droppedChars: 40211,
 *   example: { chunkId: 'wiki#12.ab', docId: 'wiki', tokens: 1691, droppedPreview: 'the rest of the chunk ...' } };
 * ```
 */
export interface TruncationRecord {
  chunker: string;
  /** Id of the model with the limit (the embedder). */
  model: string;
  maxTokens: number;
  /** Chunks of the chunker. */
  chunks: number;
  /** Chunks over the limit. */
  over: number;
  /** Tokens of the longest chunk. */
  longest: number;
  /** Characters the model never reads, over all chunks. */
  droppedChars: number;
  /** The longest over-limit chunk. */
  example: { chunkId: string; docId: string; tokens: number; droppedPreview: string };
}

/**
 * Question-level abstention: how well the top final score tells "the top k hold relevant context" from "they hold
 * none", and the "no relevant context" rule at the chosen threshold.
 *
 * @example
 * ```ts
 * const a: Abstention = { score: 'fusion', auroc: 0.71, answerable: 400, unanswerable: 72,
 *   threshold: 0.031, precision: 0.42, recall: 0.61, f1: 0.5 };
 * ```
 */
export interface Abstention {
  /** The stage whose top score is used (the configuration's last stage: bm25, vector, fusion or rerank). */
  score: string;
  /** P(top score of a question with relevant context > that of one without); ties count half. NaN when undefined. */
  auroc: number;
  /** Questions whose top k hold relevant context (some gold span characters, or a relevant document). */
  answerable: number;
  /** Questions whose top k hold none. */
  unanswerable: number;
  /**
   * The threshold maximising F1 of the rule "top score < threshold means no relevant context" (pass it to
   * `search(..., { minScore })`). NaN when there are no questions of one kind.
   */
  threshold: number;
  /** Of the questions the rule flags, the share that truly had no relevant context. */
  precision: number;
  /** Of the questions without relevant context, the share the rule flags. */
  recall: number;
  f1: number;
}

/**
 * Diagnostics of one configuration.
 *
 * @example
 * ```ts
 * const d: ConfigDiagnostics = { configId: 'recursive:400/0 + hybrid+rerank',
 *   rerank: { helped: 40, hurt: 25, unchanged: 300, outside: 107 } };
 * ```
 */
export interface ConfigDiagnostics {
  configId: string;
  /**
   * `hybrid+rerank` only: questions where re-ranking moved the best-ranked gold chunk up (`helped`) or down
   * (`hurt`) against the fused order, left it in place, or where no gold chunk was in the re-ranked window
   * (`outside`).
   */
  rerank?: { helped: number; hurt: number; unchanged: number; outside: number };
  abstention?: Abstention;
}
