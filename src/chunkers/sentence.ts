import type { Chunk, DocumentInput } from '../core/document.js';
import { makeChunk, toDocument } from '../core/document.js';
import { checkInteger } from '../core/errors.js';
import type { LengthFunction } from './length.js';
import { charLength, checkLengthFunction, rangeMeasure } from './lengths.js';
import { packSentences, sizeBoundary } from './pack.js';
import type { Boundary, ChunkingTrace, SyncChunker } from './types.js';

export { type SentenceSpan, type SplitSentencesOptions, splitSentences } from './sentences.js';

/**
 * Options of {@link SentenceChunker}.
 *
 * @example
 * ```ts
 * const options: SentenceChunkerOptions = { size: 200, overlap: 1, lengthFunction: wordLength };
 * new SentenceChunker(options).spec; // 'sentence:200/1:words'
 * ```
 */
export interface SentenceChunkerOptions {
  /** Maximum chunk length, in the unit of `lengthFunction`. Required; a positive integer. */
  size: number;
  /** Number of whole sentences repeated at the start of the next chunk. Default `0`. */
  overlap?: number;
  /**
   * How chunk length is measured. Default {@link charLength}. A chunk's length is measured as a range of the
   * document (`lengthFunction.prepare`, see {@link rangeMeasure}): with `tokenLength` the document is tokenised
   * once and a chunk counts the document's tokens overlapping it.
   */
  lengthFunction?: LengthFunction;
}

/**
 * Packs whole sentences (found by wink-nlp, see {@link splitSentences}) into chunks of at most `size`, optionally
 * repeating the last `overlap` sentences of a chunk at the start of the next. A sentence longer than `size` is cut
 * with the {@link RecursiveChunker} (boundary reason `separator` or `forced-split`). Chunks start and end on
 * non-whitespace characters; the whitespace between sentences of a chunk is kept, so
 * `doc.text.slice(chunk.start, chunk.end) === chunk.text` and the length is measured on exactly that text.
 *
 * @example
 * ```ts
 * const chunker = new SentenceChunker({ size: 40, overlap: 1 });
 * chunker.chunkSync({ id: 'd', text: 'One sentence here. Another one there. A third sentence.' }).map((c) => c.text);
 * // ['One sentence here. Another one there.', 'Another one there. A third sentence.']
 * ```
 */
export class SentenceChunker implements SyncChunker {
  /** Maximum chunk length. */
  readonly size: number;
  /** Sentences of overlap. */
  readonly overlap: number;
  /** Length function in use. */
  readonly lengthFunction: LengthFunction;
  /** `sentence:<size>/<overlap>:<unit>`, e.g. `sentence:400/1:chars` (the grammar of `parseChunkerSpec`). */
  readonly spec: string;
  /** Salt of chunk ids: the spec, plus the length function's id when it is not plain characters. */
  private readonly salt: string;

  constructor(options: SentenceChunkerOptions) {
    const opts = (options ?? {}) as SentenceChunkerOptions;
    this.size = checkInteger('size', opts.size, 1);
    this.overlap = checkInteger('overlap', opts.overlap ?? 0, 0);
    this.lengthFunction = checkLengthFunction('lengthFunction', opts.lengthFunction ?? charLength);
    this.spec = `sentence:${this.size}/${this.overlap}:${this.lengthFunction.unit}`;
    this.salt = this.lengthFunction.unit === 'chars' ? this.spec : `${this.spec}@${this.lengthFunction.id}`;
  }

  /** Split a document into chunks. */
  chunkSync(doc: DocumentInput): Chunk[] {
    return this.chunkWithTraceSync(doc).chunks;
  }

  /** Split a document and explain every boundary. */
  chunkWithTraceSync(input: DocumentInput): ChunkingTrace {
    const doc = toDocument(input);
    const text = doc.text;
    const measure = rangeMeasure(this.lengthFunction, text);
    const { units, packs } = packSentences(text, this.size, this.lengthFunction, measure, this.overlap);
    const chunks = packs.map((p, index) => makeChunk(doc, index, p.start, p.end, this.salt));
    const boundaries: Boundary[] = [];
    for (let k = 1; k < packs.length; k++) {
      boundaries.push(sizeBoundary(packs[k - 1]!, packs[k]!, units, k, this.size, this.lengthFunction.unit));
    }
    return { chunks, boundaries };
  }

  /** Split a document into chunks (same as {@link SentenceChunker.chunkSync}). */
  async chunk(doc: DocumentInput): Promise<Chunk[]> {
    return this.chunkSync(doc);
  }

  /** Split a document and explain every boundary (same as {@link SentenceChunker.chunkWithTraceSync}). */
  async chunkWithTrace(doc: DocumentInput): Promise<ChunkingTrace> {
    return this.chunkWithTraceSync(doc);
  }
}
