import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import {
  averagePrecision,
  evaluateRun,
  ndcgAt,
  parseRankingMetric,
  precisionAt,
  recallAt,
  reciprocalRank,
  successAt,
} from '../../src/eval/index.js';

// Ranking used throughout: relevant docs marked *
//   rank: 1  2   3  4   5  6
//   doc:  a  b*  c  d*  e  f
// judged relevant: b, d, z (z is never retrieved); x judged non-relevant (0).
const ranked = ['a', 'b', 'c', 'd', 'e', 'f'];
const rels = { b: 1, d: 1, z: 1, x: 0 };

describe('ranking metrics (hand-computed, trec_eval semantics)', () => {
  it('recall_k divides by all judged relevant docs', () => {
    expect(recallAt(ranked, rels, 1)).toBe(0);
    expect(recallAt(ranked, rels, 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAt(ranked, rels, 5)).toBeCloseTo(2 / 3, 12);
    expect(recallAt(ranked, rels, 100)).toBeCloseTo(2 / 3, 12);
  });

  it('P_k always divides by k, even past the end of the ranking', () => {
    expect(precisionAt(ranked, rels, 2)).toBe(0.5);
    expect(precisionAt(ranked, rels, 4)).toBe(0.5);
    expect(precisionAt(ranked, rels, 10)).toBe(0.2);
  });

  it('success_k is a hit indicator', () => {
    expect(successAt(ranked, rels, 1)).toBe(0);
    expect(successAt(ranked, rels, 2)).toBe(1);
  });

  it('recip_rank, with and without a cut', () => {
    expect(reciprocalRank(ranked, rels)).toBe(0.5);
    expect(reciprocalRank(ranked, rels, 1)).toBe(0);
    expect(reciprocalRank(ranked, rels, 2)).toBe(0.5);
  });

  it('ndcg_cut_k: gain = grade, log2(rank+1) discount, ideal from all judged grades', () => {
    // DCG@5 = 1/log2(3) + 1/log2(5); ideal (3 relevant) = 1 + 1/log2(3) + 1/log2(4)
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const idcg = 1 + 1 / Math.log2(3) + 0.5;
    expect(ndcgAt(ranked, rels, 5)).toBeCloseTo(dcg / idcg, 12);
    // cut 2: DCG = 1/log2(3); IDCG@2 = 1 + 1/log2(3)
    expect(ndcgAt(ranked, rels, 2)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 12);
    // graded: b=2, d=1 -> DCG@4 = 2/log2(3) + 1/log2(5); IDCG@4 = 2 + 1/log2(3)
    const graded = { b: 2, d: 1 };
    expect(ndcgAt(ranked, graded, 4)).toBeCloseTo(
      (2 / Math.log2(3) + 1 / Math.log2(5)) / (2 + 1 / Math.log2(3)),
      12,
    );
    // negative grades give no gain and do not enter the ideal
    expect(ndcgAt(['n', 'b'], { n: -1, b: 1 }, 2)).toBeCloseTo(1 / Math.log2(3), 12);
    expect(ndcgAt(['b'], { b: 1 }, 10)).toBe(1);
  });

  it('map divides by the number of relevant docs; map_cut_k keeps that divisor', () => {
    // relevant at ranks 2 and 4: (1/2 + 2/4) / 3
    expect(averagePrecision(ranked, rels)).toBeCloseTo((0.5 + 0.5) / 3, 12);
    expect(averagePrecision(ranked, rels, 3)).toBeCloseTo(0.5 / 3, 12);
  });

  it('a question whose judgments are all non-relevant scores 0 everywhere (trec_eval)', () => {
    const none = { a: 0 };
    expect(recallAt(ranked, none, 5)).toBe(0);
    expect(ndcgAt(ranked, none, 5)).toBe(0);
    expect(averagePrecision(ranked, none)).toBe(0);
    expect(reciprocalRank(ranked, none)).toBe(0);
    expect(precisionAt(ranked, none, 5)).toBe(0);
  });

  it('rejects bad k and duplicate documents with RagscopeError', () => {
    expect(() => recallAt(ranked, rels, 0)).toThrow(/k must be a positive integer, got 0/);
    expect(() => ndcgAt(ranked, rels, 1.5)).toThrow(RagscopeError);
    expect(() => precisionAt(['a', 'a'], rels, 2)).toThrow(/"a" twice/);
  });
});

describe('metric names', () => {
  it('maps aliases to trec_eval names', () => {
    const cases: Record<string, string> = {
      'recall@10': 'recall_10',
      recall_10: 'recall_10',
      'P@5': 'P_5',
      P_5: 'P_5',
      'precision@5': 'P_5',
      'hit@1': 'success_1',
      'hitrate@3': 'success_3',
      success_1: 'success_1',
      mrr: 'recip_rank',
      recip_rank: 'recip_rank',
      'mrr@10': 'recip_rank_cut_10',
      'ndcg@10': 'ndcg_cut_10',
      ndcg_cut_10: 'ndcg_cut_10',
      map: 'map',
      'map@100': 'map_cut_100',
      map_cut_100: 'map_cut_100',
    };
    for (const [alias, name] of Object.entries(cases)) expect(parseRankingMetric(alias).name).toBe(name);
    expect(parseRankingMetric('mrr@2').fn(ranked, rels)).toBe(0.5);
  });

  it('rejects unknown names, naming them', () => {
    expect(() => parseRankingMetric('f1@5')).toThrow(/"f1@5"/);
    expect(() => parseRankingMetric('ndcg@0')).toThrow(/"ndcg@0"/);
  });
});

describe('evaluateRun', () => {
  const run = { q1: ['a', 'b'], q2: ['c'], q3: ['z'] };
  const qrels = { q1: { b: 1 }, q2: { c: 1 }, q4: { y: 1 } };

  it('scores judged questions, skips unjudged ones and zeroes missing runs (trec_eval -c)', () => {
    const res = evaluateRun(run, qrels, ['recall@1', 'mrr', 'ndcg@10']);
    expect(res.metrics).toEqual(['recall_1', 'recip_rank', 'ndcg_cut_10']);
    expect(res.perQuery.map((q) => q.queryId)).toEqual(['q1', 'q2', 'q4']);
    expect(res.skippedNoJudgments).toEqual(['q3']);
    expect(res.missingFromRun).toEqual(['q4']);
    expect(res.perQuery[0]!.scores).toEqual({ recall_1: 0, recip_rank: 0.5, ndcg_cut_10: 1 / Math.log2(3) });
    expect(res.mean.recip_rank).toBeCloseTo((0.5 + 1 + 0) / 3, 12);
    expect(res.mean.recall_1).toBeCloseTo(1 / 3, 12);
  });

  it("with missing: 'skip' averages only over questions in the run (plain trec_eval)", () => {
    const res = evaluateRun(run, qrels, ['mrr'], { missing: 'skip' });
    expect(res.perQuery.map((q) => q.queryId)).toEqual(['q1', 'q2']);
    expect(res.mean.recip_rank).toBe(0.75);
  });

  it('validates its options', () => {
    expect(() => evaluateRun(run, qrels, [])).toThrow(/metrics must be a non-empty array/);
    expect(() => evaluateRun(run, qrels, ['mrr'], { missing: 'drop' as 'skip' })).toThrow(/"drop"/);
  });
});
