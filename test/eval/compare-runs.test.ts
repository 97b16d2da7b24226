import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { runBench } from '../../src/eval/bench.js';
import { holmAdjust } from '../../src/eval/compare/holm.js';
import { checkRegressions, parseRegressionRule } from '../../src/eval/compare/regression.js';
import { compareRuns, readReportFile } from '../../src/eval/compare-runs.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import type { EvalDataset } from '../../src/eval/types.js';
import { renderCompareHtml } from '../../src/report/compare-html.js';
import { renderCompareTerminal } from '../../src/report/compare-terminal.js';
import { writeCompare } from '../../src/report/compare-write.js';
import type { BenchReport } from '../../src/report/types.js';
import { validateReport } from '../../src/report/validate.js';

const CHROMA = path.resolve(__dirname, '../../../shared/data/chroma');
const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-compare-'));
let dataset: EvalDataset;
let base: BenchReport;
let cand: BenchReport;

const bench = (chunker: string, extra: Partial<Parameters<typeof runBench>[0]> = {}) =>
  runBench({
    dataset,
    chunkers: [chunker],
    retrievers: ['bm25'],
    maxFailures: 0,
    cacheDir: false,
    iterations: 200,
    ...extra,
  });

const roundTrip = (r: BenchReport) => validateReport(JSON.parse(JSON.stringify(r)));

beforeAll(async () => {
  dataset = await loadChromaSpans(CHROMA);
  // Two real runs over the Chroma corpora differing in one chunker setting: the chunk size.
  base = roundTrip(await bench('recursive:400/0'));
  cand = roundTrip(await bench('recursive:200/0'));
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('bench reports record what they were made from', () => {
  it('has provenance and per-question top-k hits that survive a JSON round trip', () => {
    expect(base.provenance).toMatchObject({
      chunkers: ['recursive:400/0'],
      retrievers: ['bm25'],
      embedder: 'none',
      k: 5,
      mode: 'spans',
    });
    expect(base.provenance!.corpusHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(base.provenance!.questionsHash).toBe(cand.provenance!.questionsHash);
    expect(base.provenance!.corpusHash).toBe(cand.provenance!.corpusHash);
    const docs = new Map(dataset.documents.map((d) => [d.id, d]));
    for (const q of base.perQuery) {
      const hits = q.hits!['recursive:400/0 + bm25']!;
      expect(hits.length).toBe(5);
      for (const h of hits) expect(h.end).toBeLessThanOrEqual(docs.get(h.docId)!.text.length);
    }
  });

  it('rejects a report whose hits are malformed, naming the field', () => {
    const bad = JSON.parse(JSON.stringify(base));
    bad.perQuery[3].hits['recursive:400/0 + bm25'][0].start = -1;
    expect(() => validateReport(bad)).toThrow(/report\.perQuery\[3\]\.hits.*\[0\]\.start/);
  });
});

describe('compareRuns on two real Chroma runs', () => {
  it('pairs the configurations by retriever and reports deltas that match the two reports', () => {
    const r = compareRuns(base, cand, { iterations: 2000 });
    expect(r.configs).toHaveLength(1);
    const c = r.configs[0]!;
    expect(c).toMatchObject({
      baseline: 'recursive:400/0 + bm25',
      candidate: 'recursive:200/0 + bm25',
      pairedBy: 'retriever',
    });
    expect(r.questions).toEqual({ compared: 472, baselineOnly: 0, candidateOnly: 0 });
    expect(r.warnings).toEqual([]);
    for (const m of r.metrics) {
      const d = c.metrics[m]!;
      expect(d.baseline).toBeCloseTo(base.configs[0]!.metrics[m]!, 12);
      expect(d.candidate).toBeCloseTo(cand.configs[0]!.metrics[m]!, 12);
      expect(d.delta).toBeCloseTo(d.candidate - d.baseline, 12);
      expect(d.wins + d.losses + d.ties).toBe(472);
      expect(d.adjustedP).toBeGreaterThanOrEqual(d.pValue);
    }
    // Smaller chunks lose recall@5 but gain precision@5 on Chroma (as in Chroma's report), both clearly significant.
    expect(c.metrics['recall@5']!.delta).toBeLessThan(-0.05);
    expect(c.metrics['recall@5']!.significant).toBe(true);
    expect(c.metrics['precision@5']!.delta).toBeGreaterThan(0);
  });

  it('lists every changed question with its deltas and the hits that moved in and out of the top k', () => {
    const r = compareRuns(base, cand, { iterations: 200 });
    const c = r.configs[0]!;
    expect(c.hitsRecorded).toBe(true);
    const byId = new Map(base.perQuery.map((q) => [q.questionId, q]));
    const candById = new Map(cand.perQuery.map((q) => [q.questionId, q]));
    expect(c.lost).toBe(c.metrics['recall@5']!.losses);
    expect(c.won).toBe(c.metrics['recall@5']!.wins);
    const key = (h: { docId: string; start: number; end: number }) => `${h.docId}:${h.start}:${h.end}`;
    for (const q of c.questions) {
      const b = byId.get(q.questionId)!;
      const k = candById.get(q.questionId)!;
      expect(q.deltas['recall@5']).toBeCloseTo(
        k.scores[c.candidate]!['recall@5']! - b.scores[c.baseline]!['recall@5']!,
        12,
      );
      const bh = b.hits![c.baseline]!.map(key);
      const ch = k.hits![c.candidate]!.map(key);
      for (const h of q.movedIn) {
        expect(ch[h.rank - 1]).toBe(key(h));
        expect(bh).not.toContain(key(h));
      }
      for (const h of q.movedOut) {
        expect(bh[h.rank - 1]).toBe(key(h));
        expect(ch).not.toContain(key(h));
      }
      for (const rc of q.rankChanges) {
        expect(bh[rc.from - 1]).toBe(key(rc.hit));
        expect(ch[rc.to - 1]).toBe(key(rc.hit));
      }
    }
    // Lost questions come first, worst first.
    const lost = c.questions.filter((q) => q.outcome === 'lost');
    expect(c.questions.slice(0, lost.length)).toEqual(lost);
    expect(lost[0]!.deltas['recall@5']).toBeLessThanOrEqual(lost.at(-1)!.deltas['recall@5']!);
  });

  it('finds nothing when a run is compared with itself', () => {
    const r = compareRuns(base, base, { iterations: 200 });
    expect(r.configs[0]!.pairedBy).toBe('id');
    expect(r.configs[0]!.questions).toEqual([]);
    expect(r.configs[0]!.metrics['recall@5']).toMatchObject({ delta: 0, pValue: 1, significant: false });
    expect(checkRegressions(r, [parseRegressionRule('recall@5=0')]).passed).toBe(true);
  });

  it('refuses runs over different questions unless told to, then compares the intersection and says so', async () => {
    const sample = roundTrip(await bench('recursive:200/0', { maxQuestions: 100 }));
    let err: unknown;
    try {
      compareRuns(base, sample);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RagscopeError);
    expect((err as RagscopeError).code).toBe('DATASET_ERROR');
    expect((err as RagscopeError).message).toMatch(
      /different questions.*100 questions in common, 372 only in the baseline.*allowDifferentQuestions/,
    );
    const r = compareRuns(base, sample, { allowDifferentQuestions: true, iterations: 200 });
    expect(r.questions).toEqual({ compared: 100, baselineOnly: 372, candidateOnly: 0 });
    expect(r.warnings.join('\n')).toMatch(/DIFFERENT QUESTIONS: comparing only the intersection/);
    expect(r.configs[0]!.metrics['recall@5']!.n).toBe(100);
  });

  it('still compares older reports without provenance or hits, with a warning', () => {
    const strip = (r: BenchReport): BenchReport => {
      const { provenance: _p, ...rest } = JSON.parse(JSON.stringify(r)) as BenchReport;
      return validateReport({ ...rest, perQuery: rest.perQuery.map(({ hits: _h, ...q }) => q) });
    };
    const r = compareRuns(strip(base), cand, { iterations: 200 });
    expect(r.warnings.join('\n')).toMatch(/NO PROVENANCE: the baseline does not record/);
    expect(r.warnings.join('\n')).toMatch(/hits are not recorded/);
    expect(r.configs[0]!.hitsRecorded).toBe(false);
    expect(r.configs[0]!.questions.every((q) => q.movedIn.length === 0)).toBe(true);
    expect(r.configs[0]!.metrics['recall@5']!.delta).toBeCloseTo(
      compareRuns(base, cand, { iterations: 200 }).configs[0]!.metrics['recall@5']!.delta,
      12,
    );
  });

  it('gates on a significant loss beyond the tolerance and names the configuration, delta, p and questions lost', () => {
    const r = compareRuns(base, cand, { iterations: 2000 });
    const g = checkRegressions(r, [parseRegressionRule('recall@5=0.02')]);
    expect(g.passed).toBe(false);
    const reg = g.regressions[0]!;
    expect(reg.candidate).toBe('recursive:200/0 + bm25');
    expect(reg.questionsLost.length).toBe(r.configs[0]!.metrics['recall@5']!.losses);
    expect(g.message).toMatch(
      /^REGRESSION recursive:200\/0 \+ bm25 \(baseline recursive:400\/0 \+ bm25\): recall@5 -0\.\d{4} \(tolerance 0\.02\), p = [\d.e-]+ .*questions lost: \S+/,
    );
    // A loss within the tolerance passes; a gain never fails.
    expect(checkRegressions(r, [parseRegressionRule('recall@5=0.5')]).passed).toBe(true);
    expect(checkRegressions(r, [parseRegressionRule('precision@5=0')]).passed).toBe(true);
    // The reverse direction (the candidate is the 400-character run) is a gain.
    expect(
      checkRegressions(compareRuns(cand, base, { iterations: 200 }), [parseRegressionRule('recall@5=0')])
        .passed,
    ).toBe(true);
    expect(() => checkRegressions(r, [parseRegressionRule('ndcg_cut@10=0.1')])).toThrow(
      /not compared; compared metrics: recall@5/,
    );
    expect(() => parseRegressionRule('recall@5')).toThrow(RagscopeError);
    expect(() => parseRegressionRule('recall@5=-0.1')).toThrow(/tolerance >= 0/);
  });

  it('does not count a loss beyond the tolerance that is not significant as a regression', () => {
    // Keep only two questions the candidate lost: a large loss, but two sign flips cannot make it significant.
    const lostIds = compareRuns(base, cand, { iterations: 200 })
      .configs[0]!.questions.filter((q) => q.outcome === 'lost')
      .slice(0, 2)
      .map((q) => q.questionId);
    const only = (r: BenchReport): BenchReport =>
      roundTrip({ ...r, perQuery: r.perQuery.filter((q) => lostIds.includes(q.questionId)) });
    const r = compareRuns(only(base), only(cand), { allowDifferentQuestions: true, iterations: 2000 });
    const d = r.configs[0]!.metrics['recall@5']!;
    expect(d.n).toBe(2);
    expect(d.delta).toBeLessThan(-0.02);
    expect(d.significant).toBe(false);
    expect(checkRegressions(r, [parseRegressionRule('recall@5=0.02')]).passed).toBe(true);
  });
});

describe('strategies beside their baseline in one run', () => {
  it('pairs one baseline configuration with several candidates of the same report, Holm over all pairs', async () => {
    const one = roundTrip(
      await bench('recursive:400/0', { chunkers: ['recursive:400/0', 'recursive:200/0', 'recursive:800/0'] }),
    );
    const a = 'recursive:400/0 + bm25';
    const r = compareRuns(one, one, {
      pairs: [
        [a, 'recursive:200/0 + bm25'],
        [a, 'recursive:800/0 + bm25'],
      ],
      iterations: 2000,
    });
    expect(r.configs.map((c) => [c.baseline, c.candidate, c.pairedBy])).toEqual([
      [a, 'recursive:200/0 + bm25', 'given'],
      [a, 'recursive:800/0 + bm25', 'given'],
    ]);
    expect(r.configs[0]!.metrics['recall@5']!.delta).toBeCloseTo(
      cand.configs[0]!.metrics['recall@5']! - base.configs[0]!.metrics['recall@5']!,
      12,
    );
    expect(() =>
      compareRuns(one, one, {
        pairs: [
          [a, a],
          [a, a],
        ],
      }),
    ).toThrow(/pairs\[1\] must be a pair not given twice/);
    expect(() => compareRuns(one, one, { pairs: [[a, 'nope']] })).toThrow(
      /pairs\[0\]\[1\] must be a candidate configuration/,
    );
  }, 60_000);
});

describe('rendering and files', () => {
  it('escapes hostile question text and document ids in the HTML page, which runs no script', () => {
    const evil = '</td><script>alert(1)</script><img src=x onerror=alert(2)>';
    const hostile = (r: BenchReport): BenchReport =>
      roundTrip({
        ...r,
        perQuery: r.perQuery.map((q) => ({
          ...q,
          question: evil + q.question,
          hits: Object.fromEntries(
            Object.entries(q.hits!).map(([k, hs]) => [
              k,
              hs.map((h) => ({ ...h, docId: `${evil}${h.docId}` })),
            ]),
          ),
        })),
      });
    const page = renderCompareHtml(compareRuns(hostile(base), hostile(cand), { iterations: 200 }));
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toMatch(
      /Content-Security-Policy" content="default-src 'none'; script-src 'none'; style-src 'sha256-/,
    );
    const text = renderCompareTerminal(compareRuns(base, cand, { iterations: 200 }));
    expect(text).toMatch(
      /recursive:400\/0 \+ bm25 -> recursive:200\/0 \+ bm25\s*│\s*recall@5\s*│\s*0\.\d{3}/,
    );
    expect(text).toMatch(/questions lost, \d+ won on recall@5/);
  });

  it('writes compare.json that parses back to the same comparison, and reads reports naming a corrupt file', async () => {
    const r = compareRuns(base, cand, { iterations: 200 });
    const files = await writeCompare(r, { dir: tmp, formats: ['json', 'html', 'txt'] });
    expect(JSON.parse(readFileSync(files.json!, 'utf8'))).toEqual(r);
    const bad = path.join(tmp, 'broken.json');
    writeFileSync(bad, '{"version": 1, ');
    await expect(readReportFile(bad)).rejects.toMatchObject({
      code: 'CORRUPT_FILE',
      message: expect.stringContaining(bad),
    });
    writeFileSync(bad, JSON.stringify({ ...base, configs: [{ id: 3 }] }));
    await expect(readReportFile(bad)).rejects.toThrow(
      /broken\.json: report\.configs\[0\]\.id must be a string/,
    );
    await expect(readReportFile(path.join(tmp, 'missing.json'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('holmAdjust', () => {
  it('matches a worked example', () => {
    // p = 0.01, 0.04, 0.03 for m = 3: sorted 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.06, 0.04*1) = 0.06.
    const adj = holmAdjust([0.01, 0.04, 0.03]);
    expect(adj[0]).toBeCloseTo(0.03, 12);
    expect(adj[1]).toBeCloseTo(0.06, 12);
    expect(adj[2]).toBeCloseTo(0.06, 12);
  });

  it('never lowers a p-value, never exceeds 1, and keeps the order of the raw p-values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (ps) => {
          const adj = holmAdjust(ps);
          ps.forEach((p, i) => {
            expect(adj[i]!).toBeGreaterThanOrEqual(p);
            expect(adj[i]!).toBeLessThanOrEqual(1);
            ps.forEach((q, j) => {
              if (p < q) expect(adj[i]!).toBeLessThanOrEqual(adj[j]!);
            });
          });
        },
      ),
    );
  });
});
