import type { Chunk, Document, DocumentInput } from '../core/document.js';
import { RagscopeError } from '../core/errors.js';
import type { Chunker } from './types.js';

/**
 * A chunker that hands back chunks computed beforehand, keyed by document id: for indexing chunks that were
 * produced (and timed) separately, or by another splitter whose output you have turned into offset-carrying
 * chunks. Asking for a document it holds no chunks for throws `NOT_FOUND`.
 *
 * @example
 * ```ts
 * const doc = { id: 'a', text: 'Refunds take 5 days. Shipping is free.' };
 * const chunks = new RecursiveChunker({ size: 20 }).chunkSync(doc);
 * const pipeline = new RetrievalPipeline({ chunker: precomputedChunker('recursive:20/0', new Map([['a', chunks]])) });
 * await pipeline.addDocuments([doc]); // indexes exactly `chunks`, without chunking again
 * ```
 */
export function precomputedChunker(spec: string, byDoc: ReadonlyMap<string, Chunk[]>): Chunker {
  const get = (input: DocumentInput): Chunk[] => {
    const id = (input as Document).id;
    const chunks = byDoc.get(id);
    if (!chunks)
      throw new RagscopeError('NOT_FOUND', `no precomputed chunks for document "${id}"`, { docId: id });
    return chunks;
  };
  return {
    spec,
    chunk: async (input) => get(input),
    chunkWithTrace: async (input) => ({ chunks: get(input), boundaries: [] }),
  };
}
