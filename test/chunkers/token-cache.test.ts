import { beforeAll, describe, expect, it } from 'vitest';
import type { Tokenizer } from '../../src/chunkers/length.js';
import { createChunker } from '../../src/chunkers/spec.js';
import { TokenizationCache } from '../../src/chunkers/token-cache.js';
import { TiktokenTokenizer } from '../../src/chunkers/tokenizer.js';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { chromaCorpora } from './chunk-invariants.js';

let cl100k: TiktokenTokenizer;
beforeAll(async () => {
  cl100k = await TiktokenTokenizer.load();
});

/** A tokenizer that counts the characters it tokenises for spans. */
function counting(tok: Tokenizer): { tok: Tokenizer; chars: () => number } {
  let chars = 0;
  return {
    tok: {
      id: tok.id,
      encode: (t) => tok.encode(t),
      count: (t) => tok.count(t),
      spans: (t) => {
        chars += t.length;
        return tok.spans(t);
      },
    },
    chars: () => chars,
  };
}

const SPECS = [
  'fixed:200/0:tokens',
  'fixed:400/0:tokens',
  'sentence:200/0:tokens',
  'semantic:p95:max=400:tokens',
  'cluster:200:tokens',
];

describe('TokenizationCache', () => {
  it('tokenises each document once for every config measuring in the tokenizer, with the same chunks', async () => {
    const docs = chromaCorpora()
      .slice(0, 2)
      .map((c) => ({ id: c.name, text: c.text.slice(0, 30000) }));
    const embedder = new HashingEmbedder();
    const plain = counting(cl100k);
    const shared = counting(cl100k);
    const cache = new TokenizationCache();
    const wrapped = cache.wrap(shared.tok);
    for (const spec of SPECS) {
      const a = createChunker(spec, { tokenizer: plain.tok, embedder });
      const b = createChunker(spec, { tokenizer: wrapped, embedder });
      for (const doc of docs) expect(await b.chunk(doc), spec).toEqual(await a.chunk(doc));
    }
    const corpus = docs.reduce((n, d) => n + d.text.length, 0);
    expect(plain.chars()).toBe(SPECS.length * corpus); // without the cache: once per config
    expect(shared.chars()).toBe(corpus); // with it: once per run
    expect(cache.stats()).toMatchObject({ misses: docs.length, hits: (SPECS.length - 1) * docs.length });
  });

  it('keeps the id, counts from held spans, and wraps a tokenizer once', () => {
    const cache = new TokenizationCache();
    const t = cache.wrap(cl100k);
    expect(t.id).toBe(cl100k.id);
    expect(cache.wrap(cl100k)).toBe(t);
    const text = 'Refunds take five days. Shipping is free.';
    expect(t.spans(text)).toEqual(cl100k.spans(text));
    expect(t.spans(text)).toEqual(cl100k.spans(text));
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
    expect(t.count(text)).toBe(cl100k.count(text));
    const piece = 'a paragraph several configurations measure';
    expect(t.count(piece)).toBe(cl100k.count(piece));
    expect(t.count(piece)).toBe(cl100k.count(piece));
    expect(cache.stats().countHits).toBe(1);
    expect(t.encode(text)).toEqual(cl100k.encode(text));
  });

  it('stops holding texts past maxChars and can be cleared', () => {
    const cache = new TokenizationCache({ maxChars: 10 });
    const t = cache.wrap(cl100k);
    t.spans('short');
    t.spans('a text longer than ten characters');
    t.spans('a text longer than ten characters');
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 3, heldChars: 5 });
    t.spans('short');
    expect(cache.stats().hits).toBe(1);
    cache.clear();
    expect(cache.stats().heldChars).toBe(0);
  });

  it('rejects a bad tokenizer or options with RagscopeError', () => {
    expect(() => new TokenizationCache().wrap({} as Tokenizer)).toThrow(RagscopeError);
    expect(() => new TokenizationCache({ maxChars: -1 })).toThrow(RagscopeError);
  });
});
