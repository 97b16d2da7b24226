import { describe, expect, it } from 'vitest';
import { MEMO_CHARS, recallSentences } from '../../src/chunkers/sentence-memo.js';
import { splitSentences } from '../../src/chunkers/sentences.js';

describe('sentence memo', () => {
  it('splits a text once per paragraph-break option and hands out copies', () => {
    const text = `memo test ${Math.random()}. Second sentence here!`;
    let calls = 0;
    const split = () => {
      calls++;
      return [{ start: 0, end: 5 }];
    };
    const a = recallSentences(text, true, split);
    a[0]!.start = 99;
    expect(recallSentences(text, true, split)).toEqual([{ start: 0, end: 5 }]);
    expect(calls).toBe(1);
    recallSentences(text, false, split);
    expect(calls).toBe(2);
  });

  it('forgets the oldest texts past MEMO_CHARS', () => {
    const big = (c: string) => c.repeat(MEMO_CHARS / 2 + 1);
    let calls = 0;
    const split = () => {
      calls++;
      return [];
    };
    const first = big('a');
    recallSentences(first, true, split);
    recallSentences(big('b'), true, split);
    recallSentences(big('c'), true, split);
    expect(calls).toBe(3);
    recallSentences(first, true, split);
    expect(calls).toBe(4);
  });

  it('gives splitSentences the same spans on a second call as on the first', () => {
    const text = 'Dr. Smith arrived.  He sat down!\r\nThen he left.\n\nA heading\nMore text.';
    const first = splitSentences(text);
    expect(splitSentences(text)).toEqual(first);
    expect(first.map((s) => text.slice(s.start, s.end))).toEqual([
      'Dr. Smith arrived.',
      'He sat down!',
      'Then he left.',
      'A heading\nMore text.',
    ]);
    // The other option is its own entry: a blank line ends a sentence only with paragraph breaks.
    const heading = 'More text\r\n\r\n- item one';
    expect(splitSentences(heading).length).toBe(2);
    expect(splitSentences(heading, { paragraphBreaks: false }).length).toBe(1);
    expect(splitSentences(heading).length).toBe(2);
  });
});
