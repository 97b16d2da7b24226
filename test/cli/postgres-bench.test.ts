import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/report/types.js';
import { validateReport } from '../../src/report/validate.js';
import { startPostgres, type TestPostgres } from '../postgres/server.js';
import { root, runCli as run } from './run-cli.js';

let server: TestPostgres;
const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-pgbench-'));

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** `ragscope bench` on the examples corpus and questions with these chunkers, writing to `out`. */
const examplesBench = (out: string, chunkers: string, ...extra: string[]) =>
  run([
    'bench',
    '--corpus',
    path.join(root, 'examples', 'corpus'),
    '--questions',
    path.join(root, 'examples', 'questions.jsonl'),
    '--chunkers',
    chunkers,
    '--out',
    out,
    ...extra,
  ]);

const bench = (out: string, ...extra: string[]) =>
  examplesBench(
    out,
    'recursive:400/0,sentence:400/1',
    '--embedder',
    'hashing',
    '--no-cache',
    '--max-failures',
    '3',
    ...extra,
  );

const report = (dir: string): BenchReport =>
  validateReport(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')));

async function tables(like: string): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  try {
    const { rows } = await pool.query(
      'SELECT tablename FROM pg_tables WHERE tablename LIKE $1 ORDER BY tablename',
      [like],
    );
    return rows.map((r) => String(r.tablename));
  } finally {
    await pool.end();
  }
}

describe('ragscope bench --backend postgres:// (PGlite on 127.0.0.1, reached with pg)', () => {
  it('indexes each configuration into Postgres, reports as the in-memory bench does, and drops its tables', async () => {
    const memOut = path.join(tmp, 'mem');
    const pgOut = path.join(tmp, 'pg');
    const [mem, onPg] = await Promise.all([bench(memOut), bench(pgOut, '--backend', `${server.url}#bench`)]);
    expect(mem.code).toBe(0);
    expect(onPg.stderr).not.toMatch(/error/i);
    expect(onPg.code).toBe(0);
    expect(onPg.stdout).toMatch(/sentence:400\/1 \+ hybrid/);
    const a = report(memOut);
    const b = report(pgOut);
    expect(readFileSync(path.join(pgOut, 'report.html'), 'utf8')).toMatch(/sentence:400\/1 \+ hybrid/);

    // The same structure: configurations, metrics, questions, chunk statistics (the same chunks went in).
    expect(b.configs.map((c) => c.id)).toEqual(a.configs.map((c) => c.id));
    expect(b.dataset).toEqual(a.dataset);
    expect(b.perQuery.map((q) => q.questionId)).toEqual(a.perQuery.map((q) => q.questionId));
    for (const [i, c] of b.configs.entries()) {
      expect(Object.keys(c.metrics)).toEqual(Object.keys(a.configs[i]!.metrics));
      expect(c.chunkStats).toEqual(a.configs[i]!.chunkStats);
      for (const v of Object.values(c.metrics)) expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(
      b.warnings.some((w) => /backend postgres: .*"bm25" is Postgres full text .*not BM25/.test(w)),
    ).toBe(true);

    // Dense with exact search is the same computation on both sides (cosine over the same vectors, ties by id):
    // every question gets the same top k and the same scores.
    for (const id of ['recursive:400/0 + dense', 'sentence:400/1 + dense']) {
      expect(b.configs.find((c) => c.id === id)!.metrics).toEqual(
        a.configs.find((c) => c.id === id)!.metrics,
      );
      for (const [qi, q] of b.perQuery.entries()) {
        expect(q.hits![id]!.length).toBe(5);
        expect(q.hits![id]).toEqual(a.perQuery[qi]!.hits![id]);
        expect(q.scores[id]).toEqual(a.perQuery[qi]!.scores[id]);
      }
    }
    // The lexical slot is Postgres full text (ts_rank_cd, OR of the query lexemes, English stemming), not BM25:
    // it ranks differently, so its metrics (and the hybrid ones built on it) need not match; it still finds gold.
    const pgLexical = b.configs.find((c) => c.id === 'recursive:400/0 + bm25')!;
    expect(pgLexical.metrics['recall@5']).toBeGreaterThan(0.2);
    const differs = b.perQuery.some(
      (q, qi) =>
        JSON.stringify(q.hits!['recursive:400/0 + bm25']) !==
        JSON.stringify(a.perQuery[qi]!.hits!['recursive:400/0 + bm25']),
    );
    expect(differs).toBe(true);

    // Failures are diagnosed on the Postgres lists, saying what cannot be checked there and why.
    const pgFailures = b.failures!.filter((f) => f.configId.endsWith('+ bm25'));
    expect(pgFailures.length).toBeGreaterThan(0);
    const notes = pgFailures.flatMap((f) => f.cannotCheck ?? []);
    expect(notes.some((n) => n.cause === 'below-candidate-depth' && /"pg-text"/.test(n.missing))).toBe(true);
    expect(pgFailures.every((f) => f.causes.length > 0)).toBe(true);
    expect(a.failures!.every((f) => f.cannotCheck === undefined)).toBe(true);
    expect(readFileSync(path.join(pgOut, 'report.html'), 'utf8')).toMatch(
      /cannot check <span class="cause">below-candidate-depth<\/span>: the target&#39;s rank in &quot;pg-text&quot;/,
    );

    // Nothing is left behind.
    expect(await tables('bench\\_%')).toEqual([]);
  }, 300_000);

  it('keeps the tables with --keep-tables and refuses to overwrite existing ones', async () => {
    const out = path.join(tmp, 'keep');
    const target = `${server.url}#kept`;
    const first = await examplesBench(
      out,
      'recursive:400/0',
      '--retrievers',
      'bm25',
      '--max-failures',
      '0',
      '--backend',
      target,
      '--keep-tables',
    );
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(await tables('kept\\_%')).toEqual(['kept_c0_chunks', 'kept_c0_documents', 'kept_c0_meta']);
    const again = await examplesBench(out, 'recursive:400/0', '--retrievers', 'bm25', '--backend', target);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/tables "kept_c0_\*" exist already/);
    expect(await tables('kept\\_%')).toHaveLength(3);
    const bad = await run(['bench', '--corpus', 'examples/corpus', '--backend', 'mysql://x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--backend must be a postgres:\/\/ URL/);
  }, 300_000);
});
