import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { CrossEncoderReranker } from '../../src/search/rerank/cross-encoder.js';
import { HttpReranker } from '../../src/search/rerank/http.js';
import { MmrReranker } from '../../src/search/rerank/mmr.js';

const MODELS = path.resolve(process.cwd(), '../shared/models');
const PAIR_MODEL = 'glove-6B-50d-10k-pair-cosine';

describe('CrossEncoderReranker (real transformers.js path on the GloVe pair-cosine fixture)', () => {
  beforeAll(() => {
    if (!existsSync(path.join(MODELS, PAIR_MODEL))) {
      throw new Error(
        `shared model missing: ${path.join(MODELS, PAIR_MODEL)} (see ../shared/models/README.md)`,
      );
    }
  });

  it('scores (query, passage) pairs and sorts by logit', async () => {
    const reranker = new CrossEncoderReranker({
      model: PAIR_MODEL,
      localModelPath: MODELS,
      allowRemoteModels: false,
    });
    expect(reranker.id).toContain(PAIR_MODEL);
    const candidates = [
      { id: 'sport', text: 'the football match ended in a draw after extra time', score: 3 },
      { id: 'heart', text: 'cardiac illness is linked to high cholesterol and blood pressure', score: 2 },
      { id: 'money', text: 'the bank raised interest rates on loans', score: 1 },
    ];
    const out = await reranker.rerank('heart disease risk factors', candidates);
    expect(out.map((x) => x.id).sort()).toEqual(['heart', 'money', 'sport']);
    expect(out[0]!.id).toBe('heart');
    for (const r of out) {
      expect(Number.isFinite(r.score)).toBe(true);
      expect(Math.abs(r.score)).toBeLessThanOrEqual(10 + 1e-4); // 10 x cosine
    }
    for (let i = 1; i < out.length; i++) expect(out[i - 1]!.score).toBeGreaterThanOrEqual(out[i]!.score);
    // batching does not change scores
    const small = new CrossEncoderReranker({
      model: PAIR_MODEL,
      localModelPath: MODELS,
      allowRemoteModels: false,
      batchSize: 1,
    });
    const again = await small.rerank('heart disease risk factors', candidates);
    again.forEach((r, i) => {
      expect(r.id).toBe(out[i]!.id);
      expect(r.score).toBeCloseTo(out[i]!.score, 4);
    });
    expect(await reranker.rerank('x', [])).toEqual([]);
  });

  it('fails fast with MODEL_UNAVAILABLE naming the model when it is missing', async () => {
    const reranker = new CrossEncoderReranker({
      model: 'no-such-model',
      localModelPath: MODELS,
      allowRemoteModels: false,
    });
    const err = await reranker.rerank('q', [{ id: 'a', text: 'x', score: 1 }]).catch((e) => e);
    expect(err).toBeInstanceOf(RagscopeError);
    expect(err.code).toBe('MODEL_UNAVAILABLE');
    expect(err.message).toContain('no-such-model');
  });

  it('validates options', () => {
    expect(() => new CrossEncoderReranker({ batchSize: 0 })).toThrow(/batchSize/);
    expect(new CrossEncoderReranker().model).toBe('Xenova/ms-marco-MiniLM-L-6-v2');
  });
});

describe('MmrReranker', () => {
  const embedder = new HashingEmbedder({ dimensions: 256 });
  const candidates = [
    { id: 'a', text: 'Refunds take five days to reach your card.', score: 1 },
    { id: 'a-dup', text: 'Refunds take five days to reach your card!', score: 0.99 },
    { id: 'b', text: 'Shipping abroad costs extra and is slow.', score: 0.8 },
  ];

  it('with lambda 1 keeps the incoming order; with diversity the near-duplicate sinks', async () => {
    const pure = await new MmrReranker({ lambda: 1, embedder }).rerank('refunds', candidates);
    expect(pure.map((x) => x.id)).toEqual(['a', 'a-dup', 'b']);
    const diverse = await new MmrReranker({ lambda: 0.5, embedder }).rerank('refunds', candidates);
    expect(diverse.map((x) => x.id)).toEqual(['a', 'b', 'a-dup']);
    // first pick's MMR value is lambda x relevance (normalised score 1)
    expect(diverse[0]!.score).toBeCloseTo(0.5, 12);
  });

  it('uses stored vectors when given and refuses to guess without them', async () => {
    const vectors = await embedder.embed(candidates.map((c) => c.text));
    const withVectors = candidates.map((c, i) => ({ ...c, vector: vectors[i]! }));
    const out = await new MmrReranker({ lambda: 0.5 }).rerank('refunds', withVectors);
    expect(out.map((x) => x.id)).toEqual(['a', 'b', 'a-dup']);
    const err = await new MmrReranker().rerank('q', candidates).catch((e) => e);
    expect(err).toBeInstanceOf(RagscopeError);
    expect(err.message).toMatch(/vector/);
    expect(() => new MmrReranker({ lambda: 2 })).toThrow(/lambda/);
  });

  it("relevance 'cosine' ranks by similarity to the query first", async () => {
    const out = await new MmrReranker({ lambda: 1, relevance: 'cosine', embedder }).rerank(
      'shipping abroad',
      candidates,
    );
    expect(out[0]!.id).toBe('b');
  });
});

describe('HttpReranker against a local Cohere/TEI-compatible server', () => {
  let server: Server;
  let base: string;
  const requests: Array<{ url: string; body: Record<string, unknown>; headers: IncomingMessage['headers'] }> =
    [];
  // Scores: number of query words found in the document.
  const score = (q: string, d: string) => q.split(' ').filter((w) => d.toLowerCase().includes(w)).length;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let data = '';
      req.on('data', (chunk) => {
        data += chunk;
      });
      req.on('end', () => {
        const body = data ? (JSON.parse(data) as Record<string, unknown>) : {};
        requests.push({ url: req.url ?? '', body, headers: req.headers });
        const send = (status: number, payload: string) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(payload);
        };
        const docs = (body.documents ?? body.texts ?? []) as string[];
        const scored = docs
          .map((d, index) => ({ index, s: score(String(body.query), d) }))
          .sort((a, b) => b.s - a.s);
        switch (req.url) {
          case '/cohere/rerank':
            return send(
              200,
              JSON.stringify({
                id: 'x',
                results: scored.map((r) => ({ index: r.index, relevance_score: r.s })),
              }),
            );
          case '/tei/rerank':
            return send(200, JSON.stringify(scored.map((r) => ({ index: r.index, score: r.s }))));
          case '/partial/rerank':
            return send(200, JSON.stringify({ results: [{ index: 2, relevance_score: 0.9 }] }));
          case '/error/rerank':
            return send(503, '{"error":"model loading"}');
          case '/html/rerank':
            return send(200, '<html>oops</html>');
          case '/bad-index/rerank':
            return send(200, JSON.stringify({ results: [{ index: 7, relevance_score: 1 }] }));
          case '/bad-score/rerank':
            return send(200, JSON.stringify({ results: [{ index: 0, relevance_score: 'high' }] }));
          case '/wrong-shape/rerank':
            return send(200, JSON.stringify({ data: [] }));
          case '/slow/rerank':
            setTimeout(() => send(200, '[]'), 1000);
            return;
          default:
            return send(404, 'not found');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const candidates = [
    { id: 'x', text: 'Shipping is free.', score: 3 },
    { id: 'y', text: 'Refund policy: refunds take 5 days.', score: 2 },
    { id: 'z', text: 'Our policy on returns.', score: 1 },
  ];

  it('Cohere shape: sends {model, query, documents, top_n} and maps indexes back to ids', async () => {
    const r = new HttpReranker({ url: `${base}/cohere/rerank`, model: 'rerank-test', apiKey: 'k1' });
    const out = await r.rerank('refund policy', candidates);
    expect(out).toEqual([
      { id: 'y', score: 2 },
      { id: 'z', score: 1 },
      { id: 'x', score: 0 },
    ]);
    const req = requests.at(-1)!;
    expect(req.body).toEqual({
      model: 'rerank-test',
      query: 'refund policy',
      documents: candidates.map((c) => c.text),
      top_n: 3,
    });
    expect(req.headers.authorization).toBe('Bearer k1');
  });

  it('TEI shape: bare [{index, score}] array', async () => {
    const out = await new HttpReranker({ url: `${base}/tei/rerank`, protocol: 'tei' }).rerank(
      'refund policy',
      candidates,
    );
    expect(out.map((x) => x.id)).toEqual(['y', 'z', 'x']);
    expect(requests.at(-1)!.body).toEqual({
      query: 'refund policy',
      texts: candidates.map((c) => c.text),
      raw_scores: false,
    });
    // a Cohere-protocol client also understands the bare-array answer
    const out2 = await new HttpReranker({ url: `${base}/tei/rerank` }).rerank('refund policy', candidates);
    expect(out2.map((x) => x.id)).toEqual(['y', 'z', 'x']);
  });

  it('candidates left out by the server follow in their incoming order', async () => {
    const out = await new HttpReranker({ url: `${base}/partial/rerank` }).rerank('q', candidates);
    expect(out).toEqual([
      { id: 'z', score: 0.9 },
      { id: 'x', score: 0.9 },
      { id: 'y', score: 0.9 },
    ]);
  });

  it.each([
    ['error', /HTTP 503.*model loading/],
    ['html', /not JSON/],
    ['bad-index', /index must be an integer in \[0, 3\), got 7/],
    ['bad-score', /relevance_score or score, got "high"/],
    ['wrong-shape', /expected \{ results/],
    ['missing', /HTTP 404/],
  ])('%s answer -> HTTP_ERROR naming the URL', async (name, pattern) => {
    const url = `${base}/${name}/rerank`;
    const err = await new HttpReranker({ url }).rerank('q', candidates).catch((e) => e);
    expect(err).toBeInstanceOf(RagscopeError);
    expect(err.code).toBe('HTTP_ERROR');
    expect(err.message).toContain(url);
    expect(err.message).toMatch(pattern);
  });

  it('timeouts and refused connections -> HTTP_ERROR', async () => {
    const slow = await new HttpReranker({ url: `${base}/slow/rerank`, timeoutMs: 100 })
      .rerank('q', candidates)
      .catch((e) => e);
    expect(slow.code).toBe('HTTP_ERROR');
    expect(slow.message).toMatch(/within 100 ms/);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await new HttpReranker({ url: `http://127.0.0.1:${port}/rerank` })
      .rerank('q', candidates)
      .catch((e) => e);
    expect(refused.code).toBe('HTTP_ERROR');
    expect(refused.message).toMatch(/request failed/);
  });

  it('validates options', () => {
    expect(() => new HttpReranker({ url: 'not a url' })).toThrow(/url/);
    expect(() => new HttpReranker({ url: 'ftp://x/rerank' })).toThrow(/http/);
    expect(() => new HttpReranker({ url: 'http://x/rerank', protocol: 'grpc' as never })).toThrow(/protocol/);
  });
});
