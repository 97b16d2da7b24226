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
import { isJsWhitespace } from './text.js';
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

interface Section {
  start: number;
  end: number;
  headings: string[];
  heading: string | null;
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

/** One splitting run over a document; collects chunk ranges and why each chunk ended. */
class Run {
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
  constructor(text: string, c: RecursiveChunker, measure?: RangeMeasure) {
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
    const seps = this.separators;
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
    // produce pieces with one piece of look-ahead (to know which one is last)
    let pa = -1;
    let pb = -1;
    const n = sub.length;
    if (sep === '') {
      for (let i = 0; i < n; ) {
        const c = sub.charCodeAt(i);
        const w = c >= 0xd800 && c <= 0xdbff && i + 1 < n && isLow(sub.charCodeAt(i + 1)) ? 2 : 1;
        if (pa >= 0) handle(pa, pb, false);
        pa = s + i;
        pb = s + i + w;
        i += w;
      }
    } else if (this.keep) {
      let start = 0;
      let idx = sub.indexOf(sep, 1);
      while (idx !== -1) {
        if (pa >= 0) handle(pa, pb, false);
        pa = s + start;
        pb = s + idx;
        start = idx;
        idx = sub.indexOf(sep, idx + 1);
      }
      if (start < n) {
        if (pa >= 0) handle(pa, pb, false);
        pa = s + start;
        pb = s + n;
      }
    } else {
      let start = 0;
      let idx = sub.indexOf(sep);
      while (idx !== -1) {
        if (idx > start) {
          if (pa >= 0) handle(pa, pb, false);
          pa = s + start;
          pb = s + idx;
        }
        start = idx + sep.length;
        idx = sub.indexOf(sep, start);
      }
      if (start < n) {
        if (pa >= 0) handle(pa, pb, false);
        pa = s + start;
        pb = s + n;
      }
    }
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

function bool(param: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalidArgument(param, value, 'a boolean');
  return value;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Split a markdown text into sections, each starting at an ATX heading line (outside fenced code). */
function markdownSections(text: string): Section[] {
  const sections: Section[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  let sectionStart = 0;
  let headings: string[] = [];
  let heading: string | null = null;
  let fence: string | null = null;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = n;
    let i = pos;
    while (i < eol && i - pos < 3 && text.charCodeAt(i) === 0x20) i++;
    const c = text.charCodeAt(i);
    if (c === 0x60 || c === 0x7e) {
      const mark = text.startsWith('```', i) ? '```' : text.startsWith('~~~', i) ? '~~~' : null;
      if (mark !== null) {
        if (fence === null) fence = mark;
        else if (fence === mark) fence = null;
      }
    } else if (c === 0x23 && fence === null) {
      let h = i;
      while (h < eol && text.charCodeAt(h) === 0x23) h++;
      const level = h - i;
      const after = text.charCodeAt(h);
      if (
        level <= 6 &&
        (h === eol || after === 0x20 || after === 0x09 || (after === 0x0d && h + 1 === eol))
      ) {
        const title = text
          .slice(h, eol)
          .trim()
          .replace(/(^|\s+)#+$/, '')
          .trim();
        if (pos > sectionStart) sections.push({ start: sectionStart, end: pos, headings, heading });
        while (stack.length > 0 && (stack[stack.length - 1] as { level: number }).level >= level) stack.pop();
        stack.push({ level, text: title });
        headings = stack.map((x) => x.text);
        heading = text.slice(pos, eol).trim();
        sectionStart = pos;
      }
    }
    pos = eol + 1;
  }
  if (n > sectionStart || sections.length === 0)
    sections.push({ start: sectionStart, end: n, headings, heading });
  return sections;
}
