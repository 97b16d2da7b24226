import type { Chunk, DocumentInput } from '../core/document.js';
import { makeChunk, toDocument } from '../core/document.js';
import { invalidArgument, RagscopeError } from '../core/errors.js';
import type { Boundary, Chunker, ChunkingTrace } from './types.js';

/**
 * What ragscope needs of a LangChain.js `TextSplitter` (from `@langchain/textsplitters`, or any object with the
 * same method): `splitText` returns the pieces of a text, in order. `chunkSize`/`chunkOverlap` are read when
 * present, for the spec string and to locate overlapping pieces.
 *
 * @example
 * ```ts
 * import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
 * const splitter: TextSplitterLike = new RecursiveCharacterTextSplitter({ chunkSize: 400, chunkOverlap: 0 });
 * ```
 */
export interface TextSplitterLike {
  splitText(text: string): Promise<string[]>;
  chunkSize?: number;
  chunkOverlap?: number;
}

/**
 * Options of {@link TextSplitterChunker}.
 *
 * @example
 * ```ts
 * const opts: TextSplitterChunkerOptions = { name: 'lc-recursive' };
 * ```
 */
export interface TextSplitterChunkerOptions {
  /**
   * Name used in the spec string (`langchain:<name>:<chunkSize>/<chunkOverlap>`), which is part of every chunk id.
   * Default the splitter's class name.
   */
  name?: string;
}

/** Where a piece was found in the source. @internal */
interface Located {
  start: number;
  end: number;
  match: 'exact' | 'whitespace';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every occurrence of `piece` at or after `from`, exactly, then with any run of whitespace standing for any other. */
function* occurrences(text: string, piece: string, from: number): Generator<Located> {
  for (let at = text.indexOf(piece, from); at !== -1; at = text.indexOf(piece, at + 1)) {
    yield { start: at, end: at + piece.length, match: 'exact' };
  }
  const words = piece.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return;
  const re = new RegExp(words.map(escapeRegExp).join('\\s+'), 'g');
  re.lastIndex = from;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    yield { start: m.index, end: m.index + m[0].length, match: 'whitespace' };
    re.lastIndex = m.index + 1;
  }
}

/** How many places of one piece are tried before the next one is given up on. */
const CANDIDATES_PER_PIECE = 8;
/** How many placements the whole search may try before it reports the piece it could not place. */
const PLACEMENT_BUDGET = 100_000;

/**
 * Where piece `piece` may be, best first, given the previous piece at `[prevStart, prevEnd)`: after the previous
 * start, never the previous piece again. Preferred, in order: a place that brings text past the previous end with
 * only whitespace skipped before it (what a splitter that drops nothing but separators produces), looked for from
 * where the overlap puts it; the previous piece's own place when the splitter emitted it again (it does, when
 * stripped overlaps collapse); then any other place after the overlap point, then after the previous start.
 */
function candidates(
  text: string,
  piece: string,
  prevStart: number,
  prevEnd: number,
  overlapHint: number,
): Located[] {
  const after = Math.max(0, prevStart);
  const hinted = Math.max(after, prevEnd - overlapHint);
  const out: Located[] = [];
  const seen = new Set<string>();
  const push = (l: Located | undefined) => {
    const key = l && `${l.start}:${l.end}`;
    if (!l || seen.has(key as string) || out.length >= CANDIDATES_PER_PIECE) return;
    seen.add(key as string);
    out.push(l);
  };
  const notPrevious = (l: Located) => !(l.start === prevStart && l.end === prevEnd);
  const gapIsBlank = (l: Located) => l.start <= prevEnd || text.slice(prevEnd, l.start).trim() === '';
  const first = (from: number, accept: (l: Located) => boolean) => {
    for (const l of occurrences(text, piece, from)) if (accept(l)) return l;
    return undefined;
  };
  push(first(hinted, (l) => notPrevious(l) && l.end > prevEnd && gapIsBlank(l)));
  if (prevStart >= 0 && piece === text.slice(prevStart, prevEnd))
    push({ start: prevStart, end: prevEnd, match: 'exact' });
  for (const from of [hinted, after]) {
    for (const l of occurrences(text, piece, from)) {
      if (out.length >= CANDIDATES_PER_PIECE) break;
      if (notPrevious(l)) push(l);
    }
  }
  return out;
}

/**
 * Locate each piece of a splitter in `text`, in order: a piece starts at or after the previous piece's start, and is
 * looked for first where the splitter's overlap puts it (the previous end minus `overlapHint`), with only whitespace
 * skipped before it. When a later piece then cannot be placed, earlier pieces are moved to their next-best place
 * (a bounded backtracking search: a repeated word can match further on than the piece really is). Returns one
 * located range per non-empty piece; throws `NOT_FOUND` for a piece that does not occur (a splitter that rewrites
 * text, e.g. one that adds headers to each piece).
 *
 * @example
 * ```ts
 * locatePieces('a b. a b.', ['a b.', 'a b.'], 0);
 * // [{ start: 0, end: 4, match: 'exact' }, { start: 5, end: 9, match: 'exact' }]
 * ```
 */
export function locatePieces(text: string, pieces: readonly string[], overlapHint = 0): Located[] {
  const kept: string[] = [];
  for (const [i, piece] of pieces.entries()) {
    if (typeof piece !== 'string') invalidArgument(`pieces[${i}]`, piece, 'a string');
    if (piece.trim() !== '') kept.push(piece);
  }
  const index = pieces.flatMap((p, i) => (typeof p === 'string' && p.trim() !== '' ? [i] : []));
  const out: Located[] = [];
  const options: Located[][] = [];
  const tried: number[] = [];
  let budget = PLACEMENT_BUDGET;
  let deepest = 0;
  let failFrom = 0;
  while (out.length < kept.length) {
    const d = out.length;
    if (options[d] === undefined) {
      const prev = out[d - 1];
      options[d] = candidates(text, kept[d] as string, prev?.start ?? -1, prev?.end ?? 0, overlapHint);
      tried[d] = 0;
    }
    const next = (options[d] as Located[])[tried[d] as number];
    if (next !== undefined && budget-- > 0) {
      tried[d] = (tried[d] as number) + 1;
      out.push(next);
      if (out.length > deepest) {
        deepest = out.length;
        failFrom = next.start;
      }
      continue;
    }
    if (d === 0 || budget <= 0) {
      // The piece no placement of the earlier ones could make room for.
      const at = index[deepest] as number;
      const from = deepest === 0 ? 0 : failFrom;
      throw new RagscopeError(
        'NOT_FOUND',
        `piece ${at} of the splitter (${JSON.stringify((pieces[at] as string).slice(0, 60))}...) does not occur in the document after offset ${from}; ` +
          'the splitter rewrites text, so its pieces cannot be mapped back to source offsets',
        { piece: at, from },
      );
    }
    options[d] = undefined as unknown as Located[];
    out.pop();
  }
  return out;
}

/**
 * Benchmark or use a LangChain.js `TextSplitter` as a ragscope {@link Chunker}: its pieces are located back in the
 * source document, so every chunk keeps exact `[start, end)` offsets (`doc.text.slice(start, end) === chunk.text`)
 * and span metrics stay exact. A piece found only up to whitespace (a splitter that joined lines with another
 * separator) becomes the source text it covers, and `chunk.metadata.located` says `'whitespace'`. Boundaries are
 * reported with reason `external` (the splitter does not say why it cut).
 *
 * @example
 * ```ts
 * import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
 * const chunker = new TextSplitterChunker(new RecursiveCharacterTextSplitter({ chunkSize: 40, chunkOverlap: 0 }));
 * chunker.spec; // 'langchain:RecursiveCharacterTextSplitter:40/0'
 * const chunks = await chunker.chunk({ id: 'a', text: 'Refunds take 5 days.\n\nShipping is free over 50 euros.' });
 * chunks.map((c) => [c.start, c.end]); // [[0, 20], [22, 54]]
 * ```
 */
export class TextSplitterChunker implements Chunker {
  readonly spec: string;
  private readonly splitter: TextSplitterLike;

  constructor(splitter: TextSplitterLike, options: TextSplitterChunkerOptions = {}) {
    if (splitter === null || typeof splitter !== 'object' || typeof splitter.splitText !== 'function') {
      invalidArgument('splitter', splitter, 'a LangChain TextSplitter (an object with splitText(text))');
    }
    if (options.name !== undefined && (typeof options.name !== 'string' || !/^[\w.-]+$/.test(options.name))) {
      invalidArgument('options.name', options.name, 'a name of letters, digits, "_", "." or "-"');
    }
    this.splitter = splitter;
    const name = options.name ?? (splitter.constructor?.name || 'TextSplitter');
    const size = Number.isFinite(splitter.chunkSize)
      ? `:${splitter.chunkSize}/${splitter.chunkOverlap ?? 0}`
      : '';
    this.spec = `langchain:${name}${size}`;
  }

  /** Split a document with the wrapped splitter and return offset-carrying chunks. */
  async chunk(input: DocumentInput): Promise<Chunk[]> {
    return (await this.chunkWithTrace(input)).chunks;
  }

  /** Split a document and report each boundary (reason `external`). */
  async chunkWithTrace(input: DocumentInput): Promise<ChunkingTrace> {
    const doc = toDocument(input);
    const pieces = await this.splitter.splitText(doc.text);
    if (!Array.isArray(pieces)) invalidArgument('splitter.splitText(text)', pieces, 'an array of strings');
    const overlap = Number.isFinite(this.splitter.chunkOverlap) ? Number(this.splitter.chunkOverlap) : 0;
    const located = locatePieces(doc.text, pieces, overlap);
    const chunks = located.map((l, i) =>
      makeChunk(doc, i, l.start, l.end, this.spec, l.match === 'exact' ? undefined : { located: l.match }),
    );
    const boundaries: Boundary[] = chunks.slice(1).map((c, i) => ({
      before: i,
      after: i + 1,
      offset: c.start,
      reason: 'external',
      explanation: `${this.spec} started a new piece here (ragscope located it at offset ${c.start}).`,
    }));
    return { chunks, boundaries };
  }
}
