import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResult } from '../../src/search/types.js';
import { startPostgres, type TestPostgres } from '../postgres/server.js';

const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const cli = path.join(root, 'src', 'cli', 'main.ts');
let server: TestPostgres;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, cli, ...args], {
      cwd: root,
      env: { ...process.env, CI: '1', FORCE_COLOR: '0' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

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
