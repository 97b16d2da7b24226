import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FixedChunker } from '../../src/chunkers/fixed.js';
import type { Tokenizer } from '../../src/chunkers/length.js';
import { HfTokenizer, TiktokenTokenizer } from '../../src/chunkers/tokenizer.js';
import { RagscopeError } from '../../src/core/errors.js';
import { chromaCorpora, codePoints, expectBasicInvariants, sharedPath, textArb } from './chunk-invariants.js';

let minilm: HfTokenizer;
let cl100k: TiktokenTokenizer;
beforeAll(async () => {
  minilm = await HfTokenizer.fromDirectory(sharedPath('models/all-MiniLM-L6-v2-tokenizer'));
  cl100k = await TiktokenTokenizer.load();
});

/** Tokens (by span) lying inside [start, end). */
function tokensIn(spans: Array<[number, number]>, start: number, end: number): number {
  return spans.filter(([s, e]) => e > s && s >= start && e <= end).length;
}

describe('FixedChunker', () => {
  it('cuts every size characters with overlap', () => {
    const c = new FixedChunker({ size: 5, overlap: 2 });
    expect(c.spec).toBe('fixed:5/2:chars');
    const chunks = c.chunkSync({ id: 'd', text: 'Hello world!' });
    expect(chunks.map((x) => x.text)).toEqual(['Hello', 'lo wo', 'world', 'ld!']);
    expect(chunks.map((x) => [x.start, x.end])).toEqual([
      [0, 5],
      [3, 8],
      [6, 11],
      [9, 12],
    ]);
  });

  it('explains boundaries as size-cap or forced-split', () => {
    const { boundaries } = new FixedChunker({ size: 6 }).chunkWithTraceSync({
      id: 'd',
      text: 'Hello world again',
    });
    // 'Hello ' | 'world ' | 'again': cuts after whitespace
    expect(boundaries.map((b) => b.reason)).toEqual(['size-cap', 'size-cap']);
    expect(boundaries[0]).toMatchObject({ before: 0, after: 1, offset: 6, wouldBe: 7, limit: 6 });
    const forced = new FixedChunker({ size: 3 }).chunkWithTraceSync({ id: 'd', text: 'abcdef' }).boundaries;
    expect(forced[0]?.reason).toBe('forced-split');
    expect(forced[0]?.explanation).toMatch(/inside a word/);
  });

  it('never cuts an astral character in half', () => {
    const text = 'a😀b😀😀';
    const chunks = new FixedChunker({ size: 2 }).chunkSync({ id: 'd', text });
    expect(chunks.map((c) => c.text)).toEqual(['a', '😀', 'b', '😀', '😀']);
    expect(new FixedChunker({ size: 1 }).chunkSync({ id: 'd', text: '😀' })[0]?.text).toBe('😀');
  });

  it('cuts at token spans in tokens mode and accepts LangChain documents', async () => {
    const c = new FixedChunker({ size: 3, overlap: 1, unit: 'tokens', tokenizer: minilm });
    expect(c.spec).toBe('fixed:3/1:tokens');
    const chunks = await c.chunk({
      pageContent: 'Héllo  wörld, this is unbelievable!',
      metadata: { source: 's.txt' },
    });
    expect(chunks.map((x) => x.text)).toEqual(['Héllo  wörld,', ', this is', 'is unbelievable!']);
    expect(chunks[0]?.docId).toBe('s.txt');
    expect(chunks[0]?.metadata).toEqual({ source: 's.txt' });
  });

  it('holds at most size cl100k tokens per chunk on a real corpus', () => {
    const text = chromaCorpora()[4]?.text.slice(0, 30_000) ?? '';
    const chunks = new FixedChunker({ size: 200, overlap: 20, unit: 'tokens', tokenizer: cl100k }).chunkSync({
      id: 'w',
      text,
    });
    expectBasicInvariants(text, chunks);
    const spans = cl100k.spans(text);
    for (const c of chunks) expect(tokensIn(spans, c.start, c.end)).toBeLessThanOrEqual(200);
    // re-tokenised alone a chunk has about the same count
    const counts = chunks.slice(0, -1).map((c) => cl100k.count(c.text));
    for (const n of counts) expect(Math.abs(n - 200)).toBeLessThanOrEqual(3);
  });

  it('validates its options', () => {
    const bad: Array<[object, RegExp]> = [
      [{ size: 0 }, /size must be a positive integer, got 0/],
      [{ size: -3 }, /size must be a positive integer, got -3/],
      [{ size: Number.NaN }, /size must be a positive integer, got NaN/],
      [{ size: 2.5 }, /size must be a positive integer, got 2.5/],
      [{ size: 10, overlap: 10 }, /overlap must be an integer smaller than size \(10\), got 10/],
      [{ size: 10, overlap: -1 }, /overlap must be an integer >= 0, got -1/],
      [{ size: 10, unit: 'bytes' }, /unit must be one of 'chars', 'words', 'tokens', got "bytes"/],
      [{ size: 10, unit: 'tokens' }, /tokenizer must be a Tokenizer/],
      [{ size: 10, unit: 'tokens', tokenizer: {} }, /tokenizer must be a Tokenizer/],
    ];
    for (const [opts, msg] of bad) {
      let err: unknown;
      try {
        new FixedChunker(opts as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RagscopeError);
      expect((err as RagscopeError).code).toBe('INVALID_ARGUMENT');
      expect((err as Error).message).toMatch(msg);
    }
    const c = new FixedChunker({ size: 10 });
    expect(() => c.chunkSync({ id: 'd', text: 42 } as never)).toThrow(
      /document.text must be a string, got 42/,
    );
    expect(() => c.chunkSync(null as never)).toThrow(RagscopeError);
  });
});

describe('FixedChunker properties', () => {
  const settings = fc
    .record({ size: fc.integer({ min: 1, max: 40 }), ov: fc.nat({ max: 39 }) })
    .map(({ size, ov }) => ({ size, overlap: ov % size }));

  it('chars: exact offsets, full coverage, size and overlap limits, stable ids', () => {
    fc.assert(
      fc.property(textArb, settings, (text, { size, overlap }) => {
        const c = new FixedChunker({ size, overlap });
        const chunks = c.chunkSync({ id: 'doc', text });
        expectBasicInvariants(text, chunks);
        expect(c.chunkSync({ id: 'doc', text }).map((x) => x.id)).toEqual(chunks.map((x) => x.id));
        if (text.length === 0) expect(chunks).toEqual([]);
        else {
          expect(chunks[0]?.start).toBe(0);
          expect(chunks[chunks.length - 1]?.end).toBe(text.length);
        }
        chunks.forEach((ch, i) => {
          // documented exception: one astral character with size 1
          if (ch.text.length > size) expect(size === 1 && codePoints(ch.text) === 1).toBe(true);
          const next = chunks[i + 1];
          if (next) {
            expect(next.start).toBeLessThanOrEqual(ch.end); // no gap
            expect(ch.end - next.start).toBeLessThanOrEqual(overlap);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  for (const [name, getTok] of [
    ['MiniLM', () => minilm],
    ['cl100k', () => cl100k],
  ] as Array<[string, () => Tokenizer]>) {
    it(`tokens (${name}): at most size tokens, overlap at most overlap tokens, every token covered`, () => {
      fc.assert(
        fc.property(textArb, settings, (text, { size, overlap }) => {
          const tok = getTok();
          const chunks = new FixedChunker({ size, overlap, unit: 'tokens', tokenizer: tok }).chunkSync({
            id: 'doc',
            text,
          });
          expectBasicInvariants(text, chunks);
          const spans = tok.spans(text);
          chunks.forEach((ch, i) => {
            expect(tokensIn(spans, ch.start, ch.end)).toBeLessThanOrEqual(size);
            const next = chunks[i + 1];
            if (next) expect(tokensIn(spans, next.start, ch.end)).toBeLessThanOrEqual(overlap);
          });
          for (const [s, e] of spans) {
            if (e > s) expect(chunks.some((ch) => ch.start <= s && e <= ch.end)).toBe(true);
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  it('words: at most size words per chunk', () => {
    fc.assert(
      fc.property(textArb, settings, (text, { size, overlap }) => {
        const chunks = new FixedChunker({ size, overlap, unit: 'words' }).chunkSync({ id: 'doc', text });
        expectBasicInvariants(text, chunks);
        for (const ch of chunks) {
          expect(ch.text.trim().split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(size);
        }
      }),
      { numRuns: 200 },
    );
  });
});
