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
  /**
   * Optional fast path for chunkers that measure many ranges of one document: called once per document, it returns
   * `measure(start, end)`, the length of `text.slice(start, end)` in the unit, computed without slicing or
   * re-measuring. It must be monotone (a range never measures less than a range inside it). Chunkers built in
   * ragscope (sentence, semantic, cluster; the recursive chunker only where it is not reproducing LangChain) use it
   * when present and fall back to `length(text.slice(start, end))` otherwise. `charLength` and `wordLength` give
   * exactly `length(slice)`; `tokenLength` tokenises the document once and counts the tokens touching the range
   * (see {@link tokenLength}), which can differ from tokenising the slice alone by a token or two at its edges.
   */
  prepare?(text: string): (start: number, end: number) => number;
}

/**
 * Measures `[start, end)` ranges of one document in a {@link LengthFunction}'s unit (see `LengthFunction.prepare`).
 *
 * @example
 * ```ts
 * const measure: RangeMeasure = rangeMeasure(wordLength, 'one two three');
 * measure(0, 7); // 2
 * ```
 */
export type RangeMeasure = (start: number, end: number) => number;

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
