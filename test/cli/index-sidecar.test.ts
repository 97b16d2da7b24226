import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const cli = path.join(root, 'src', 'cli', 'main.ts');
const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-sidecar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

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

describe('ragscope index: the sidecar is part of the saved index', () => {
  it('is written in the same atomic swap, checksummed by the manifest, and verified by search', async () => {
    const index = path.join(tmp, 'index');
    const made = await run([
      'index',
      path.join(root, 'examples', 'corpus'),
      '--out',
      index,
      '--embedder',
      'hashing',
      '--no-cache',
      '--vector-index',
      'exact',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(index, 'manifest.json'), 'utf8'));
    expect(manifest.extras).toEqual(['ragscope-cli.json']);
    expect(manifest.files['ragscope-cli.json'].sha256).toMatch(/^[0-9a-f]{64}$/);
    const found = await run(['search', index, 'Which port must be reachable from clients?', '-k', '2']);
    expect(found.code, found.stderr).toBe(0);
    // A sidecar edited (or left over from another build) no longer matches the index it sits in.
    const sidecar = path.join(index, 'ragscope-cli.json');
    writeFileSync(sidecar, readFileSync(sidecar, 'utf8').replace('"fallback": false', '"fallback": true'));
    const refused = await run(['search', index, 'Which port must be reachable from clients?', '-k', '2']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/ragscope-cli\.json.*checksum mismatch/);
  }, 60_000);
});
