import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNKER_SPEC_GRAMMAR, createChunker, parseChunkerSpec } from '../../src/chunkers/spec.js';
import { WholeChunker } from '../../src/chunkers/whole.js';
import { RagscopeError } from '../../src/core/errors.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { chromaCorpora, expectBasicInvariants, textArb } from './chunk-invariants.js';

describe('WholeChunker (spec whole): one chunk per document', () => {
  it('property: exactly one chunk [0, length) whose text is the document, for any text', () => {
    const chunker = new WholeChunker();
    fc.assert(
      fc.property(textArb, (text) => {
        const chunks = chunker.chunkSync({ id: 'd', text, metadata: { lang: 'en' } });
        expectBasicInvariants(text, chunks);
        if (text.length === 0) expect(chunks).toEqual([]);
        else {
          expect(chunks).toHaveLength(1);
          expect(chunks[0]).toMatchObject({ docId: 'd', index: 0, start: 0, end: text.length, text });
          expect(chunks[0]!.metadata).toEqual({ lang: 'en' });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('on the real Chroma corpora, and as a spec through createChunker and a pipeline', async () => {
    const chunker = createChunker(parseChunkerSpec('whole'));
    expect(chunker).toBeInstanceOf(WholeChunker);
    expect(chunker.spec).toBe('whole');
    for (const { name, text } of chromaCorpora()) {
      const { chunks, boundaries } = await chunker.chunkWithTrace({ id: name, text });
      expectBasicInvariants(text, chunks);
      expect(chunks.map((c) => [c.start, c.end])).toEqual([[0, text.length]]);
      expect(boundaries).toEqual([]);
    }
    const p = new RetrievalPipeline({ chunker: 'whole' });
    await p.addDocuments([
      { id: 'refunds', text: 'Refunds take five days.\n\nAsk support.' },
      { id: 'ship', text: 'Shipping is free.' },
    ]);
    expect(p.stats.chunks).toBe(2);
    expect((await p.search('refunds', { k: 1 })).hits[0]?.chunk.text).toBe(
      'Refunds take five days.\n\nAsk support.',
    );
  });

  it('whole takes no options; the grammar lists it', () => {
    expect(parseChunkerSpec(' whole ')).toEqual({ kind: 'whole' });
    expect(() => parseChunkerSpec('whole:400')).toThrow(RagscopeError);
    expect(() => parseChunkerSpec('whole:400')).toThrow(/whole takes no options, got "400"/);
    expect(CHUNKER_SPEC_GRAMMAR).toMatch(/^whole\s+one chunk per document/m);
  });
});
