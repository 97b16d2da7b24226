import { RagscopeError } from '../../core/errors.js';
import type { BenchOptions } from '../bench.js';
import { seededRandom } from '../prng.js';
import type { EvalQuestion } from '../types.js';
import { questionsUnderFilter } from './filter.js';
import type { ResolvedBench } from './resolve.js';

/**
 * The warnings a bench report opens with (the embedder fallback, each query-variant retriever, the caller's, the
 * dataset loader's), in that order. @internal
 */
export function openingWarnings(options: BenchOptions, plan: ResolvedBench): string[] {
  const { dataset } = plan;
  const warnings: string[] = [];
  if (options.embedderFallback) warnings.push(options.embedderFallback);
  for (const v of plan.variants)
    warnings.push(
      `${v.id}: each question's rewrites by ${v.rewriter.id} are searched too and fused with it by RRF (k 60, 100 per list); why-not is not run for it`,
    );
  for (const w of options.warnings ?? []) warnings.push(w);
  warnings.push(...dataset.warnings.slice(0, 20).map((w) => `dataset: ${w}`));
  if (dataset.warnings.length > 20)
    warnings.push(`dataset: ${dataset.warnings.length - 20} more loader warnings`);
  return warnings;
}

/**
 * The questions a bench scores: those with gold for the mode, under the filter, sampled to `maxQuestions`; each
 * question left out is counted in a warning pushed to `warnings`. Throws `RagscopeError` (`DATASET_ERROR`) when
 * none is left. @internal
 */
export function selectQuestions(
  plan: ResolvedBench,
  maxQuestions: number | undefined,
  warnings: string[],
): EvalQuestion[] {
  const { dataset, mode, filter, seed } = plan;
  const scorable = dataset.questions.filter((q) =>
    mode === 'spans' ? (q.spans?.length ?? 0) > 0 : Object.values(q.relevantDocs ?? {}).some((g) => g > 0),
  );
  const skipped = dataset.questions.length - scorable.length;
  if (skipped > 0) {
    warnings.push(
      `${skipped} of ${dataset.questions.length} questions have no ${mode === 'spans' ? 'gold spans' : 'relevant documents'} and were not scored`,
    );
  }
  const underFilter = filter ? questionsUnderFilter(scorable, dataset.documents, filter, mode) : null;
  if (underFilter) warnings.push(underFilter.warning);
  const questions = sampleQuestions(underFilter?.kept ?? scorable, maxQuestions, seed);
  if (questions.length === 0) {
    throw new RagscopeError(
      'DATASET_ERROR',
      `dataset ${dataset.name} has no question with ${mode === 'spans' ? 'gold spans' : 'relevant documents'} to score`,
      { dataset: dataset.name },
    );
  }
  if (questions.length < scorable.length) {
    warnings.push(
      `evaluated a random sample of ${questions.length} of ${scorable.length} questions (seed ${seed})`,
    );
  }
  return questions;
}

/** A seeded random sample of `max` questions, in their original order (all of them when `max` is unset). */
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
