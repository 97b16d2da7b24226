import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from './run-cli.js';

const root = path.resolve(__dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-whynot-'));
const index = path.join(tmp, 'index');

beforeAll(async () => {
  const made = await run([
    'index',
    path.join(root, 'examples', 'corpus'),
    '--out',
    index,
    '--chunker',
    'recursive:400/0',
    '--embedder',
    'hashing',
    '--cache-dir',
    path.join(tmp, 'cache'),
  ]);
  expect(made.code).toBe(0);
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ragscope why-not --questions (one process, many targets)', () => {
  it('diagnoses every line, as JSON lines with ids, and checks its options', async () => {
    const file = path.join(tmp, 'q.jsonl');
    writeFileSync(
      file,
      [
        { id: 'a', query: 'Why am I asked to log in again every month?', answer: 'tokens last 30 days' },
        { id: 'b', query: 'Which port must be reachable from clients?', doc: 'changelog.md' },
        { id: 'c', query: 'refund', doc: 'no-such-doc' },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n'),
    );
    const [json, text, badRule, badCause, badLine] = await Promise.all([
      run(['why-not', index, '--questions', file, '-k', '2', '--json']),
      run([
        'why-not',
        index,
        '--questions',
        file,
        '-k',
        '2',
        '--near-duplicates',
        'off',
        '--causes',
        'lost-in-fusion,below-candidate-depth',
      ]),
      run(['why-not', index, '--questions', file, '--near-duplicates', 'cosine']),
      run(['why-not', index, '--questions', file, '--causes', 'fusion']),
      (async () => {
        const bad = path.join(tmp, 'bad.jsonl');
        writeFileSync(bad, '{"query": "x", "doc": "a"}\n{oops\n');
        return run(['why-not', index, '--questions', bad]);
      })(),
    ]);
    expect(json.code).toBe(0);
    const reports = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(reports.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(reports[2].causes[0].cause).toBe('not-in-corpus');
    for (const r of reports) expect(Array.isArray(r.cannotCheck)).toBe(true);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/== a: Why am I asked/);
    expect(text.stdout).toMatch(/== c: refund/);
    // Only the listed causes (plus the fallbacks) are named.
    for (const m of text.stdout.matchAll(/^\d+\. ([a-z-]+) /gm)) {
      expect([
        'lost-in-fusion',
        'below-candidate-depth',
        'outranked',
        'not-in-corpus',
        'not-indexed',
      ]).toContain(m[1]);
    }
    expect(badRule.code).toBe(2);
    expect(badRule.stderr).toMatch(/--near-duplicates/);
    expect(badCause.code).toBe(2);
    expect(badCause.stderr).toMatch(/--causes: unknown cause "fusion"/);
    expect(badLine.code).toBe(2);
    expect(badLine.stderr).toMatch(/bad\.jsonl:2: not valid JSON/);
  }, 120_000);
});
