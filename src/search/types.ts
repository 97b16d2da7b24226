import type { Chunk } from '../core/document.js';
import type { StageParams } from './stage-params.js';

/**
 * The stages a search passes through, in order.
 *
 * @example
 * ```ts
 * const { trace } = await pipeline.search('refund delay', { k: 5 });
 * const stages: StageName[] = trace.stages.map((s) => s.stage); // ['bm25', 'vector', 'fusion'] (+ 'rerank' with a re-ranker)
 * // With your own retrievers (RetrieverSearch), each list's stage is named after its retriever: ['pg-text', 'pg-vector', 'fusion']
 * ```
 */
export type StageName = 'bm25' | 'vector' | 'fusion' | 'rerank' | (string & {});

/**
 * A chunk with a score: what a {@link Retriever} returns and {@link fuse} takes, the common base of every candidate
 * shape from the retriever on (indexes below the contract, `Bm25Index` and `VectorSearchIndex`, return `id`s; from
 * the Retriever on it is `chunkId`).
 *
 * @example
 * ```ts
 * const c: ScoredChunk = { chunkId: 'doc#3.ab12cd34', docId: 'doc', score: 12.7 };
 * ```
 */
export interface ScoredChunk {
  chunkId: string;
  docId: string;
  /** The stage's raw score (BM25 score, cosine / inner product, fused score, re-ranker score); higher is better. */
  score: number;
}

/**
 * One candidate in one stage's list: the one candidate type every stage records (fusion adds its per-list account,
 * see {@link FusedCandidate}).
 *
 * @example
 * ```ts
 * const c: Candidate = { chunkId: 'doc#3.ab12cd34', docId: 'doc', rank: 1, score: 12.7, normalized: 1 };
 * ```
 */
export interface Candidate extends ScoredChunk {
  /** 1-based rank within this stage's list. */
  rank: number;
  /** The score after the stage's normalisation (min-max, z-score...); equals `score` when none applies. */
  normalized: number;
}

/**
 * What one stage did: its parameters and its whole candidate list. Plain JSON.
 *
 * @example
 * ```ts
 * const s: StageTrace = { stage: 'bm25', params: { k1: 0.9, b: 0.4, depth: 100 }, candidates: [], durationMs: 0.4 };
 * ```
 */
export interface StageTrace {
  stage: StageName;
  /**
   * Every parameter that influenced the list (depth, k1/b, metric, fusion method, rrfK, weights...), typed per stage
   * name ({@link StageParamsByName}); read them with {@link findStage}.
   */
  params: StageParams;
  /** The candidates kept by this stage, best first. */
  candidates: Candidate[];
  /** Wall-clock time spent in the stage. */
  durationMs: number;
}

/**
 * One query term's share of a BM25 score.
 *
 * @example
 * ```ts
 * const bm25 = new Bm25Index();
 * bm25.add([
 *   { id: 'faq#0.a', docId: 'faq', text: 'Refunds are paid within 14 days.' },
 *   { id: 'faq#1.b', docId: 'faq', text: 'Shipping takes 3 days.' },
 * ]);
 * const [t] = bm25.explain('refund', 'faq#0.a').terms;
 * t; // { term: 'refund', analyzed: 'refund', tf: 1, df: 1, idf: 0.693..., lengthNorm: 1.044..., contribution: 0.678... }
 * ```
 */
export interface TermContribution {
  /** The term as it appeared in the query. */
  term: string;
  /** The term after analysis (lower-cased, stemmed...). */
  analyzed: string;
  /** Occurrences of `analyzed` in the chunk. */
  tf: number;
  /** Number of chunks containing `analyzed`. */
  df: number;
  /** Inverse document frequency used in the score. */
  idf: number;
  /** Length normalisation factor `1 - b + b * len / avgLen`. */
  lengthNorm: number;
  /** This term's contribution; the contributions sum to the BM25 score. */
  contribution: number;
}

/**
 * Why a query term contributed nothing to a chunk's BM25 score.
 *
 * @example
 * ```ts
 * const e = bm25.explain('the refund policy', 'faq#0.a');
 * const missing: UnmatchedTerm[] = e.unmatched;
 * // [{ term: 'the', analyzed: null, reason: 'stop-word' }, { term: 'policy', analyzed: 'polici', reason: 'not-in-corpus' }]
 * ```
 */
export interface UnmatchedTerm {
  term: string;
  /** Analysed form, or null when the analyzer dropped the term (stop word). */
  analyzed: string | null;
  reason: 'stop-word' | 'not-in-corpus' | 'not-in-chunk';
}

/**
 * A BM25 score taken apart term by term.
 *
 * @example
 * ```ts
 * const e = bm25.explain('refund policy', chunkId);
 * e.terms.reduce((s, t) => s + t.contribution, 0) === e.score; // true (up to float rounding)
 * ```
 */
export interface Bm25Explanation {
  score: number;
  terms: TermContribution[];
  unmatched: UnmatchedTerm[];
  /** Chunk length in analysed terms, and the corpus average. */
  docLength: number;
  avgDocLength: number;
  k1: number;
  b: number;
}

/**
 * One list's share of a fused score.
 *
 * @example
 * ```ts
 * const [top] = (await pipeline.search('refund delay', { k: 5 })).hits;
 * const parts: FusionContribution[] = top?.ledger.fusion?.contributions ?? [];
 * parts.find((c) => c.list === 'vector')?.rank; // null when only BM25 found it
 * parts[0]?.contribution; // with RRF (k 60) at rank 1: 1 / 61 = 0.0164
 * parts.reduce((s, c) => s + c.contribution, 0) === top?.ledger.fusion?.score; // true: contributions sum to it
 * ```
 */
export interface FusionContribution {
  /** The list's name: `bm25`, `vector`, or a {@link Retriever}'s name. */
  list: 'bm25' | 'vector' | (string & {});
  /** Rank in that list, or null when the list did not return the chunk (within its depth). */
  rank: number | null;
  rawScore: number | null;
  normalized: number | null;
  /** What the list added to the fused score (0 when absent). */
  contribution: number;
}

/**
 * Every stage's account of one final hit.
 *
 * @example
 * ```ts
 * hit.ledger.fusion?.contributions; // [{ list: 'bm25', rank: 2, ... }, { list: 'vector', rank: null, ... }]
 * hit.ledger.rerank?.moved; // +3 means it moved up three places
 * ```
 */
export interface Ledger {
  /** BM25 rank/score and per-term contributions; null when BM25 did not return it (or was not run). */
  bm25: { rank: number; score: number; explanation: Bm25Explanation } | null;
  /** Vector rank and similarity (cosine or inner product); null when the vector list did not return it. */
  vector: { rank: number; score: number; metric: 'cosine' | 'ip' } | null;
  /** Fusion account; null when a single retriever was used. */
  fusion: {
    method: string;
    rank: number;
    score: number;
    contributions: FusionContribution[];
    /** Which lists returned it. A chunk found by only one list is marked here, visibly. */
    foundBy: Array<'bm25' | 'vector' | (string & {})>;
  } | null;
  /**
   * The account of every {@link Retriever} list, the built-in `bm25`/`vector` included (e.g. `bm25`, `pg-text`,
   * `langchain`), by list name: rank, raw score and the retriever's own explanation when it gives one per hit. A list
   * that did not return the chunk is absent from it. (Optional only for ledgers written before it held every list.)
   */
  lists?: Record<string, { rank: number; score: number; explanation?: Record<string, unknown> }>;
  /** Re-ranker account; null when no re-ranker ran. `moved` = rankBefore - rankAfter (positive = promoted). */
  rerank: { score: number; rankBefore: number; rankAfter: number; moved: number } | null;
}

/**
 * A final result: the chunk, its final score and rank, and its ledger.
 *
 * @example
 * ```ts
 * const { hits } = await pipeline.search('how long do refunds take?', { k: 5 });
 * const hit: SearchHit | undefined = hits[0];
 * hit?.rank; // 1
 * hit?.chunk.text; // the chunk, with hit.chunk.start/end offsets into its document
 * hit?.ledger.bm25?.explanation.terms.map((t) => t.term); // e.g. ['refunds', 'take']: the query terms it contains
 * ```
 */
export interface SearchHit {
  chunk: Chunk;
  /** Final score (from the last stage that ran). */
  score: number;
  /** 1-based final rank. */
  rank: number;
  ledger: Ledger;
}

/**
 * The full, JSON-serialisable record of one search. It holds every stage's candidate list with raw and normalised
 * scores, so fusion and re-ranking can be replayed with other parameters without re-querying.
 *
 * @example
 * ```ts
 * const { trace } = await pipeline.search('refund delay', { k: 5 });
 * trace.version; // 1
 * trace.stages.find((s) => s.stage === 'bm25')?.params; // { depth: 100, k1: 0.9, b: 0.4, analyzer: '...', ... }
 * await writeFile('trace.json', JSON.stringify(trace)); // replay it later with other fusion parameters
 * ```
 */
export interface SearchTrace {
  version: 1;
  query: string;
  /** Number of final hits requested. */
  k: number;
  /** Embedder id used for the vector stage, if any. */
  embedderId?: string;
  stages: StageTrace[];
}

/**
 * What every search returns.
 *
 * @example
 * ```ts
 * const { hits, trace } = await pipeline.search('how long do refunds take?', { k: 5 });
 * JSON.stringify(trace); // plain JSON, can be saved and replayed
 * ```
 */
export interface SearchResult {
  hits: SearchHit[];
  trace: SearchTrace;
}

/**
 * A scored id returned by an index.
 *
 * @example
 * ```ts
 * const idx = new ExactVectorIndex({ dimensions: 3 });
 * await idx.add(['a', 'b'], [new Float32Array([1, 0, 0]), new Float32Array([0, 1, 0])]);
 * const [best]: ScoredId[] = await idx.search(new Float32Array([1, 0, 0]), 1);
 * best; // { id: 'a', score: 1 } (cosine similarity)
 * ```
 */
export interface ScoredId {
  id: string;
  score: number;
}

/**
 * The interface shared by {@link VectorIndex} (HNSW) and {@link ExactVectorIndex} (brute force).
 * Scores are similarities (higher is better): cosine similarity or inner product.
 *
 * @example
 * ```ts
 * const index: VectorSearchIndex = new ExactVectorIndex({ dimensions: 384 }); // or a VectorIndex (HNSW)
 * await index.add(chunks.map((c) => c.id), await embedder.embed(chunks.map((c) => c.text)));
 * const [q] = await embedder.embed(['refund delay'], { kind: 'query' });
 * const top: ScoredId[] = await index.search(q!, 10); // best first, higher = more similar
 * ```
 */
export interface VectorSearchIndex {
  readonly dimensions: number;
  readonly metric: 'cosine' | 'ip';
  /** Number of vectors stored. */
  readonly size: number;
  /** Add or replace vectors by id. */
  add(ids: string[], vectors: Float32Array[]): Promise<void>;
  /** Remove vectors by id (unknown ids are ignored). */
  remove(ids: string[]): Promise<void>;
  /** The `k` most similar ids, best first. */
  search(vector: Float32Array, k: number): Promise<ScoredId[]>;
  /** Whether `id` is stored. */
  has(id: string): boolean;
}
