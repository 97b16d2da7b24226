import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/validate.js';
import { runCli as run } from './run-cli.js';

const root = path.resolve(__dirname, '../..');
const glove = path.resolve(root, '../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt');
const corpus = path.join(root, 'examples', 'corpus');
const questions = path.join(root, 'examples', 'questions.jsonl');
const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-cli-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.concurrent('ragscope CLI: corpus inputs, saved paths, cut-offs, splits (end to end)', () => {
  it('index takes a .jsonl corpus with a RELATIVE static model path, and search works from another folder', async () => {
    const dirA = path.join(tmp, 'a');
    const dirB = path.join(tmp, 'b', 'deeper'); // not at A's depth, so A's relative path misses from here
    mkdirSync(dirA, { recursive: true });
    mkdirSync(dirB, { recursive: true });
    const lines = readdirSync(corpus)
      .filter((f) => f.endsWith('.md'))
      .map((f) => {
        const text = readFileSync(path.join(corpus, f), 'utf8');
        const [first, ...rest] = text.split('\n');
        return JSON.stringify({
          id: f.replace(/\.md$/, ''),
          title: first!.replace(/^#\s*/, ''),
          text: rest.join('\n'),
        });
      });
    writeFileSync(path.join(dirA, 'corpus.jsonl'), `${lines.join('\n')}\n`);
    const txt = path.join(tmp, 'txt');
    mkdirSync(path.join(txt, 'sub'), { recursive: true });
    writeFileSync(path.join(txt, 'refunds.txt'), 'Refunds take five business days.');
    writeFileSync(path.join(txt, 'sub', 'ports.txt'), 'Clients must reach port 8443.');

    const [made, named] = await Promise.all([
      run(
        [
          'index',
          'corpus.jsonl',
          '--out',
          'idx',
          '--chunker',
          'whole',
          '--embedder',
          `static:${path.relative(dirA, glove)}`,
          '--vector-index',
          'exact',
          '--no-cache',
        ],
        dirA,
      ),
      run(['index', txt, '--out', path.join(tmp, 'idx-txt'), '--bm25-only', '--id-from', 'name']),
    ]);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/indexed 7 documents into 7 chunks \(7 embedded\) with whole/);
    const sidecar = JSON.parse(readFileSync(path.join(dirA, 'idx', 'ragscope-cli.json'), 'utf8'));
    expect(sidecar.embedder).toBe(`static:${glove}`);
    expect(named.code).toBe(0);

    const [found, foundTxt] = await Promise.all([
      run(['search', path.join(dirA, 'idx'), 'billing and refunds', '-k', '7'], dirB),
      run(['search', path.join(tmp, 'idx-txt'), 'port clients', '-k', '1'], dirB),
    ]);
    expect(found.stderr).toBe('');
    expect(found.code).toBe(0);
    // The whole document, its title joined on one line: "Billing and refunds: ...".
    expect(found.stdout).toMatch(
      /^#\d {2}\d\.\d{4} {2}billing-and-refunds \[0, \d+\) {2}Billing and refunds: /m,
    );
    expect(foundTxt.code).toBe(0);
    expect(foundTxt.stdout).toMatch(/^#1 {2}\d\.\d{4} {2}sub\/ports \[0, 29\)/m);
  });

  it('bench -k 3,5 with the whole chunker reports both cut-offs; --split and --cache-dir are checked first', async () => {
    const beir = path.join(tmp, 'beir');
    mkdirSync(path.join(beir, 'qrels'), { recursive: true });
    writeFileSync(path.join(beir, 'corpus.jsonl'), '{"_id":"d1","title":"T","text":"alpha"}\n');
    writeFileSync(path.join(beir, 'queries.jsonl'), '{"_id":"q1","text":"alpha?"}\n');
    writeFileSync(path.join(beir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\n');
    writeFileSync(path.join(beir, 'qrels', 'train.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\n');
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const out = path.join(tmp, 'report-k');
    const [bench, split, cacheDir] = await Promise.all([
      run([
        'bench',
        '--corpus',
        corpus,
        '--questions',
        questions,
        '--chunkers',
        'whole,recursive:400/0',
        '--retrievers',
        'bm25',
        '-k',
        '3,5',
        '--no-cache',
        '--max-failures',
        '0',
        '--out',
        out,
      ]),
      run(['bench', '--dataset', `beir:${beir}`, '--split', 'dev', '--retrievers', 'bm25']),
      run(['bench', '--corpus', corpus, '--questions', questions, '--cache-dir', path.join(file, 'sub')]),
    ]);
    expect(bench.code).toBe(0);
    expect(bench.stdout).toMatch(/recall@3 .*recall@5/);
    expect(bench.stdout).toMatch(/whole \+ bm25/);
    const report = validateReport(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')));
    expect(Object.keys(report.configs[0]!.metrics)).toEqual([
      'recall@3',
      'precision@3',
      'iou@3',
      'precision_omega@3',
      'recall@5',
      'precision@5',
      'iou@5',
      'precision_omega@5',
    ]);
    const whole = report.configs.find((c) => c.chunker === 'whole')!;
    expect(whole.chunkStats.count).toBe(7);
    expect(whole.metrics['recall@5']).toBeGreaterThan(whole.metrics['recall@3']!); // measured 0.925 > 0.84
    expect(split.code).toBe(2);
    expect(split.stderr).toMatch(
      /^error: --split: BEIR qrels for split 'dev' not found: .*dev\.tsv; splits present in .*qrels: test, train$/m,
    );
    expect(cacheDir.code).toBe(2);
    expect(cacheDir.stderr).toMatch(
      /^error: --cache-dir ".*sub" must be a folder \(or not exist yet\), but ".*a-file" is a file$/m,
    );
  });
});
