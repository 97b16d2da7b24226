import type { Interval } from '../metrics/ranges.js';
import type { RangeIndex } from '../metrics/spans.js';
import type { CharRange } from '../types.js';

/**
 * The part of a collection's range index that can touch `gold` (intervals overlapping or adjacent to a gold span).
 * PrecisionΩ only reads those, so it gives the same value on this small index as on the whole collection's, and
 * scoring many rankings of one question (fusion replays) no longer rescans every chunk of the document each time.
 * @internal
 */
export function touchingIndex(gold: readonly CharRange[], index: RangeIndex): RangeIndex {
  const out = new Map<string, Interval[]>();
  for (const s of gold) {
    if (out.has(s.docId)) continue;
    const spans = gold.filter((g) => g.docId === s.docId);
    const keep = (index.get(s.docId) ?? []).filter((c) =>
      spans.some((g) => Math.max(c[0], g.start) <= Math.min(c[1], g.end)),
    );
    out.set(s.docId, keep);
  }
  return out;
}
