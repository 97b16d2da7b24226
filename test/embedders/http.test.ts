import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpEmbedder } from '../../src/embedders/http.js';
import { rejectsWithRagscopeError as failure } from './shared.js';

type Step = (req: IncomingMessage, body: { model: string; input: string[] }, res: ServerResponse) => void;

/** Fake vector of a text: [length, code of first char, 1]. */
const vec = (t: string) => [t.length, t.charCodeAt(0) || 0, 1];
const ok: Step = (_req, body, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({
      object: 'list',
      model: body.model,
      data: body.input.map((t, index) => ({ object: 'embedding', index, embedding: vec(t) })).reverse(),
      usage: { prompt_tokens: 1, total_tokens: 1 },
    }),
  );
};

let server: Server;
let base = '';
let script: Step[] = [];
const requests: Array<{ headers: IncomingMessage['headers']; body: { model: string; input: string[] } }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const body = JSON.parse(raw);
      requests.push({ headers: req.headers, body });
      const step = script.shift() ?? ok;
      step(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  script = [];
  requests.length = 0;
});

const status =
  (code: number, body: unknown, headers: Record<string, string> = {}): Step =>
  (_req, _body, res) => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

const make = (extra: Partial<ConstructorParameters<typeof HttpEmbedder>[0]> = {}) =>
  new HttpEmbedder({ baseURL: base, model: 'test-embed', apiKey: 'sk-test', retryDelayMs: 10, ...extra });

describe('HttpEmbedder against a local OpenAI-compatible server', () => {
  it('posts batches of at most maxBatch, keeps order (by index), learns dimensions, sends the key', async () => {
    const e = make({ maxBatch: 2 });
    expect(() => e.dimensions).toThrow(/load\(\)/);
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    const out = await e.embed(texts);
    expect(out.map((v) => [...v])).toEqual(texts.map(vec));
    expect(requests.map((r) => r.body.input)).toEqual([['a', 'bb'], ['ccc', 'dddd'], ['eeeee']]);
    expect(requests[0]?.headers.authorization).toBe('Bearer sk-test');
    expect(requests[0]?.body.model).toBe('test-embed');
    expect(e.dimensions).toBe(3);
    expect(e.id).toBe(`http:${base}/embeddings#test-embed`);
  });

  it('reads the API key from the environment variable named by apiKeyEnv', async () => {
    process.env.RAGSCOPE_TEST_KEY = 'env-key';
    try {
      await new HttpEmbedder({ baseURL: base, model: 'm', apiKeyEnv: 'RAGSCOPE_TEST_KEY' }).embed(['x']);
      expect(requests[0]?.headers.authorization).toBe('Bearer env-key');
    } finally {
      delete process.env.RAGSCOPE_TEST_KEY;
    }
  });

  it('retries a 429 (honouring Retry-After) then succeeds', async () => {
    script = [status(429, { error: { message: 'slow down' } }, { 'retry-after': '0.2' })];
    const t0 = Date.now();
    const [v] = await make().embed(['hello']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
    expect([...v!]).toEqual(vec('hello'));
    expect(requests.length).toBe(2);
  });

  it('retries 500s with backoff then succeeds', async () => {
    script = [status(500, 'internal'), status(503, 'busy')];
    const [v] = await make().embed(['hi'], { kind: 'query' });
    expect([...v!]).toEqual(vec('hi'));
    expect(requests.length).toBe(3);
  });

  it('gives up after maxRetries with HTTP_ERROR', async () => {
    script = [status(502, 'bad gateway'), status(502, 'bad gateway'), status(502, 'bad gateway')];
    const err = await failure(make({ maxRetries: 2 }).embed(['x']));
    expect(err.code).toBe('HTTP_ERROR');
    expect(err.message).toMatch(/HTTP 502: bad gateway \(after 2 retries\)/);
    expect(requests.length).toBe(3);
  });

  it('a 400 is not retried and carries the server message', async () => {
    script = [
      status(400, {
        error: {
          message: "This model's maximum context length is 8192 tokens",
          type: 'invalid_request_error',
        },
      }),
    ];
    const err = await failure(make().embed(['x']));
    expect(err.code).toBe('HTTP_ERROR');
    expect(err.message).toContain("HTTP 400: This model's maximum context length is 8192 tokens");
    expect(err.details.status).toBe(400);
    expect(requests.length).toBe(1);
  });

  it('times out a silent server (AbortController)', async () => {
    script = [() => {}];
    const t0 = Date.now();
    const err = await failure(make({ timeoutMs: 200, maxRetries: 0 }).embed(['x']));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err.code).toBe('HTTP_ERROR');
    expect(err.message).toMatch(/timed out after 200 ms/);
  });

  it('retries after a timeout and succeeds', async () => {
    script = [() => {}];
    const [v] = await make({ timeoutMs: 200, maxRetries: 1 }).embed(['yo']);
    expect([...v!]).toEqual(vec('yo'));
  });

  it('reports malformed responses precisely', async () => {
    const cases: Array<[Step, RegExp, Partial<ConstructorParameters<typeof HttpEmbedder>[0]>?]> = [
      [status(200, '{"data": [1, 2'), /malformed response: body is not JSON/],
      [status(200, { result: [] }), /malformed response: no "data" array/],
      [status(200, { data: [{ index: 0, embedding: [1, 2, 3] }] }), /expected 2 embeddings, got 1/],
      [
        status(200, {
          data: [
            { index: 0, embedding: [1, 2, 3] },
            { index: 1, embedding: [1, 2] },
          ],
        }),
        /data\[1\]\.embedding has 2 dimensions, expected 3/,
      ],
      [
        status(200, {
          data: [
            { index: 0, embedding: [1, 2, 3, 4] },
            { index: 1, embedding: [1, 2, 3, 4] },
          ],
        }),
        /has 4 dimensions, expected 3/,
        { dimensions: 3 },
      ],
      [
        status(200, {
          data: [
            { index: 0, embedding: [1, 'x', 3] },
            { index: 1, embedding: [1, 2, 3] },
          ],
        }),
        /data\[0\]\.embedding holds a non-number/,
      ],
    ];
    for (const [step, re, extra] of cases) {
      script = [step];
      const err = await failure(make(extra).embed(['a', 'b']));
      expect(err.code).toBe('HTTP_ERROR');
      expect(err.message).toMatch(re);
    }
  });

  it('accepts base64 embeddings, applies prefixes and sends requested dimensions', async () => {
    script = [
      (_req, body, res) => {
        const data = body.input.map((t, index) => ({
          index,
          embedding: Buffer.from(new Float32Array(vec(t)).buffer).toString('base64'),
        }));
        res.end(JSON.stringify({ data }));
      },
    ];
    const e = make({ queryPrefix: 'query: ', dimensions: 3, requestDimensions: true });
    const [v] = await e.embed(['abc'], { kind: 'query' });
    expect([...v!]).toEqual(vec('query: abc'));
    expect(requests[0]?.body).toMatchObject({ input: ['query: abc'], dimensions: 3 });
    expect(e.id).toMatch(/:d3:prefix-[0-9a-f]{8}$/);
  });

  it('a refused connection is HTTP_ERROR after retries, and bad options are INVALID_ARGUMENT', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await failure(
      new HttpEmbedder({
        baseURL: `http://127.0.0.1:${port}/v1`,
        model: 'm',
        maxRetries: 1,
        retryDelayMs: 1,
      }).embed(['x']),
    );
    expect(err.code).toBe('HTTP_ERROR');
    expect(err.message).toMatch(/request failed/);
    expect(() => new HttpEmbedder({ baseURL: 'localhost:8080', model: 'm' })).toThrow(/baseURL/);
    expect(() => new HttpEmbedder({ baseURL: base, model: '' })).toThrow(/model/);
    expect(() => new HttpEmbedder({ baseURL: base, model: 'm', maxBatch: 0 })).toThrow(/maxBatch/);
  });
});
