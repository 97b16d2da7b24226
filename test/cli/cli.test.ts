import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { validateReport } from '../../src/report/validate.js';
import { runCli as run } from './run-cli.js';

const root = path.resolve(__dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-cli-'));
const cache = path.join(tmp, 'cache');
const corpus = path.join(root, 'examples', 'corpus');
const questions = path.join(root, 'examples', 'questions.jsonl');

afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// Each test spawns the installed-style CLI (tsx start-up, embedder fallbacks): on a loaded shared machine one run
// took over 60 s (the default). This is a hang guard, not a speed target.
vi.setConfig({ testTimeout: 180_000 });

const benchArgs = (out: string, ...extra: string[]) => [
  'bench',
  '--corpus',
  corpus,
  '--questions',
  questions,
  '--chunkers',
  'recursive:400/0,sentence:400/1',
  '--cache-dir',
  cache,
  '--out',
  out,
  ...extra,
];

describe.concurrent('ragscope CLI (end to end, examples corpus)', () => {
  it('bench --embedder hashing prints the table and writes a valid report.json and report.html', async () => {
    const out = path.join(tmp, 'report1');
    const r = await run(benchArgs(out, '--embedder', 'hashing'));
    expect(r.stderr).not.toMatch(/FALLBACK/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/recursive:400\/0 \+ hybrid/);
    expect(r.stdout).toMatch(/recall@5/);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(() => validateReport(report)).not.toThrow();
    expect(report.configs).toHaveLength(6);
    expect(report.embedder.id).toMatch(/^hashing:/);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    expect(r.stderr).toMatch(/ragscope: \[1\/2\] recursive:400\/0: searching questions \(35\)/);
  });

  it('--fail-under with an unreachable value exits 1 and says which configuration missed it', async () => {
    const r = await run(
      benchArgs(
        path.join(tmp, 'report2'),
        '--embedder',
        'hashing',
        '--retrievers',
        'bm25',
        '--fail-under',
        'recall@5=0.99',
      ),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: --fail-under not met: GATE FAILED .*recursive:400\/0 \+ bm25: recall@5 = 0\.\d{3} < 0\.99/,
    );
    const report = JSON.parse(readFileSync(path.join(tmp, 'report2', 'report.json'), 'utf8'));
    expect(report.gate).toEqual({ expr: 'recall@5=0.99', passed: false });
  });

  it('without --embedder falls back to hashing LOUDLY: banner at start and end, and in the report header', async () => {
    const out = path.join(tmp, 'report3');
    const r = await run([...benchArgs(out, '--retrievers', 'dense'), '--chunkers', 'recursive:400/0']);
    expect(r.code).toBe(0);
    const banners =
      r.stderr.match(
        /EMBEDDER FALLBACK: the default embedder Xenova\/all-MiniLM-L6-v2 could not be loaded/g,
      ) ?? [];
    expect(banners.length).toBe(2);
    expect(r.stdout).toMatch(/FALLBACK/);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.embedder.fallback).toBe(true);
    expect(report.warnings[0]).toMatch(/^EMBEDDER FALLBACK/);
  });

  it('bad flags and specs exit 2 with a message saying what was expected', async () => {
    const [spec, flag, retr, gate, none] = await Promise.all([
      run(['bench', '--corpus', corpus, '--questions', questions, '--chunkers', 'fixed:abc']),
      run(['bench', '--frobnicate']),
      run(['bench', '--retrievers', 'bm25,sparse']),
      run(['bench', '--corpus', corpus, '--questions', questions, '--fail-under', 'recall']),
      run(['bench']),
    ]);
    expect(spec.code).toBe(2);
    expect(spec.stderr).toMatch(/^error: --chunkers: invalid chunker spec "fixed:abc"/m);
    expect(spec.stderr).toMatch(/recursive:<size>/);
    expect(spec.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--frobnicate'/);
    expect(retr.code).toBe(2);
    expect(retr.stderr).toMatch(/unknown retriever "sparse".*bm25, dense, hybrid, hybrid\+rerank/);
    expect(gate.code).toBe(2);
    expect(gate.stderr).toMatch(/<metric>=<number>/);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--corpus .* --questions/);
  });

  it('index, search --explain and why-not round trip over a saved index', async () => {
    const index = path.join(tmp, 'index');
    const made = await run([
      'index',
      corpus,
      '--out',
      index,
      '--chunker',
      'sentence:400/1',
      '--embedder',
      'hashing',
      '--cache-dir',
      cache,
    ]);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/indexed 7 documents into \d+ chunks/);
    expect(existsSync(path.join(index, 'manifest.json'))).toBe(true);

    const [found, why, json, twoTargets, missing] = await Promise.all([
      run(['search', index, 'Which port must be reachable from clients?', '-k', '3', '--explain']),
      run([
        'why-not',
        index,
        'Is it cheaper to pay once a year?',
        '--answer',
        'not in this corpus at all',
        '-k',
        '3',
      ]),
      run([
        'why-not',
        index,
        'Which port must be reachable from clients?',
        '--doc',
        'changelog.md',
        '-k',
        '1',
        '--json',
      ]),
      run(['why-not', index, 'q', '--doc', 'a', '--chunk', 'b']),
      run(['search', path.join(tmp, 'no-such-index'), 'q']),
    ]);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/^#1 installation\.md#/m);
    expect(found.stdout).toMatch(/BM25: rank \d+/);
    expect(found.stdout).toMatch(/Fusion \(rrf\)/);
    expect(why.code).toBe(0);
    expect(why.stdout).toMatch(/not-in-corpus \(corpus, decisive\)/);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.target.docId).toBe('changelog.md');
    expect(report.retrieved).toBe(false);
    expect(report.causes.length).toBeGreaterThan(0);
    expect(twoTargets.code).toBe(2);
    expect(twoTargets.stderr).toMatch(/exactly one target.*--doc and --chunk/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: no saved index at/m);
  });
});
