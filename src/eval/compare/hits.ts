import type { HitRef } from '../../report/types.js';
import type { QuestionChange } from './types.js';

const key = (h: HitRef) => `${h.docId}\u0000${h.start}\u0000${h.end}`;

/** What moved in and out of the top k between two hit lists (best first), and the rank changes. @internal */
export function hitMoves(
  base: readonly HitRef[],
  cand: readonly HitRef[],
): Pick<QuestionChange, 'movedIn' | 'movedOut' | 'rankChanges'> {
  const rankB = new Map(base.map((h, i) => [key(h), i + 1]));
  const rankC = new Map(cand.map((h, i) => [key(h), i + 1]));
  const plain = (h: HitRef) => ({ docId: h.docId, start: h.start, end: h.end });
  return {
    movedIn: cand.flatMap((h, i) => (rankB.has(key(h)) ? [] : [{ ...plain(h), rank: i + 1 }])),
    movedOut: base.flatMap((h, i) => (rankC.has(key(h)) ? [] : [{ ...plain(h), rank: i + 1 }])),
    rankChanges: base.flatMap((h, i) => {
      const to = rankC.get(key(h));
      return to !== undefined && to !== i + 1 ? [{ hit: plain(h), from: i + 1, to }] : [];
    }),
  };
}
