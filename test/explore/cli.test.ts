import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { startExplore } from '../../src/explore/server.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { rawRequest } from './harness.js';

const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const cli = path.join(root, 'src', 'cli', 'main.ts');

/** Start `ragscope explore ...`; resolves with the URL it prints (or rejects with its stderr if it exits). */
function start(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, cli, 'explore', ...args], { cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

describe('ragscope explore (the CLI)', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ragscope-explore-cli-'));
    const p = new RetrievalPipeline({ chunker: 'recursive:400/0:chars', embedder: new HashingEmbedder() });
    await p.addDocuments([{ id: 'a.md', text: 'Refunds take 5 days.\n\nShipping is free.' }]);
    await p.save(path.join(tmp, 'index'));
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('serves the page and the API of a saved index on the printed 127.0.0.1 URL, and stops on SIGTERM', async () => {
    const { child, url } = await start([path.join(tmp, 'index'), '--embedder', 'hashing']);
    try {
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
      const res = await fetch(new URL('/api/search', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'refunds', k: 1 }),
      });
      expect(((await res.json()) as { hits: Array<{ chunk: { docId: string } }> }).hits[0]?.chunk.docId).toBe(
        'a.md',
      );
      expect((await rawRequest(url, { Host: 'attacker.example' })).status).toBe(403);
    } finally {
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      expect(await closed).toBe(0);
    }
  });

  it('says which port is taken instead of crashing', async () => {
    const p = new RetrievalPipeline({ chunker: 'none' });
    const first = await startExplore({ pipeline: p });
    try {
      await expect(startExplore({ pipeline: p, port: first.port })).rejects.toThrow(
        new RegExp(`port must be free on 127.0.0.1, got ${first.port}`),
      );
    } finally {
      await first.close();
    }
  });
});
