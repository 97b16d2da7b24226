import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../../src/eval/bench.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import { writeReport } from '../../src/report/write.js';
import { runCli as run } from './run-cli.js';

const root = path.resolve(__dirname, '../..');
const chroma = path.resolve(root, '../shared/data/chroma');
const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-cli-compare-'));
const baseline = path.join(tmp, 'base', 'report.json');

beforeAll(async () => {
  // The baseline: recursive:400/0 with BM25 over the Chroma corpora, written as `ragscope bench` writes it.
  const dataset = await loadChromaSpans(chroma);
  const report = await runBench({
    dataset,
    chunkers: ['recursive:400/0'],
    retrievers: ['bm25'],
    maxFailures: 0,
    cacheDir: false,
  });
  await writeReport(report, { dir: path.dirname(baseline), formats: ['json'] });
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ragscope bench --baseline --fail-on-regression', () => {
  it('exits 1 when the candidate (smaller chunks) loses recall@5 significantly, naming config, delta, p and the questions lost', async () => {
    const out = path.join(tmp, 'cand');
    const r = await run([
      'bench',
      '--dataset',
      `chroma:${chroma}`,
      '--chunkers',
      'recursive:200/0',
      '--retrievers',
      'bm25',
      '--max-failures',
      '0',
      '--no-cache',
      '--out',
      out,
      '--baseline',
      baseline,
      '--fail-on-regression',
      'recall@5=0.02',
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /error: --fail-on-regression failed:\nREGRESSION recursive:200\/0 \+ bm25 \(baseline recursive:400\/0 \+ bm25\): recall@5 -0\.1\d{3} \(tolerance 0\.02\), p = [\d.e-]+ \(Holm-adjusted [\d.e-]+ < 0\.05\); \d+ questions lost: \d+, \d+/,
    );
    // The comparison is printed and written next to the candidate's report.
    expect(r.stdout).toMatch(/recall@5/);
    const written = JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8'));
    expect(written.configs[0].candidate).toBe('recursive:200/0 + bm25');
    expect(readFileSync(path.join(out, 'compare.html'), 'utf8')).toContain('Content-Security-Policy');
    expect(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')).provenance.chunkers).toEqual([
      'recursive:200/0',
    ]);
  }, 120_000);

  it('ragscope compare reads two report files, refuses different question sets, and gates the same way', async () => {
    const cand = path.join(tmp, 'cand', 'report.json');
    const out = path.join(tmp, 'cmp');
    const r = await run(['compare', baseline, cand, '--out', out, '--fail-on-regression', 'recall@5=0.02']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /REGRESSION recursive:200\/0 \+ bm25 \(baseline recursive:400\/0 \+ bm25\): recall@5 -0\.1/,
    );
    expect(JSON.parse(readFileSync(path.join(out, 'compare.json'), 'utf8')).questions.compared).toBe(472);
  }, 120_000);
});
