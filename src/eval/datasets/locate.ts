import type { Document } from '../../core/document.js';
import type { CharRange } from '../types.js';

/**
 * Where an answer string was found.
 *
 * @example
 * ```ts
 * const found = locateAnswer('five business days', docs);
 * if (found && found.occurrences > 1) console.warn('ambiguous answer');
 * ```
 */
export interface LocatedAnswer {
  /** The first occurrence (in document order). */
  span: CharRange;
  /** `'exact'` or `'whitespace'` (matched with any run of whitespace standing for any other). */
  match: 'exact' | 'whitespace';
  /** How many occurrences exist in the documents searched (more than 1 means the answer is ambiguous). */
  occurrences: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Find an answer string in documents: first an exact match, then a whitespace-insensitive one (any run of
 * whitespace in the answer matches any run of whitespace in the text, e.g. a line break inside a paragraph).
 * Returns the first occurrence in the order of `docs`, or `undefined`. Leading/trailing whitespace of the
 * answer is ignored.
 *
 * @example
 * ```ts
 * locateAnswer('five  business days', [{ id: 'a', text: 'within five\nbusiness days.' }]);
 * // { span: { docId: 'a', start: 7, end: 25 }, match: 'whitespace', occurrences: 1 }
 * ```
 */
export function locateAnswer(answer: string, docs: readonly Document[]): LocatedAnswer | undefined {
  const needle = answer.trim();
  if (needle === '') return undefined;
  let first: CharRange | undefined;
  let count = 0;
  for (const d of docs) {
    for (let at = d.text.indexOf(needle); at !== -1; at = d.text.indexOf(needle, at + 1)) {
      first ??= { docId: d.id, start: at, end: at + needle.length };
      count++;
    }
  }
  if (first) return { span: first, match: 'exact', occurrences: count };
  const re = new RegExp(needle.split(/\s+/).map(escapeRegExp).join('\\s+'), 'g');
  for (const d of docs) {
    re.lastIndex = 0;
    for (let m = re.exec(d.text); m; m = re.exec(d.text)) {
      first ??= { docId: d.id, start: m.index, end: m.index + m[0].length };
      count++;
      re.lastIndex = m.index + 1;
    }
  }
  return first ? { span: first, match: 'whitespace', occurrences: count } : undefined;
}
