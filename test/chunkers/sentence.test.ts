import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenLength, wordLength } from '../../src/chunkers/lengths.js';
import { SentenceChunker } from '../../src/chunkers/sentence.js';
import { splitSentences } from '../../src/chunkers/sentences.js';
import { HfTokenizer } from '../../src/chunkers/tokenizer.js';
import { RagscopeError } from '../../src/core/errors.js';
import { checkInvariants, chromaCorpus, sharedFile, textArb } from './sentence-fixtures.js';

const doc = (text: string) => ({ id: 'd', text });

describe('SentenceChunker', () => {
  it('packs whole sentences up to size and repeats `overlap` sentences', () => {
    const text = 'One sentence here. Another one there. A third sentence.';
    expect(new SentenceChunker({ size: 40 }).chunkSync(doc(text)).map((c) => c.text)).toEqual([
      'One sentence here. Another one there.',
      'A third sentence.',
    ]);
    const overlapped = new SentenceChunker({ size: 40, overlap: 1 }).chunkWithTraceSync(doc(text));
    expect(overlapped.chunks.map((c) => c.text)).toEqual([
      'One sentence here. Another one there.',
      'Another one there. A third sentence.',
    ]);
    expect(overlapped.boundaries[0]).toMatchObject({
      reason: 'sentence-end',
      offset: 19,
      wouldBe: 55,
      limit: 40,
    });
  });

  it('states the spec and uses it in stable ids', () => {
    const chunker = new SentenceChunker({ size: 400, overlap: 1 });
    expect(chunker.spec).toBe('sentence:400/1:chars');
    expect(new SentenceChunker({ size: 50, lengthFunction: wordLength }).spec).toBe('sentence:50/0:words');
    const text = 'First one. Second one.';
    const a = chunker.chunkSync(doc(text));
    expect(chunker.chunkSync(doc(text))).toEqual(a);
    expect(new SentenceChunker({ size: 400, overlap: 0 }).chunkSync(doc(text))[0]!.id).not.toBe(a[0]!.id);
  });

  it('cuts a sentence longer than size with the recursive chunker, on its own', () => {
    const text = 'Short one. This sentence is definitely much longer than the tiny limit we set. Tail.';
    const { chunks, boundaries } = new SentenceChunker({ size: 20 }).chunkWithTraceSync(doc(text));
    expect(chunks[0]!.text).toBe('Short one.');
    expect(chunks.at(-1)!.text).toBe('Tail.');
    expect(chunks.every((c) => c.text.length <= 20)).toBe(true);
    expect(
      chunks
        .slice(1, -1)
        .map((c) => c.text)
        .join(' '),
    ).toBe('This sentence is definitely much longer than the tiny limit we set.');
    const inner = boundaries.slice(1, -1);
    expect(inner.length).toBeGreaterThan(0);
    expect(inner.every((b) => b.reason === 'size-cap' || b.reason === 'separator')).toBe(true);
    expect(inner.every((b) => b.separator === ' ')).toBe(true);
    const word = 'x'.repeat(50);
    const forced = new SentenceChunker({ size: 20 }).chunkWithTraceSync(doc(word));
    expect(forced.chunks.map((c) => c.text)).toEqual(['x'.repeat(20), 'x'.repeat(20), 'x'.repeat(10)]);
    expect(forced.boundaries.map((b) => b.reason)).toEqual(['forced-split', 'forced-split']);
  });

  it('measures size with the length function (words)', () => {
    const text = 'One two three. Four five six. Seven eight nine.';
    const chunks = new SentenceChunker({ size: 6, lengthFunction: wordLength }).chunkSync(doc(text));
    expect(chunks.map((c) => c.text)).toEqual(['One two three. Four five six.', 'Seven eight nine.']);
  });

  it('handles empty, whitespace-only and LangChain documents', () => {
    const chunker = new SentenceChunker({ size: 100 });
    expect(chunker.chunkSync(doc(''))).toEqual([]);
    expect(chunker.chunkWithTraceSync(doc(' \r\n\t'))).toEqual({ chunks: [], boundaries: [] });
    const [c] = chunker.chunkSync({ pageContent: 'Hi there.', metadata: { source: 'a.txt' } });
    expect(c).toMatchObject({ docId: 'a.txt', text: 'Hi there.', metadata: { source: 'a.txt' } });
  });

  it('rejects bad options with a RagscopeError naming the parameter and value', () => {
    const bad = (o: unknown, msg: RegExp) => {
      const err = (() => {
        try {
          new SentenceChunker(o as never);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(RagscopeError);
      expect((err as RagscopeError).code).toBe('INVALID_ARGUMENT');
      expect((err as Error).message).toMatch(msg);
    };
    bad({ size: 0 }, /size must be a positive integer, got 0/);
    bad({ size: 1.5 }, /size .* got 1.5/);
    bad({ size: 10, overlap: -1 }, /overlap .* got -1/);
    bad({ size: 10, lengthFunction: 'chars' }, /lengthFunction .* got "chars"/);
    bad(undefined, /size .* got undefined/);
  });

  it('async methods give the same result as the sync ones', async () => {
    const chunker = new SentenceChunker({ size: 30 });
    const text = 'Alpha beta. Gamma delta epsilon. Zeta.';
    expect(await chunker.chunk(doc(text))).toEqual(chunker.chunkSync(doc(text)));
    expect(await chunker.chunkWithTrace(doc(text))).toEqual(chunker.chunkWithTraceSync(doc(text)));
  });

  it('property: exact offsets, order, coverage, size, and whole-sentence overlap', () => {
    fc.assert(
      fc.property(
        textArb,
        fc.integer({ min: 4, max: 120 }),
        fc.integer({ min: 0, max: 3 }),
        (text, size, overlap) => {
          const d = { id: 'p', text };
          const trace = new SentenceChunker({ size, overlap }).chunkWithTraceSync(d);
          checkInvariants(d, trace, { allowOverlap: overlap > 0 });
          for (const c of trace.chunks) expect(c.text.length).toBeLessThanOrEqual(size);
          const starts = new Set(splitSentences(text).map((s) => s.start));
          const ends = new Set(splitSentences(text).map((s) => s.end));
          trace.chunks.forEach((c, i) => {
            const prev = trace.chunks[i - 1];
            if (prev && c.start < prev.end) {
              // An overlap is made of whole sentences: it starts at a sentence start and the previous chunk ends at
              // a sentence end.
              expect(starts.has(c.start)).toBe(true);
              expect(ends.has(prev.end)).toBe(true);
            }
          });
          const allowed = ['sentence-end', 'size-cap', 'separator', 'forced-split'];
          for (const b of trace.boundaries) expect(allowed).toContain(b.reason);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('chunks a real corpus (State of the Union): invariants, size, and chunks start on sentence starts', () => {
    const text = chromaCorpus('state_of_the_union');
    const d = { id: 'sotu', text };
    for (const [size, overlap] of [
      [500, 0],
      [300, 2],
    ] as const) {
      const trace = new SentenceChunker({ size, overlap }).chunkWithTraceSync(d);
      checkInvariants(d, trace, { allowOverlap: overlap > 0 });
      expect(trace.chunks.every((c) => c.text.length <= size)).toBe(true);
      const starts = new Set(splitSentences(text).map((s) => s.start));
      const midSentence = trace.chunks.filter((c) => !starts.has(c.start)).length;
      // Only parts of over-long sentences may start mid-sentence.
      expect(midSentence / trace.chunks.length).toBeLessThan(0.02);
      expect(
        trace.boundaries.filter((b) => b.reason === 'sentence-end').length / trace.boundaries.length,
      ).toBeGreaterThan(0.95);
      // Packing is tight: a chunk plus the next sentence would not have fitted.
      for (const b of trace.boundaries) if (b.wouldBe !== undefined) expect(b.wouldBe).toBeGreaterThan(size);
    }
  });

  it('packs in real model tokens (all-MiniLM-L6-v2 tokenizer) within the token budget', async () => {
    const tok = await HfTokenizer.fromDirectory(sharedFile('models/all-MiniLM-L6-v2-tokenizer'));
    const len = tokenLength(tok);
    const text = chromaCorpus('state_of_the_union');
    const d = { id: 'sotu', text };
    const chunker = new SentenceChunker({ size: 128, overlap: 1, lengthFunction: len });
    expect(chunker.spec).toBe('sentence:128/1:tokens');
    const trace = chunker.chunkWithTraceSync(d);
    checkInvariants(d, trace, { allowOverlap: true });
    const sizes = trace.chunks.map((c) => len.length(c.text));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(128);
    // Tight packing: the mean chunk uses most of the budget.
    expect(sizes.reduce((a, b) => a + b, 0) / sizes.length).toBeGreaterThan(80);
  });
});
