import type { AnalyzerOptions } from './analyzer.js';

/**
 * Options of {@link Bm25Index}. Every field is optional.
 *
 * @example
 * ```ts
 * const opts: Bm25Options = { preset: 'lucene', analyzer: { stemmer: 'none' } };
 * ```
 */
export interface Bm25Options {
  /** Term-frequency saturation. Default: the preset's (0.9 for `'anserini'`). Must be >= 0. */
  k1?: number;
  /** Length normalisation, between 0 (none) and 1 (full). Default: the preset's (0.4 for `'anserini'`). */
  b?: number;
  /**
   * Named parameter set: `'anserini'` (k1 0.9, b 0.4, the BEIR/Pyserini baseline) or `'lucene'` (k1 1.2, b 0.75,
   * Lucene's `BM25Similarity` defaults). Explicit `k1`/`b` override it. Default `'anserini'`.
   */
  preset?: 'anserini' | 'lucene';
  /** How chunk and query text are analysed. Default: lower-case, Lucene English stop words, Porter stemmer. */
  analyzer?: AnalyzerOptions;
}

/**
 * A BM25 hit.
 *
 * @example
 * ```ts
 * const bm25 = new Bm25Index();
 * bm25.add([
 *   { id: 'faq#0.a', docId: 'faq', text: 'Refunds are paid within 14 days.' },
 *   { id: 'faq#1.b', docId: 'faq', text: 'Shipping takes 3 days.' },
 * ]);
 * const hits: Bm25Hit[] = bm25.search('refund', 10);
 * hits; // [{ id: 'faq#0.a', docId: 'faq', score: 0.678... }] (score === bm25.explain('refund', 'faq#0.a').score)
 * ```
 */
export interface Bm25Hit {
  /** Chunk id. */
  id: string;
  /** Id of the chunk's document. */
  docId: string;
  /** Exact BM25 score; equals `explain(query, id).score`. */
  score: number;
}

/**
 * One item to index: a chunk id, its document id and its text.
 *
 * @example
 * ```ts
 * const items: Bm25Item[] = chunks.map((c) => ({ id: c.id, docId: c.docId, text: c.text }));
 * bm25.add(items);
 * ```
 */
export interface Bm25Item {
  id: string;
  docId: string;
  text: string;
}

/**
 * Options of {@link Bm25Index.search}.
 *
 * @example
 * ```ts
 * const allowed = new Set(['faq#0.a']);
 * bm25.search('refund', 10, { accept: (id) => allowed.has(id) }); // only chunks in `allowed`
 * ```
 */
export interface Bm25SearchOptions {
  /**
   * Keep only chunks for which this returns true (e.g. a metadata filter): the result is the exact top `k` among
   * the accepted chunks, with the same scores as without the filter. It is called only for chunks that could still
   * enter the top k (at most once each), never for chunks matching no query term.
   */
  accept?: (chunkId: string) => boolean;
}
