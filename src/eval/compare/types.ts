import type { HitRef, ReportProvenance } from '../../report/types.js';

/**
 * One metric of one configuration pair: baseline and candidate means over the compared questions, the paired test
 * and its Holm-adjusted p-value.
 *
 * @example
 * ```ts
 * const m: MetricDelta = { baseline: 0.71, candidate: 0.66, delta: -0.05, wins: 4, losses: 19, ties: 449,
 *   n: 472, pValue: 0.0004, adjustedP: 0.0016, significant: true };
 * ```
 */
export interface MetricDelta {
  /** Baseline mean over the questions where both runs have a value. */
  baseline: number;
  /** Candidate mean over the same questions. */
  candidate: number;
  /** candidate - baseline. */
  delta: number;
  /** Questions where the candidate scored higher. */
  wins: number;
  /** Questions where the candidate scored lower. */
  losses: number;
  /** Questions with the same score. */
  ties: number;
  /** Questions compared (both values defined). */
  n: number;
  /** Two-sided p-value of the paired randomisation test (`comparePaired`). */
  pValue: number;
  /** `pValue` after Holm's step-down correction over every configuration pair compared on this metric. */
  adjustedP: number;
  /** `adjustedP < alpha`. */
  significant: boolean;
}

/**
 * A hit present in both top-k lists whose rank changed (ranks are 1-based).
 *
 * @example
 * ```ts
 * const r: RankChange = { hit: { docId: 'a.md', start: 0, end: 400 }, from: 4, to: 1 };
 * ```
 */
export interface RankChange {
  /** The chunk, by position. */
  hit: HitRef;
  /** Rank in the baseline's top k. */
  from: number;
  /** Rank in the candidate's top k. */
  to: number;
}

/**
 * One question whose scores changed between the runs, with what moved in its top k.
 *
 * @example
 * ```ts
 * const q: QuestionChange = { questionId: 'q7', question: 'Who signed it?', outcome: 'lost',
 *   deltas: { 'recall@5': -1 }, movedIn: [], movedOut: [{ docId: 'a.md', start: 0, end: 400, rank: 2 }], rankChanges: [] };
 * ```
 */
export interface QuestionChange {
  /** The question's id. */
  questionId: string;
  /** The question's text (untrusted: renderers escape it). */
  question: string;
  /** On the primary metric: candidate better (`won`), worse (`lost`) or equal (`tie`, another metric changed). */
  outcome: 'won' | 'lost' | 'tie';
  /** candidate - baseline for every compared metric defined in both runs. */
  deltas: Record<string, number>;
  /** Chunks in the candidate's top k that were not in the baseline's, with their candidate rank. Empty without hits. */
  movedIn: Array<HitRef & { rank: number }>;
  /** Chunks in the baseline's top k that the candidate's lacks, with their baseline rank. Empty without hits. */
  movedOut: Array<HitRef & { rank: number }>;
  /** Chunks in both whose rank changed. */
  rankChanges: RankChange[];
}

/**
 * One baseline configuration compared with one candidate configuration.
 *
 * @example
 * ```ts
 * const c: ConfigComparison = { baseline: 'recursive:400/0 + bm25', candidate: 'recursive:200/0 + bm25',
 *   pairedBy: 'retriever', metrics: {}, won: 12, lost: 30, questions: [], hitsRecorded: true };
 * ```
 */
export interface ConfigComparison {
  /** Configuration id in the baseline report. */
  baseline: string;
  /** Configuration id in the candidate report. */
  candidate: string;
  /** How the pair was found: same id, the only configuration with this retriever on each side, or given. */
  pairedBy: 'id' | 'retriever' | 'given';
  /** Per metric: means, delta and significance. */
  metrics: Record<string, MetricDelta>;
  /** Questions won on the primary metric. */
  won: number;
  /** Questions lost on the primary metric. */
  lost: number;
  /** Every question with a changed score on any metric, lost first (by primary delta), then won, then ties. */
  questions: QuestionChange[];
  /** Whether both reports recorded top-k hits for this pair (otherwise `movedIn`/`movedOut` are empty). */
  hitsRecorded: boolean;
}

/**
 * One side of a comparison: what the report says about itself.
 *
 * @example
 * ```ts
 * const s: RunSummary = { title: 'ragscope bench: chroma', createdAt: '2026-12-01T22:00:00.000Z', toolVersion: '0.1.0',
 *   dataset: 'chroma', questions: 472 };
 * ```
 */
export interface RunSummary {
  /** The report's title. */
  title: string;
  /** When it was made. */
  createdAt: string;
  /** The ragscope version that made it. */
  toolVersion: string;
  /** Dataset name. */
  dataset: string;
  /** Questions it evaluated. */
  questions: number;
  /** Its provenance, when recorded. */
  provenance?: ReportProvenance;
  /** The file it was read from, when known. */
  file?: string;
}

/**
 * The result of `compareRuns`: plain JSON, written as `compare.json` and rendered by `renderCompareTerminal` /
 * `renderCompareHtml`.
 *
 * @example
 * ```ts
 * const r = compareRuns(baseline, candidate);
 * for (const c of r.configs) console.log(c.candidate, c.metrics[r.primaryMetric]?.delta);
 * ```
 */
export interface CompareReport {
  /** Always `'ragscope-compare'`. */
  kind: 'ragscope-compare';
  /** Format version, `1`. */
  version: 1;
  /** When the comparison was made. */
  createdAt: string;
  /** The baseline run. */
  baseline: RunSummary;
  /** The candidate run. */
  candidate: RunSummary;
  /** Things to know before trusting the deltas (different corpus, no provenance, question intersection...). */
  warnings: string[];
  /** Questions compared (present in both), and those only in one run (non-zero only with `allowDifferentQuestions`). */
  questions: { compared: number; baselineOnly: number; candidateOnly: number };
  /** Metrics compared, primary first. */
  metrics: string[];
  /** The metric that decides won/lost questions. */
  primaryMetric: string;
  /** Significance level of `MetricDelta.significant`. */
  alpha: number;
  /** Multiple-comparison correction: Holm's step-down, per metric, over the configuration pairs. */
  correction: 'holm';
  /** One entry per configuration pair. */
  configs: ConfigComparison[];
  /** Baseline configurations with no candidate partner, and the reverse. */
  unpaired: { baseline: string[]; candidate: string[] };
}
