import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { runBench } from '../../src/eval/bench.js';
import { loadCorpusFolder } from '../../src/eval/datasets/folder.js';
import { loadJsonl } from '../../src/eval/datasets/jsonl.js';
import { lexicalOverlap } from '../../src/generate/filters.js';
import { generateQuestions } from '../../src/generate/generate.js';
import { parseLlmSpec } from '../../src/generate/llm.js';
import { PROMPT_VERSION } from '../../src/generate/prompt.js';
import type { GeneratedLine, GenerateOptions } from '../../src/generate/types.js';
import { windowsOf } from '../../src/generate/windows.js';
import { COMPLETIONS, CORPUS } from './fixtures.js';
import { StubChatServer } from './stub-server.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-generate-'));
const corpusDir = path.join(tmp, 'corpus');
const out = path.join(tmp, 'questions.jsonl');
const server = new StubChatServer((docId) => COMPLETIONS[docId] ?? '{"questions": []}');
let documents: Awaited<ReturnType<typeof loadCorpusFolder>>;

process.env.RAGSCOPE_TEST_LLM_KEY = 'sk-stub-123';
const options = (extra: Partial<GenerateOptions> = {}): GenerateOptions => ({
  documents,
  llm: {
    baseURL: server.url,
    model: 'llama3.1:8b-instruct',
    apiKeyEnv: 'RAGSCOPE_TEST_LLM_KEY',
    maxRetries: 2,
    retryDelayMs: 5,
    timeoutMs: 5000,
  },
  out,
  concurrency: 2,
  ...extra,
});
const readLines = (file: string): GeneratedLine[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

beforeAll(async () => {
  mkdirSync(corpusDir);
  for (const [id, text] of Object.entries(CORPUS)) writeFileSync(path.join(corpusDir, id), text);
  documents = await loadCorpusFolder(corpusDir);
  await server.start();
});

afterAll(async () => {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('generateQuestions against a stub OpenAI-compatible server', () => {
  it('keeps only verbatim-located, non-copied, non-duplicate questions and says why the rest was dropped', async () => {
    // api.md: rate limited (Retry-After 0.2 s) then a 500, then answered. onboarding.md: three 500s, more than
    // the 2 retries allowed, so it fails now and is retried by the next run.
    server.failures.set('api.md', [
      { status: 429, headers: { 'retry-after': '0.2' } },
      { status: 500, body: 'upstream exploded' },
    ]);
    server.failures.set('onboarding.md', [{ status: 500 }, { status: 500 }, { status: 500 }]);
    const report = await generateQuestions(options());
    expect(report.units).toEqual({ total: 4, resumed: 0, generated: 3, failed: 1 });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.unit).toBe('onboarding.md@0');
    expect(report.failures[0]!.message).toMatch(/HTTP 500.*after 2 retries/);
    expect(report.dropped).toEqual({
      malformed: 1, // refunds.md: cut off at max_tokens
      invalid: 1, // api.md: an item without excerpts
      'excerpt-not-found': 1, // arsenal.md: a paraphrased "excerpt"
      'copies-excerpt': 1, // arsenal.md: the Totten question
      'near-duplicate': 1, // api.md: "exceeds" vs "goes over"
    });
    expect(report.kept).toBe(3);
    expect(report.proposed).toBe(8);
    const lines = readLines(out);
    expect(lines.map((l) => l.question)).toEqual([
      'What happens when a client goes over the per-minute request quota?',
      'How many times is a failed webhook delivery attempted again?',
      'When was the arsenal in Little Rock finished, and what was it meant to hold?',
    ]);
    // Window order is document order (loadCorpusFolder sorts ids): api.md, arsenal.md, onboarding.md, refunds.md.
    expect(lines.map((l) => l.docs[0])).toEqual(['api.md', 'api.md', 'arsenal.md']);
    for (const l of lines) {
      for (const s of l.spans) expect(CORPUS[s.doc]!.slice(s.start, s.end)).toBe(s.text);
      expect(l.provenance).toEqual({
        model: 'llama3.1:8b-instruct',
        promptVersion: PROMPT_VERSION,
        seed: 42,
        unit: `${l.docs[0]}@0`,
        generator: expect.stringMatching(/^ragscope \d/),
      });
    }
    // Retries honoured Retry-After; requests carried the key, the seed and temperature 0.
    const api = server.received.filter((r) => r.docId === 'api.md');
    expect(api).toHaveLength(3);
    expect(api[1]!.at - api[0]!.at).toBeGreaterThanOrEqual(180);
    expect(server.received.every((r) => r.authorization === 'Bearer sk-stub-123')).toBe(true);
    expect(server.received.every((r) => r.body.seed === 42 && r.body.temperature === 0)).toBe(true);
    expect(report.usage.promptTokens).toBeGreaterThan(0);
    expect(report.usage.requests).toBe(3 + 1 + 3 + 1); // api, arsenal, onboarding, refunds
    expect(JSON.parse(readFileSync(`${out}.report.json`, 'utf8'))).toEqual(report);
  });

  it('resumes: only the failed window is asked again, and the file is only appended to', async () => {
    const before = readFileSync(out, 'utf8');
    const asked = server.received.length;
    const report = await generateQuestions(options());
    const now = server.received.slice(asked);
    expect(now.map((r) => r.docId)).toEqual(['onboarding.md']);
    expect(report.units).toEqual({ total: 4, resumed: 3, generated: 1, failed: 0 });
    expect(report.kept).toBe(5);
    const after = readFileSync(out, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    const added = readLines(out).slice(3);
    expect(added.map((l) => l.spans.length)).toEqual([1, 2]);
    for (const l of added) for (const s of l.spans) expect(CORPUS[s.doc]!.slice(s.start, s.end)).toBe(s.text);
    // A third run asks nothing.
    const third = await generateQuestions(options());
    expect(server.received.length).toBe(asked + 1);
    expect(third.units).toMatchObject({ resumed: 4, generated: 0 });
    expect(third.dropped).toEqual(report.dropped);
  });

  it('survives an interruption mid-append and between append and state save', async () => {
    const good = readFileSync(out, 'utf8');
    writeFileSync(out, `${good}{"id": "g-half", "question": "Half a li`);
    const state = JSON.parse(readFileSync(`${out}.state.json`, 'utf8'));
    delete state.units['arsenal.md@0'];
    writeFileSync(`${out}.state.json`, JSON.stringify(state));
    const asked = server.received.length;
    const report = await generateQuestions(options());
    expect(server.received.length).toBe(asked);
    expect(readFileSync(out, 'utf8')).toBe(good);
    expect(report.warnings.join('\n')).toMatch(/removed a last line cut short/);
    expect(report.warnings.join('\n')).toMatch(
      /arsenal\.md@0: questions found in .* but not in the state file/,
    );
    expect(report.kept).toBe(5);
  });

  it('refuses to resume with other settings, naming the setting', async () => {
    await expect(generateQuestions(options({ seed: 7 }))).rejects.toThrow(
      /cannot resume: .*state\.json was made with seed 42, this run has 7/,
    );
    await expect(generateQuestions(options({ windowChars: 500 }))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('writes JSONL that ragscope bench consumes, with every gold span intact', async () => {
    const dataset = await loadJsonl(out, { corpus: corpusDir });
    expect(dataset.questions).toHaveLength(5);
    expect(dataset.warnings).toEqual([]);
    const report = await runBench({
      dataset,
      chunkers: ['recursive:200/0'],
      retrievers: ['bm25'],
      cacheDir: false,
      maxFailures: 0,
      iterations: 100,
    });
    expect(report.dataset.questions).toBe(5);
    expect(report.configs[0]!.metrics['recall@5']).toBeGreaterThan(0.5);
  });

  it('stops the run on an authentication error instead of failing every window', async () => {
    const other = path.join(tmp, 'denied.jsonl');
    for (const id of Object.keys(CORPUS))
      server.failures.set(id, [{ status: 401, body: '{"error": {"message": "Invalid API key"}}' }]);
    let err: unknown;
    try {
      await generateQuestions(options({ out: other, concurrency: 1 }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RagscopeError);
    expect((err as RagscopeError).message).toMatch(/HTTP 401: Invalid API key/);
    expect(JSON.parse(readFileSync(`${other}.state.json`, 'utf8')).units).toEqual({});
    server.failures.clear();
  });

  it('times out a request that hangs, retries it, and records the failure when retries run out', async () => {
    const other = path.join(tmp, 'slow.jsonl');
    server.delays.set('api.md', 600);
    const slow = { ...(options().llm as object), timeoutMs: 150, maxRetries: 0 } as GenerateOptions['llm'];
    const report = await generateQuestions(options({ out: other, llm: slow, concurrency: 1 }));
    expect(report.failures).toEqual([
      { unit: 'api.md@0', message: expect.stringMatching(/timed out after 150 ms/) },
    ]);
    expect(report.units).toMatchObject({ generated: 3, failed: 1 });
    // The next run (the server answers promptly again) asks only for the window that timed out.
    const asked = server.received.length;
    const again = await generateQuestions(options({ out: other, llm: slow }));
    expect(server.received.slice(asked).map((r) => r.docId)).toEqual(['api.md']);
    expect(again.units).toMatchObject({ resumed: 3, generated: 1, failed: 0 });
  });

  it('cuts a real Chroma corpus into windows whose located spans keep exact offsets', async () => {
    const text = readFileSync(
      path.resolve(__dirname, '../../../shared/data/chroma/corpora/chatlogs.md'),
      'utf8',
    );
    const docs = [{ id: 'chatlogs.md', text }];
    const stub = new StubChatServer((_id, window) => {
      // The window's longest line, verbatim: offsets must map back through the window's start.
      const excerpt = window
        .split('\n')
        .reduce((x, y) => (y.trim().length > x.trim().length ? y : x), '')
        .trim();
      return JSON.stringify({
        questions: [{ question: `What is said in "${excerpt.slice(0, 80)}"?`, excerpts: [excerpt] }],
      });
    });
    await stub.start();
    try {
      const file = path.join(tmp, 'chatlogs.jsonl');
      const report = await generateQuestions({
        documents: docs,
        llm: { baseURL: stub.url, model: 'm' },
        out: file,
        windowChars: 4000,
        dedupeThreshold: 1,
        maxOverlap: 1,
        concurrency: 3,
      });
      expect(report.units.total).toBeGreaterThanOrEqual(10);
      expect(report.dropped, JSON.stringify(report.dropped)).toEqual({
        malformed: 0,
        invalid: 0,
        'excerpt-not-found': 0,
        'copies-excerpt': 0,
        'near-duplicate': 0,
      });
      expect(report.kept).toBe(report.units.total);
      for (const l of readLines(file))
        expect(text.slice(l.spans[0]!.start, l.spans[0]!.end)).toBe(l.spans[0]!.text);
    } finally {
      await stub.stop();
    }
  });
});

describe('generation helpers', () => {
  it('windows tile each document exactly, none longer than the limit', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), fc.integer({ min: 200, max: 1000 }), (text, max) => {
        const units = windowsOf([{ id: 'd', text }], max);
        let pos = 0;
        for (const u of units) {
          expect(text.slice(pos, u.start).trim()).toBe('');
          expect(text.slice(u.start, u.end)).toBe(u.text);
          expect(u.end - u.start).toBeLessThanOrEqual(max);
          pos = u.end;
        }
        expect(text.slice(pos).trim()).toBe('');
      }),
    );
  });

  it('measures copied word pairs, not shared topic words', () => {
    expect(
      lexicalOverlap('refunds reach the card within 5 business days', [
        'Refunds reach the card within 5 business days.',
      ]),
    ).toBe(1);
    expect(
      lexicalOverlap('How long until my money is back?', ['Refunds reach the card within 5 business days.']),
    ).toBe(0);
  });

  it('parses --llm specs and rejects others', () => {
    expect(parseLlmSpec('http:http://localhost:11434/v1#llama3.1:8b')).toEqual({
      baseURL: 'http://localhost:11434/v1',
      model: 'llama3.1:8b',
    });
    expect(() => parseLlmSpec('openai:gpt-4o')).toThrow(/http:<URL of an OpenAI-compatible server>#<model>/);
  });
});

describe('orderedPool', () => {
  it('commits every result in item order, one at a time, whatever order the work finishes in', async () => {
    const { orderedPool } = await import('../../src/generate/ordered-pool.js');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 6 }),
        async (delays, concurrency) => {
          const committed: number[] = [];
          let inCommit = 0;
          let maxInFlight = 0;
          let inFlight = 0;
          await orderedPool(
            delays.map((d, i) => ({ d, i })),
            concurrency,
            async ({ d, i }) => {
              inFlight++;
              maxInFlight = Math.max(maxInFlight, inFlight);
              await new Promise((r) => setTimeout(r, d));
              inFlight--;
              if (i % 3 === 2) throw new Error(`item ${i}`);
              return i;
            },
            async (item, o) => {
              expect(inCommit++).toBe(0);
              await new Promise((r) => setTimeout(r, 0));
              committed.push('value' in o ? o.value : -item.i);
              inCommit--;
            },
            () => false,
          );
          expect(committed).toEqual(delays.map((_, i) => (i % 3 === 2 ? -i : i)));
          expect(maxInFlight).toBeLessThanOrEqual(concurrency);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('stops at a fatal error: later items are never committed and the error is thrown', async () => {
    const { orderedPool } = await import('../../src/generate/ordered-pool.js');
    const committed: number[] = [];
    const fatal = new Error('401');
    await expect(
      orderedPool(
        [0, 1, 2, 3, 4, 5],
        1,
        async (i) => {
          if (i === 2) throw fatal;
          return i;
        },
        async (i) => {
          committed.push(i);
        },
        (e) => e === fatal,
      ),
    ).rejects.toBe(fatal);
    expect(committed).toEqual([0, 1]);
  });
});
