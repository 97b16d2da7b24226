import type { LengthFunction, RangeMeasure } from './length.js';
import { isJsWhitespace } from './text.js';
import type { BoundaryReason } from './types.js';

/** What a {@link Run} reads from its recursive chunker. @internal */
export interface RunSettings {
  size: number;
  overlap: number;
  separators: readonly string[];
  keepSeparator: boolean;
  trim: boolean;
  lengthFunction: LengthFunction;
}

/** One splitting run over a document; collects chunk ranges and why each chunk ended. @internal */
export class Run {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly reasons: BoundaryReason[] = [];
  readonly seps: string[] = [];
  readonly wouldBe: number[] = [];
  private readonly text: string;
  private readonly size: number;
  private readonly overlap: number;
  private readonly separators: readonly string[];
  private readonly keep: boolean;
  private readonly trim: boolean;
  private readonly isChars: boolean;
  private readonly len: RangeMeasure;

  /**
   * Without `measure`, every piece is measured alone with `lengthFunction.length` (LangChain's arithmetic), each
   * distinct piece once: a piece that is too long and has the next separator only at its start comes back whole
   * from the recursion, and is then not measured again.
   */
  constructor(text: string, c: RunSettings, measure?: RangeMeasure) {
    this.text = text;
    this.size = c.size;
    this.overlap = c.overlap;
    this.separators = c.separators;
    this.keep = c.keepSeparator;
    this.trim = c.trim;
    this.isChars = c.lengthFunction.id === 'chars' && c.lengthFunction.unit === 'chars';
    const fn = c.lengthFunction;
    if (this.isChars) this.len = (s, e) => e - s;
    else if (measure !== undefined) this.len = measure;
    else {
      const cache = new Map<number, number>();
      const stride = text.length + 1;
      this.len = (s, e) => {
        const key = s * stride + e;
        let v = cache.get(key);
        if (v === undefined) {
          v = fn.length(text.slice(s, e));
          cache.set(key, v);
        }
        return v;
      };
    }
  }

  private emit(s: number, e: number, reason: BoundaryReason, sep: string, wouldBe: number): void {
    const text = this.text;
    if (this.trim) {
      while (s < e && isJsWhitespace(text.charCodeAt(s))) s++;
      while (e > s && isJsWhitespace(text.charCodeAt(e - 1))) e--;
    }
    if (e <= s) return;
    this.starts.push(s);
    this.ends.push(e);
    this.reasons.push(reason);
    this.seps.push(sep);
    this.wouldBe.push(wouldBe);
  }

  /**
   * LangChain's `_splitText` on `text[s, e)` with `separators.slice(from)`, streaming: pieces are produced and merged
   * (LangChain's `mergeSplits`, same overlap rule) in one pass without intermediate arrays of strings.
   * `closing` is the parent's separator that follows this range.
   */
  split(s: number, e: number, from: number, closing: string | null): void {
    const text = this.text;
    const sub = text.slice(s, e);
    const { sep, next } = pickSeparator(this.separators, sub, from);
    if (this.isChars && this.keep && sep !== '') {
      this.splitCharsKeep(s, sub, sep, next, closing);
      return;
    }
    const { size, overlap } = this;
    const sepLen = this.keep ? 0 : sep.length;
    const capReason: BoundaryReason = sep === '' ? 'forced-split' : 'size-cap';
    // merge queue of good pieces: [head, qs.length)
    const qs: number[] = [];
    const qe: number[] = [];
    const ql: number[] = [];
    let head = 0;
    let total = 0;
    const flush = (closeSep: string | null): void => {
      if (qs.length > head) {
        this.emit(
          qs[head] as number,
          qe[qe.length - 1] as number,
          closingReason(closeSep),
          closeSep ?? '',
          -1,
        );
      }
      qs.length = 0;
      qe.length = 0;
      ql.length = 0;
      head = 0;
      total = 0;
    };
    const handle = (a: number, b: number, isLast: boolean): void => {
      const L = this.len(a, b);
      if (L < size) {
        let count = qs.length - head;
        const wouldBe = total + L + count * sepLen;
        if (wouldBe > size && count > 0) {
          this.emit(qs[head] as number, qe[qe.length - 1] as number, capReason, sep, wouldBe);
          while (total > overlap || (total + L + count * sepLen > size && total > 0)) {
            total -= ql[head] as number;
            head++;
            count--;
          }
          if (count === 0) {
            qs.length = 0;
            qe.length = 0;
            ql.length = 0;
            head = 0;
          }
        }
        qs.push(a);
        qe.push(b);
        ql.push(L);
        total += L;
        return;
      }
      flush(sep);
      const after = isLast ? closing : sep;
      if (next < 0) this.emit(a, b, closingReason(after), after ?? '', -1);
      else this.split(a, b, next, after);
    };
    // pieces with one piece of look-ahead (to know which one is last)
    let pa = -1;
    let pb = -1;
    eachPiece(sub, s, sep, this.keep, (a, b) => {
      if (pa >= 0) handle(pa, pb, false);
      pa = a;
      pb = b;
    });
    if (pa >= 0) handle(pa, pb, true);
    flush(closing);
  }
  /**
   * The same split + merge as {@link Run.split} for the common case (length in characters, separators kept with the
   * following piece), but jumping over runs of small pieces with `lastIndexOf` instead of visiting every piece:
   * with contiguous pieces the merged length is just `end - start`.
   */
  private splitCharsKeep(s: number, sub: string, sep: string, next: number, closing: string | null): void {
    const { size, overlap } = this;
    const n = sub.length;
    let qStart = -1; // start of the merge queue (relative), -1 when empty
    let a = 0; // start of the current piece (relative)
    for (;;) {
      let b = sub.indexOf(sep, a + 1);
      const last = b === -1;
      if (last) b = n;
      const L = b - a;
      if (L >= size) {
        if (qStart >= 0) this.emit(s + qStart, s + a, 'separator', sep, -1);
        qStart = -1;
        const after = last ? closing : sep;
        if (next < 0) this.emit(s + a, s + b, closingReason(after), after ?? '', -1);
        else this.split(s + a, s + b, next, after);
      } else {
        if (qStart >= 0 && b - qStart > size) {
          this.emit(s + qStart, s + a, 'size-cap', sep, b - qStart);
          // LangChain's pop rule: drop pieces from the front while total > overlap, or the new piece would not fit
          let ns = qStart;
          if (a - qStart > overlap) {
            if (a - overlap <= qStart) ns = qStart;
            else {
              const k = sub.indexOf(sep, a - overlap);
              ns = k === -1 || k >= a ? a : k;
            }
          }
          while (ns < a && a - ns + L > size) {
            const k = sub.indexOf(sep, ns + 1);
            ns = k === -1 || k >= a ? a : k;
          }
          qStart = ns < a ? ns : -1;
        }
        if (qStart < 0) qStart = a;
        if (!last) {
          // jump over the following pieces that still fit: all of them are shorter than size
          const limit = qStart + size;
          if (limit >= n) {
            a = n;
            break;
          }
          const c = sub.lastIndexOf(sep, limit);
          if (c > b) b = c;
        }
      }
      if (last) {
        a = n;
        break;
      }
      a = b;
    }
    if (qStart >= 0) this.emit(s + qStart, s + a, closingReason(closing), closing ?? '', -1);
  }
}

function closingReason(sep: string | null): BoundaryReason {
  return sep === '' ? 'forced-split' : 'separator';
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * LangChain's choice of separator for `sub`: the first of `separators.slice(from)` present in it (`''` when none is,
 * or when `''` comes first), and the index of the separators the recursion continues with (-1: none left).
 */
function pickSeparator(seps: readonly string[], sub: string, from: number): { sep: string; next: number } {
  let sep = seps[seps.length - 1] as string;
  let next = -1;
  if (from >= seps.length) sep = '';
  else {
    for (let i = from; i < seps.length; i++) {
      const candidate = seps[i] as string;
      if (candidate === '') {
        sep = '';
        break;
      }
      if (sub.includes(candidate)) {
        sep = candidate;
        next = i + 1;
        break;
      }
    }
  }
  return { sep, next };
}

/**
 * Every piece of `sub` (which starts at offset `s` of the document) split on `sep`, as document ranges in order:
 * code points for `''`; with `keep` each separator starts the piece that follows it; without it separators are
 * left out and empty pieces skipped.
 */
function eachPiece(
  sub: string,
  s: number,
  sep: string,
  keep: boolean,
  visit: (a: number, b: number) => void,
): void {
  const n = sub.length;
  if (sep === '') {
    for (let i = 0; i < n; ) {
      const c = sub.charCodeAt(i);
      const w = c >= 0xd800 && c <= 0xdbff && i + 1 < n && isLow(sub.charCodeAt(i + 1)) ? 2 : 1;
      visit(s + i, s + i + w);
      i += w;
    }
  } else if (keep) {
    let start = 0;
    let idx = sub.indexOf(sep, 1);
    while (idx !== -1) {
      visit(s + start, s + idx);
      start = idx;
      idx = sub.indexOf(sep, idx + 1);
    }
    if (start < n) visit(s + start, s + n);
  } else {
    let start = 0;
    let idx = sub.indexOf(sep);
    while (idx !== -1) {
      if (idx > start) visit(s + start, s + idx);
      start = idx + sep.length;
      idx = sub.indexOf(sep, start);
    }
    if (start < n) visit(s + start, s + n);
  }
}
