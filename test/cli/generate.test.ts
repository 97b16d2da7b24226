import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPLETIONS, CORPUS } from '../generate/fixtures.js';
import { StubChatServer } from '../generate/stub-server.js';
import { runCli as run } from './run-cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-cli-generate-'));
const corpus = path.join(tmp, 'corpus');
const server = new StubChatServer((docId) => COMPLETIONS[docId] ?? '{"questions": []}');

beforeAll(async () => {
  mkdirSync(corpus);
  for (const [id, text] of Object.entries(CORPUS)) writeFileSync(path.join(corpus, id), text);
  await server.start();
});

afterAll(async () => {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('ragscope generate', () => {
  it('writes questions from the chat endpoint and prints what was kept, what was dropped and the tokens', async () => {
    const out = path.join(tmp, 'qa.jsonl');
    const r = await run([
      'generate',
      '--corpus',
      corpus,
      '--llm',
      `http:${server.url}#qwen2.5:7b`,
      '--out',
      out,
      '--price',
      '0.15/0.60',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/model qwen2\.5:7b, prompt ragscope-generate-v1, seed 42/);
    expect(r.stdout).toMatch(/windows: 4 \(0 already done, 4 generated now, 0 failed\)/);
    expect(r.stdout).toMatch(/questions proposed: 10, kept: 5/);
    expect(r.stdout).toMatch(/dropped near-duplicate: 1/);
    expect(r.stdout).toMatch(
      /tokens: \d+ prompt \+ \d+ completion \(4 HTTP requests this run\), cost \$0\.\d{4}/,
    );
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(5);
    expect(r.stderr).toMatch(/ragscope: generate 4\/4 windows, 5 questions kept/);
  }, 60_000);
});
