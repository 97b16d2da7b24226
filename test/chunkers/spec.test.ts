import { beforeAll, describe, expect, it } from 'vitest';
import { ClusterChunker } from '../../src/chunkers/cluster.js';
import { FixedChunker } from '../../src/chunkers/fixed.js';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { SemanticChunker } from '../../src/chunkers/semantic.js';
import { SentenceChunker } from '../../src/chunkers/sentence.js';
import { CHUNKER_SPEC_GRAMMAR, createChunker, parseChunkerSpec } from '../../src/chunkers/spec.js';
import { TiktokenTokenizer } from '../../src/chunkers/tokenizer.js';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';

let tokenizer: TiktokenTokenizer;
beforeAll(async () => {
  tokenizer = await TiktokenTokenizer.load();
});

describe('parseChunkerSpec', () => {
  it('parses every documented form', () => {
    expect(parseChunkerSpec('fixed:512/64')).toEqual({
      kind: 'fixed',
      size: 512,
      overlap: 64,
      unit: 'chars',
    });
    expect(parseChunkerSpec('fixed:200/0:tokens')).toEqual({
      kind: 'fixed',
      size: 200,
      overlap: 0,
      unit: 'tokens',
    });
    expect(parseChunkerSpec('recursive:400/0')).toMatchObject({
      kind: 'recursive',
      size: 400,
      overlap: 0,
      unit: 'chars',
      separators: 'langchain',
      markdown: false,
    });
    expect(parseChunkerSpec('recursive:400/0:tokens:chroma:md')).toMatchObject({
      unit: 'tokens',
      separators: 'chroma',
      markdown: true,
    });
    expect(parseChunkerSpec('recursive:50/5:words:seps=["\\n",""]')).toMatchObject({
      unit: 'words',
      separators: ['\n', ''],
    });
    expect(parseChunkerSpec('sentence:400/1')).toEqual({
      kind: 'sentence',
      size: 400,
      overlap: 1,
      unit: 'chars',
    });
    expect(parseChunkerSpec('semantic:p95:max=400')).toEqual({
      kind: 'semantic',
      mode: 'percentile',
      threshold: 95,
      maxSize: 400,
      unit: 'chars',
    });
    expect(parseChunkerSpec('semantic:std3:max=400:min=50')).toEqual({
      kind: 'semantic',
      mode: 'stddev',
      threshold: 3,
      maxSize: 400,
      minSize: 50,
      unit: 'chars',
    });
    expect(parseChunkerSpec('semantic:iqr1.5')).toMatchObject({ mode: 'interquartile', threshold: 1.5 });
    expect(parseChunkerSpec('semantic:grad95:words')).toMatchObject({
      mode: 'gradient',
      threshold: 95,
      unit: 'words',
    });
    expect(parseChunkerSpec('cluster:200')).toEqual({ kind: 'cluster', maxSize: 200, unit: 'chars' });
    expect(parseChunkerSpec('cluster:200:tokens')).toEqual({ kind: 'cluster', maxSize: 200, unit: 'tokens' });
    expect(parseChunkerSpec('cluster:200:tokens:piece=50')).toEqual({
      kind: 'cluster',
      maxSize: 200,
      unit: 'tokens',
      pieceSize: 50,
    });
    expect(parseChunkerSpec('cluster:400:sentences:piece=100')).toEqual({
      kind: 'cluster',
      maxSize: 400,
      unit: 'chars',
      pieceSize: 100,
      pieces: 'sentences',
    });
    expect(parseChunkerSpec('semantic:p95:max=400:tokens:buffer=2')).toEqual({
      kind: 'semantic',
      mode: 'percentile',
      threshold: 95,
      maxSize: 400,
      unit: 'tokens',
      bufferSize: 2,
    });
    expect(parseChunkerSpec('semantic:p95:buffer=0')).toMatchObject({ bufferSize: 0 });
  });

  it('rejects bad specs with INVALID_SPEC, the reason and the full grammar', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['', /unknown chunker ""/],
      ['chunky:400', /unknown chunker "chunky"/],
      ['fixed', /fixed needs a size/],
      ['fixed:abc', /size must be an integer, got "abc"/],
      ['fixed:0', /size must be >= 1, got 0/],
      ['fixed:100/100', /overlap \(100\) must be smaller than size \(100\)/],
      ['fixed:100/10:bytes', /unknown unit "bytes"/],
      ['fixed:1/2/3', /expected <size>\[\/<overlap>\]/],
      ['recursive:400/0:fancy', /unknown recursive option "fancy"/],
      ['recursive:400/0:seps=nope', /seps= must be a non-empty JSON array/],
      ['semantic:q95', /semantic needs a threshold like p95/],
      ['semantic:p150', /between 0 and 100/],
      ['semantic:p95:max=x', /max must be an integer/],
      ['semantic:p95:max=10:min=20', /min \(20\) must not exceed max \(10\)/],
      ['cluster:', /max size must be an integer/],
      ['cluster:200:piece=0', /piece must be >= 1, got 0/],
      ['cluster:200:piece=300', /piece \(300\) must not exceed the max size \(200\)/],
      ['cluster:200:pieces', /unknown cluster option "pieces"/],
      ['semantic:p95:buffer=-1', /buffer must be an integer, got "-1"/],
      ['semantic:p95:buf=1', /unknown semantic option "buf=1"/],
      [42, /a spec must be a string/],
    ];
    for (const [spec, why] of bad) {
      let err: unknown;
      try {
        parseChunkerSpec(spec as string);
      } catch (e) {
        err = e;
      }
      expect(err, String(spec)).toBeInstanceOf(RagscopeError);
      expect((err as RagscopeError).code).toBe('INVALID_SPEC');
      expect((err as Error).message).toMatch(why);
      expect((err as Error).message).toContain(CHUNKER_SPEC_GRAMMAR);
    }
  });

  it('round-trips the specs of fixed and recursive chunkers', () => {
    for (const spec of [
      'fixed:512/64:chars',
      'recursive:400/0:chars',
      'recursive:200/20:words:chroma:md:nokeep',
    ]) {
      expect(createChunker(spec).spec).toBe(spec);
    }
    const custom = new RecursiveChunker({ size: 30, separators: ['\n', '.', ''] });
    expect(createChunker(custom.spec).spec).toBe(custom.spec);
  });

  it('round-trips the specs of semantic and cluster chunkers (piece=, sentences, buffer=)', () => {
    const embedder = new HashingEmbedder();
    for (const spec of [
      'semantic:p95:max=400:min=0:chars',
      'semantic:std3:max=400:min=50:tokens:buffer=2',
      'semantic:grad95:max=1000:min=0:words:buffer=0',
      'cluster:400:chars',
      'cluster:200:tokens',
      'cluster:200:tokens:piece=40',
      'cluster:400:words:piece=100:sentences',
      'cluster:400:chars:sentences',
    ]) {
      expect(createChunker(spec, { embedder, tokenizer }).spec).toBe(spec);
    }
    // The default piece is canonical without piece=: Chroma's 50 tokens.
    expect(createChunker('cluster:200:tokens:piece=50', { embedder, tokenizer }).spec).toBe(
      'cluster:200:tokens',
    );
    const cluster = createChunker('cluster:400:sentences:piece=100', { embedder }) as ClusterChunker;
    expect([cluster.pieceSize, cluster.pieces]).toEqual([100, 'sentences']);
    const semantic = createChunker('semantic:p90:buffer=3', { embedder }) as SemanticChunker;
    expect(semantic.bufferSize).toBe(3);
  });
});

describe('createChunker', () => {
  it('builds each chunker kind with its settings', () => {
    const embedder = new HashingEmbedder();
    const fixed = createChunker('fixed:200/0:tokens', { tokenizer });
    expect(fixed).toBeInstanceOf(FixedChunker);
    expect((fixed as FixedChunker).tokenizer).toBe(tokenizer);
    const rec = createChunker('recursive:400/0:tokens', { tokenizer }) as RecursiveChunker;
    expect(rec).toBeInstanceOf(RecursiveChunker);
    expect(rec.lengthFunction.id).toBe('tokens:cl100k_base');
    expect(createChunker('sentence:400/1')).toBeInstanceOf(SentenceChunker);
    expect(createChunker('semantic:p95:max=400', { embedder })).toBeInstanceOf(SemanticChunker);
    expect(createChunker('semantic:std3:max=400:min=50', { embedder })).toBeInstanceOf(SemanticChunker);
    expect(createChunker('semantic:iqr1.5', { embedder })).toBeInstanceOf(SemanticChunker);
    expect(createChunker('semantic:grad95', { embedder })).toBeInstanceOf(SemanticChunker);
    expect(createChunker('cluster:200', { embedder })).toBeInstanceOf(ClusterChunker);
  });

  it('chunks text through the created chunker', async () => {
    const chunks = await createChunker('recursive:20/0').chunk({
      id: 'd',
      text: 'alpha beta gamma delta epsilon zeta',
    });
    expect(chunks.map((c) => c.text)).toEqual(['alpha beta gamma', 'delta epsilon zeta']);
  });

  it('names the missing dependency', () => {
    expect(() => createChunker('semantic:p95')).toThrow(/embedder must be an Embedder/);
    expect(() => createChunker('cluster:200')).toThrow(RagscopeError);
    expect(() => createChunker('fixed:200/0:tokens')).toThrow(
      /tokenizer must be a Tokenizer when unit is 'tokens'/,
    );
    expect(() => createChunker('recursive:200/0:tokens')).toThrow(/tokenizer/);
  });
});
