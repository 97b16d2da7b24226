import type { Document } from '../core/document.js';

/** A part of a document small enough for one request: `doc.text.slice(start, end) === text`. @internal */
export interface Unit {
  /** `${docId}@${start}`: the resume key. */
  id: string;
  docId: string;
  start: number;
  end: number;
  text: string;
}

/**
 * Cut each document into windows of at most `maxChars`, ending at the last paragraph break (else line break, else
 * sentence end, else space) in the second half of the window, so excerpts are rarely split. Whitespace-only
 * windows are skipped. @internal
 */
export function windowsOf(documents: readonly Document[], maxChars: number): Unit[] {
  const units: Unit[] = [];
  for (const doc of documents) {
    const t = doc.text;
    let start = 0;
    while (start < t.length) {
      let end = Math.min(t.length, start + maxChars);
      if (end < t.length) {
        const half = start + Math.floor(maxChars / 2);
        for (const sep of ['\n\n', '\n', '. ', ' ']) {
          const at = t.lastIndexOf(sep, end - sep.length);
          if (at >= half) {
            end = at + sep.length;
            break;
          }
        }
      }
      const text = t.slice(start, end);
      if (/\S/.test(text)) units.push({ id: `${doc.id}@${start}`, docId: doc.id, start, end, text });
      start = end;
    }
  }
  return units;
}
