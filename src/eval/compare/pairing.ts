import { invalidArgument, RagscopeError } from '../../core/errors.js';
import type { BenchReport, PerQueryResult } from '../../report/types.js';
import type { ConfigComparison } from './types.js';

/** A baseline/candidate configuration pair. @internal */
export interface ConfigPair {
  baseline: string;
  candidate: string;
  pairedBy: ConfigComparison['pairedBy'];
}

/**
 * Pair configurations: given pairs first, then equal ids, then, per retriever, the only unpaired configuration on
 * each side (so two runs differing in one chunker setting pair up). @internal
 */
export function pairConfigs(
  baseline: BenchReport,
  candidate: BenchReport,
  given: ReadonlyArray<readonly [string, string]> = [],
): { pairs: ConfigPair[]; unpaired: { baseline: string[]; candidate: string[] } } {
  const bIds = new Set(baseline.configs.map((c) => c.id));
  const cIds = new Set(candidate.configs.map((c) => c.id));
  const pairs: ConfigPair[] = [];
  const usedB = new Set<string>();
  const usedC = new Set<string>();
  for (const [i, p] of given.entries()) {
    if (!Array.isArray(p) || p.length !== 2)
      invalidArgument(`options.pairs[${i}]`, p, 'a [baseline, candidate] pair');
    const [b, c] = p;
    if (!bIds.has(b))
      invalidArgument(`options.pairs[${i}][0]`, b, `a baseline configuration (${[...bIds].join(', ')})`);
    if (!cIds.has(c))
      invalidArgument(`options.pairs[${i}][1]`, c, `a candidate configuration (${[...cIds].join(', ')})`);
    if (pairs.some((x) => x.baseline === b && x.candidate === c)) {
      invalidArgument(`options.pairs[${i}]`, p, 'a pair not given twice');
    }
    pairs.push({ baseline: b, candidate: c, pairedBy: 'given' });
    usedB.add(b);
    usedC.add(c);
  }
  if (given.length === 0) {
    for (const c of baseline.configs) {
      if (cIds.has(c.id)) {
        pairs.push({ baseline: c.id, candidate: c.id, pairedBy: 'id' });
        usedB.add(c.id);
        usedC.add(c.id);
      }
    }
    const restB = baseline.configs.filter((c) => !usedB.has(c.id));
    const restC = candidate.configs.filter((c) => !usedC.has(c.id));
    for (const b of restB) {
      const sameB = restB.filter((x) => x.retriever === b.retriever);
      const sameC = restC.filter((x) => x.retriever === b.retriever);
      if (sameB.length === 1 && sameC.length === 1) {
        pairs.push({ baseline: b.id, candidate: sameC[0]!.id, pairedBy: 'retriever' });
        usedB.add(b.id);
        usedC.add(sameC[0]!.id);
      }
    }
  }
  return {
    pairs,
    unpaired: {
      baseline: baseline.configs.filter((c) => !usedB.has(c.id)).map((c) => c.id),
      candidate: candidate.configs.filter((c) => !usedC.has(c.id)).map((c) => c.id),
    },
  };
}

/** Questions of both runs, aligned by id. @internal */
export interface AlignedQuestions {
  rows: Array<{ base: PerQueryResult; cand: PerQueryResult }>;
  baselineOnly: number;
  candidateOnly: number;
  warnings: string[];
}

/**
 * Align the per-question rows of two reports. The question sets are the same when both question hashes (or, for
 * reports without provenance, every id and text) agree; otherwise `DATASET_ERROR` unless `allowDifferent`, in which
 * case the questions with the same id and text in both are compared and a warning says how many. @internal
 */
export function alignQuestions(
  baseline: BenchReport,
  candidate: BenchReport,
  allowDifferent: boolean,
  names: { baseline: string; candidate: string },
): AlignedQuestions {
  const warnings: string[] = [];
  const byId = new Map(candidate.perQuery.map((q) => [q.questionId, q]));
  const rows: AlignedQuestions['rows'] = [];
  for (const base of baseline.perQuery) {
    const cand = byId.get(base.questionId);
    if (cand && cand.question === base.question) rows.push({ base, cand });
  }
  const baselineOnly = baseline.perQuery.length - rows.length;
  const candidateOnly = candidate.perQuery.length - rows.length;
  const hb = baseline.provenance?.questionsHash;
  const hc = candidate.provenance?.questionsHash;
  const same = hb !== undefined && hc !== undefined ? hb === hc : baselineOnly === 0 && candidateOnly === 0;
  if (!same) {
    const detail =
      hb !== undefined && hc !== undefined && baselineOnly === 0 && candidateOnly === 0
        ? 'the same question ids and texts but different gold labels (question hashes differ)'
        : `${rows.length} questions in common, ${baselineOnly} only in the baseline, ${candidateOnly} only in the candidate`;
    if (!allowDifferent) {
      throw new RagscopeError(
        'DATASET_ERROR',
        `cannot compare ${names.baseline} with ${names.candidate}: they were run over different questions (${detail}); pass allowDifferentQuestions (--allow-different-questions) to compare the questions they share`,
        { baseline: names.baseline, candidate: names.candidate, baselineOnly, candidateOnly },
      );
    }
    warnings.push(`DIFFERENT QUESTIONS: comparing only the intersection (${detail})`);
  }
  if (rows.length === 0) {
    throw new RagscopeError(
      'DATASET_ERROR',
      `cannot compare ${names.baseline} with ${names.candidate}: they have no question (same id and text) in common`,
      { baseline: names.baseline, candidate: names.candidate },
    );
  }
  return { rows, baselineOnly, candidateOnly, warnings };
}
