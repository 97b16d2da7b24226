import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kRanks from 'js-tiktoken/ranks/cl100k_base';
import o200kRanks from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, it } from 'vitest';
import { MemoBpe } from '../../src/chunkers/bpe.js';
import { TiktokenTokenizer } from '../../src/chunkers/tokenizer.js';
import { chromaCorpora, textArb } from './chunk-invariants.js';

// js-tiktoken itself, as TiktokenTokenizer used it before (special-token text encoded as ordinary text).
const cl100k = new Tiktoken(cl100kRanks);
const o200k = new Tiktoken(o200kRanks);
const reference = (enc: Tiktoken, text: string) => enc.encode(text, [], []);

describe('MemoBpe gives exactly js-tiktoken ids', () => {
  const memo = MemoBpe.from(cl100k as never)!;

  it('exposes the ranks it needs in this js-tiktoken', () => {
    expect(memo).not.toBeNull();
  });

  it('on every Chroma corpus, twice (the second from the memo)', () => {
    for (const { name, text } of chromaCorpora()) {
      const want = reference(cl100k, text);
      expect(memo.encode(text), name).toEqual(want);
      expect(memo.encode(text), `${name} again`).toEqual(want);
      expect(memo.count(text)).toBe(want.length);
    }
  });

  it('on random text (CRLF, astral characters, whitespace runs, punctuation, special-token text)', () => {
    const special = fc.constantFrom(
      '<|endoftext|>',
      '<|fim_prefix|>',
      "'s",
      "'LL",
      '  ',
      '\r\n\r\n',
      '123456',
    );
    const arb = fc.array(fc.oneof(textArb, special, fc.string({ unit: 'binary', maxLength: 40 })), {
      maxLength: 6,
    });
    fc.assert(
      fc.property(arb, (parts) => {
        const text = parts.join('');
        expect(memo.encode(text)).toEqual(reference(cl100k, text));
      }),
      { numRuns: 300 },
    );
  });

  it('on long pieces merged with the heap (no spaces, repeated and random letters)', () => {
    const rand = (n: number, seed: number) => {
      let s = seed;
      let out = '';
      for (let i = 0; i < n; i++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        out += String.fromCharCode(97 + (s % 26));
      }
      return out;
    };
    for (const text of ['abcdefghij'.repeat(100), rand(1200, 7), 'é'.repeat(300), `x${'ab'.repeat(300)}!`]) {
      expect(memo.encode(text)).toEqual(reference(cl100k, text));
    }
  });

  it('for another encoding (o200k_base, a different pre-tokenizer)', () => {
    const o = MemoBpe.from(o200k as never)!;
    const text = chromaCorpora()[0]!.text.slice(0, 20000);
    expect(o.encode(text)).toEqual(reference(o200k, text));
  });
});

describe('TiktokenTokenizer counts with the memo', () => {
  it('counts and encodes like js-tiktoken on a corpus', async () => {
    const tok = await TiktokenTokenizer.load();
    const text = chromaCorpora()[1]!.text;
    const want = reference(cl100k, text);
    expect(tok.encode(text)).toEqual(want);
    expect(tok.count(text)).toBe(want.length);
    expect(tok.spans(text)).toHaveLength(want.length);
  });
});
