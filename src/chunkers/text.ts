/** Character helpers shared by the chunkers (not part of the public API). */

/** True for the characters `String.prototype.trim` removes (ECMAScript WhiteSpace + LineTerminator). @internal */
export function isJsWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Count whitespace-separated words (runs of non-whitespace characters, whitespace as `String.prototype.trim`
 * defines it), without allocating.
 * @internal
 */
export function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ws = isJsWhitespace(text.charCodeAt(i));
    if (!ws && !inWord) words++;
    inWord = !ws;
  }
  return words;
}
