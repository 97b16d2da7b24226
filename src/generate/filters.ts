import type { CharRange } from '../eval/types.js';

const STOP = new Set(['a', 'an', 'the']);

function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w));
}

function bigrams(ws: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < ws.length; i++) out.push(`${ws[i]} ${ws[i + 1]}`);
  return out;
}

/**
 * How much of a question is copied from its excerpts, word for word: the share of the question's word bigrams
 * (lower-cased letters and digits, articles dropped) that occur in one excerpt, the maximum over the excerpts.
 * 0 = no two consecutive question words appear together in an excerpt; 1 = every pair does. A question of one
 * word counts its unigram.
 * @internal
 */
export function lexicalOverlap(question: string, excerpts: readonly string[]): number {
  const qw = words(question);
  const qb = qw.length > 1 ? bigrams(qw) : qw;
  if (qb.length === 0) return 0;
  let best = 0;
  for (const e of excerpts) {
    const ew = words(e);
    const eb = new Set(qw.length > 1 ? bigrams(ew) : ew);
    best = Math.max(best, qb.filter((b) => eb.has(b)).length / qb.length);
  }
  return best;
}

/**
 * Locate every excerpt verbatim in `text` (the window starting at `offset` of document `docId`): exact
 * `indexOf`, first occurrence. Returns the spans (offsets into the whole document, so
 * `doc.text.slice(start, end) === excerpt`), or the first excerpt that does not occur.
 * @internal
 */
export function locateExcerpts(
  docId: string,
  text: string,
  offset: number,
  excerpts: readonly string[],
): { spans: CharRange[] } | { missing: string } {
  const spans: CharRange[] = [];
  for (const e of excerpts) {
    const at = text.indexOf(e);
    if (at < 0) return { missing: e };
    spans.push({ docId, start: offset + at, end: offset + at + e.length });
  }
  return { spans };
}
