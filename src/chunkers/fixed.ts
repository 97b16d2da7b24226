import type { Chunk, DocumentInput } from '../core/document.js';
import { makeChunk } from '../core/document.js';
import { invalidArgument } from '../core/errors.js';
import {
  checkSizeOverlap,
  checkTokenizer,
  checkUnit,
  insidePair,
  readDocument,
  type SizeUnit,
  SyncChunkerBase,
  wordSpans,
} from './base.js';
import type { Tokenizer } from './length.js';
import { isJsWhitespace } from './text.js';
import type { Boundary, ChunkingTrace, SyncChunker } from './types.js';

export type { SizeUnit } from './base.js';

/**
 * Options of {@link FixedChunker}.
 *
 * @example
 * ```ts
 * const options: FixedChunkerOptions = { size: 200, overlap: 20, unit: 'tokens', tokenizer };
 * ```
 */
export interface FixedChunkerOptions {
  /** Chunk size in `unit`s (required, integer >= 1). */
  size: number;
  /** Units shared by neighbouring chunks (integer, 0 <= overlap < size). Default `0`. */
  overlap?: number;
  /**
   * What `size` counts. Default `'chars'` (UTF-16 code units, never cutting a surrogate pair). `'words'` counts
   * whitespace-separated words and `'tokens'` counts tokens of `tokenizer`; both cut between units and leave the
   * whitespace between two chunks out of both.
   */
  unit?: SizeUnit;
  /** Required when `unit` is `'tokens'`. */
  tokenizer?: Tokenizer;
}

/**
 * Cuts a document every `size` characters, words or tokens, with `overlap` units shared by neighbours — the simplest
 * baseline. Never cuts inside a surrogate pair: in `chars` mode a chunk that would end between the two halves of an
 * astral character ends one code unit earlier (a lone astral character with `size: 1` makes a 2-unit chunk, the one
 * case where a chunk is longer than `size`). In `tokens` mode each chunk holds at most `size` tokens of the whole
 * document's tokenization (re-tokenizing the chunk alone may count a few differently at its edges).
 * Boundaries: `size-cap` when the cut falls next to whitespace, `forced-split` when it cuts inside a word.
 * Chunk ids are salted with `spec` (plus the tokenizer id in `tokens` mode).
 *
 * @example
 * ```ts
 * const chunker = new FixedChunker({ size: 512, overlap: 64, unit: 'tokens', tokenizer });
 * chunker.spec; // 'fixed:512/64:tokens'
 * const chunks = chunker.chunkSync({ id: 'a', text });
 * ```
 */
export class FixedChunker extends SyncChunkerBase implements SyncChunker {
  /** Canonical spec, e.g. `fixed:512/64:chars`. */
  readonly spec: string;
  readonly size: number;
  readonly overlap: number;
  readonly unit: SizeUnit;
  readonly tokenizer: Tokenizer | undefined;
  private readonly salt: string;

  constructor(options: FixedChunkerOptions) {
    super();
    if (options === null || typeof options !== 'object') {
      invalidArgument('options', options, 'an object like { size: 512 }');
    }
    const [size, overlap] = checkSizeOverlap(options.size, options.overlap ?? 0);
    this.size = size;
    this.overlap = overlap;
    this.unit = checkUnit(options.unit ?? 'chars');
    if (this.unit === 'tokens') {
      if (options.tokenizer === undefined) {
        checkTokenizer(undefined);
      }
      this.tokenizer = checkTokenizer(options.tokenizer);
    } else {
      this.tokenizer = undefined;
    }
    this.spec = `fixed:${size}/${overlap}:${this.unit}`;
    this.salt = this.tokenizer ? `${this.spec}@${this.tokenizer.id}` : this.spec;
  }

  /** Split a document and explain every boundary. */
  chunkWithTraceSync(input: DocumentInput): ChunkingTrace {
    const doc = readDocument(input);
    const text = doc.text;
    const ranges: Array<[number, number]> = [];
    if (this.unit === 'chars') this.charRanges(text, ranges);
    else this.spanRanges(text, this.unit === 'tokens' ? this.tokenSpans(text) : wordSpans(text), ranges);
    const chunks: Chunk[] = ranges.map(([s, e], i) => makeChunk(doc, i, s, e, this.salt));
    const boundaries: Boundary[] = [];
    for (let i = 0; i + 1 < chunks.length; i++) {
      const prev = chunks[i] as Chunk;
      const next = chunks[i + 1] as Chunk;
      const cut = prev.end;
      const inWord =
        cut > 0 &&
        cut < text.length &&
        !isJsWhitespace(text.charCodeAt(cut - 1)) &&
        !isJsWhitespace(text.charCodeAt(cut));
      const unitName = this.unit === 'chars' ? 'characters' : this.unit;
      const wouldBe = this.size + 1;
      boundaries.push({
        before: i,
        after: i + 1,
        offset: next.start,
        reason: inWord ? 'forced-split' : 'size-cap',
        wouldBe,
        limit: this.size,
        explanation: inWord
          ? `Cut inside a word: the chunk reached ${this.size} ${unitName} and the next unit would make ${wouldBe}; fixed-size chunking ignores word boundaries.`
          : `The chunk reached ${this.size} ${unitName}; the next unit would make ${wouldBe}.${this.overlap > 0 ? ` The next chunk repeats the last ${this.overlap} ${unitName}.` : ''}`,
      });
    }
    return { chunks, boundaries };
  }

  private tokenSpans(text: string): Array<[number, number]> {
    return (this.tokenizer as Tokenizer).spans(text);
  }

  private charRanges(text: string, out: Array<[number, number]>): void {
    const n = text.length;
    const { size, overlap } = this;
    let start = 0;
    while (start < n) {
      let end = Math.min(start + size, n);
      if (insidePair(text, end)) end -= 1;
      if (end <= start) end = Math.min(start + 2, n); // one astral character, size 1
      out.push([start, end]);
      if (end >= n) break;
      let next = end - overlap;
      if (insidePair(text, next)) next += 1;
      if (next <= start) next = start + (insidePair(text, start + 1) ? 2 : 1);
      start = next;
    }
  }

  private spanRanges(_text: string, spans: Array<[number, number]>, out: Array<[number, number]>): void {
    const { size, overlap } = this;
    const count = spans.length;
    let k = 0;
    while (k < count) {
      const last = Math.min(k + size, count) - 1;
      const s = (spans[k] as [number, number])[0];
      const e = (spans[last] as [number, number])[1];
      if (e > s) out.push([s, e]);
      if (last >= count - 1) break;
      k += size - overlap;
    }
  }
}
