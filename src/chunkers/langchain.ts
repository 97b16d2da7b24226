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

/**
 * The first occurrence of `piece` at or after `from` that `accept`s, exactly, else with any run of whitespace
 * standing for any other. @internal
 */
function locateFrom(
  text: string,
  piece: string,
  from: number,
  accept: (l: Located) => boolean = () => true,
): Located | undefined {
  for (let at = text.indexOf(piece, from); at !== -1; at = text.indexOf(piece, at + 1)) {
    const l: Located = { start: at, end: at + piece.length, match: 'exact' };
    if (accept(l)) return l;
  }
  const words = piece.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return undefined;
  const re = new RegExp(words.map(escapeRegExp).join('\\s+'), 'g');
  re.lastIndex = from;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const l: Located = { start: m.index, end: m.index + m[0].length, match: 'whitespace' };
    if (accept(l)) return l;
    re.lastIndex = m.index + 1;
  }
  return undefined;
}

/**
 * Locate each piece of a splitter in `text`, in order: a piece starts at or after the previous piece's start, and is
 * looked for first where the splitter's overlap puts it (the previous end minus `overlapHint`), then anywhere after
 * the previous start. Returns one located range per non-empty piece; throws `NOT_FOUND` for a piece that does not
 * occur (a splitter that rewrites text, e.g. one that adds headers to each piece).
 *
 * @example
 * ```ts
 * locatePieces('a b. a b.', ['a b.', 'a b.'], 0);
 * // [{ start: 0, end: 4, match: 'exact' }, { start: 5, end: 9, match: 'exact' }]
 * ```
 */
export function locatePieces(text: string, pieces: readonly string[], overlapHint = 0): Located[] {
  const out: Located[] = [];
  let prevStart = -1;
  let prevEnd = 0;
  for (const [i, piece] of pieces.entries()) {
    if (typeof piece !== 'string') invalidArgument(`pieces[${i}]`, piece, 'a string');
    if (piece.trim() === '') continue;
    // A piece starts at or after the previous start and no earlier than the overlap allows; it is never the
    // previous piece again, and it normally brings text past the previous end (short pieces such as "." occur
    // many times inside an overlap window, so that is what tells the right occurrence).
    const after = Math.max(0, prevStart);
    const hinted = Math.max(after, prevEnd - overlapHint);
    const notPrevious = (l: Located) => !(l.start === prevStart && l.end === prevEnd);
    const found =
      locateFrom(text, piece, hinted, (l) => notPrevious(l) && l.end > prevEnd) ??
      locateFrom(text, piece, hinted, notPrevious) ??
      locateFrom(text, piece, after, notPrevious) ??
      // The splitter emitted the previous piece again (it does, when stripped overlaps collapse): same place.
      (piece === text.slice(prevStart, prevEnd)
        ? { start: prevStart, end: prevEnd, match: 'exact' as const }
        : undefined);
    if (!found) {
      throw new RagscopeError(
        'NOT_FOUND',
        `piece ${i} of the splitter (${JSON.stringify(piece.slice(0, 60))}...) does not occur in the document after offset ${after}; ` +
          'the splitter rewrites text, so its pieces cannot be mapped back to source offsets',
        { piece: i, from: after },
      );
    }
    out.push(found);
    prevStart = found.start;
    prevEnd = found.end;
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
