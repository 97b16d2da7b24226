import type { LengthFunction, RangeMeasure } from './length.js';
import { RecursiveChunker, recursiveRanges } from './recursive.js';
import { type SentenceSpan, splitSentences } from './sentences.js';
import type { Boundary, BoundaryReason } from './types.js';

/**
 * A packable unit: a whole sentence, or a part of a sentence longer than the size limit.
 * @internal
 */
export interface Unit {
  start: number;
  end: number;
  /** Index of the sentence the unit belongs to. */
  sentence: number;
  /** 0 for the first (or only) part of a sentence; > 0 when the unit continues the sentence before it. */
  part: number;
  /** For `part > 0`: why the RecursiveChunker cut the sentence before this unit (`size-cap`, `separator`, `forced-split`). */
  cutReason?: BoundaryReason;
  /** For `cutReason === 'separator'`: the separator cut on. */
  separator?: string;
  /** True when the sentence was cut into several units. */
  split: boolean;
}

/**
 * One packed chunk: units `first..last`, and what the next unit would have made of it.
 * @internal
 */
export interface Pack {
  first: number;
  last: number;
  start: number;
  end: number;
  /** Length of the chunk extended to the next unit (the size it would have reached); undefined for the last. */
  wouldBe?: number;
}

/**
 * Move whole sentences from the second-to-last pack into the last one while the last is shorter than `minSize`,
 * the move keeps it within `size` and the second-to-last keeps at least one unit and `minSize`.
 * @internal
 */
export function rebalanceTail(
  units: Unit[],
  packs: Pack[],
  size: number,
  minSize: number,
  measure: RangeMeasure,
): Pack[] {
  if (packs.length < 2 || minSize <= 0) return packs;
  const out = packs.slice();
  const last = { ...out[out.length - 1]! };
  const prev = { ...out[out.length - 2]! };
  if (prev.last + 1 !== last.first) return packs;
  while (measure(last.start, last.end) < minSize && prev.last > prev.first) {
    const moving = units[prev.last]!;
    const keep = units[prev.last - 1]!;
    if (moving.split || keep.split) break;
    if (measure(moving.start, last.end) > size) break;
    if (measure(prev.start, keep.end) < minSize) break;
    prev.last -= 1;
    prev.end = keep.end;
    prev.wouldBe = measure(prev.start, moving.end);
    last.first -= 1;
    last.start = moving.start;
  }
  out[out.length - 2] = prev;
  out[out.length - 1] = last;
  return out;
}

/**
 * Turn sentences into units no longer than `size` (as `measure`, a range measure of the whole document, counts
 * them): a longer sentence is cut with the {@link RecursiveChunker}'s algorithm (paragraph, line, space, then
 * characters) measuring with the same `measure`. `fn` is the length function `measure` came from.
 * `firstIndex` numbers the sentences.
 * @internal
 */
export function sentenceUnits(
  text: string,
  sentences: SentenceSpan[],
  size: number,
  fn: LengthFunction,
  measure: RangeMeasure,
  firstIndex = 0,
): Unit[] {
  const units: Unit[] = [];
  let splitter: RecursiveChunker | undefined;
  sentences.forEach((s, local) => {
    const index = firstIndex + local;
    if (measure(s.start, s.end) <= size) {
      units.push({ start: s.start, end: s.end, sentence: index, part: 0, split: false });
      return;
    }
    splitter ??= new RecursiveChunker({ size, overlap: 0, lengthFunction: fn });
    const parts = recursiveRanges(splitter, text, s.start, s.end, measure);
    parts.forEach((c, part) => {
      const unit: Unit = { start: c.start, end: c.end, sentence: index, part, split: parts.length > 1 };
      if (part > 0) {
        const cut = parts[part - 1]!;
        unit.cutReason = cut.reason;
        if (cut.separator !== undefined) unit.separator = cut.separator;
      }
      units.push(unit);
    });
  });
  return units;
}

/**
 * The sentence chunker's whole algorithm on `text` (split sentences, cut over-long ones, pack): its units and packs.
 * @internal
 */
export function packSentences(
  text: string,
  size: number,
  fn: LengthFunction,
  measure: RangeMeasure,
  overlap = 0,
): { units: Unit[]; packs: Pack[] } {
  const units = sentenceUnits(text, splitSentences(text), size, fn, measure);
  return { units, packs: packUnits(units, size, measure, overlap) };
}

/**
 * Greedily pack consecutive units into chunks of at most `size`, measured on the exact text span
 * (`text.slice(firstUnit.start, lastUnit.end)`, whitespace between units included); the parts of a sentence that
 * had to be cut are packed among themselves only. Each chunk after the first
 * starts `overlap` whole sentences before the end of the previous one, when they fit with the next unit and the
 * chunk still moves forward.
 * @internal
 */
export function packUnits(units: Unit[], size: number, measure: RangeMeasure, overlap = 0): Pack[] {
  const packs: Pack[] = [];
  let i = 0;
  while (i < units.length) {
    const start = units[i]!.start;
    let j = i;
    let wouldBe: number | undefined;
    while (j + 1 < units.length) {
      const cur = units[j]!;
      const nxt = units[j + 1]!;
      // The parts of a sentence longer than the limit never share a chunk with other sentences.
      if (nxt.sentence !== cur.sentence && (cur.split || nxt.split)) break;
      const len = measure(start, nxt.end);
      if (len > size) {
        wouldBe = len;
        break;
      }
      j++;
    }
    const pack: Pack = { first: i, last: j, start, end: units[j]!.end };
    if (wouldBe !== undefined) pack.wouldBe = wouldBe;
    packs.push(pack);
    if (j + 1 >= units.length) break;
    const next = j + 1;
    let from = next;
    for (let taken = 0; taken < overlap; taken++) {
      const candidate = units[from - 1]!;
      if (from - 1 <= i || candidate.split || units[next]!.split) break;
      if (measure(candidate.start, units[next]!.end) > size) break;
      from--;
    }
    i = from;
  }
  return packs;
}

/**
 * The boundary between two packs of units: why `prev` ended where it did.
 * `reason` overrides the reason for a cut between sentences (the semantic chunker uses `max-size`).
 * @internal
 */
export function sizeBoundary(
  prev: Pack,
  next: Pack,
  units: Unit[],
  after: number,
  limit: number,
  unit: string,
  reason: 'sentence-end' | 'max-size' = 'sentence-end',
): Boundary {
  const stopped = units[prev.last + 1]!;
  const wouldBe = prev.wouldBe ?? limit + 1;
  const base = { before: after - 1, after, offset: next.start, wouldBe, limit };
  const overlapNote = next.start < prev.end ? ' The next chunk repeats the last sentence(s) as overlap.' : '';
  const last = units[prev.last]!;
  if (stopped.sentence !== last.sentence && (stopped.split || last.split) && prev.wouldBe === undefined) {
    const long = stopped.split ? stopped.sentence : last.sentence;
    return {
      before: after - 1,
      after,
      offset: next.start,
      limit,
      reason,
      explanation:
        `Sentence ${stopped.sentence} ends here; sentence ${long + 1} is longer than the limit of ${limit} ${unit}, ` +
        `so its parts are chunked on their own.${overlapNote}`,
    };
  }
  if (stopped.part > 0) {
    const how =
      stopped.separator !== undefined
        ? `at the separator ${JSON.stringify(stopped.separator)}`
        : 'between characters (no separator fitted)';
    return {
      ...base,
      reason: reason === 'max-size' ? 'max-size' : (stopped.cutReason ?? 'forced-split'),
      ...(stopped.separator !== undefined ? { separator: stopped.separator } : {}),
      explanation:
        `Sentence ${stopped.sentence + 1} is longer than the limit of ${limit} ${unit}, so it was cut ${how}; ` +
        `continuing would have made the chunk ${wouldBe} ${unit}.${overlapNote}`,
    };
  }
  return {
    ...base,
    reason,
    explanation:
      `Sentence ${stopped.sentence} ends here and adding sentence ${stopped.sentence + 1} would make the chunk ` +
      `${wouldBe} ${unit}, over the limit of ${limit} ${unit}.${overlapNote}`,
  };
}
