import { splitSentences } from '../chunkers/sentences.js';
import type { Chunk, Document } from '../core/document.js';
import { invalidArgument } from '../core/errors.js';
import { type Distribution, describe } from './stats.js';
import type { CountTokens } from './tokens.js';

/**
 * A gold character span in a document.
 *
 * @example
 * ```ts
 * const text = 'Refunds take five days. Shipping is free for orders over fifty euros. Returns are accepted for thirty days.';
 * const start = text.indexOf('Shipping');
 * const span: GoldSpan = { docId: 'faq', start, end: text.indexOf('Returns') - 1 }; // { docId: 'faq', start: 24, end: 69 }
 * ```
 */
export interface GoldSpan {
  docId: string;
  start: number;
  end: number;
}

/**
 * One chunker's chunks for {@link boundaryReport}.
 *
 * @example
 * ```ts
 * const run: ChunkerRun = {
 *   name: 'fixed:40/10',
 *   chunks: documents.flatMap((d) => new FixedChunker({ size: 40, overlap: 10 }).chunkSync(d)),
 *   configuredOverlapChars: 10, // reported next to the overlap actually achieved
 * };
 * ```
 */
export interface ChunkerRun {
  /** Name shown in the report (e.g. the chunker spec). */
  name: string;
  chunks: readonly Chunk[];
  /** Configured overlap in characters, when the chunker has one (for "achieved vs configured"). */
  configuredOverlapChars?: number;
}

/**
 * Options of {@link boundaryReport}.
 *
 * @example
 * ```ts
 * const options: BoundaryReportOptions = {
 *   goldSpans: [{ docId: 'faq', start: 24, end: 69 }], // default: none
 *   countTokens: (t) => embedder.countTokens!(t), // default: no token sizes
 *   examples: 3, // default 5
 *   // sentences: default splitSentences (wink-nlp)
 * };
 * const reports = await boundaryReport(runs, documents, options);
 * ```
 */
export interface BoundaryReportOptions {
  /** Gold spans: the report counts those that straddle a chunk boundary. Default: none. */
  goldSpans?: readonly GoldSpan[];
  /** Token counter for the size distribution in tokens (e.g. `embedder.countTokens`). Default: no token sizes. */
  countTokens?: CountTokens;
  /** Sentence splitter. Default {@link splitSentences} (wink-nlp, blank lines end sentences). */
  sentences?: (text: string) => Array<{ start: number; end: number }>;
  /** Straddling spans listed as examples per chunker. Default `5`. */
  examples?: number;
}

/**
 * A gold span that no single chunk contains.
 *
 * @example
 * ```ts
 * const [fixed] = await boundaryReport([{ name: 'fixed:40/0', chunks }], documents, { goldSpans: [{ docId: 'faq', start: 24, end: 69 }] });
 * const s: StraddlingSpan | undefined = fixed?.gold?.examples[0];
 * s?.pieces; // [{ chunkId: 'faq#0.1a8c329d', start: 0, end: 40, fraction: 0.356 }, { chunkId: 'faq#1.1daaebf5', start: 40, end: 80, fraction: 0.644 }]
 * ```
 */
export interface StraddlingSpan {
  span: GoldSpan;
  /** The chunks holding parts of it, with the fraction of the span's characters each holds. */
  pieces: Array<{ chunkId: string; start: number; end: number; fraction: number }>;
}

/**
 * The boundary report of one chunker.
 *
 * @example
 * ```ts
 * const [fixed, sentence]: ChunkerBoundaryReport[] = await boundaryReport(
 *   [{ name: 'fixed:40/0', chunks: fixedChunks }, { name: 'sentence:80', chunks: sentenceChunks }],
 *   documents,
 *   { goldSpans },
 * );
 * fixed?.midSentenceStartShare; // 0.667: 2 of its 3 chunks start mid-sentence
 * sentence?.midSentenceStartShare; // 0
 * fixed?.sizeChars.p50; // 40
 * fixed?.gold; // { spans: 1, straddling: 1, straddlingShare: 1, examples: [...] }
 * ```
 */
export interface ChunkerBoundaryReport {
  name: string;
  chunks: number;
  /** Share of chunks whose first non-space character is not a sentence start. */
  midSentenceStartShare: number;
  /** Share of chunks whose last non-space character is not a sentence end. */
  midSentenceEndShare: number;
  sizeChars: Distribution;
  /** Present when `countTokens` was given. */
  sizeTokens?: Distribution;
  /** Overlap between consecutive chunks of a document, in characters. */
  overlapChars: Distribution;
  configuredOverlapChars?: number;
  /** Present when gold spans were given. */
  gold?: { spans: number; straddling: number; straddlingShare: number; examples: StraddlingSpan[] };
}

/**
 * Where each chunker puts its boundaries, measured: the share of chunks that start or end mid-sentence, the size
 * distribution (characters, and tokens when a counter is given), the overlap achieved against the configured one,
 * and the gold spans that straddle a boundary (no single chunk contains them).
 *
 * @example
 * ```ts
 * const runs = [{ name: 'fixed:400', chunks: fixedChunks }, { name: 'sentence:400', chunks: sentenceChunks }];
 * const report = await boundaryReport(runs, documents, { goldSpans, countTokens: (t) => tok.count(t) });
 * report[0].midSentenceStartShare; // e.g. 0.93 for fixed-size chunks
 * ```
 */
export async function boundaryReport(
  runs: readonly ChunkerRun[],
  documents: readonly Document[],
  options: BoundaryReportOptions = {},
): Promise<ChunkerBoundaryReport[]> {
  if (!Array.isArray(runs)) invalidArgument('runs', runs, 'an array of { name, chunks }');
  if (!Array.isArray(documents)) invalidArgument('documents', documents, 'an array of documents');
  const split = options.sentences ?? ((t: string) => splitSentences(t));
  const maxExamples = options.examples ?? 5;
  const docs = new Map(documents.map((d) => [d.id, d]));
  const starts = new Map<string, Set<number>>();
  const ends = new Map<string, Set<number>>();
  const sentencesOf = (docId: string) => {
    let s = starts.get(docId);
    let e = ends.get(docId);
    if (!s || !e) {
      const doc = docs.get(docId);
      if (!doc) invalidArgument('chunks[].docId', docId, 'the id of one of the documents');
      const spans = split(doc.text);
      s = new Set(spans.map((x) => x.start));
      e = new Set(spans.map((x) => x.end));
      s.add(0);
      e.add(doc.text.length);
      starts.set(docId, s);
      ends.set(docId, e);
    }
    return { s, e, text: docs.get(docId)!.text };
  };
  const out: ChunkerBoundaryReport[] = [];
  for (const run of runs) {
    if (!run || typeof run.name !== 'string' || !Array.isArray(run.chunks)) {
      invalidArgument('runs[]', run, '{ name: string, chunks: Chunk[] }');
    }
    let midStart = 0;
    let midEnd = 0;
    const sizes: number[] = [];
    const tokens: number[] = [];
    const overlaps: number[] = [];
    const byDoc = new Map<string, Chunk[]>();
    for (const c of run.chunks) {
      const { s, e, text } = sentencesOf(c.docId);
      let a = c.start;
      while (a < c.end && /\s/.test(text[a]!)) a++;
      let b = c.end;
      while (b > a && /\s/.test(text[b - 1]!)) b--;
      if (a < b) {
        if (!s.has(a)) midStart++;
        if (!e.has(b)) midEnd++;
      }
      sizes.push(c.end - c.start);
      if (options.countTokens) tokens.push(await options.countTokens(c.text));
      let list = byDoc.get(c.docId);
      if (!list) {
        list = [];
        byDoc.set(c.docId, list);
      }
      list.push(c);
    }
    for (const list of byDoc.values()) {
      list.sort((x, y) => x.start - y.start || x.end - y.end);
      for (let i = 1; i < list.length; i++) overlaps.push(Math.max(0, list[i - 1]!.end - list[i]!.start));
    }
    const n = run.chunks.length;
    const report: ChunkerBoundaryReport = {
      name: run.name,
      chunks: n,
      midSentenceStartShare: n ? midStart / n : 0,
      midSentenceEndShare: n ? midEnd / n : 0,
      sizeChars: describe(sizes),
      overlapChars: describe(overlaps),
    };
    if (options.countTokens) report.sizeTokens = describe(tokens);
    if (run.configuredOverlapChars !== undefined) report.configuredOverlapChars = run.configuredOverlapChars;
    if (options.goldSpans) {
      let straddling = 0;
      const examples: StraddlingSpan[] = [];
      for (const span of options.goldSpans) {
        const pieces = spanPieces(byDoc.get(span.docId) ?? [], span);
        if (pieces.contained) continue;
        straddling++;
        if (examples.length < maxExamples) examples.push({ span, pieces: pieces.pieces });
      }
      const total = options.goldSpans.length;
      report.gold = { spans: total, straddling, straddlingShare: total ? straddling / total : 0, examples };
    }
    out.push(report);
  }
  return out;
}

/**
 * The chunks overlapping `span`, with the fraction of the span each holds, and whether one chunk contains it all.
 * @internal
 */
export function spanPieces(
  chunks: readonly Chunk[],
  span: { start: number; end: number },
): {
  contained: Chunk | null;
  pieces: Array<{ chunkId: string; start: number; end: number; fraction: number }>;
} {
  const len = Math.max(1, span.end - span.start);
  let contained: Chunk | null = null;
  const pieces: Array<{ chunkId: string; start: number; end: number; fraction: number }> = [];
  for (const c of chunks) {
    const a = Math.max(c.start, span.start);
    const b = Math.min(c.end, span.end);
    if (b <= a && !(span.end === span.start && c.start <= span.start && span.start < c.end)) continue;
    if (c.start <= span.start && c.end >= span.end && contained === null) contained = c;
    pieces.push({ chunkId: c.id, start: c.start, end: c.end, fraction: Math.max(0, b - a) / len });
  }
  pieces.sort((x, y) => x.start - y.start);
  return { contained, pieces };
}
