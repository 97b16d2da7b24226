import { invalidArgument } from '../core/errors.js';
import type { LengthFunction, RangeMeasure, Tokenizer } from './length.js';
import { countWords, isJsWhitespace } from './text.js';

/**
 * Length in UTF-16 code units (`text.length`), the unit LangChain's splitters use by default.
 * Default {@link LengthFunction} of every chunker.
 *
 * @example
 * ```ts
 * charLength.length('Hello'); // 5
 * new RecursiveChunker({ size: 400, lengthFunction: charLength });
 * ```
 */
export const charLength: LengthFunction = Object.freeze({
  id: 'chars',
  unit: 'chars' as const,
  length: (text: string): number => text.length,
  prepare: (_text: string): RangeMeasure => charRange,
});

const charRange: RangeMeasure = (start, end) => (end > start ? end - start : 0);

/**
 * Length in whitespace-separated words. `'  two words '` has length 2; an empty or blank text has length 0.
 *
 * @example
 * ```ts
 * wordLength.length('Refunds take five days.'); // 4
 * new RecursiveChunker({ size: 100, lengthFunction: wordLength });
 * ```
 */
export const wordLength: LengthFunction = Object.freeze({
  id: 'words',
  unit: 'words' as const,
  length: countWords,
  prepare: wordRanges,
});

/** Exact word counts of ranges from prefix sums of word starts: `measure(a, b) === countWords(text.slice(a, b))`. */
function wordRanges(text: string): RangeMeasure {
  const n = text.length;
  const starts = new Int32Array(n + 1); // starts[i] = word starts in [0, i)
  let prevWs = true;
  for (let i = 0; i < n; i++) {
    const ws = isJsWhitespace(text.charCodeAt(i));
    starts[i + 1] = starts[i]! + (!ws && prevWs ? 1 : 0);
    prevWs = ws;
  }
  return (a, b) => {
    if (b <= a) return 0;
    // A word cut by `a` still counts once; word starts after `a` count as in the document.
    return starts[b]! - starts[a + 1]! + (isJsWhitespace(text.charCodeAt(a)) ? 0 : 1);
  };
}

/**
 * A {@link LengthFunction} counting tokens of `tokenizer` (no special tokens). Its id is `tokens:<tokenizer.id>`.
 *
 * `length(text)` tokenises `text`. `prepare(doc)` tokenises the whole document ONCE (`tokenizer.spans`) and then
 * measures a range `[start, end)` in O(log n) as the number of document tokens whose span overlaps it
 * (`spanStart < end && spanEnd > start`); a token with an empty span `[p, p)` (one lying inside a character that
 * an earlier token started) is treated as `[p - 1, p)`, i.e. it belongs to the character ending at `p`. So a token
 * straddling an edge of the range counts as one whole token of the range. That is the rule the sentence, semantic
 * and cluster chunkers use for their size limits. It can differ from `length(doc.slice(start, end))` by a few
 * tokens at the edges, both ways: the document may tokenise the first word of the range together with the space
 * before it (cl100k: ` Zurich`, one token) where the slice alone splits it (`Z`, `ur`, `ich`), and a range cutting
 * a word counts the straddling token once where the slice may tokenise the fragment into several. On sentence
 * chunks of the Chroma corpora (cl100k, size 100) 91% agree exactly and the slice counts between 1 fewer and 2 more
 * tokens for the rest; with the all-MiniLM-L6-v2 WordPiece tokenizer all agreed. If the tokenizer's spans are not in
 * order, `prepare` falls back to tokenising each slice.
 *
 * @example
 * ```ts
 * const tok = await HfTokenizer.fromDirectory('../shared/models/all-MiniLM-L6-v2-tokenizer');
 * const len = tokenLength(tok);
 * len.length('Hello world'); // 2
 * new RecursiveChunker({ size: 256, lengthFunction: len });
 * ```
 */
export function tokenLength(tokenizer: Tokenizer): LengthFunction {
  if (
    tokenizer === null ||
    typeof tokenizer !== 'object' ||
    typeof tokenizer.count !== 'function' ||
    typeof tokenizer.id !== 'string'
  ) {
    invalidArgument('tokenizer', tokenizer, 'a Tokenizer (with id, encode, count and spans)');
  }
  return Object.freeze({
    id: `tokens:${tokenizer.id}`,
    unit: 'tokens' as const,
    length: (text: string): number => tokenizer.count(text),
    prepare: (text: string): RangeMeasure =>
      tokenRangeMeasure(tokenizer.spans(text)) ?? ((a, b) => (b > a ? tokenizer.count(text.slice(a, b)) : 0)),
  });
}

/**
 * The range measure of {@link tokenLength} over a document's token spans, or `null` when the spans are not in
 * document order.
 */
function tokenRangeMeasure(spans: ReadonlyArray<readonly [number, number]>): RangeMeasure | null {
  const m = spans.length;
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const [s, e] = spans[k]!;
    let a = s;
    let b = e;
    if (b <= a) {
      a = Math.max(0, b - 1);
      b = a + 1;
    }
    if (k > 0 && (a < lo[k - 1]! || b < hi[k - 1]!)) return null;
    lo[k] = a;
    hi[k] = b;
  }
  return (start, end) => {
    if (end <= start) return 0;
    // tokens with lo < end, minus tokens with hi <= start (those all have lo < end too)
    return firstAtLeast(lo, end) - firstAbove(hi, start);
  };
}

/** Index of the first element >= x in sorted `a` (a.length when none). */
function firstAtLeast(a: Int32Array, x: number): number {
  let l = 0;
  let r = a.length;
  while (l < r) {
    const mid = (l + r) >>> 1;
    if (a[mid]! < x) l = mid + 1;
    else r = mid;
  }
  return l;
}

/** Index of the first element > x in sorted `a` (a.length when none). */
function firstAbove(a: Int32Array, x: number): number {
  let l = 0;
  let r = a.length;
  while (l < r) {
    const mid = (l + r) >>> 1;
    if (a[mid]! <= x) l = mid + 1;
    else r = mid;
  }
  return l;
}

/**
 * Measure ranges of one document with `fn`: its `prepare(text)` when it has one (see `LengthFunction.prepare`),
 * else `fn.length(text.slice(start, end))` (for `fn.id === 'chars'`, simply `end - start`). Call it once per
 * document and reuse the result; `0 <= start <= end <= text.length` is assumed, an empty range measures 0.
 *
 * @example
 * ```ts
 * const measure = rangeMeasure(tokenLength(await TiktokenTokenizer.load()), text); // tokenises text once
 * measure(chunk.start, chunk.end); // the chunk's size as the sentence/semantic/cluster chunkers count it
 * ```
 */
export function rangeMeasure(fn: LengthFunction, text: string): RangeMeasure {
  if (typeof fn.prepare === 'function') return fn.prepare(text);
  if (fn.id === 'chars' && fn.unit === 'chars') return charRange;
  return (start, end) => (end > start ? fn.length(text.slice(start, end)) : 0);
}

/**
 * Validate a {@link LengthFunction} option (for custom chunkers): returns it, or throws `RagscopeError`
 * (`INVALID_ARGUMENT`) naming `param` and the value.
 *
 * @example
 * ```ts
 * const len = checkLengthFunction('lengthFunction', options.lengthFunction ?? charLength);
 * ```
 */
export function checkLengthFunction(param: string, value: unknown): LengthFunction {
  const v = value as LengthFunction | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.length !== 'function' ||
    typeof v.id !== 'string' ||
    (v.unit !== 'chars' && v.unit !== 'words' && v.unit !== 'tokens') ||
    (v.prepare !== undefined && typeof v.prepare !== 'function')
  ) {
    invalidArgument(
      param,
      value,
      "a LengthFunction ({ id, unit: 'chars' | 'words' | 'tokens', length(text), optional prepare(text) })",
    );
  }
  return v;
}
