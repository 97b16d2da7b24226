import type { Chunk, DocumentInput } from '../core/document.js';
import { makeChunk } from '../core/document.js';
import { readDocument, SyncChunkerBase } from './base.js';
import type { ChunkingTrace, SyncChunker } from './types.js';

/**
 * One chunk per document: the whole text, `[0, text.length)` (an empty document gives no chunk). Spec `whole`.
 * For document-level baselines: retrieval over whole documents, against which chunking strategies are compared
 * (BEIR judges documents, so `whole` + BM25 is the classic BEIR BM25 baseline). Nothing is cut, so there are no
 * boundaries to explain; embedders that truncate long inputs see only the start of long documents.
 *
 * @example
 * ```ts
 * const [chunk] = new WholeChunker().chunkSync({ id: 'faq', text: 'Refunds take 5 days.\n\nShipping is free.' });
 * chunk.start; // 0
 * chunk.end; // 39 (the whole text)
 * createChunker('whole').spec; // 'whole'
 * ```
 */
export class WholeChunker extends SyncChunkerBase implements SyncChunker {
  /** Always `'whole'`. */
  readonly spec = 'whole';

  /** The whole document as one chunk, with an empty boundary list. */
  chunkWithTraceSync(input: DocumentInput): ChunkingTrace {
    const doc = readDocument(input);
    const chunks: Chunk[] = doc.text.length > 0 ? [makeChunk(doc, 0, 0, doc.text.length, this.spec)] : [];
    return { chunks, boundaries: [] };
  }
}
