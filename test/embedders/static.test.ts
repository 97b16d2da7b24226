import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gloveTokenize, StaticEmbedder } from '../../src/embedders/static.js';
import { rejectsWithRagscopeError as codeOf, cosine, glovePath, norm } from './shared.js';

let glove: StaticEmbedder;
beforeAll(async () => {
  glove = await StaticEmbedder.fromFile(glovePath());
});

describe('gloveTokenize', () => {
  it('lower-cases, splits punctuation and clitics like the GloVe corpus', () => {
    expect(gloveTokenize("Don't panic, it's fine.")).toEqual([
      'do',
      "n't",
      'panic',
      ',',
      'it',
      "'s",
      'fine',
      '.',
    ]);
    expect(gloveTokenize('State-of-the-art U.S. e-mail (2024)', { punctuation: false })).toEqual([
      'state-of-the-art',
      'u.s',
      'e-mail',
      '2024',
    ]);
  });
});

describe('StaticEmbedder on real GloVe 6B 50d', () => {
  it('loads every vector of the file', () => {
    expect(glove.dimensions).toBe(50);
    expect(glove.vocabularySize).toBe(10000);
    expect(glove.vector('the')?.[0]).toBeCloseTo(0.418, 6);
    expect(glove.id).toMatch(/^static:glove\.6B\.50d\.10k:d50:v10000:\w+:glove:mean$/);
  });

  it('scores related sentences closer than unrelated ones', async () => {
    const [q, rel, unrel] = await glove.embed([
      'The stock market fell sharply as investors sold shares.',
      'Share prices dropped on Wall Street after heavy selling by traders.',
      'The recipe calls for two eggs, flour and a cup of milk.',
    ]);
    expect(norm(q!)).toBeCloseTo(1, 5);
    expect(cosine(q!, rel!)).toBeGreaterThan(cosine(q!, unrel!) + 0.05);
  });

  it('reports out-of-vocabulary tokens per text and in lastStats', () => {
    const { vectors, reports } = glove.embedWithReport(['qwzxv price blorptastic', 'zzqqxx']);
    expect(reports[0]).toEqual({ tokens: 3, oov: 2, oovWords: ['qwzxv', 'blorptastic'] });
    expect(reports[1]).toEqual({ tokens: 1, oov: 1, oovWords: ['zzqqxx'] });
    expect(norm(vectors[1]!)).toBe(0);
    expect(glove.lastStats).toEqual({ texts: 2, tokens: 4, oov: 3, oovRate: 0.75 });
  });

  it('falls back to the parts of unknown hyphenated compounds', () => {
    const { reports } = glove.embedWithReport(['price-policy']);
    expect(reports[0]).toEqual({ tokens: 2, oov: 0, oovWords: [] });
  });

  it('mean of raw vectors equals the average of the word vectors', async () => {
    const raw = await StaticEmbedder.fromFile(glovePath(), { normalize: false, maxWords: 2000 });
    expect(raw.vocabularySize).toBe(2000);
    const [v] = await raw.embed(['house City']);
    const cat = raw.vector('house');
    const dog = raw.vector('city');
    expect(cat && dog).toBeTruthy();
    for (let i = 0; i < 50; i++) expect(v![i]).toBeCloseTo(((cat![i] ?? 0) + (dog![i] ?? 0)) / 2, 6);
  });

  it('idf needs fit(); fit changes the id and down-weights words frequent in the corpus', async () => {
    const idf = await StaticEmbedder.fromFile(glovePath(), { weighting: 'idf', normalize: false });
    expect(() => idf.embedSync(['hello'])).toThrow(/fit\(texts\)/);
    const before = idf.id;
    idf.fit(['the cat sat', 'the dog ran', 'the bird flew']);
    expect(idf.id).not.toBe(before);
    const [v] = idf.embedSync(['the cat']);
    // 'the' is in all 3 docs (idf 1), 'cat' in 1 (idf ln(4/2)+1): the mean leans towards 'cat'.
    const wThe = 1;
    const wCat = Math.log(4 / 2) + 1;
    const the = idf.vector('the')!;
    const cat = idf.vector('cat')!;
    for (let i = 0; i < 50; i++) {
      expect(v![i]).toBeCloseTo(((the[i] ?? 0) * wThe + (cat[i] ?? 0) * wCat) / (wThe + wCat), 5);
    }
  });

  it('sif works before fit (Zipf estimate) and after fit, with distinct ids', async () => {
    const sif = await StaticEmbedder.fromFile(glovePath(), { weighting: 'sif' });
    const [a] = sif.embedSync(['the cat']);
    const id0 = sif.id;
    sif.fit(['the the the', 'the dog', 'the cat']);
    const [b] = sif.embedSync(['the cat']);
    expect(sif.id).not.toBe(id0);
    expect(norm(a!)).toBeCloseTo(1, 5);
    // SIF weights rare words up: closer to 'cat' than the plain mean is.
    const mean = glove.embedSync(['the cat'])[0]!;
    const cat = glove.embedSync(['cat'])[0]!;
    expect(cosine(a!, cat)).toBeGreaterThan(cosine(mean, cat));
    expect(cosine(b!, cat)).toBeGreaterThan(cosine(mean, cat));
  });
});

describe('StaticEmbedder files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ragscope-static-'));
  const write = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('reads word2vec text with a header line', async () => {
    const e = await StaticEmbedder.fromFile(write('w2v.txt', '2 3\ncat 1 0 0\ndog 0 1 0\n'), {
      normalize: false,
    });
    expect(e.dimensions).toBe(3);
    expect([...(await e.embed(['cat dog']))[0]!]).toEqual([0.5, 0.5, 0]);
  });

  it('a malformed line is CORRUPT_FILE naming file and line', async () => {
    const short = write('short.txt', 'cat 1 0 0\ndog 0 1\n');
    let err = await codeOf(StaticEmbedder.fromFile(short));
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.message).toContain(`${short}:2`);
    expect(err.details).toMatchObject({ file: short, line: 2 });
    err = await codeOf(StaticEmbedder.fromFile(write('nan.txt', 'cat 1 0 0\ndog 0 x 1\n')));
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.message).toMatch(/:2: field 3 is not a number: "x"/);
    err = await codeOf(StaticEmbedder.fromFile(write('empty.txt', '\n')));
    expect(err.code).toBe('CORRUPT_FILE');
  });

  it('a missing file is NOT_FOUND; bad options are INVALID_ARGUMENT', async () => {
    expect((await codeOf(StaticEmbedder.fromFile(path.join(dir, 'nope.txt')))).code).toBe('NOT_FOUND');
    expect(
      (await codeOf(StaticEmbedder.fromFile(glovePath(), { weighting: 'tfidf' as never }))).message,
    ).toMatch(/weighting/);
    expect((await codeOf(StaticEmbedder.fromFile(glovePath(), { maxWords: 0 }))).message).toMatch(/maxWords/);
  });

  it('fromVectors builds a toy embedder', async () => {
    const toy = StaticEmbedder.fromVectors(
      [
        ['cat', [1, 0]],
        ['dog', [0, 1]],
      ],
      { name: 'toy' },
    );
    expect(toy.id).toMatch(/^static:toy:d2:v2:/);
    const [v] = await toy.embed(['Cat']);
    expect([...v!]).toEqual([1, 0]);
  });

  it('non-string words are INVALID_ARGUMENT naming the parameter and the value', () => {
    const m = new Float32Array([1, 0, 0, 1]);
    for (const [words, param] of [
      [['cat', 42], 'words[1]'],
      [[null, 'dog'], 'words[0]'],
    ] as const) {
      try {
        new StaticEmbedder(words as unknown as string[], m, 2);
        expect.unreachable();
      } catch (err) {
        expect(err).toMatchObject({
          code: 'INVALID_ARGUMENT',
          details: { param, value: words[param === 'words[1]' ? 1 : 0] },
        });
        expect((err as Error).message).toMatch(
          new RegExp(`^${param.replace(/[[\]]/g, '\\$&')} must be a string, got`),
        );
      }
    }
    expect(() => StaticEmbedder.fromVectors([[7 as unknown as string, [1, 0]]])).toThrow(
      /entries\[0\]\[0\] \(word\) must be a string, got 7/,
    );
  });
});
