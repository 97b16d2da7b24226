import type { Chunk, Document, DocumentInput } from '../core/document.js';
import { toDocument } from '../core/document.js';
import { checkInteger, invalidArgument } from '../core/errors.js';
import type { LengthFunction, Tokenizer } from './length.js';
import { charLength, checkLengthFunction, tokenLength, wordLength } from './lengths.js';
import { isJsWhitespace } from './text.js';
import type { ChunkingTrace } from './types.js';

/**
 * A size unit accepted by the fixed and recursive chunkers and by spec strings: `chars` (UTF-16 code units),
 * `words` (whitespace-separated) or `tokens` (of a {@link Tokenizer}).
 *
 * @example
 * ```ts
 * const unit: SizeUnit = 'tokens';
 * ```
 */
export type SizeUnit = 'chars' | 'words' | 'tokens';

/** Validate `size` (integer >= 1) and `overlap` (integer in [0, size)). @internal */
export function checkSizeOverlap(size: unknown, overlap: unknown, sizeParam = 'size'): [number, number] {
  const s = checkInteger(sizeParam, size, 1);
  const o = checkInteger('overlap', overlap, 0);
  if (o >= s) invalidArgument('overlap', overlap, `an integer smaller than ${sizeParam} (${s})`);
  return [s, o];
}

/** Validate a unit name. @internal */
export function checkUnit(unit: unknown): SizeUnit {
  if (unit !== 'chars' && unit !== 'words' && unit !== 'tokens') {
    invalidArgument('unit', unit, "one of 'chars', 'words', 'tokens'");
  }
  return unit;
}

/** Validate a Tokenizer. @internal */
export function checkTokenizer(tokenizer: unknown): Tokenizer {
  const t = tokenizer as Tokenizer | null;
  if (
    t === null ||
    typeof t !== 'object' ||
    typeof t.id !== 'string' ||
    typeof t.spans !== 'function' ||
    typeof t.count !== 'function'
  ) {
    invalidArgument(
      'tokenizer',
      tokenizer,
      'a Tokenizer (e.g. from HfTokenizer.fromDirectory or TiktokenTokenizer.load)',
    );
  }
  return t;
}

/** The LengthFunction for a unit; `tokens` needs a tokenizer. @internal */
export function lengthForUnit(unit: SizeUnit, tokenizer: Tokenizer | undefined): LengthFunction {
  checkUnit(unit);
  if (unit === 'chars') return charLength;
  if (unit === 'words') return wordLength;
  if (tokenizer === undefined) {
    invalidArgument('tokenizer', tokenizer, "a Tokenizer when unit is 'tokens'");
  }
  return tokenLength(checkTokenizer(tokenizer));
}

export { checkLengthFunction };

/** Normalise and validate a document input. @internal */
export function readDocument(input: DocumentInput): Document {
  return toDocument(input);
}

/** Shared async wrappers for synchronous chunkers. @internal */
export abstract class SyncChunkerBase {
  abstract readonly spec: string;
  abstract chunkWithTraceSync(doc: DocumentInput): ChunkingTrace;

  /** Split a document into chunks (synchronously). */
  chunkSync(doc: DocumentInput): Chunk[] {
    return this.chunkWithTraceSync(doc).chunks;
  }

  /** Split a document into chunks. */
  async chunk(doc: DocumentInput): Promise<Chunk[]> {
    return this.chunkSync(doc);
  }

  /** Split a document and explain every boundary. */
  async chunkWithTrace(doc: DocumentInput): Promise<ChunkingTrace> {
    return this.chunkWithTraceSync(doc);
  }
}

/** Is position `i` of `text` between the two halves of a surrogate pair? @internal */
export function insidePair(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return false;
  const lo = text.charCodeAt(i);
  const hi = text.charCodeAt(i - 1);
  return lo >= 0xdc00 && lo <= 0xdfff && hi >= 0xd800 && hi <= 0xdbff;
}

/** Quote a separator for an explanation. @internal */
export function showSeparator(sep: string): string {
  return JSON.stringify(sep);
}

/** `[start, end)` of each whitespace-separated word. @internal */
export function wordSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ws = isJsWhitespace(text.charCodeAt(i));
    if (ws && start >= 0) {
      spans.push([start, i]);
      start = -1;
    } else if (!ws && start < 0) start = i;
  }
  if (start >= 0) spans.push([start, text.length]);
  return spans;
}
