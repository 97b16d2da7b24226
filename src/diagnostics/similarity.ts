/**
 * Near-duplicate measures shared by whyNot (crowded-out) and corpusHealth.
 * @internal
 */

export { cosine } from '../core/vectors.js';

const WORD_RE = /[\p{L}\p{N}]+/gu;

/**
 * The set of word `size`-shingles of a text (lower-cased words joined by a space). A text shorter than `size`
 * words gives its whole word sequence as one shingle (so tiny texts still compare).
 * @internal
 */
export function shingles(text: string, size = 3): Set<string> {
  const words = text.toLowerCase().match(WORD_RE) ?? [];
  const out = new Set<string>();
  if (words.length === 0) return out;
  if (words.length < size) {
    out.add(words.join(' '));
    return out;
  }
  for (let i = 0; i + size <= words.length; i++) out.add(words.slice(i, i + size).join(' '));
  return out;
}

/** Jaccard similarity of two sets (1 when both are empty). @internal */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (big.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}
