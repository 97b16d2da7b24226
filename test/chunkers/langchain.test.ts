import {
  MarkdownTextSplitter,
  RecursiveCharacterTextSplitter,
  type TextSplitter,
} from '@langchain/textsplitters';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locatePieces, TextSplitterChunker } from '../../src/chunkers/langchain.js';
import { CHROMA_SEPARATORS, RecursiveChunker } from '../../src/chunkers/recursive.js';
import { RagscopeError } from '../../src/core/errors.js';
import { chromaCorpora } from './chunk-invariants.js';

describe('TextSplitterChunker (a LangChain TextSplitter as a chunker)', () => {
  it('locates every piece of LangChain recursive splitting on the Chroma corpora at the offsets of our identical chunker', async () => {
    const corpora = chromaCorpora();
    for (const [size, overlap] of [
      [400, 0],
      [800, 400],
    ] as const) {
      const lc = new RecursiveCharacterTextSplitter({
        chunkSize: size,
        chunkOverlap: overlap,
        separators: [...CHROMA_SEPARATORS],
        keepSeparator: true,
      });
      const wrapped = new TextSplitterChunker(lc);
      expect(wrapped.spec).toBe(`langchain:RecursiveCharacterTextSplitter:${size}/${overlap}`);
      const ours = new RecursiveChunker({ size, overlap, separators: CHROMA_SEPARATORS });
      for (const { name, text } of corpora) {
        const doc = { id: name, text };
        const got = await wrapped.chunk(doc);
        const pieces = await lc.splitText(text);
        expect(got.map((c) => c.text)).toEqual(pieces.filter((p) => p.trim() !== ''));
        for (const c of got) expect(text.slice(c.start, c.end)).toBe(c.text);
        const ref = ours.chunkSync(doc);
        expect(got.map((c) => [c.start, c.end])).toEqual(ref.map((c) => [c.start, c.end]));
      }
    }
  });

  it('keeps offsets exact for any text, size and overlap (property)', async () => {
    const word = fc.constantFrom('alpha', 'beta', 'gamma', 'x', ' ', '  ', '\n', '\n\n', '.', 'alpha beta');
    await fc.assert(
      fc.asyncProperty(
        fc.array(word, { maxLength: 80 }).map((w) => w.join('')),
        fc.integer({ min: 4, max: 40 }),
        fc.integer({ min: 0, max: 39 }),
        async (text, size, rawOverlap) => {
          const overlap = rawOverlap % size;
          const splitter = new RecursiveCharacterTextSplitter({ chunkSize: size, chunkOverlap: overlap });
          const chunks = await new TextSplitterChunker(splitter).chunk({ id: 'd', text });
          const pieces = (await splitter.splitText(text)).filter((p) => p.trim() !== '');
          expect(chunks.map((c) => c.text)).toEqual(pieces);
          let prev = 0;
          for (const c of chunks) {
            expect(text.slice(c.start, c.end)).toBe(c.text);
            expect(c.start).toBeGreaterThanOrEqual(prev);
            prev = c.start;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('maps a piece the splitter emits twice to the same place (LangChain does, for stripped overlaps)', async () => {
    const text = '\n\n  beta\n';
    const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 8, chunkOverlap: 7 });
    expect(await splitter.splitText(text)).toEqual(['beta', 'beta']);
    const chunks = await new TextSplitterChunker(splitter).chunk({ id: 'd', text });
    expect(chunks.map((c) => [c.start, c.end])).toEqual([
      [4, 8],
      [4, 8],
    ]);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(2);
  });

  it('places repeated pieces where they occur, not at their first occurrence', () => {
    const text = 'same line\nother\nsame line\nsame line';
    const got = locatePieces(text, ['same line', 'other', 'same line', 'same line']);
    expect(got.map((l) => l.start)).toEqual([0, 10, 16, 26]);
  });

  it('moves an earlier piece back when a later one cannot be placed (counterexample of the property test)', async () => {
    // LangChain emits "beta" twice at the start (a collapsed overlap); the second "beta" also matches the last word,
    // which would leave no room for "alpha": the search must place it at the first "beta" again.
    const text = '  beta  alpha beta';
    const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 6, chunkOverlap: 5 });
    expect(await splitter.splitText(text)).toEqual(['beta', 'beta', 'alpha', 'beta']);
    const chunks = await new TextSplitterChunker(splitter).chunk({ id: 'd', text });
    expect(chunks.map((c) => [c.start, c.end])).toEqual([
      [2, 6],
      [2, 6],
      [8, 13],
      [14, 18],
    ]);
  });

  it('locates a piece whose whitespace the splitter changed, and marks it', async () => {
    const joining = { splitText: async (t: string) => [t.replace(/\n/g, ' ')] };
    const text = 'one\ntwo three';
    const [c] = await new TextSplitterChunker(joining, { name: 'joiner' }).chunk({ id: 'd', text });
    expect(c).toMatchObject({ start: 0, end: text.length, text, metadata: { located: 'whitespace' } });
  });

  it('works with the markdown splitter and reports external boundaries', async () => {
    const text = '# Title\n\nIntro text here.\n\n## Part\n\nMore text in the part.';
    const splitter: TextSplitter = new MarkdownTextSplitter({ chunkSize: 30, chunkOverlap: 0 });
    const trace = await new TextSplitterChunker(splitter).chunkWithTrace({ id: 'm', text });
    expect(trace.chunks.length).toBeGreaterThan(1);
    expect(trace.boundaries.every((b) => b.reason === 'external')).toBe(true);
    expect(trace.boundaries.map((b) => b.offset)).toEqual(trace.chunks.slice(1).map((c) => c.start));
  });

  it('refuses a splitter that rewrites text, and bad arguments, with RagscopeErrors', async () => {
    const rewriting = { splitText: async () => ['HEADER: one'] };
    await expect(new TextSplitterChunker(rewriting).chunk({ id: 'd', text: 'one' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(() => new TextSplitterChunker({} as never)).toThrow(RagscopeError);
    expect(() => new TextSplitterChunker({ splitText: async () => [] }, { name: 'a b' })).toThrow(
      /options.name/,
    );
    const notArray = { splitText: async () => 'x' as unknown as string[] };
    await expect(new TextSplitterChunker(notArray).chunk({ id: 'd', text: 'x' })).rejects.toThrow(
      RagscopeError,
    );
  });
});
