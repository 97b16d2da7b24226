import { RagscopeError } from '../../core/errors.js';
import type { CharRange } from '../types.js';
import {
  groupByDoc,
  type Interval,
  intersectLength,
  mergeIntervals,
  sumLengths,
  uncoveredLength,
} from './ranges.js';

/*
 * Span metrics exactly as Chroma's "Evaluating Chunking Strategies for Retrieval" computes them
 * (chunking_evaluation, evaluation_framework/base_evaluation.py), generalised from one corpus per question to
 * gold spans in several documents (each chunk is compared only with gold spans of its own document).
 * Counting rules of the reference code, matched here:
 * - covered = characters in (union of retrieved chunks) ∩ (union of gold spans): overlapping retrieved chunks
 *   and overlapping gold spans cover a character once.
 * - Σ|R| (recall denominator) is a plain SUM over gold spans: overlapping gold spans count twice.
 * - Σ|C| (precision denominator) is a plain SUM over ALL retrieved chunks, including chunks of other
 *   documents and overlapping chunks (a chunker with overlap pays for repeated characters).
 * - IoU denominator = Σ|C| + Σ over gold spans of their characters not in any retrieved chunk (again a sum).
 * - PrecisionΩ uses UNIONS: covered / |union(chunks touching a gold span) ∪ gold spans|. "Touching" is the
 *   reference's test `max(starts) <= min(ends)`, so a chunk that merely ends where a gold span starts counts
 *   (option `adjacentTouches`, default true, as the reference).
 */

/**
 * Per-question span scores (all in [0, 1]).
 *
 * @example
 * ```ts
 * const { recall, precision, iou } = spanMetrics(q.spans!, top5);
 * ```
 */
export interface SpanScores {
  /** covered / Σ|R|. */
  recall: number;
  /** covered / Σ|C| (0 when nothing was retrieved; the reference would divide by zero). */
  precision: number;
  /** covered / (Σ|C| + Σ uncovered gold characters). */
  iou: number;
  /** Gold characters inside the union of retrieved chunks. */
  coveredChars: number;
  /** Σ|R|. */
  goldChars: number;
  /** Σ|C|. */
  retrievedChars: number;
}

function checkGold(gold: readonly CharRange[]): Map<string, Interval[]> {
  const byDoc = groupByDoc(gold, 'gold');
  if (sumLengths([...byDoc.values()].flat()) === 0) {
    throw new RagscopeError('INVALID_ARGUMENT', 'gold must hold at least one non-empty span, got none', {
      param: 'gold',
      value: gold,
    });
  }
  return byDoc;
}

/**
 * Recall, precision and IoU of retrieved chunk ranges against gold spans, over characters, as Chroma's report.
 * Pass the top-k chunks (any chunker: only `docId`, `start`, `end` are read). Throws `INVALID_ARGUMENT` when
 * `gold` has no non-empty span or a range is malformed.
 *
 * @example
 * ```ts
 * const gold = [{ docId: 'd', start: 10, end: 20 }];
 * spanMetrics(gold, [{ docId: 'd', start: 0, end: 15 }, { docId: 'x', start: 0, end: 5 }]);
 * // covered 5 of 10 gold chars; Σ|C| = 20 -> { recall: 0.5, precision: 0.25, iou: 5 / (20 + 5) = 0.2, ... }
 * ```
 */
export function spanMetrics(gold: readonly CharRange[], retrieved: readonly CharRange[]): SpanScores {
  const goldByDoc = checkGold(gold);
  const retrievedByDoc = groupByDoc(retrieved, 'retrieved');
  let covered = 0;
  let goldChars = 0;
  let uncovered = 0;
  for (const [docId, spans] of goldByDoc) {
    const cover = mergeIntervals(retrievedByDoc.get(docId) ?? []);
    covered += intersectLength(mergeIntervals(spans), cover);
    goldChars += sumLengths(spans);
    for (const [s, e] of spans) uncovered += uncoveredLength(s, e, cover);
  }
  const retrievedChars = sumLengths([...retrievedByDoc.values()].flat());
  return {
    recall: covered / goldChars,
    precision: retrievedChars === 0 ? 0 : covered / retrievedChars,
    iou: covered / (retrievedChars + uncovered),
    coveredChars: covered,
    goldChars,
    retrievedChars,
  };
}

/**
 * Chunk ranges grouped by document, for repeated {@link precisionOmega} calls.
 *
 * @example
 * ```ts
 * const index: RangeIndex = indexRanges(allChunks);
 * ```
 */
export type RangeIndex = ReadonlyMap<string, readonly Interval[]>;

/**
 * Group all chunk ranges of a collection by document once, so that {@link precisionOmega} does not rescan
 * every chunk for every question.
 *
 * @example
 * ```ts
 * const index = indexRanges(allChunks);
 * const scores = questions.map((q) => precisionOmega(q.spans!, index));
 * ```
 */
export function indexRanges(chunks: readonly CharRange[]): RangeIndex {
  return groupByDoc(chunks, 'chunks');
}

/**
 * Result of {@link precisionOmega}.
 *
 * @example
 * ```ts
 * const { precisionOmega: omega, touchingChunks } = precisionOmega(q.spans!, index);
 * ```
 */
export interface PrecisionOmegaScore {
  /** The IoU obtained when retrieving exactly the chunks that touch a gold span. */
  precisionOmega: number;
  /** How many chunks touch a gold span (the reference's `highlighted_chunk_count`). */
  touchingChunks: number;
}

/**
 * Options of {@link precisionOmega}.
 *
 * @example
 * ```ts
 * precisionOmega(gold, chunks, { adjacentTouches: false }); // only chunks sharing at least one character
 * ```
 */
export interface PrecisionOmegaOptions {
  /** Count a chunk that only shares an endpoint with a gold span as touching it. Default `true` (as the reference). */
  adjacentTouches?: boolean;
}

/**
 * Chroma's PrecisionΩ for one question: the IoU a retriever would get by returning every chunk of the
 * collection that touches a gold span — the best precision this chunking allows at full recall.
 * Computed with unions (see the module notes): covered / |union(touching chunks) ∪ gold spans|.
 *
 * @example
 * ```ts
 * const chunks = [{ docId: 'd', start: 0, end: 10 }, { docId: 'd', start: 10, end: 20 }, { docId: 'd', start: 20, end: 30 }];
 * precisionOmega([{ docId: 'd', start: 12, end: 18 }], chunks); // { precisionOmega: 0.6, touchingChunks: 1 }
 * precisionOmega([{ docId: 'd', start: 10, end: 20 }], chunks); // all three touch: { precisionOmega: 10 / 30, touchingChunks: 3 }
 * ```
 */
export function precisionOmega(
  gold: readonly CharRange[],
  chunks: readonly CharRange[] | RangeIndex,
  options: PrecisionOmegaOptions = {},
): PrecisionOmegaScore {
  const adjacent = options.adjacentTouches ?? true;
  const goldByDoc = checkGold(gold);
  const index = Array.isArray(chunks) ? indexRanges(chunks as readonly CharRange[]) : (chunks as RangeIndex);
  let covered = 0;
  let denominator = 0;
  let touchingChunks = 0;
  for (const [docId, spans] of goldByDoc) {
    const touching: Interval[] = [];
    for (const c of index.get(docId) ?? []) {
      const hit = spans.some(([s, e]) => {
        const lo = Math.max(c[0], s);
        const hi = Math.min(c[1], e);
        return adjacent ? lo <= hi : lo < hi;
      });
      if (hit) touching.push(c);
    }
    touchingChunks += touching.length;
    const cover = mergeIntervals(touching);
    const goldUnion = mergeIntervals(spans);
    covered += intersectLength(goldUnion, cover);
    denominator += sumLengths(mergeIntervals([...cover, ...goldUnion]));
  }
  return { precisionOmega: denominator === 0 ? 0 : covered / denominator, touchingChunks };
}
