import type { RecursiveCharacterTextSplitter, TokenTextSplitter } from '@langchain/textsplitters';
import type { Chunker, ChunkingTrace } from '../../src/chunkers/types.js';
import { type Chunk, type DocumentInput, makeChunk, toDocument } from '../../src/core/document.js';

/** How the chunks of a {@link LangChainChunker} were found in their documents (totals since construction). */
export interface LocateStats {
  /** Chunks LangChain returned. */
  chunks: number;
  /** Found by exact forward search from the previous chunk's start. */
  exact: number;
  /**
   * Found only after dropping U+FFFD replacement characters at the chunk's ends: a token window of
   * `TokenTextSplitter` that cut a multi-byte character decodes it to U+FFFD. The located range is the rest of the
   * chunk, widened by one character on each side where an end was dropped (the half character it stood for).
   */
  repaired: number;
  /** Not found at all: left out of the collection (Chroma's code would fall back to fuzzy search). */
  lost: number;
  /** Up to 5 of the lost chunks (document id and first 80 characters), to look at. */
  lostExamples: Array<{ docId: string; text: string }>;
}

/** Any LangChain splitter with `splitText`. */
type Splitter = Pick<RecursiveCharacterTextSplitter | TokenTextSplitter, 'splitText'>;

const REPLACEMENT = /^\uFFFD+|\uFFFD+$/g;

/**
 * Wraps a LangChain text splitter as a ragscope {@link Chunker}. LangChain returns chunk strings without offsets, so
 * each chunk is located in the document by exact forward search: from just after the previous chunk's start when the
 * splitter overlaps chunks (`overlapping: true`, the default), else from the previous chunk's end (with no overlap a
 * chunk cannot start inside its predecessor; searching from the start would find a repeated text too early).
 * Chunks that cannot be located exactly are counted in {@link LangChainChunker.stats} (see {@link LocateStats})
 * rather than guessed (Chroma's reference code falls back to whitespace-insensitive, then fuzzy search).
 *
 * @example
 * ```ts
 * const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 200, chunkOverlap: 0 });
 * const lc = new LangChainChunker('lc-recursive:200/0', splitter, { overlapping: false });
 * const chunks = await lc.chunk({ id: 'a', text });
 * lc.stats; // { chunks: 12, exact: 12, repaired: 0, lost: 0, lostExamples: [] }
 * ```
 */
export class LangChainChunker implements Chunker {
  readonly spec: string;
  readonly stats: LocateStats = { chunks: 0, exact: 0, repaired: 0, lost: 0, lostExamples: [] };
  private readonly splitter: Splitter;
  private readonly overlapping: boolean;

  constructor(spec: string, splitter: Splitter, options: { overlapping?: boolean } = {}) {
    this.spec = spec;
    this.splitter = splitter;
    this.overlapping = options.overlapping ?? true;
  }

  async chunk(input: DocumentInput): Promise<Chunk[]> {
    const doc = toDocument(input);
    const pieces = await this.splitter.splitText(doc.text);
    const chunks: Chunk[] = [];
    let from = 0;
    for (const piece of pieces) {
      this.stats.chunks++;
      let start = doc.text.indexOf(piece, from);
      let end = start + piece.length;
      if (start >= 0) this.stats.exact++;
      else {
        const inner = piece.replace(REPLACEMENT, '');
        const at = inner.length > 0 ? doc.text.indexOf(inner, from) : -1;
        if (at < 0) {
          this.stats.lost++;
          if (this.stats.lostExamples.length < 5)
            this.stats.lostExamples.push({ docId: doc.id, text: piece.slice(0, 80) });
          continue;
        }
        this.stats.repaired++;
        const lead = piece.startsWith('\uFFFD') ? 1 : 0;
        const trail = piece.endsWith('\uFFFD') ? 1 : 0;
        start = Math.max(0, at - lead);
        end = Math.min(doc.text.length, at + inner.length + trail);
      }
      chunks.push(makeChunk(doc, chunks.length, start, end, this.spec));
      from = this.overlapping ? start + 1 : end;
    }
    return chunks;
  }

  async chunkWithTrace(input: DocumentInput): Promise<ChunkingTrace> {
    return { chunks: await this.chunk(input), boundaries: [] };
  }
}
