import { checkNumber, invalidArgument } from '../core/errors.js';
import type { SearchResult } from '../search/types.js';
import { type Distribution, describe, type HistogramBin, histogram } from './stats.js';

/**
 * One scored candidate with a relevance label.
 *
 * @example
 * ```ts
 * const labelled: LabelledScore[] = [
 *   { stage: 'vector', score: 0.82, relevant: true },
 *   { stage: 'vector', score: 0.61, relevant: false },
 * ];
 * // or from real searches: labelStageScores(results, (qi, chunkId, docId) => qrels[qi].has(docId))
 * ```
 */
export interface LabelledScore {
  /** Stage that produced the score (`bm25`, `vector`, `fusion`, `rerank`, or anything you like). */
  stage: string;
  score: number;
  relevant: boolean;
}

/**
 * Options of {@link calibration}.
 *
 * @example
 * ```ts
 * // Defaults: criterion 'max-f1', bins 10.
 * const options: CalibrationOptions = { criterion: { targetPrecision: 0.9 }, bins: 20 };
 * const report = calibration(labelled, options);
 * ```
 */
export interface CalibrationOptions {
  /**
   * How the threshold is chosen. `'max-f1'` (default): the threshold maximising F1 of the rule "score >= t means
   * relevant". `{ targetPrecision: p }`: the lowest threshold whose precision is >= p (highest recall at that
   * precision); when none reaches p, the threshold with the best precision.
   */
  criterion?: 'max-f1' | { targetPrecision: number };
  /** Histogram bins per stage (over the stage's score range). Default `10`. */
  bins?: number;
}

/**
 * A suggested "no relevant context" threshold and how well it separates.
 *
 * @example
 * ```ts
 * const [vector] = calibration([
 *   { stage: 'vector', score: 0.82, relevant: true },
 *   { stage: 'vector', score: 0.74, relevant: true },
 *   { stage: 'vector', score: 0.58, relevant: true },
 *   { stage: 'vector', score: 0.7, relevant: false },
 *   { stage: 'vector', score: 0.61, relevant: false },
 *   { stage: 'vector', score: 0.4, relevant: false },
 * ]);
 * const s: ThresholdSuggestion | null | undefined = vector?.suggestion;
 * s; // { threshold: 0.74, precision: 1, recall: 0.667, f1: 0.8, criterion: 'max-f1' }
 * ```
 */
export interface ThresholdSuggestion {
  /** Scores below this mean "no relevant context". */
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  criterion: string;
}

/**
 * Calibration of one stage.
 *
 * @example
 * ```ts
 * const stages: StageCalibration[] = calibration(labelled); // one per stage, e.g. 'bm25', 'vector', 'fusion'
 * const vector = stages.find((s) => s.stage === 'vector');
 * vector?.auc; // 0.778 for the six scores of the ThresholdSuggestion example (1 = perfect separation, 0.5 = chance)
 * vector?.relevant.mean; // 0.713
 * vector?.nonRelevant.mean; // 0.57
 * vector?.histogram.relevant.map((b) => b.count); // counts per bin, same bins as histogram.nonRelevant
 * ```
 */
export interface StageCalibration {
  stage: string;
  relevant: Distribution;
  nonRelevant: Distribution;
  /** Histograms over the same bins, so they can be drawn together. */
  histogram: { relevant: HistogramBin[]; nonRelevant: HistogramBin[] };
  /** Probability that a random relevant score beats a random non-relevant one (ties count half). */
  auc: number;
  /** Null when the stage has no relevant or no non-relevant score. */
  suggestion: ThresholdSuggestion | null;
}

/**
 * Turn search results into labelled scores: every candidate of every stage of every trace, labelled by
 * `isRelevant(queryIndex, chunkId, docId)`.
 *
 * @example
 * ```ts
 * const labelled = labelStageScores(results, (qi, chunkId, docId) => qrels[qi].has(docId));
 * const report = calibration(labelled);
 * ```
 */
export function labelStageScores(
  results: readonly SearchResult[],
  isRelevant: (queryIndex: number, chunkId: string, docId: string) => boolean,
): LabelledScore[] {
  if (!Array.isArray(results)) invalidArgument('results', results, 'an array of SearchResult');
  if (typeof isRelevant !== 'function') invalidArgument('isRelevant', isRelevant, 'a function');
  const out: LabelledScore[] = [];
  results.forEach((r, qi) => {
    for (const stage of r.trace.stages) {
      for (const c of stage.candidates) {
        out.push({ stage: stage.stage, score: c.score, relevant: isRelevant(qi, c.chunkId, c.docId) });
      }
    }
  });
  return out;
}

function auc(rel: number[], non: number[]): number {
  if (rel.length === 0 || non.length === 0) return Number.NaN;
  const all = [...rel.map((s) => ({ s, r: 1 })), ...non.map((s) => ({ s, r: 0 }))].sort((a, b) => a.s - b.s);
  // Mann-Whitney U with average ranks for ties.
  let rankSum = 0;
  let i = 0;
  while (i < all.length) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.s === all[i]!.s) j++;
    const avg = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) if (all[t]!.r === 1) rankSum += avg;
    i = j + 1;
  }
  return (rankSum - (rel.length * (rel.length + 1)) / 2) / (rel.length * non.length);
}

/** @internal */
export function suggestThreshold(
  rel: readonly number[],
  non: readonly number[],
  criterion: CalibrationOptions['criterion'] = 'max-f1',
): ThresholdSuggestion | null {
  if (rel.length === 0 || non.length === 0) return null;
  const all = [...rel.map((s) => ({ s, r: true })), ...non.map((s) => ({ s, r: false }))].sort(
    (a, b) => b.s - a.s,
  );
  const candidates: ThresholdSuggestion[] = [];
  let tp = 0;
  let fp = 0;
  const label = criterion === 'max-f1' ? 'max-f1' : `precision>=${criterion.targetPrecision}`;
  for (let i = 0; i < all.length; i++) {
    if (all[i]!.r) tp++;
    else fp++;
    // A threshold sits at a distinct score: everything >= it is predicted relevant.
    if (i + 1 < all.length && all[i + 1]!.s === all[i]!.s) continue;
    const precision = tp / (tp + fp);
    const recall = tp / rel.length;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    candidates.push({ threshold: all[i]!.s, precision, recall, f1, criterion: label });
  }
  if (criterion === 'max-f1') {
    return candidates.reduce((best, c) => (c.f1 > best.f1 ? c : best));
  }
  const ok = candidates.filter((c) => c.precision >= criterion.targetPrecision);
  if (ok.length > 0) return ok.reduce((best, c) => (c.recall > best.recall ? c : best));
  return candidates.reduce((best, c) => (c.precision > best.precision ? c : best));
}

/**
 * Score distributions of relevant against non-relevant candidates for each stage, and a suggested threshold under
 * which the pipeline should answer "no relevant context", with its precision and recall (rule: a candidate scoring
 * `>= threshold` is taken as relevant; see {@link CalibrationOptions.criterion} for how it is chosen).
 *
 * @example
 * ```ts
 * const report = calibration([
 *   { stage: 'vector', score: 0.82, relevant: true },
 *   { stage: 'vector', score: 0.41, relevant: false },
 * ]);
 * report[0].suggestion; // { threshold: 0.82, precision: 1, recall: 1, f1: 1, criterion: 'max-f1' }
 * ```
 */
export function calibration(
  labelled: readonly LabelledScore[],
  options: CalibrationOptions = {},
): StageCalibration[] {
  if (!Array.isArray(labelled))
    invalidArgument('labelled', labelled, 'an array of { stage, score, relevant }');
  const criterion = options.criterion ?? 'max-f1';
  if (criterion !== 'max-f1') {
    if (!criterion || typeof criterion !== 'object') {
      invalidArgument('options.criterion', criterion, "'max-f1' or { targetPrecision }");
    }
    checkNumber('options.criterion.targetPrecision', criterion.targetPrecision, 0, 1);
  }
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 1) invalidArgument('options.bins', bins, 'a positive integer');
  const byStage = new Map<string, { rel: number[]; non: number[] }>();
  labelled.forEach((l, i) => {
    if (!l || typeof l.stage !== 'string' || typeof l.relevant !== 'boolean') {
      invalidArgument(`labelled[${i}]`, l, '{ stage: string, score: number, relevant: boolean }');
    }
    checkNumber(`labelled[${i}].score`, l.score);
    let s = byStage.get(l.stage);
    if (!s) {
      s = { rel: [], non: [] };
      byStage.set(l.stage, s);
    }
    (l.relevant ? s.rel : s.non).push(l.score);
  });
  return [...byStage.entries()].map(([stage, { rel, non }]) => {
    // A loop, not Math.min(...all): spreading 200k scores into one call overflows the stack.
    let lo = Infinity;
    let hi = -Infinity;
    for (const list of [rel, non]) {
      for (const x of list) {
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    }
    return {
      stage,
      relevant: describe(rel),
      nonRelevant: describe(non),
      histogram: { relevant: histogram(rel, bins, lo, hi), nonRelevant: histogram(non, bins, lo, hi) },
      auc: auc(rel, non),
      suggestion: suggestThreshold(rel, non, criterion),
    };
  });
}
