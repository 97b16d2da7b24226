import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SplitSentencesOptions, splitSentences } from '../../src/chunkers/sentences.js';
import { chromaCorpus, textArb } from './sentence-fixtures.js';

const texts = (text: string, options?: SplitSentencesOptions) =>
  splitSentences(text, options).map((s) => text.slice(s.start, s.end));

describe('splitSentences', () => {
  it('finds sentences with wink-nlp, keeping abbreviations and exact offsets', () => {
    expect(texts('Dr. Smith arrived.  He sat down!\r\nThen he left.')).toEqual([
      'Dr. Smith arrived.',
      'He sat down!',
      'Then he left.',
    ]);
    expect(texts('U.S.A. is big. e.g. this one... And then? Ok!!')).toEqual([
      'U.S.A. is big.',
      'e.g. this one... And then?',
      'Ok!!',
    ]);
  });

  it('maps offsets exactly across emoji, CRLF and runs of spaces', () => {
    const text = '  We ate 😀 pizza.   \r\nIt was 👩‍👩‍👧 good!\r\n\r\nThe end.  ';
    const spans = splitSentences(text);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual([
      'We ate 😀 pizza.',
      'It was 👩‍👩‍👧 good!',
      'The end.',
    ]);
    expect(spans[0]).toEqual({ start: 2, end: 18 });
  });

  it('ends a sentence at a blank line (headings and list items have no final punctuation)', () => {
    expect(texts('# Title\n\nSome text here. More text\r\n\r\n- item one\n- item two')).toEqual([
      '# Title',
      'Some text here.',
      'More text',
      '- item one\n- item two',
    ]);
    expect(texts('Some text here. More text\r\n\r\n- item one', { paragraphBreaks: false })).toEqual([
      'Some text here.',
      'More text\r\n\r\n- item one',
    ]);
  });

  it('returns nothing for empty and whitespace-only text', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences('   \r\n\t ')).toEqual([]);
    expect(texts('one')).toEqual(['one']);
  });

  it('rejects a non-string with a RagscopeError naming the parameter', () => {
    expect(() => splitSentences(42 as never)).toThrow(/text must be a string, got 42/);
  });

  it('property: spans are ordered, disjoint, trimmed and cover every non-whitespace character', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        const spans = splitSentences(text);
        let prevEnd = 0;
        let covered = 0;
        for (const s of spans) {
          expect(s.start).toBeGreaterThanOrEqual(prevEnd);
          expect(s.end).toBeGreaterThan(s.start);
          expect(/\s/.test(text[s.start]!)).toBe(false);
          expect(/\s/.test(text[s.end - 1]!)).toBe(false);
          expect(/\S/.test(text.slice(prevEnd, s.start))).toBe(false);
          covered += s.end - s.start;
          prevEnd = s.end;
        }
        expect(/\S/.test(text.slice(prevEnd))).toBe(false);
        expect(covered).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 300 },
    );
  });

  it('splits a real corpus (State of the Union) into sentences that tile its text', () => {
    const text = chromaCorpus('state_of_the_union');
    const spans = splitSentences(text);
    expect(spans.length).toBeGreaterThan(500);
    expect(text.slice(spans[0]!.start, spans[0]!.end)).toBe('Good evening.');
    expect(text.slice(spans[3]!.start, spans[3]!.end)).toBe(
      'Mr. Speaker, Madam Vice President, members of Congress, my fellow Americans.',
    );
    for (let i = 1; i < spans.length; i++) {
      expect(/\S/.test(text.slice(spans[i - 1]!.end, spans[i]!.start))).toBe(false);
    }
    // Most sentences end with sentence punctuation (possibly followed by a closing quote or bracket).
    const punctuated = spans.filter((s) => /[.!?…]["'”’)\]]*$/.test(text.slice(s.start, s.end))).length;
    expect(punctuated / spans.length).toBeGreaterThan(0.9);
  });
});
