import type { Chunk, DocumentInput } from '../core/document.js';
import { makeChunk } from '../core/document.js';
import { invalidArgument } from '../core/errors.js';
import {
  checkLengthFunction,
  checkSizeOverlap,
  readDocument,
  SyncChunkerBase,
  showSeparator,
} from './base.js';
import type { LengthFunction, RangeMeasure } from './length.js';
import { charLength } from './lengths.js';
import { markdownSections, type Section } from './markdown-sections.js';
import { Run } from './recursive-run.js';
import type { Boundary, BoundaryReason, ChunkingTrace, SyncChunker } from './types.js';

/**
 * LangChain's default separator hierarchy for `RecursiveCharacterTextSplitter`: paragraphs, lines, words, characters.
 *
 * @example
 * ```ts
 * new RecursiveChunker({ size: 400, separators: LANGCHAIN_SEPARATORS });
 * ```
 */
export const LANGCHAIN_SEPARATORS: readonly string[] = Object.freeze(['\n\n', '\n', ' ', '']);

/**
 * The separators of Chroma's chunking evaluation ("Evaluating Chunking Strategies for Retrieval"): paragraphs,
 * lines, sentence punctuation, words, characters.
 *
 * @example
 * ```ts
 * const chunker = RecursiveChunker.chroma({ size: 400, overlap: 0 }); // same as separators: CHROMA_SEPARATORS
 * chunker.spec; // 'recursive:400/0:chars:chroma'
 * ```
 */
export const CHROMA_SEPARATORS: readonly string[] = Object.freeze(['\n\n', '\n', '.', '?', '!', ' ', '']);

/**
 * Options of {@link RecursiveChunker}.
 *
 * @example
 * ```ts
 * const options: RecursiveChunkerOptions = { size: 400, overlap: 50, markdown: true, lengthFunction: wordLength };
 * ```
 */
export interface RecursiveChunkerOptions {
  /** Maximum chunk length in the units of `lengthFunction` (integer >= 1). Default `400`. */
  size?: number;
  /** Length shared by neighbouring chunks, as LangChain's `chunkOverlap` (0 <= overlap < size). Default `0`. */
  overlap?: number;
  /**
   * Separators, highest priority first; `''` means "between characters" (code points here, never half a surrogate
   * pair). Default {@link LANGCHAIN_SEPARATORS} `['\n\n', '\n', ' ', '']`; see also {@link CHROMA_SEPARATORS}.
   */
  separators?: readonly string[];
  /**
   * Keep each separator at the start of the piece that follows it (LangChain's default for this splitter). With
   * `false` separators are dropped from the length accounting, but chunk offsets still cover the original text
   * between the first and last piece. Default `true`.
   */
  keepSeparator?: boolean;
  /** How sizes are measured. Default {@link charLength}; see `wordLength` and `tokenLength(tokenizer)`. */
  lengthFunction?: LengthFunction;
  /**
   * Markdown mode: every ATX heading line (`#` to `######`, outside fenced code) starts a new chunk, and each
   * chunk gets `metadata.headings`, the path of headings above it (e.g. `['Guide', 'Install']`). Default `false`.
   */
  markdown?: boolean;
  /** Trim whitespace at both ends of every chunk and drop blank chunks, as LangChain does. Default `true`. */
  trim?: boolean;
}

const UNIT_NAMES = { chars: 'characters', words: 'words', tokens: 'tokens' } as const;

/**
 * LangChain's `RecursiveCharacterTextSplitter` algorithm with exact offsets: split on the first separator present,
 * merge small pieces up to `size` (with LangChain's overlap rule), recurse into pieces that are still too long with
 * the next separators. On text without astral characters it gives the same chunk texts as LangChain JS (the Chroma
 * corpora: 100% identical at 200/0, 400/0 and 800/400); it differs only where LangChain would cut a surrogate pair
 * (we cut between code points) and with `keepSeparator: false` where LangChain re-joins pieces with one separator
 * (we return the original text, so runs of separators are kept). Chunks are at most `size` long, except a single
 * character longer than `size` (e.g. an astral character with `size: 1`), and, for non-additive length functions
 * (tokens), when the joined pieces count more tokens than their sum — as in LangChain.
 *
 * @example
 * ```ts
 * const chunker = new RecursiveChunker({ size: 400, overlap: 0 });
 * const { chunks, boundaries } = chunker.chunkWithTraceSync({ id: 'guide.md', text });
 * boundaries[0]?.reason; // 'separator' | 'size-cap' | 'heading' | 'forced-split'
 * ```
 */
export class RecursiveChunker extends SyncChunkerBase implements SyncChunker {
  /** Canonical spec, e.g. `recursive:400/0:chars` (plus `:chroma`, `:md`, `:nokeep`, `:notrim` when set). */
  readonly spec: string;
  readonly size: number;
  readonly overlap: number;
  readonly separators: readonly string[];
  readonly keepSeparator: boolean;
  readonly lengthFunction: LengthFunction;
  readonly markdown: boolean;
  readonly trim: boolean;
  private readonly salt: string;

  constructor(options: RecursiveChunkerOptions = {}) {
    super();
    if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
    const [size, overlap] = checkSizeOverlap(options.size ?? 400, options.overlap ?? 0);
    this.size = size;
    this.overlap = overlap;
    const seps = options.separators ?? LANGCHAIN_SEPARATORS;
    if (!Array.isArray(seps) || seps.length === 0 || !seps.every((s) => typeof s === 'string')) {
      invalidArgument('separators', seps, "a non-empty array of strings (e.g. ['\\n\\n', '\\n', ' ', ''])");
    }
    this.separators = Object.freeze([...seps]);
    this.keepSeparator = bool('keepSeparator', options.keepSeparator, true);
    this.lengthFunction = checkLengthFunction('lengthFunction', options.lengthFunction ?? charLength);
    this.markdown = bool('markdown', options.markdown, false);
    this.trim = bool('trim', options.trim, true);
    let spec = `recursive:${size}/${overlap}:${this.lengthFunction.unit}`;
    if (sameList(this.separators, CHROMA_SEPARATORS)) spec += ':chroma';
    else if (!sameList(this.separators, LANGCHAIN_SEPARATORS))
      spec += `:seps=${JSON.stringify(this.separators)}`;
    if (this.markdown) spec += ':md';
    if (!this.keepSeparator) spec += ':nokeep';
    if (!this.trim) spec += ':notrim';
    this.spec = spec;
    this.salt = this.lengthFunction.unit === 'chars' ? spec : `${spec}@${this.lengthFunction.id}`;
  }

  /**
   * A chunker with Chroma's evaluation separators {@link CHROMA_SEPARATORS}.
   *
   * @example
   * ```ts
   * RecursiveChunker.chroma({ size: 200 }).spec; // 'recursive:200/0:chars:chroma'
   * ```
   */
  static chroma(options: Omit<RecursiveChunkerOptions, 'separators'> = {}): RecursiveChunker {
    return new RecursiveChunker({ ...options, separators: CHROMA_SEPARATORS });
  }

  /** Split a document into chunks (without building the boundary explanations). */
  override chunkSync(input: DocumentInput): Chunk[] {
    return this.build(input).chunks;
  }

  private build(input: DocumentInput): {
    chunks: Chunk[];
    run: Run;
    sections: Section[];
    sectionOf: number[];
  } {
    const doc = readDocument(input);
    const text = doc.text;
    const run = new Run(text, this);
    const sections: Section[] = this.markdown
      ? markdownSections(text)
      : [{ start: 0, end: text.length, headings: [], heading: null }];
    const sectionOf: number[] = [];
    for (let k = 0; k < sections.length; k++) {
      const sec = sections[k] as Section;
      const before = run.starts.length;
      if (sec.end > sec.start) run.split(sec.start, sec.end, 0, null);
      for (let i = before; i < run.starts.length; i++) sectionOf.push(k);
    }
    const chunks: Chunk[] = new Array(run.starts.length);
    for (let i = 0; i < run.starts.length; i++) {
      const extra = this.markdown
        ? { headings: [...(sections[sectionOf[i] as number] as Section).headings] }
        : undefined;
      chunks[i] = makeChunk(doc, i, run.starts[i] as number, run.ends[i] as number, this.salt, extra);
    }
    return { chunks, run, sections, sectionOf };
  }

  /** Split a document and explain every boundary. */
  chunkWithTraceSync(input: DocumentInput): ChunkingTrace {
    const { chunks, run, sections, sectionOf } = this.build(input);
    const unit = UNIT_NAMES[this.lengthFunction.unit];
    const boundaries: Boundary[] = [];
    for (let i = 0; i + 1 < chunks.length; i++) {
      const offset = (chunks[i + 1] as Chunk).start;
      const base = { before: i, after: i + 1, offset };
      if (sectionOf[i] !== sectionOf[i + 1]) {
        const heading = (sections[sectionOf[i + 1] as number] as Section).heading ?? '';
        boundaries.push({
          ...base,
          reason: 'heading',
          explanation: `A new markdown section starts at the heading ${JSON.stringify(heading)}.`,
        });
        continue;
      }
      const reason = run.reasons[i] as BoundaryReason;
      const sep = run.seps[i] as string;
      const wouldBe = run.wouldBe[i] as number;
      if (reason === 'size-cap') {
        boundaries.push({
          ...base,
          reason,
          separator: sep,
          wouldBe,
          limit: this.size,
          explanation: `Adding the next piece (split at ${showSeparator(sep)}) would make the chunk ${wouldBe} ${unit}, over the limit of ${this.size}.`,
        });
      } else if (reason === 'forced-split') {
        boundaries.push({
          ...base,
          reason,
          ...(wouldBe >= 0 ? { wouldBe, limit: this.size } : {}),
          explanation: `No separator was left: the text between separators is longer than ${this.size} ${unit}, so it was cut between characters.`,
        });
      } else {
        boundaries.push({
          ...base,
          reason: 'separator',
          separator: sep,
          explanation: `Split at the separator ${showSeparator(sep)}: the text after it is a separate piece that did not join this chunk (the following piece was too long, or a larger piece ended).`,
        });
      }
    }
    return { chunks, boundaries };
  }
}

/**
 * One cut of {@link recursiveRanges}: `[start, end)` in the document, and why the range ended (`size-cap`,
 * `forced-split` or `separator`, with the separator). @internal
 */
export interface RecursiveRange {
  start: number;
  end: number;
  reason: BoundaryReason;
  separator?: string;
}

/**
 * Split `text[start, end)` as `chunker` would split it as a document of its own, but measuring with `measure`
 * (ranges of the WHOLE document, e.g. `rangeMeasure(fn, text)`, tokenised once) instead of measuring every piece
 * alone: piece lengths are still summed as in LangChain, and since a range never measures more than the sum of its
 * pieces under an overlap-counting measure, every range is at most `chunker.size`. Not LangChain's exact
 * arithmetic (the sentence, semantic and cluster chunkers use it for their pieces). @internal
 */
export function recursiveRanges(
  chunker: RecursiveChunker,
  text: string,
  start: number,
  end: number,
  measure: RangeMeasure,
): RecursiveRange[] {
  const run = new Run(text, chunker, measure);
  if (end > start) run.split(start, end, 0, null);
  return run.starts.map((s, i) => {
    const reason = run.reasons[i] as BoundaryReason;
    const r: RecursiveRange = {
      start: s,
      end: run.ends[i] as number,
      reason: reason === 'size-cap' || reason === 'forced-split' ? reason : 'separator',
    };
    if (reason !== 'forced-split') r.separator = run.seps[i] as string;
    return r;
  });
}

function bool(param: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalidArgument(param, value, 'a boolean');
  return value;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
