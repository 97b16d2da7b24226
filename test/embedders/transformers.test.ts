import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEmbedder } from '../../src/embedders/static.js';
import { TransformersEmbedder } from '../../src/embedders/transformers.js';
import {
  cosine,
  rejectsWithRagscopeError as failure,
  glovePath,
  modelsDir,
  norm,
  sharedModel,
} from './shared.js';

const gloveOptions = {
  model: 'glove-6B-50d-10k',
  localModelPath: modelsDir,
  allowRemoteModels: false,
  dtype: 'fp32' as const,
  pooling: 'mean' as const,
};

let glove: TransformersEmbedder;
beforeAll(async () => {
  sharedModel('glove-6B-50d-10k/onnx/model.onnx');
  glove = await TransformersEmbedder.create(gloveOptions);
});

describe('TransformersEmbedder with real GloVe weights (transformers.js layout, offline)', () => {
  it('loads from localModelPath with remote models off and knows its shape', () => {
    expect(glove.dimensions).toBe(50);
    expect(glove.maxTokens).toBe(512);
    expect(glove.id).toBe('transformers:glove-6B-50d-10k:fp32:mean:norm:prefix-none');
  });

  it('scores related sentences closer than unrelated ones', async () => {
    const [q, rel, unrel] = await glove.embed(
      [
        'The stock market fell sharply as investors sold shares.',
        'Share prices dropped on Wall Street after heavy selling by traders.',
        'The recipe calls for two eggs, flour and a cup of milk.',
      ],
      { kind: 'query' },
    );
    expect(norm(q!)).toBeCloseTo(1, 5);
    expect(cosine(q!, rel!)).toBeGreaterThan(cosine(q!, unrel!) + 0.05);
  });

  it('gives the same vectors as StaticEmbedder on the GloVe text file (unweighted mean)', async () => {
    const raw = await TransformersEmbedder.create({ ...gloveOptions, normalize: false, batchSize: 2 });
    const fromText = await StaticEmbedder.fromFile(glovePath(), { weighting: 'mean', normalize: false });
    const texts = [
      'cat',
      'the old man walked over the hill to the city',
      'stock market prices',
      'Paris is in France',
    ];
    const a = await raw.embed(texts);
    const b = await fromText.embed(texts);
    expect(fromText.lastStats.oov).toBe(0);
    for (let t = 0; t < texts.length; t++) {
      for (let i = 0; i < 50; i++) expect(a[t]![i]).toBeCloseTo(b[t]![i] ?? 0, 5);
    }
  });

  it('truncates to maxTokens and reports it per input', async () => {
    const short = await TransformersEmbedder.create({ ...gloveOptions, maxTokens: 4, normalize: false });
    expect(short.id).toMatch(/:t4$/);
    const { vectors, truncation } = await short.embedWithReport(['cat dog house city river', 'cat dog']);
    expect(truncation).toEqual([
      { tokens: 5, maxTokens: 4, truncated: true, droppedTokens: 1 },
      { tokens: 2, maxTokens: 4, truncated: false, droppedTokens: 0 },
    ]);
    const [firstFour] = await glove.embed(['cat dog house city']);
    expect(cosine(vectors[0]!, firstFour!)).toBeCloseTo(1, 5);
  });

  it('prefixes queries and passages (custom prefixes change the id and the vectors)', async () => {
    const e5ish = await TransformersEmbedder.create({
      ...gloveOptions,
      queryPrefix: 'king ',
      passagePrefix: '',
    });
    expect(e5ish.id).toMatch(/:prefix-[0-9a-f]{8}$/);
    const [q] = await e5ish.embed(['queen'], { kind: 'query' });
    const [p] = await e5ish.embed(['queen'], { kind: 'passage' });
    const [kq] = await glove.embed(['king queen']);
    expect(cosine(q!, kq!)).toBeCloseTo(1, 5);
    expect(cosine(p!, q!)).toBeLessThan(0.999);
    const { truncation } = await e5ish.embedWithReport(['queen'], { kind: 'query' });
    expect(truncation[0]?.tokens).toBe(2);
  });

  it('picks prefix presets from the model id', () => {
    const bge = new TransformersEmbedder({ model: 'Xenova/bge-small-en-v1.5' });
    expect(bge.queryPrefix).toBe('Represent this sentence for searching relevant passages: ');
    expect(bge.passagePrefix).toBe('');
    const e5 = new TransformersEmbedder({ model: 'Xenova/multilingual-e5-small' });
    expect([e5.queryPrefix, e5.passagePrefix]).toEqual(['query: ', 'passage: ']);
    expect(new TransformersEmbedder({ model: 'Xenova/bge-small-en-v1.5', prefix: 'none' }).queryPrefix).toBe(
      '',
    );
    expect(new TransformersEmbedder().queryPrefix).toBe('');
  });
});

describe('TransformersEmbedder token counting', () => {
  it('matches the all-MiniLM-L6-v2 tokenizer ids exactly, loading only the tokenizer', async () => {
    const dir = sharedModel('all-MiniLM-L6-v2-tokenizer');
    const e = new TransformersEmbedder({
      model: 'all-MiniLM-L6-v2-tokenizer',
      localModelPath: modelsDir,
      allowRemoteModels: false,
    });
    const { AutoTokenizer } = await import('@huggingface/transformers');
    const tok = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
    const texts = [
      'Hello world',
      'Tokenization of unbelievably long-winded sentences, with punctuation!',
      'Refunds: 30 days (see §4.2) — café naïve résumé',
      '',
    ];
    for (const t of texts) {
      const own = tok(t).input_ids.tolist()[0].map(Number) as number[];
      expect(own[0]).toBe(101); // [CLS]
      expect(own.at(-1)).toBe(102); // [SEP]
      expect(await e.encode(t)).toEqual(own.slice(1, -1));
      expect(await e.countTokens(t)).toBe(own.length - 2);
    }
    expect(await e.encode('Hello world')).toEqual([7592, 2088]);
  });
});

describe('TransformersEmbedder when the model cannot be had', () => {
  let server: Server;
  let silentUrl = '';
  beforeAll(async () => {
    // A "hub" that accepts connections and never answers.
    server = createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    silentUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('fails fast with MODEL_UNAVAILABLE naming the model when remote models are off', async () => {
    const t0 = Date.now();
    const err = await failure(
      TransformersEmbedder.create({
        model: 'no-such-org/no-such-model',
        localModelPath: modelsDir,
        allowRemoteModels: false,
      }),
    );
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err.code).toBe('MODEL_UNAVAILABLE');
    expect(err.message).toContain('"no-such-org/no-such-model"');
    expect(err.message).toContain('localModelPath');
    expect(err.message).toContain('allowRemoteModels: false');
  });

  it('fails fast, without hanging, when the hub does not answer', async () => {
    const t0 = Date.now();
    const e = new TransformersEmbedder({
      model: 'Xenova/all-MiniLM-L6-v2',
      cacheDir: modelsDir, // nothing cached there under that id
      remoteHost: silentUrl,
      remoteTimeoutMs: 500,
    });
    const err = await failure(e.embed(['hello']));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err.code).toBe('MODEL_UNAVAILABLE');
    expect(err.message).toMatch(/cannot be reached \(no answer from .* within 500 ms\)/);
    expect(err.message).toContain('"Xenova/all-MiniLM-L6-v2"');
  });

  it('reports a local folder without weights as MODEL_UNAVAILABLE', async () => {
    const err = await failure(
      TransformersEmbedder.create({
        model: 'all-MiniLM-L6-v2-tokenizer',
        localModelPath: modelsDir,
        allowRemoteModels: false,
      }),
    );
    expect(err.code).toBe('MODEL_UNAVAILABLE');
    expect(err.message).toMatch(/local folder .*all-MiniLM-L6-v2-tokenizer could not be loaded/);
    expect(err.message).toContain('onnx/model.onnx');
  });

  it('rejects bad options with INVALID_ARGUMENT and refuses dimensions before load', () => {
    expect(() => new TransformersEmbedder({ dtype: 'fp64' as never })).toThrow(/dtype/);
    expect(() => new TransformersEmbedder({ pooling: 'max' as never })).toThrow(/pooling/);
    expect(() => new TransformersEmbedder({ batchSize: 0 })).toThrow(/batchSize/);
    expect(() => new TransformersEmbedder({ prefix: 'gte' as never })).toThrow(/prefix/);
    expect(() => new TransformersEmbedder().dimensions).toThrow(/load\(\)/);
  });
});

describe('TransformersEmbedder download path (a local fake hub)', () => {
  it('downloads into cacheDir once, then loads from the cache with remote models off', async () => {
    const { createReadStream, existsSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const src = sharedModel('glove-6B-50d-10k');
    const served: string[] = [];
    const hub = createServer((req, res) => {
      const m = /^\/acme\/glove-mini\/resolve\/main\/(.+)$/.exec(req.url ?? '');
      const file = m ? path.join(src, decodeURIComponent(m[1]!)) : '';
      served.push(req.url ?? '');
      if (!m || !existsSync(file)) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200);
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
    const host = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`;
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'ragscope-hub-cache-'));
    try {
      const online = await TransformersEmbedder.create({
        model: 'acme/glove-mini',
        cacheDir,
        remoteHost: host,
      });
      expect(online.dimensions).toBe(50);
      expect(served.some((u) => u.endsWith('onnx/model.onnx'))).toBe(true);
      const [a] = await online.embed(['stock market']);
      served.length = 0;
      const offline = await TransformersEmbedder.create({
        model: 'acme/glove-mini',
        cacheDir,
        allowRemoteModels: false,
      });
      const [b] = await offline.embed(['stock market']);
      expect(served).toEqual([]);
      expect([...b!]).toEqual([...a!]);
    } finally {
      hub.closeAllConnections();
      hub.close();
    }
  });
});
