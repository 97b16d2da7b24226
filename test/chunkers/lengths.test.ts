import { beforeAll, describe, expect, it } from 'vitest';
import { charLength, tokenLength, wordLength } from '../../src/chunkers/lengths.js';
import { HfTokenizer } from '../../src/chunkers/tokenizer.js';
import { sharedPath } from './chunk-invariants.js';

let tok: HfTokenizer;
beforeAll(async () => {
  tok = await HfTokenizer.fromDirectory(sharedPath('models/all-MiniLM-L6-v2-tokenizer'));
});

describe('length functions', () => {
  it('charLength counts UTF-16 code units', () => {
    expect(charLength.id).toBe('chars');
    expect(charLength.unit).toBe('chars');
    expect(charLength.length('Hello')).toBe(5);
    expect(charLength.length('😀')).toBe(2);
  });

  it('wordLength counts whitespace-separated words', () => {
    expect(wordLength.unit).toBe('words');
    expect(wordLength.length('  two words ')).toBe(2);
    expect(wordLength.length('')).toBe(0);
    expect(wordLength.length(' \r\n\t\u00a0')).toBe(0);
    expect(wordLength.length('Refunds take five days.\r\nOK😀 fine')).toBe(6);
  });

  it('tokenLength counts the tokenizer tokens and names it in its id', () => {
    const len = tokenLength(tok);
    expect(len.id).toBe('tokens:all-MiniLM-L6-v2-tokenizer');
    expect(len.unit).toBe('tokens');
    expect(len.length('Hello world')).toBe(2);
    expect(len.length('unbelievably')).toBe(tok.encode('unbelievably').length);
  });

  it('tokenLength rejects a non-tokenizer', () => {
    expect(() => tokenLength({} as never)).toThrow(/tokenizer must be a Tokenizer/);
  });
});
