/**
 * How a chunker measures size. `unit` names it in spec strings and reports.
 *
 * @example
 * ```ts
 * const words: LengthFunction = { id: 'words', unit: 'words', length: (t) => t.split(/\s+/).filter(Boolean).length };
 * ```
 */
export interface LengthFunction {
  /** Stable id (part of chunk ids and cache keys), e.g. `chars`, `words`, `tokens:all-MiniLM-L6-v2`. */
  readonly id: string;
  /** The unit: `chars`, `words` or `tokens`. */
  readonly unit: 'chars' | 'words' | 'tokens';
  /** Length of `text` in the unit. */
  length(text: string): number;
}

/**
 * A tokenizer that can say where each token lies in the original text, so token-sized chunks keep exact offsets.
 *
 * @example
 * ```ts
 * const tok = await HfTokenizer.fromDirectory('../shared/models/all-MiniLM-L6-v2-tokenizer');
 * tok.count('Hello world'); // 2
 * ```
 */
export interface Tokenizer {
  /** Stable id, e.g. the model name. */
  readonly id: string;
  /** Token ids as the model sees them (no special tokens). */
  encode(text: string): number[];
  /** Number of tokens (no special tokens). */
  count(text: string): number;
  /** `[start, end)` character spans in `text` of each token, in order (no special tokens). */
  spans(text: string): Array<[number, number]>;
}
