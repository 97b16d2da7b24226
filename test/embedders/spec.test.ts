import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { CachedEmbedder } from '../../src/embedders/cached.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { HttpEmbedder } from '../../src/embedders/http.js';
import { createEmbedder, parseEmbedderSpec } from '../../src/embedders/spec.js';
import { StaticEmbedder } from '../../src/embedders/static.js';
import { TransformersEmbedder } from '../../src/embedders/transformers.js';
import { glovePath, modelsDir } from './shared.js';

describe('parseEmbedderSpec', () => {
  it('parses every form', () => {
    expect(parseEmbedderSpec('hashing')).toEqual({ kind: 'hashing' });
    expect(parseEmbedderSpec('hashing:512')).toEqual({ kind: 'hashing', dimensions: 512 });
    expect(parseEmbedderSpec('static:vec/glove.txt')).toEqual({ kind: 'static', path: 'vec/glove.txt' });
    expect(parseEmbedderSpec('http:http://localhost:8080/v1#bge')).toEqual({
      kind: 'http',
      baseURL: 'http://localhost:8080/v1',
      model: 'bge',
    });
    expect(parseEmbedderSpec('https://api.openai.com/v1')).toEqual({
      kind: 'http',
      baseURL: 'https://api.openai.com/v1',
    });
    expect(parseEmbedderSpec('Xenova/all-MiniLM-L6-v2')).toEqual({
      kind: 'transformers',
      model: 'Xenova/all-MiniLM-L6-v2',
    });
  });

  it('rejects malformed specs with INVALID_SPEC quoting the spec', () => {
    for (const bad of [
      '',
      'hashing:0',
      'hashing:abc',
      'static:',
      'static::sif',
      'http:localhost',
      'http:http://x/v1#',
      'two words',
    ]) {
      try {
        parseEmbedderSpec(bad);
        expect.unreachable(bad);
      } catch (err) {
        expect(err).toBeInstanceOf(RagscopeError);
        expect((err as RagscopeError).code).toBe('INVALID_SPEC');
        expect((err as RagscopeError).message).toContain(JSON.stringify(bad.trim()));
      }
    }
  });
});

describe('createEmbedder', () => {
  it('builds each kind, ready to use', async () => {
    const h = await createEmbedder('hashing:64');
    expect(h).toBeInstanceOf(HashingEmbedder);
    expect(h.dimensions).toBe(64);
    const s = await createEmbedder(`static:${glovePath()}`, { static: { weighting: 'sif' } });
    expect(s).toBeInstanceOf(StaticEmbedder);
    expect(s.id).toContain(':sif');
    const idf = await createEmbedder(`static:${glovePath()}:idf`, { static: { weighting: 'sif' } });
    expect(idf.id).toMatch(/:idf$/); // the spec's weighting wins over options.static
    const api = await createEmbedder('http:http://127.0.0.1:9/v1', { http: { model: 'm' } });
    expect(api).toBeInstanceOf(HttpEmbedder);
    const t = await createEmbedder('glove-6B-50d-10k', {
      transformers: { localModelPath: modelsDir, allowRemoteModels: false },
    });
    expect(t).toBeInstanceOf(TransformersEmbedder);
    expect(t.dimensions).toBe(50);
    const cached = await createEmbedder('hashing', {
      cacheDir: mkdtempSync(path.join(tmpdir(), 'ragscope-spec-')),
    });
    expect(cached).toBeInstanceOf(CachedEmbedder);
    expect(cached.id).toBe('hashing:d256:w1:c3-5');
  });

  it('an http spec without a model is INVALID_SPEC', async () => {
    await expect(createEmbedder('http:http://127.0.0.1:9/v1')).rejects.toMatchObject({
      code: 'INVALID_SPEC',
    });
  });
});
