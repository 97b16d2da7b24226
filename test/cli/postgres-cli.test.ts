import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResult } from '../../src/search/types.js';
import { startPostgres, type TestPostgres } from '../postgres/server.js';
import { runCli as run } from './run-cli.js';

let server: TestPostgres;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

describe('ragscope index / search / why-not on a Postgres backend (PGlite on 127.0.0.1)', () => {
  it('indexes the example corpus into Postgres, searches it with a fused trace, and diagnoses a miss', async () => {
    const target = `${server.url}#examples`;
    const idx = await run([
      'index',
      'examples/corpus',
      '--backend',
      target,
      '--embedder',
      'hashing',
      '--no-cache',
    ]);
    expect(idx.stderr).not.toMatch(/error/i);
    expect(idx.code).toBe(0);
    expect(idx.stdout).toMatch(/written to Postgres \(prefix examples\)/);
    const pool = new pg.Pool({ connectionString: server.url, max: 1 });
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM examples_chunks');
    await pool.end();
    expect(rows[0].n).toBeGreaterThan(10);

    const q = 'Which port must be reachable from clients?';
    const search = await run(['search', target, q, '-k', '3', '--json']);
    expect(search.code).toBe(0);
    const result = JSON.parse(search.stdout) as SearchResult;
    expect(result.trace.stages.map((s) => s.stage)).toEqual(['pg-text', 'pg-vector', 'fusion']);
    expect(result.hits[0]!.chunk.docId).toBe('installation.md');
    expect(result.hits[0]!.ledger.fusion?.foundBy.length).toBeGreaterThan(0);

    const why = await run(['why-not', target, q, '--doc', 'billing-and-refunds.md', '--json']);
    expect(why.code).toBe(0);
    const report = JSON.parse(why.stdout);
    expect(report.retrieved).toBe(false);
    expect(report.cannotCheck.map((c: { cause: string }) => c.cause)).toContain('lost-in-fusion');
    expect(
      report.causes.some(
        (c: { decisive: boolean; cause: string }) => c.cause === 'not-indexed' && c.decisive,
      ),
    ).toBe(false);

    const missing = await run(['search', `${server.url}#nothere`, q]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no ragscope index "nothere"/);
  });
});
