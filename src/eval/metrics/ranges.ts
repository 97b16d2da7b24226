import { RagscopeError } from '../../core/errors.js';
import type { CharRange } from '../types.js';

/** A `[start, end)` pair within one document. @internal */
export type Interval = readonly [number, number];

/** Sort and merge intervals that overlap or touch. @internal */
export function mergeIntervals(intervals: readonly Interval[]): Array<[number, number]> {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Total length of intervals (overlaps counted as many times as they occur). @internal */
export function sumLengths(intervals: readonly Interval[]): number {
  let n = 0;
  for (const [s, e] of intervals) n += e - s;
  return n;
}

/** Length of the intersection of two MERGED, sorted interval lists. @internal */
export function intersectLength(a: readonly Interval[], b: readonly Interval[]): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const [as, ae] = a[i]!;
    const [bs, be] = b[j]!;
    const lo = Math.max(as, bs);
    const hi = Math.min(ae, be);
    if (hi > lo) n += hi - lo;
    if (ae < be) i++;
    else j++;
  }
  return n;
}

/** Chars of `[s, e)` not inside the merged, sorted `cover`. @internal */
export function uncoveredLength(s: number, e: number, cover: readonly Interval[]): number {
  return e - s - intersectLength([[s, e]], cover);
}

/** Validate ranges and group their intervals by document. @internal */
export function groupByDoc(ranges: readonly CharRange[], param: string): Map<string, Interval[]> {
  if (!Array.isArray(ranges)) {
    throw new RagscopeError('INVALID_ARGUMENT', `${param} must be an array of { docId, start, end }`, {
      param,
    });
  }
  const out = new Map<string, Interval[]>();
  ranges.forEach((r, i) => {
    const ok =
      r !== null &&
      typeof r === 'object' &&
      typeof r.docId === 'string' &&
      Number.isInteger(r.start) &&
      Number.isInteger(r.end) &&
      r.start >= 0 &&
      r.end >= r.start;
    if (!ok) {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `${param}[${i}] must be { docId: string, start, end } with integers 0 <= start <= end, got ${JSON.stringify(r)}`,
        { param: `${param}[${i}]`, value: r },
      );
    }
    let list = out.get(r.docId);
    if (!list) {
      list = [];
      out.set(r.docId, list);
    }
    list.push([r.start, r.end]);
  });
  return out;
}
