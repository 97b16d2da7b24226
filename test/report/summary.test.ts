import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import {
  type BenchReport,
  bestConfigIds,
  comparePair,
  distinctChunkers,
  effectiveWarnings,
  metricNames,
  primaryMetric,
} from '../../src/report/index.js';
import { fixtureReport } from './fixture.js';

function tiny(): BenchReport {
  const stats = { count: 1, meanChars: 10, sizeHistogram: { unit: 'chars', bins: [] } };
  const timings = { chunkMs: 0, embedMs: 0, indexMs: 0, searchMs: 0 };
  return {
    ...fixtureReport(),
    configs: [
      { id: 'a', chunker: 'c1', retriever: 'bm25', chunkStats: stats, metrics: { m: 0.5, n: 1 }, timings },
      { id: 'b', chunker: 'c1', retriever: 'dense', chunkStats: stats, metrics: { m: 0.5, k: 2 }, timings },
      { id: 'c', chunker: 'c2', retriever: 'dense', chunkStats: stats, metrics: { m: Number.NaN }, timings },
    ],
    perQuery: [
      { questionId: 'q1', question: '?', scores: { a: { m: 1 }, b: { m: 0 } } },
      { questionId: 'q2', question: '?', scores: { a: { m: 0 }, b: { m: 0 } } },
      { questionId: 'q3', question: '?', scores: { a: { m: 0.5 }, b: { m: 1 } } },
      { questionId: 'q4', question: '?', scores: { a: { m: Number.NaN }, b: { m: 1 } } },
      { questionId: 'q5', question: '?', scores: { b: { m: 1 } } },
    ],
  };
}

describe('report summaries', () => {
  it('lists metric names in order of first appearance', () => {
    expect(metricNames(tiny())).toEqual(['m', 'n', 'k']);
    expect(primaryMetric(tiny())).toBe('m');
    expect(primaryMetric(tiny(), 'k')).toBe('k');
    expect(() => primaryMetric(tiny(), 'zz')).toThrow(/primaryMetric must be one of the report's metrics/);
  });

  it('marks every tied best and ignores NaN', () => {
    expect([...bestConfigIds(tiny(), 'm')]).toEqual(['a', 'b']);
    expect([...bestConfigIds(tiny(), 'k')]).toEqual(['b']);
    expect(bestConfigIds(tiny(), 'absent').size).toBe(0);
  });

  it('counts per-query wins, losses and ties, skipping missing or NaN scores (hand-computed)', () => {
    const r = comparePair(tiny(), 'a', 'b', 'm');
    expect([r.wins, r.losses, r.ties]).toEqual([1, 1, 1]);
    expect(r.deltas.map((d) => [d.questionId, d.delta])).toEqual([
      ['q1', 1],
      ['q2', 0],
      ['q3', -0.5],
    ]);
    expect(() => comparePair(tiny(), 'a', 'nope', 'm')).toThrow(RagscopeError);
  });

  it('deduplicates chunkers', () => {
    expect(distinctChunkers(tiny()).map((c) => c.chunker)).toEqual(['c1', 'c2']);
  });

  it('adds a loud fallback warning when the embedder fell back and no warning says so', () => {
    const r = { ...tiny(), warnings: [] };
    expect(effectiveWarnings(r)[0]).toMatch(/^EMBEDDER FALLBACK: .*hashing:256/);
    expect(effectiveWarnings(fixtureReport())).toEqual(fixtureReport().warnings);
    expect(effectiveWarnings({ ...r, embedder: { id: 'x', dimensions: 3 } })).toEqual([]);
  });
});
