import type { SentenceSpan } from './sentences.js';

/**
 * The sentences of the last texts split, keyed by the exact text (a `Map` on the string itself: no copy, no
 * collisions), one map per paragraph-break option. The sentence, semantic and cluster chunkers all split each
 * document; a bench running several of them (or several sizes of one) over the same corpus split every document
 * once per chunker, 1.3 s of a 17 s `ragscope bench` on the Chroma corpora. Bounded by the characters of the texts
 * held ({@link MEMO_CHARS}), oldest dropped first; callers get their own copy of the spans.
 */
const memos = { true: new Map<string, SentenceSpan[]>(), false: new Map<string, SentenceSpan[]>() };
let heldChars = 0;

/** Total characters of the texts whose sentences are remembered. @internal */
export const MEMO_CHARS = 16 * 1024 * 1024;

/** `split()`'s spans for `text`, from the memo when this text was split with the same option before. @internal */
export function recallSentences(
  text: string,
  paragraphBreaks: boolean,
  split: () => SentenceSpan[],
): SentenceSpan[] {
  const memo = memos[paragraphBreaks ? 'true' : 'false'];
  let spans = memo.get(text);
  if (spans === undefined) {
    spans = split();
    if (text.length <= MEMO_CHARS) {
      memo.set(text, spans);
      heldChars += text.length;
      while (heldChars > MEMO_CHARS) dropOldest();
    }
  }
  return spans.map((s) => ({ start: s.start, end: s.end }));
}

function dropOldest(): void {
  for (const memo of [memos.true, memos.false]) {
    const oldest = memo.keys().next();
    if (!oldest.done) {
      memo.delete(oldest.value);
      heldChars -= oldest.value.length;
      return;
    }
  }
}
