import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeChunk, toDocument } from '../../src/core/document.js';
import { RagscopeError } from '../../src/core/errors.js';

describe('toDocument', () => {
  it('accepts the ragscope shape and keeps metadata', () => {
    expect(toDocument({ id: 'a', text: 'Hi.', metadata: { lang: 'en' } })).toEqual({
      id: 'a',
      text: 'Hi.',
      metadata: { lang: 'en' },
    });
  });

  it("accepts LangChain's { pageContent, metadata } and takes the id from id, metadata.id, then source", () => {
    expect(toDocument({ pageContent: 'x', id: 'given' }).id).toBe('given');
    expect(toDocument({ pageContent: 'x', metadata: { id: 'm', source: 's' } }).id).toBe('m');
    expect(toDocument({ pageContent: 'x', metadata: { source: 'notes.md' } }).id).toBe('notes.md');
    const a = toDocument({ pageContent: 'same text' });
    const b = toDocument({ pageContent: 'same text' });
    expect(a.id).toMatch(/^doc-[0-9a-f]{14}$/);
    expect(a.id).toBe(b.id);
    expect(toDocument({ pageContent: 'other text' }).id).not.toBe(a.id);
  });

  it.each([
    [null, 'document'],
    ['text', 'document'],
    [{ id: 'a', text: 42 }, 'document.text'],
    [{ id: '', text: 'x' }, 'document.id'],
    [{ text: 'x' }, 'document.id'],
    [{ pageContent: ['x'] }, 'document.pageContent'],
    [{ id: 'a', text: 'x', metadata: 'no' }, 'document.metadata'],
  ])('rejects %j with a typed error naming %s', (input, param) => {
    try {
      toDocument(input as never);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RagscopeError);
      expect((err as RagscopeError).code).toBe('INVALID_DOCUMENT');
      expect((err as RagscopeError).details.param).toBe(param);
      expect((err as RagscopeError).message).toContain(param);
    }
  });
});

describe('makeChunk', () => {
  it('slices exactly and gives ids that depend on offsets, text and salt only', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.nat(), fc.nat(), (text, a, b) => {
        const doc = { id: 'd', text, metadata: { k: 1 } };
        const start = Math.min(a, b) % (text.length + 1);
        const end = Math.max(start, Math.max(a, b) % (text.length + 1));
        const c = makeChunk(doc, 0, start, end, 'spec');
        expect(c.text).toBe(text.slice(start, end));
        expect(c.metadata).toEqual({ k: 1 });
        expect(makeChunk(doc, 0, start, end, 'spec').id).toBe(c.id);
        expect(makeChunk(doc, 0, start, end, 'other').id).not.toBe(c.id);
      }),
    );
  });

  it('rejects offsets outside the document', () => {
    const doc = { id: 'd', text: 'abc' };
    expect(() => makeChunk(doc, 0, 2, 1)).toThrow(RagscopeError);
    expect(() => makeChunk(doc, 0, 0, 4)).toThrow(/start <= end <= 3/);
    expect(() => makeChunk(doc, 0, -1, 2)).toThrow(RagscopeError);
  });
});
