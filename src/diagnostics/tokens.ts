/**
 * Token-budget helpers: where a text is cut when a model keeps only its first `maxTokens` tokens.
 * @internal
 */

/**
 * Counts tokens of a text (sync or async), e.g. `embedder.countTokens` or `tokenizer.count`.
 *
 * @example
 * ```ts
 * const byEmbedder: CountTokens = (text) => embedder.countTokens!(text); // may return a Promise
 * const byWords: CountTokens = (text) => text.split(/\s+/).filter(Boolean).length;
 * await tokenBudgetReport(chunks, { embedderMaxTokens: 256, countTokens: byWords });
 * ```
 */
export type CountTokens = (text: string) => number | Promise<number>;

/**
 * The character offset at which `text` is cut when only `maxTokens` tokens are kept: the longest prefix whose token
 * count is `<= maxTokens` (binary search over prefix lengths, so O(log n) calls of `countTokens`). Returns
 * `text.length` when the whole text fits.
 * @internal
 */
export async function truncationOffset(
  text: string,
  maxTokens: number,
  countTokens: CountTokens,
): Promise<number> {
  if ((await countTokens(text)) <= maxTokens) return text.length;
  let lo = 0;
  let hi = text.length;
  // Invariant: prefix(lo) fits, prefix(hi) does not.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((await countTokens(text.slice(0, mid))) <= maxTokens) lo = mid;
    else hi = mid;
  }
  // Do not cut inside a word: back off to the last whitespace when the cut falls mid-word.
  let cut = lo;
  if (cut > 0 && cut < text.length && /\S/.test(text[cut]!) && /\S/.test(text[cut - 1]!)) {
    const ws = text.lastIndexOf(' ', cut);
    if (ws > 0) cut = ws;
  }
  return cut;
}

/**
 * A crude but dependency-free token counter: words and punctuation marks (roughly what a WordPiece model sees on
 * plain English, a little low). Used only when no tokenizer or `countTokens` is given.
 * @internal
 */
export function approxCountTokens(text: string): number {
  return (text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? []).length;
}
