import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from './run-cli.js';

const root = path.resolve(__dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-diag-cli-'));
const chroma = path.resolve(root, '../shared/data/chroma/corpora');
const glove = path.resolve(root, '../shared/models/glove-6B-50d-10k');

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const index = path.join(tmp, 'index');
let indexed: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  // The State of the Union corpus in ~8,000-character chunks under the GloVe transformers model (512 tokens).
  indexed = await run([
    'index',
    chroma,
    '--ext',
    'state_of_the_union.md',
    '--out',
    index,
    '--chunker',
    'recursive:8000/0',
    '--embedder',
    glove,
    '--no-cache',
    '--vector-index',
    'exact',
  ]);
}, 120_000);

describe('ragscope index and search: token limit and --min-score (Chroma corpus, GloVe transformers)', () => {
  it('index warns how many chunks exceed the embedder token limit, by how much, with an example', () => {
    expect(indexed.code).toBe(0);
    expect(indexed.stderr).toMatch(
      /warning: recursive:8000\/0:chars: \d+ of 7 chunks \([\d.]+%\) exceed the 512-token limit of transformers:.*glove-6B-50d-10k.* by up to \d+ tokens \(longest \d+ tokens\)/,
    );
    expect(indexed.stderr).toMatch(
      /E\.g\. chunk state_of_the_union\.md#\d+\.\w+ of state_of_the_union\.md is cut at character \d+/,
    );
  });

  it('search --min-score drops hits scoring below it, and says so when none is left', async () => {
    const all = await run(['search', index, 'inflation and prices', '-k', '3']);
    expect(all.code).toBe(0);
    const scores = all.stdout
      .trim()
      .split('\n')
      .map((l) => Number(l.split(/\s+/)[1]));
    expect(scores).toHaveLength(3);
    const cut = (scores[0]! + scores[1]!) / 2;
    const some = await run(['search', index, 'inflation and prices', '-k', '3', '--min-score', String(cut)]);
    expect(some.stdout.trim().split('\n')).toHaveLength(1);
    const none = await run(['search', index, 'inflation and prices', '--min-score', '1e9']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no hits scoring at least 1000000000\n');
  }, 120_000);

  it('search rejects a --min-score that is not a finite number', async () => {
    const bad = await run(['search', index, 'inflation', '--min-score', 'high']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("option '--min-score <x>' argument 'high' is invalid");
  }, 60_000);
});
