import type { Chunk, Document } from '../core/document.js';
import type { Embedder } from '../embedders/types.js';
import type { Analyzer } from '../search/analyzer.js';
import type { Reranker } from '../search/rerank/types.js';
import type { SearchResult, VectorSearchIndex } from '../search/types.js';
import type { CountTokens } from './tokens.js';

/**
 * What the user expected to be retrieved: a document id, a chunk id (a string is tried as a chunk id, then as a
 * document id), a character span of a document, or answer text to find in the corpus (exact match first, then
 * whitespace-insensitive).
 *
 * @example
 * ```ts
 * const e1: Expected = 'handbook';
 * const e2: Expected = { docId: 'handbook', start: 120, end: 180 };
 * const e3: Expected = { answer: 'Refunds take 5 days' };
 * ```
 */
export type Expected = string | { docId: string; start: number; end: number } | { answer: string };

/**
 * The cause codes, in the order used to rank decisive causes (most upstream first): the corpus (missing, not
 * indexed, near-duplicate copies crowding the results — duplicates are a defect of the corpus, fixed by
 * de-duplicating it), then chunking, embedding, candidate generation (depth before lexical mismatch: the depth
 * counterfactual is exact), fusion, re-ranking, and the fallback `outranked`.
 *
 * @example
 * ```ts
 * CAUSE_ORDER[0]; // 'not-in-corpus' (most upstream)
 * CAUSE_ORDER.indexOf('split-by-chunking') < CAUSE_ORDER.indexOf('lost-in-fusion'); // true
 * ```
 */
export const CAUSE_ORDER = [
  'not-in-corpus',
  'not-indexed',
  'crowded-out',
  'split-by-chunking',
  'truncated-at-embedding',
  'below-candidate-depth',
  'lexical-mismatch',
  'lost-in-fusion',
  'demoted-by-reranker',
  'outranked',
] as const;

/**
 * One of {@link CAUSE_ORDER}. `outranked` is the fallback when no specific cause is decisive.
 *
 * @example
 * ```ts
 * const code: CauseCode = 'split-by-chunking';
 * const chunkingMisses = reports.filter((r) => r.causes[0]?.cause === code).length;
 * ```
 */
export type CauseCode = (typeof CAUSE_ORDER)[number];

/**
 * The counterfactual check of one cause: its minimal fix applied alone, the search re-run with the real search
 * code (re-fused with `fuse`, re-ranked with the recorded re-ranker order, or searched again with other depths), and
 * where the target landed.
 *
 * - `rescued`: with the fix applied the target is retrieved (in the top k; for spans: covered to `minCoverage`).
 * - `not-rescued`: the fix was applied and the target is still missed.
 * - `cannot-check`: the pipeline does not expose what the check needs (see `sentence`); never decisive.
 *
 * @example
 * ```ts
 * const v: WhyNotVerification | undefined = report.causes[0]?.verification;
 * v; // { status: 'rescued', applied: { depth: { bm25: 180 } }, rankBefore: null, rankAfter: 3, sentence: 'With BM25 depth 180 the target moves from unranked to rank 3.' }
 * ```
 */
export interface WhyNotVerification {
  status: 'rescued' | 'not-rescued' | 'cannot-check';
  /** The fix that was applied (plain JSON: search options, fusion settings, a merged chunk's offsets...). */
  applied: Record<string, unknown>;
  /** The target's final rank in the diagnosed search (null: not a candidate). */
  rankBefore: number | null;
  /** Its final rank with the fix applied (null: not a candidate, or not checked). */
  rankAfter: number | null;
  /** For spans and answers: the share of the gold text the top k cover with the fix. */
  coverageAfter?: number;
  /**
   * For fixes that change settings for every query (fusion, depth, re-ranking), when other questions were given
   * (`options.otherQuestions`): how many of them were retrieved before and are lost with the fix.
   */
  othersLost?: { checked: number; lost: number; ids: string[] };
  /** The measured effect, for people ("with dense weight 0.3 the target moves from rank 42 to 3"). */
  sentence: string;
}

/**
 * One diagnosed cause.
 *
 * @example
 * ```ts
 * const report = await whyNot(pipeline, 'refund window thirty days unused items', { docId: 'a', start: 72, end: 127 }, { k: 1 });
 * const cause: WhyNotCause | undefined = report.causes[0];
 * cause?.cause; // 'split-by-chunking'
 * cause?.stage; // 'chunking'
 * cause?.decisive; // true
 * cause?.sentence; // 'The gold text straddles 2 chunks (33% not retrieved, 67% retrieved at rank 1); no single chunk holds it.'
 * cause?.evidence.largestShare; // 0.672...
 * ```
 */
export interface WhyNotCause {
  cause: CauseCode;
  /** Pipeline stage the cause belongs to. */
  stage: 'corpus' | 'indexing' | 'chunking' | 'embedding' | 'bm25' | 'vector' | 'fusion' | 'rerank';
  /**
   * True when this cause alone explains the miss: its fix, applied alone and replayed on the real search code,
   * retrieves the target (`verification.status === 'rescued'`), or the fact is conclusive without a replay (the
   * target is not in the corpus, or in no index), or the evidence is conclusive although the fix alone did not
   * rescue (no query term in the chunk at all; copies filling half the top k) — those rank after the rescued
   * ones. A cause that cannot be checked is never decisive. Decisive causes are ranked first.
   */
  decisive: boolean;
  /** Plain-language explanation for people. */
  sentence: string;
  /** Suggested fix. */
  fix: string;
  /** Numbers behind the sentence (plain JSON). */
  evidence: Record<string, unknown>;
  /** The counterfactual check of the fix, where one exists (see {@link WhyNotVerification}). */
  verification?: WhyNotVerification;
}

/**
 * The resolved target of a why-not question.
 *
 * @example
 * ```ts
 * const { target } = await whyNot(pipeline, 'refund window thirty days unused items', { docId: 'a', start: 72, end: 127 }, { k: 1 });
 * target; // { kind: 'span', docId: 'a', span: { start: 72, end: 127 }, chunkIds: ['a#0.18e78726', 'a#1.16c472b1'], mainChunkId: 'a#1.16c472b1' }
 * ```
 */
export interface WhyNotTarget {
  kind: 'document' | 'chunk' | 'span' | 'answer';
  docId: string | null;
  /** Character span in the document (the whole document for a document id). */
  span: { start: number; end: number } | null;
  /** Ids of the chunks holding (part of) the target. */
  chunkIds: string[];
  /** The chunk the stage-by-stage analysis follows (the one holding most of the target). */
  mainChunkId: string | null;
  /**
   * How an answer text was found: `exact`, `whitespace-insensitive`, or `support` (not found verbatim: the closest
   * supporting passage, see `support`).
   */
  match?: 'exact' | 'whitespace-insensitive' | 'support';
  /** For an answer not found verbatim: where its best support is, and how confident the alignment is (0..1). */
  support?: {
    docId: string;
    start: number;
    end: number;
    confidence: number;
    lexical: number;
    cosine: number | null;
  };
}

/**
 * What {@link whyNot} returns.
 *
 * @example
 * ```ts
 * const report: WhyNotReport = await whyNot(pipeline, 'refund window thirty days unused items', { docId: 'a', start: 72, end: 127 }, { k: 1 });
 * report.retrieved; // false (the top hit covers only 67% of the span)
 * report.rank; // 1 (a chunk holding part of it is ranked first)
 * report.coverage; // 0.672...
 * report.causes[0]?.cause; // 'split-by-chunking'
 * report.summary; // 'Not retrieved: The gold text straddles 2 chunks (33% not retrieved, 67% retrieved at rank 1); ...'
 * ```
 */
export interface WhyNotReport {
  query: string;
  k: number;
  target: WhyNotTarget;
  /** True when the target is in the top k (for spans: when the top k cover at least `minCoverage` of it). */
  retrieved: boolean;
  /** Best final rank of a chunk holding (part of) the target, or null. */
  rank: number | null;
  /** Share of the span's characters covered by the top k hits (spans and answers only). */
  coverage?: number;
  /** Ranked causes: decisive first, then in pipeline order ({@link CAUSE_ORDER}). Empty when retrieved. */
  causes: WhyNotCause[];
  /** One line for people. */
  summary: string;
  /** Causes that could not be checked on this pipeline, with what is missing (e.g. a user's own index). */
  cannotCheck: Array<{ cause: CauseCode; missing: string }>;
  /** The search that was diagnosed (its trace can be replayed). */
  result: SearchResult;
}

/**
 * The parts of a retrieval pipeline {@link whyNot} reads. `RetrievalPipeline` satisfies it; so can your own.
 *
 * @example
 * ```ts
 * const pipeline = new RetrievalPipeline({ chunker: 'fixed:90/0:chars', embedder: new HashingEmbedder() });
 * await pipeline.addDocuments(documents);
 * const target: WhyNotPipeline = pipeline; // or your own object with search, getChunk, chunksOf, getDocument
 * await whyNot(target, 'refund window', 'handbook');
 * ```
 */
export interface WhyNotPipeline {
  search(query: string, options: { k: number } & Record<string, unknown>): Promise<SearchResult>;
  getChunk(id: string): Chunk | undefined | null;
  chunksOf(docId: string): readonly Chunk[];
  getDocument(id: string): Document | undefined | null;
  getVector?(chunkId: string): Float32Array | undefined | null;
  /** Chunks kept out of the vector index because they embed to the zero vector. */
  chunksWithoutVector?(): string[];
  readonly bm25?: {
    readonly size: number;
    readonly analyzer: Pick<Analyzer, 'analyzeTerms' | 'term'>;
    has(id: string): boolean;
    search(query: string, k: number): Array<{ id: string; docId: string; score: number }>;
    termsOf(id: string): Map<string, number>;
    documentFrequency(term: string): number;
  } | null;
  readonly vectorIndex?: VectorSearchIndex | null;
  readonly embedder?: Embedder | null;
  /** The re-ranker the search runs (used to re-rank a counterfactual list). */
  readonly reranker?: Reranker | null;
  readonly config?: { depth?: { bm25?: number; vector?: number } };
  /** Ids of every document (used to look up `{ answer }` targets). */
  documentIds?(): string[];
  /**
   * Whether `chunksOf` lists every chunk the retrievers hold (false: only those seen in results, so a target
   * without a known chunk cannot be called "not indexed"). Default true.
   */
  chunksComplete?(): boolean;
}

/**
 * Options of {@link whyNot}.
 *
 * @example
 * ```ts
 * const options: WhyNotOptions = {
 *   k: 10, // default 5
 *   minCoverage: 0.8, // default 1 (the whole span must be covered)
 *   searchOptions: { rerank: false }, // default none
 *   reservedTokens: 2, // default 0; [CLS] and [SEP] for a BERT model
 *   lexicalShare: 0.5, // default
 *   nearDuplicates: 'text', // default ('off' never names crowded-out)
 *   dupJaccard: 0.7, // default
 *   splitShare: 0.75, // default
 * };
 * const report = await whyNot(pipeline, 'how long do refunds take?', { answer: 'within 5 business days' }, options);
 * ```
 */
export interface WhyNotOptions {
  /** Number of final hits. Default `5`. */
  k?: number;
  /** For spans and answers: share of the span the top k must cover to count as retrieved. Default `1` (all of it). */
  minCoverage?: number;
  /** Documents searched for `{ answer }` targets. Default: every document of the pipeline (`documentIds()`). */
  documents?: Iterable<Document>;
  /**
   * Extra options passed to `pipeline.search` (e.g. `{ depth: { bm25: 20 } }`, `{ fusion: {...} }`,
   * `{ rerank: false }`). Default none.
   */
  searchOptions?: Record<string, unknown>;
  /** Token counter for the truncation check. Default `pipeline.embedder.countTokens`. */
  countTokens?: CountTokens;
  /** Special tokens taken out of the embedder's `maxTokens` (e.g. 2 for `[CLS]`/`[SEP]`). Default `0`. */
  reservedTokens?: number;
  /** Matched share of the query's idf mass under which lexical mismatch is reported. Default `0.5`. */
  lexicalShare?: number;
  /**
   * How near-duplicates are judged (crowded-out). `text` (default): word 3-shingle Jaccard >= `dupJaccard` or
   * containment (shared shingles over the smaller set) >= `dupContainment`. `off`: never. Vectors are never used:
   * mean-pooled word vectors put unrelated texts above any fixed cosine.
   */
  nearDuplicates?: 'text' | 'off';
  /** Word-3-shingle Jaccard at or above which two hits are near-duplicates. Default `0.7`. */
  dupJaccard?: number;
  /** Share of the smaller text's 3-shingles found in the other at or above which they are near-duplicates. Default `0.9`. */
  dupContainment?: number;
  /** Causes to check (default: every cause). `outranked` and `not-in-corpus` are always possible. */
  causes?: readonly CauseCode[];
  /**
   * Other questions of the same set: a fix that changes a setting for every query (fusion, depth, re-ranking) is also
   * replayed on them, and the report says how many lose their gold. Default none.
   */
  otherQuestions?: ReadonlyArray<{ id?: string; query: string; expected: Expected }>;
  /** Minimum alignment confidence (0..1) for an answer's closest support to stand in for it. Default `0.6`. */
  minSupport?: number;
  /** A piece holding less than this share of a split span makes the split decisive. Default `0.75`. */
  splitShare?: number;
}
