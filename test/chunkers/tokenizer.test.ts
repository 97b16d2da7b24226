import fs from 'node:fs';
import path from 'node:path';
import { Tokenizer as RawTokenizer } from '@huggingface/tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { HfTokenizer, TiktokenTokenizer } from '../../src/chunkers/tokenizer.js';
import { RagscopeError } from '../../src/core/errors.js';
import { chromaCorpora, sharedPath, splitsPair } from './chunk-invariants.js';

const MIXED =
  'Héllo  Wörld!\r\nNaïve café — “quoted” 😀 a😀b İstanbul ﬁle 中文字\r\n\r\nunbelievably\u00a0done.\t$4.50';

let minilm: HfTokenizer;
let raw: RawTokenizer;
let cl100k: TiktokenTokenizer;

beforeAll(async () => {
  const dir = sharedPath('models/all-MiniLM-L6-v2-tokenizer');
  minilm = await HfTokenizer.fromDirectory(dir);
  raw = new RawTokenizer(
    JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')),
    JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')),
  );
  cl100k = await TiktokenTokenizer.load('cl100k_base');
});

/** Normalise like BERT uncased (lower-case, strip accents) for comparing a span with its token. */
function bertNorm(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '');
}

function expectSpansWellFormed(text: string, spans: Array<[number, number]>): void {
  let prev = 0;
  const problems: string[] = [];
  spans.forEach(([s, e], i) => {
    if (s < prev || e < s || e > text.length) problems.push(`span ${i} [${s}, ${e}) after ${prev}`);
    if (splitsPair(text, s) || splitsPair(text, e))
      problems.push(`span ${i} [${s}, ${e}) cuts a surrogate pair`);
    prev = e;
  });
  expect(problems.slice(0, 5)).toEqual([]);
}

describe('HfTokenizer (all-MiniLM-L6-v2)', () => {
  it('has the folder name as id and counts like the model (ids without [CLS]/[SEP])', () => {
    expect(minilm.id).toBe('all-MiniLM-L6-v2-tokenizer');
    for (const { text } of chromaCorpora()) {
      const sample = text.slice(0, 20_000);
      const withSpecial = raw.encode(sample).ids;
      expect(withSpecial[0]).toBe(101); // [CLS]
      expect(withSpecial[withSpecial.length - 1]).toBe(102); // [SEP]
      const ids = minilm.encode(sample);
      expect(ids).toEqual(withSpecial.slice(1, -1));
      expect(minilm.count(sample)).toBe(withSpecial.length - 2);
    }
    expect(minilm.encode('Hello world')).toEqual([7592, 2088]);
  });

  it('maps every token to its exact span in the original text (accents, CRLF, emoji, CJK, [UNK])', () => {
    const spans = minilm.spans(MIXED);
    const tokens = minilm.tokens(MIXED);
    expect(spans).toHaveLength(tokens.length);
    expectSpansWellFormed(MIXED, spans);
    const pieces = spans.map(([s, e]) => MIXED.slice(s, e));
    expect(pieces.slice(0, 3)).toEqual(['Héllo', 'Wörld', '!']);
    tokens.forEach((t, i) => {
      const piece = pieces[i] as string;
      if (t === '[UNK]') expect(piece.length).toBeGreaterThan(0);
      else expect(bertNorm(piece)).toBe(t.startsWith('##') ? t.slice(2) : t);
    });
    expect(pieces).toContain('😀');
    expect(pieces).toContain('a😀b'); // one [UNK] for the whole word
    expect(pieces).toContain('İstanbul');
  });

  it('aligns all tokens of the real Chroma corpora', () => {
    for (const { name, text } of chromaCorpora()) {
      const sample = text.slice(0, 20_000);
      const tokens = minilm.tokens(sample);
      const spans = minilm.spans(sample);
      expectSpansWellFormed(sample, spans);
      let bad = 0;
      tokens.forEach((t, i) => {
        const [s, e] = spans[i] as [number, number];
        if (t !== '[UNK]' && bertNorm(sample.slice(s, e)) !== (t.startsWith('##') ? t.slice(2) : t)) bad++;
      });
      expect(bad, name).toBe(0);
    }
  });

  it('rejects bad input with RagscopeError', async () => {
    expect(() => minilm.encode(42 as unknown as string)).toThrow(/text must be a string, got 42/);
    await expect(HfTokenizer.fromDirectory('/nonexistent-ragscope-dir')).rejects.toMatchObject({
      code: 'MODEL_UNAVAILABLE',
    });
    await expect(HfTokenizer.fromJSON('x', { nope: 1 })).rejects.toBeInstanceOf(RagscopeError);
  });
});

describe('TiktokenTokenizer (cl100k_base)', () => {
  it('counts cl100k tokens', () => {
    expect(cl100k.id).toBe('cl100k_base');
    expect(cl100k.encode('hello world')).toEqual([15339, 1917]);
    expect(cl100k.count('<|endoftext|>')).toBeGreaterThan(1); // special text is ordinary text
  });

  it('gives spans on UTF-16 boundaries that cover the text in order', () => {
    for (const text of [MIXED, '😀😀😀', '𝒜𝒷c\r\n', chromaCorpora()[0]?.text.slice(0, 30_000) ?? '']) {
      const spans = cl100k.spans(text);
      expect(spans).toHaveLength(cl100k.count(text));
      expectSpansWellFormed(text, spans);
      // together the spans cover the whole text, without gaps (byte-level BPE loses nothing)
      expect(spans.map(([s, e]) => text.slice(s, e)).join('')).toBe(text);
    }
  });

  it('rejects an unknown encoding', async () => {
    await expect(TiktokenTokenizer.load('nope')).rejects.toThrow(/encoding must be one of/);
  });
});
