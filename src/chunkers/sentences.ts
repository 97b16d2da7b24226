import { createRequire } from 'node:module';
import { invalidArgument } from '../core/errors.js';
import { recallSentences } from './sentence-memo.js';
import { isJsWhitespace } from './text.js';

/**
 * A sentence as a half-open `[start, end)` span of UTF-16 code units in the original text.
 * Spans never begin or end with whitespace.
 *
 * @example
 * ```ts
 * const [first]: SentenceSpan[] = splitSentences('Hi there. Bye.');
 * first; // { start: 0, end: 9 }
 * ```
 */
export interface SentenceSpan {
  /** Offset of the sentence's first character (inclusive). */
  start: number;
  /** Offset just after the sentence's last character (exclusive). */
  end: number;
}

/**
 * Options of {@link splitSentences}.
 *
 * @example
 * ```ts
 * const options: SplitSentencesOptions = { paragraphBreaks: false };
 * splitSentences('More text\r\n\r\n- item one', options).length; // 1 (2 with the default paragraph breaks)
 * ```
 */
export interface SplitSentencesOptions {
  /**
   * Also end a sentence at a blank line (two line breaks with only spaces between), so headings, list items and
   * paragraphs without final punctuation do not run into the next paragraph. Default `true`.
   */
  paragraphBreaks?: boolean;
}

/** The part of wink-nlp's API used here (typed locally so that importing this module loads nothing). */
interface WinkNlp {
  readDoc(text: string): {
    tokens(): { out(): string[] };
    sentences(): { each(cb: (s: { out(as: unknown): unknown }) => void): void };
  };
  its: { span: unknown };
}

let winkInstance: WinkNlp | undefined;
let winkFailure: unknown;

/**
 * Load wink-nlp and its English model once, synchronously, on first use. Works from the ESM and the CJS build
 * (tsup's `shims` provide `import.meta.url` in CJS).
 */
function loadWink(): WinkNlp | undefined {
  if (winkInstance !== undefined || winkFailure !== undefined) return winkInstance;
  try {
    const req = createRequire(import.meta.url);
    const winkNLP = req('wink-nlp') as (model: unknown, pipe?: string[]) => WinkNlp;
    const model = req('wink-eng-lite-web-model') as unknown;
    // Sentence boundary detection only: skipping POS tagging, NER and sentiment makes it about 2.5x faster and
    // gives the same sentences (checked on the Chroma corpora).
    winkInstance = winkNLP(model, ['sbd']);
  } catch (err) {
    winkFailure = err;
  }
  return winkInstance;
}

/** True when the gap between two sentence pieces holds a blank line. */
const PARAGRAPH_BREAK = /\n[^\S\n]*\n/;
const NON_SPACE = /\S/;

/**
 * Split `text` into sentences with wink-nlp (English lite model) and return their exact character spans in the
 * ORIGINAL text: `text.slice(s.start, s.end)` is the sentence, with no surrounding whitespace. Spans are ordered and
 * disjoint, and together they cover every non-whitespace character of `text` (only whitespace lies between them).
 * Works for CRLF line ends, emoji and other astral characters, runs of spaces, and empty or whitespace-only text
 * (which has no sentences). wink-nlp is loaded lazily on the first call (about 150 ms, 50 MB); if it cannot be
 * loaded, or its tokens cannot be mapped back onto the text, a punctuation rule (`(?<=[.?!])\s+`, as in
 * LangChain's SemanticChunker) is used instead.
 *
 * @example
 * ```ts
 * const text = 'Dr. Smith arrived.  He sat down!\r\nThen he left.';
 * splitSentences(text).map((s) => text.slice(s.start, s.end));
 * // ['Dr. Smith arrived.', 'He sat down!', 'Then he left.']
 * ```
 */
export function splitSentences(text: string, options: SplitSentencesOptions = {}): SentenceSpan[] {
  if (typeof text !== 'string') invalidArgument('text', text, 'a string');
  const paragraphBreaks = options.paragraphBreaks ?? true;
  if (!NON_SPACE.test(text)) return [];
  return recallSentences(text, paragraphBreaks, () => splitUncached(text, paragraphBreaks));
}

function splitUncached(text: string, paragraphBreaks: boolean): SentenceSpan[] {
  const wink = loadWink();
  let spans: SentenceSpan[] = [];
  for (const seg of segmentsForWink(text)) {
    if (seg.giant) {
      spans.push({ start: seg.start, end: seg.end });
      continue;
    }
    const part = seg.start === 0 && seg.end === text.length ? text : text.slice(seg.start, seg.end);
    let found: SentenceSpan[] | undefined;
    if (wink !== undefined) {
      try {
        found = winkSentences(wink, part);
      } catch {
        found = undefined;
      }
    }
    found ??= regexSentences(part);
    for (const f of found) spans.push({ start: f.start + seg.start, end: f.end + seg.start });
  }
  if (paragraphBreaks) spans = splitAtParagraphs(text, spans);
  return coverAll(text, spans);
}

/**
 * Runs of non-whitespace longer than this are sentences of their own and never reach wink-nlp, whose tokenizer
 * takes time quadratic in the length of a word (0.8 s for one 12.5k-character word, 5.3 s at 50k); no word of a
 * natural language is this long (base64, minified code, a 200k-character line without spaces are).
 * @internal
 */
export const MAX_WINK_WORD = 500;

/**
 * Cut `text` into the parts handed to wink-nlp and the giant runs of non-whitespace (longer than
 * {@link MAX_WINK_WORD}) that are not; in order, covering the text. A text without a giant run is one part.
 * @internal
 */
export function segmentsForWink(text: string): Array<{ start: number; end: number; giant: boolean }> {
  const out: Array<{ start: number; end: number; giant: boolean }> = [];
  let from = 0;
  let run = -1;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const ws = i === n || isJsWhitespace(text.charCodeAt(i));
    if (!ws) {
      if (run < 0) run = i;
      continue;
    }
    if (run >= 0 && i - run > MAX_WINK_WORD) {
      if (run > from) out.push({ start: from, end: run, giant: false });
      out.push({ start: run, end: i, giant: true });
      from = i;
    }
    run = -1;
  }
  if (from < n || out.length === 0) out.push({ start: from, end: n, giant: false });
  return out;
}

/** Sentences from wink-nlp, mapped back onto `text`; undefined when a token cannot be located exactly. */
function winkSentences(wink: WinkNlp, text: string): SentenceSpan[] | undefined {
  const doc = wink.readDoc(text);
  const tokens = doc.tokens().out();
  const starts = new Array<number>(tokens.length);
  const ends = new Array<number>(tokens.length);
  let cursor = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const at = text.indexOf(token, cursor);
    // The text skipped to reach the token must be whitespace, otherwise the token was normalised or reordered.
    if (at < 0 || NON_SPACE.test(text.slice(cursor, at))) return undefined;
    starts[i] = at;
    ends[i] = at + token.length;
    cursor = at + token.length;
  }
  const spans: SentenceSpan[] = [];
  let failed = false;
  doc.sentences().each((s) => {
    const span = s.out(wink.its.span);
    if (!Array.isArray(span) || typeof span[0] !== 'number' || typeof span[1] !== 'number') {
      failed = true;
      return;
    }
    let first = -1;
    let last = -1;
    for (let t = span[0]; t <= span[1]; t++) {
      const token = tokens[t];
      if (token === undefined || !NON_SPACE.test(token)) continue;
      if (first < 0) first = t;
      last = t;
    }
    if (first >= 0) spans.push({ start: starts[first]!, end: ends[last]! });
  });
  if (failed) return undefined;
  // wink's sentences are in order; guard anyway so that a surprise can never produce overlapping spans.
  for (let i = 1; i < spans.length; i++) if (spans[i]!.start < spans[i - 1]!.end) return undefined;
  return spans;
}

/** The fallback splitter: a sentence ends after `.`, `?` or `!` followed by whitespace. */
function regexSentences(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  const re = /(?<=[.?!])\s+/g;
  let from = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    pushTrimmed(text, from, m.index, spans);
    from = m.index + m[0].length;
  }
  pushTrimmed(text, from, text.length, spans);
  return spans;
}

/** Split every sentence at blank lines inside it. */
function splitAtParagraphs(text: string, spans: SentenceSpan[]): SentenceSpan[] {
  const out: SentenceSpan[] = [];
  const re = /\n[^\S\n]*\n\s*/g;
  for (const span of spans) {
    const inner = text.slice(span.start, span.end);
    if (!PARAGRAPH_BREAK.test(inner)) {
      out.push(span);
      continue;
    }
    let from = 0;
    re.lastIndex = 0;
    for (let m = re.exec(inner); m !== null; m = re.exec(inner)) {
      pushTrimmed(text, span.start + from, span.start + m.index, out);
      from = m.index + m[0].length;
    }
    pushTrimmed(text, span.start + from, span.end, out);
  }
  return out;
}

/** Push `[start, end)` without its leading/trailing whitespace, if anything is left. */
function pushTrimmed(text: string, start: number, end: number, out: SentenceSpan[]): void {
  while (start < end && !NON_SPACE.test(text[start]!)) start++;
  while (end > start && !NON_SPACE.test(text[end - 1]!)) end--;
  if (end > start) out.push({ start, end });
}

/**
 * Make sure no non-whitespace character falls outside every span (wink may drop characters it does not
 * tokenise): a gap holding text is absorbed into the sentence before it (or, before the first, into the first).
 */
function coverAll(text: string, spans: SentenceSpan[]): SentenceSpan[] {
  if (spans.length === 0) {
    const out: SentenceSpan[] = [];
    pushTrimmed(text, 0, text.length, out);
    return out;
  }
  const first = spans[0]!;
  const head: SentenceSpan[] = [];
  pushTrimmed(text, 0, first.start, head);
  if (head.length > 0) first.start = head[0]!.start;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const nextStart = i + 1 < spans.length ? spans[i + 1]!.start : text.length;
    const gap: SentenceSpan[] = [];
    pushTrimmed(text, span.end, nextStart, gap);
    if (gap.length > 0) span.end = gap[0]!.end;
  }
  return spans;
}
