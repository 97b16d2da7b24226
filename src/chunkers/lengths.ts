import { invalidArgument } from '../core/errors.js';
import type { LengthFunction, Tokenizer } from './length.js';
import { countWords } from './text.js';

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
});

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
});

/**
 * A {@link LengthFunction} counting tokens of `tokenizer` (no special tokens). Its id is `tokens:<tokenizer.id>`.
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
  });
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
    (v.unit !== 'chars' && v.unit !== 'words' && v.unit !== 'tokens')
  ) {
    invalidArgument(
      param,
      value,
      "a LengthFunction ({ id, unit: 'chars' | 'words' | 'tokens', length(text) })",
    );
  }
  return v;
}
