/**
 * Public functions that used to spread an unbounded array into a call (`Math.max(...xs)`, `push(...xs)`), which
 * throws "Maximum call stack size exceeded" past ~120k elements: each is run here with 200k+ elements.
 * (`calibration()` has its own test with its own fix.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedChunker } from '../src/chunkers/fixed.js';
import { whyNot } from '../src/diagnostics/whynot.js';
import { HttpEmbedder } from '../src/embedders/http.js';
import { TransformersEmbedder } from '../src/embedders/transformers.js';
import { runBench } from '../src/eval/bench.js';
import { RetrievalPipeline } from '../src/search/pipeline.js';
import { modelsDir, sharedModel } from './embedders/shared.js';

const N = 200_001;

describe('200k+ elements through the functions that spread arrays into calls', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    // A real OpenAI-style embeddings endpoint on 127.0.0.1 answering one 1-d vector per input.
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { input: string[] };
        const data = body.input.map((t, index) => ({ object: 'embedding', index, embedding: [t.length] }));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data, model: 'm' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('HttpEmbedder.embed returns 200k vectors of one batch (was out.push(...batch))', async () => {
    const e = new HttpEmbedder({ baseURL: base, model: 'm', apiKey: 'sk-test', maxBatch: N, dimensions: 1 });
    const texts = Array.from({ length: N }, (_, i) => 'x'.repeat(1 + (i % 3)));
    const vectors = await e.embed(texts);
    expect(vectors).toHaveLength(N);
    expect(Array.from(vectors[N - 1]!)).toEqual([texts[N - 1]!.length]);
  }, 60_000);

  it('TransformersEmbedder.embed pads a batch of 200k texts (was Math.max(1, ...ids.map(...)))', async () => {
    sharedModel('glove-6B-50d-10k/onnx/model.onnx');
    const e = await TransformersEmbedder.create({
      model: 'glove-6B-50d-10k',
      localModelPath: modelsDir,
      allowRemoteModels: false,
      dtype: 'fp32',
      pooling: 'mean',
      batchSize: N,
    });
    const vectors = await e.embed(Array.from({ length: N }, (_, i) => (i % 2 ? 'cat' : 'the old dog')));
    expect(vectors).toHaveLength(N);
    expect(vectors[1]!.length).toBe(50);
  }, 120_000);

  // One document cut into 200k one-character chunks, BM25 only.
  const text = 'xyz'.repeat(Math.ceil(N / 3)).slice(0, N);
  const makePipeline = async () => {
    const p = new RetrievalPipeline({ chunker: new FixedChunker({ size: 1 }), vector: false });
    await p.addDocuments([{ id: 'big', text }]);
    return p;
  };

  it('RetrievalPipeline.removeDocuments drops a document of 200k chunks (was dropped.push(...chunkIds))', async () => {
    const p = await makePipeline();
    expect(p.chunkIds().length).toBe(N);
    const report = await p.removeDocuments(['big']);
    expect(report.removed).toEqual(['big']);
    expect(p.chunkIds()).toHaveLength(0);
  }, 60_000);

  it('whyNot on a gold span split over 200k chunks (was Math.max(...pieces))', async () => {
    const p = await makePipeline();
    const report = await whyNot(p, 'x y z', { docId: 'big', start: 0, end: N }, { k: 5 });
    const split = report.causes.find((c) => c.cause === 'split-by-chunking');
    expect(split).toBeDefined();
  }, 120_000);

  it('runBench keeps 200k caller warnings (was warnings.push(...options.warnings))', async () => {
    const warnings = Array.from({ length: N }, (_, i) => `w${i}`);
    const report = await runBench({
      dataset: {
        name: 'tiny',
        documents: [{ id: 'a', text: 'Refunds take five days. Shipping is free.' }],
        questions: [{ id: 'q', text: 'refunds', relevantDocs: { a: 1 } }],
        warnings: [],
        stats: {},
      },
      chunkers: ['fixed:20/0'],
      retrievers: ['bm25'],
      cacheDir: false,
      maxFailures: 0,
      iterations: 10,
      warnings,
    });
    expect(report.warnings.filter((w) => /^w\d+$/.test(w))).toHaveLength(N);
  }, 60_000);
});
