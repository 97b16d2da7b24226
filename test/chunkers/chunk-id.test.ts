import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkHash8, hash53, hashHex } from '../../src/core/hash.js';
import { chromaCorpora, textArb } from './chunk-invariants.js';

/** The chunk-id hash as makeChunk computed it before chunkHash8 (hash of a seed string, then of the slice). */
const previousIdHash = (text: string, start: number, end: number, salt: string) =>
  hashHex(text.slice(start, end), hash53(`${salt}\u0000${start}:${end}`) % 0x100000000).slice(0, 8);

describe('chunkHash8 (the hash part of chunk ids)', () => {
  it('equals the previous id hash on random ranges of the Chroma corpora, for several salts', () => {
    const salts = ['recursive:400/0:chars', 'fixed:200/0:tokens@cl100k_base', '', 'sentence:400/1:chars'];
    for (const { text } of chromaCorpora()) {
      let seed = 1;
      for (let k = 0; k < 2000; k++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        const a = seed % text.length;
        const b = Math.min(text.length, a + (seed >>> 20));
        const salt = salts[k % salts.length]!;
        expect(chunkHash8(text, a, b, salt)).toBe(previousIdHash(text, a, b, salt));
      }
    }
  });

  it('equals it on random texts, ranges and salts (astral characters, empty ranges)', () => {
    fc.assert(
      fc.property(textArb, fc.string(), fc.nat(), fc.nat(), (text, salt, x, y) => {
        const a = text.length === 0 ? 0 : x % (text.length + 1);
        const b = a + (text.length === a ? 0 : y % (text.length - a + 1));
        expect(chunkHash8(text, a, b, salt)).toBe(previousIdHash(text, a, b, salt));
        expect(chunkHash8(text, a, b, salt)).toMatch(/^[0-9a-f]{8}$/);
      }),
      { numRuns: 500 },
    );
  });
});
