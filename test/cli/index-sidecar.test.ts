import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from './run-cli.js';

const root = path.resolve(__dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-sidecar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

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
