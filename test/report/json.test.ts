import { describe, expect, it } from 'vitest';
import { type BenchReport, renderJson, validateReport } from '../../src/report/index.js';
import { fixtureReport } from './fixture.js';

describe('renderJson', () => {
  it('is pretty JSON with a trailing newline that validates and round-trips (NaN -> null)', () => {
    const report = fixtureReport(true);
    const text = renderJson(report);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "version": 1,\n');
    const back = validateReport(JSON.parse(text));
    expect(back.configs[2]!.metrics['ndcg_cut@10']).toBeNull();
    expect(back.perQuery[0]!.question).toBe(report.perQuery[0]!.question);
    expect(back).toEqual(JSON.parse(JSON.stringify(report)));
  });
});

describe('validateReport', () => {
  it('accepts the fixture', () => {
    const r = fixtureReport();
    expect(validateReport(r)).toBe(r);
  });

  it.each([
    ['report', () => null, /^report must be an object, got null/],
    ['version', (r: BenchReport) => Object.assign(r, { version: 2 }), /^report\.version must be 1, got 2/],
    [
      'createdAt',
      (r: BenchReport) => Object.assign(r, { createdAt: 'yesterday' }),
      /report\.createdAt must be an ISO/,
    ],
    [
      'warnings',
      (r: BenchReport) => (r.warnings as unknown[]).push(3),
      /report\.warnings\[1\] must be a string, got 3/,
    ],
    [
      'retriever',
      (r: BenchReport) => Object.assign(r.configs[1]!, { retriever: 'sparse' }),
      /report\.configs\[1\]\.retriever/,
    ],
    [
      'duplicate id',
      (r: BenchReport) => Object.assign(r.configs[1]!, { id: r.configs[0]!.id }),
      /configs\[1\]\.id must be unique/,
    ],
    [
      'timing',
      (r: BenchReport) => Object.assign(r.configs[0]!.timings, { embedMs: 'x' }),
      /configs\[0\]\.timings\.embedMs/,
    ],
    [
      'bin',
      (r: BenchReport) => Object.assign(r.configs[0]!.chunkStats.sizeHistogram.bins[0]!, { count: -1 }),
      /bins\[0\]\.count/,
    ],
    [
      'metric',
      (r: BenchReport) => Object.assign(r.configs[0]!.metrics, { 'recall@5': '1' }),
      /metrics\["recall@5"\] must be a number/,
    ],
    [
      'per-query',
      (r: BenchReport) => Object.assign(r.perQuery[2]!, { question: 7 }),
      /perQuery\[2\]\.question must be a string/,
    ],
    [
      'pValue',
      (r: BenchReport) => Object.assign(r.comparisons![0]!, { pValue: 1.5 }),
      /comparisons\[0\]\.pValue must be a number between 0 and 1/,
    ],
    [
      'cause',
      (r: BenchReport) => (r.failures![0]!.causes as unknown[]).push({ cause: 'x' }),
      /failures\[0\]\.causes\[2\]\.sentence/,
    ],
    [
      'gate',
      (r: BenchReport) => Object.assign(r, { gate: { expr: 'x', passed: 'no' } }),
      /report\.gate\.passed must be a boolean/,
    ],
  ])('names the bad field: %s', (_name, mutate, message) => {
    const r = fixtureReport();
    const bad = mutate(r) === null ? null : r;
    expect(() => validateReport(bad)).toThrow(message);
    try {
      validateReport(bad);
    } catch (err) {
      expect((err as { code?: string }).code).toBe('INVALID_ARGUMENT');
    }
  });
});
