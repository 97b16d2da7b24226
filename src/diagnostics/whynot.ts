import type { Chunk, Document } from '../core/document.js';
import { checkInteger, checkNumber, invalidArgument, RagscopeError } from '../core/errors.js';
import type { Embedder } from '../embedders/types.js';
import type { Analyzer } from '../search/analyzer.js';
import { type FusionInput, fuse } from '../search/fusion.js';
import type { SearchResult, SearchTrace, VectorSearchIndex } from '../search/types.js';
import { spanPieces } from './boundary.js';
import { recordedFusion, replay, sweepReplay } from './replay.js';
import { cosine, jaccard, shingles } from './similarity.js';
import { type CountTokens, truncationOffset } from './tokens.js';

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
   * True when this cause alone explains the miss (its counterfactual fix would retrieve the item, or the evidence is
   * conclusive, e.g. zero term overlap). Decisive causes are ranked first.
   */
  decisive: boolean;
  /** Plain-language explanation for people. */
  sentence: string;
  /** Suggested fix. */
  fix: string;
  /** Numbers behind the sentence (plain JSON). */
  evidence: Record<string, unknown>;
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
  /** How an answer text was found: `exact` or `whitespace-insensitive`. */
  match?: 'exact' | 'whitespace-insensitive';
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
  readonly config?: { depth?: { bm25?: number; vector?: number } };
  /** Ids of every document (used to look up `{ answer }` targets). */
  documentIds?(): string[];
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
 *   dupCosine: 0.95, // default
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
  /** Cosine at or above which two hits are near-duplicates. Default `0.95`. */
  dupCosine?: number;
  /** Word-3-shingle Jaccard at or above which two hits are near-duplicates. Default `0.7`. */
  dupJaccard?: number;
  /** A piece holding less than this share of a split span makes the split decisive. Default `0.75`. */
  splitShare?: number;
}

interface Resolved {
  target: WhyNotTarget;
  relevant: Chunk[];
  doc: Document | null;
  missing?: WhyNotCause;
}

const fmt = (n: number, d = 3) => (Number.isInteger(n) ? String(n) : n.toFixed(d));

function listDocuments(pipeline: WhyNotPipeline, options: WhyNotOptions): Iterable<Document> {
  if (options.documents) return options.documents;
  if (typeof pipeline.documentIds === 'function') {
    return pipeline
      .documentIds()
      .map((id) => pipeline.getDocument(id))
      .filter((d): d is Document => !!d);
  }
  const p = pipeline as unknown as { documents?: unknown };
  if (typeof p.documents === 'function') return (p.documents as () => Iterable<Document>).call(pipeline);
  if (p.documents && typeof p.documents === 'object' && Symbol.iterator in (p.documents as object)) {
    return p.documents as Iterable<Document>;
  }
  throw new RagscopeError(
    'INVALID_ARGUMENT',
    'options.documents is required to look up an { answer } target (the pipeline does not list its documents)',
    { param: 'options.documents' },
  );
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Find `answer` in the documents: exact first, then whitespace-insensitive. @internal */
export function findAnswer(
  docs: Iterable<Document>,
  answer: string,
): { docId: string; start: number; end: number; match: 'exact' | 'whitespace-insensitive' } | null {
  const all = [...docs];
  for (const d of all) {
    const i = d.text.indexOf(answer);
    if (i >= 0) return { docId: d.id, start: i, end: i + answer.length, match: 'exact' };
  }
  const words = answer.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  const re = new RegExp(words.map(escapeRe).join('\\s*'), 'u');
  for (const d of all) {
    const m = re.exec(d.text);
    if (m)
      return { docId: d.id, start: m.index, end: m.index + m[0].length, match: 'whitespace-insensitive' };
  }
  return null;
}

function resolve(pipeline: WhyNotPipeline, expected: Expected, options: WhyNotOptions): Resolved {
  const notFound = (
    kind: WhyNotTarget['kind'],
    what: string,
    evidence: Record<string, unknown>,
  ): Resolved => ({
    target: { kind, docId: null, span: null, chunkIds: [], mainChunkId: null },
    relevant: [],
    doc: null,
    missing: {
      cause: 'not-in-corpus',
      stage: 'corpus',
      decisive: true,
      sentence: `${what} is not in the corpus, so no setting can retrieve it.`,
      fix: 'Add the missing document to the corpus (or check the id / answer text).',
      evidence,
    },
  });
  if (typeof expected === 'string') {
    const chunk = pipeline.getChunk(expected);
    if (chunk) {
      return {
        target: {
          kind: 'chunk',
          docId: chunk.docId,
          span: { start: chunk.start, end: chunk.end },
          chunkIds: [chunk.id],
          mainChunkId: chunk.id,
        },
        relevant: [chunk],
        doc: pipeline.getDocument(chunk.docId) ?? null,
      };
    }
    const doc = pipeline.getDocument(expected);
    if (!doc)
      return notFound('document', `"${expected}" (neither a chunk id nor a document id)`, { id: expected });
    const chunks = [...pipeline.chunksOf(doc.id)];
    return {
      target: {
        kind: 'document',
        docId: doc.id,
        span: { start: 0, end: doc.text.length },
        chunkIds: chunks.map((c) => c.id),
        mainChunkId: null,
      },
      relevant: chunks,
      doc,
    };
  }
  if (!expected || typeof expected !== 'object') {
    invalidArgument('expected', expected, 'a document id, a chunk id, { docId, start, end } or { answer }');
  }
  let docId: string;
  let start: number;
  let end: number;
  let kind: WhyNotTarget['kind'] = 'span';
  let match: WhyNotTarget['match'];
  if ('answer' in expected) {
    if (typeof expected.answer !== 'string' || expected.answer.trim() === '') {
      invalidArgument('expected.answer', expected.answer, 'a non-empty string');
    }
    const found = findAnswer(listDocuments(pipeline, options), expected.answer);
    if (!found)
      return notFound('answer', `The answer text "${expected.answer.slice(0, 60)}"`, {
        answer: expected.answer,
      });
    ({ docId, start, end } = found);
    kind = 'answer';
    match = found.match;
  } else {
    ({ docId, start, end } = expected);
    if (typeof docId !== 'string') invalidArgument('expected.docId', docId, 'a string');
    checkInteger('expected.start', start, 0);
    checkInteger('expected.end', end, start);
  }
  const doc = pipeline.getDocument(docId);
  if (!doc) return notFound(kind, `Document "${docId}"`, { docId });
  if (end > doc.text.length)
    invalidArgument('expected.end', end, `<= the document length ${doc.text.length}`);
  const { pieces, contained } = spanPieces(pipeline.chunksOf(docId), { start, end });
  const relevant = pieces.map((p) => pipeline.getChunk(p.chunkId)!).filter(Boolean);
  const main = contained ?? [...pieces].sort((a, b) => b.fraction - a.fraction)[0];
  const target: WhyNotTarget = {
    kind,
    docId,
    span: { start, end },
    chunkIds: relevant.map((c) => c.id),
    mainChunkId: main ? ('chunkId' in main ? main.chunkId : main.id) : null,
  };
  if (match) target.match = match;
  return { target, relevant, doc };
}

function stageDepth(trace: SearchTrace, pipeline: WhyNotPipeline, list: 'bm25' | 'vector'): number | null {
  const stage = trace.stages.find((s) => s.stage === list);
  if (!stage) return null;
  const d = stage.params.depth;
  if (typeof d === 'number') return d;
  const c = pipeline.config?.depth?.[list];
  return typeof c === 'number' ? c : stage.candidates.length;
}

/**
 * Why was `expected` not retrieved for `query`? Runs the search, then walks every stage — corpus, indexing,
 * chunking, embedding budget, lexical match, candidate depth, duplicates, fusion, re-ranking — and returns ranked
 * causes, each with a plain-language sentence, a suggested fix and its evidence. When the item was retrieved, the
 * report says so (`retrieved: true`, `rank`) and lists no cause.
 *
 * Ranking rule: every cause is marked `decisive` when it alone explains the miss — by an exact counterfactual where
 * one exists (deeper candidate lists re-fused with the real fusion code; de-duplicated final list; fusion replayed
 * over a grid of settings; rank before re-ranking), or by conclusive evidence otherwise (not in corpus / not
 * indexed; span split with no piece holding >= `splitShare`, or a piece retrieved while the rest was not; >= half
 * of the gold text beyond the embedder's budget while the vector list missed it; zero analysed-term overlap).
 * Decisive causes come first, each group in pipeline order ({@link CAUSE_ORDER}): the most upstream decisive cause
 * is `causes[0]`. When nothing is decisive, `outranked` (both retrievers simply prefer other chunks) closes the list.
 *
 * @example
 * ```ts
 * const report = await whyNot(pipeline, 'how long do refunds take?', { answer: 'within 5 business days' }, { k: 5 });
 * report.retrieved; // false
 * report.causes[0]; // { cause: 'below-candidate-depth', sentence: 'BM25 ranked it 37th but kept only 20 …', fix: '…' }
 * ```
 */
export async function whyNot(
  pipeline: WhyNotPipeline,
  query: string,
  expected: Expected,
  options: WhyNotOptions = {},
): Promise<WhyNotReport> {
  if (!pipeline || typeof pipeline.search !== 'function')
    invalidArgument('pipeline', pipeline, 'a retrieval pipeline');
  if (typeof query !== 'string') invalidArgument('query', query, 'a string');
  const k = checkInteger('options.k', options.k ?? 5, 1);
  const minCoverage = checkNumber('options.minCoverage', options.minCoverage ?? 1, 0, 1);
  const lexicalShare = checkNumber('options.lexicalShare', options.lexicalShare ?? 0.5, 0, 1);
  const dupCosine = checkNumber('options.dupCosine', options.dupCosine ?? 0.95, -1, 1);
  const dupJaccard = checkNumber('options.dupJaccard', options.dupJaccard ?? 0.7, 0, 1);
  const splitShare = checkNumber('options.splitShare', options.splitShare ?? 0.75, 0, 1);
  const reserved = checkInteger('options.reservedTokens', options.reservedTokens ?? 0, 0);

  const resolved = resolve(pipeline, expected, options);
  const result = await pipeline.search(query, { ...(options.searchOptions ?? {}), k });
  const { trace } = result;
  const { target, relevant } = resolved;
  const finish = (
    causes: WhyNotCause[],
    retrieved: boolean,
    rank: number | null,
    coverage?: number,
  ): WhyNotReport => {
    causes.sort(
      (a, b) =>
        Number(b.decisive) - Number(a.decisive) ||
        CAUSE_ORDER.indexOf(a.cause) - CAUSE_ORDER.indexOf(b.cause),
    );
    const summary = retrieved
      ? `Retrieved at rank ${rank}${coverage !== undefined && coverage < 1 ? ` (covering ${fmt(coverage * 100, 0)}% of the span)` : ''}.`
      : causes[0]
        ? `Not retrieved: ${causes[0].sentence}`
        : 'Not retrieved.';
    const report: WhyNotReport = {
      query,
      k,
      target,
      retrieved,
      rank,
      causes: retrieved ? [] : causes,
      summary,
      result,
    };
    if (coverage !== undefined) report.coverage = coverage;
    return report;
  };
  if (resolved.missing) return finish([resolved.missing], false, null);

  // ---- was it retrieved? -------------------------------------------------------------------------------------
  const hits = result.hits.slice(0, k);
  const relevantIds = new Set(relevant.map((c) => c.id));
  const isRel = (c: { chunkId: string; docId: string }) =>
    target.kind === 'document' ? c.docId === target.docId : relevantIds.has(c.chunkId);
  const firstHit = hits.find((h) => isRel({ chunkId: h.chunk.id, docId: h.chunk.docId }));
  let coverage: number | undefined;
  let retrieved = firstHit !== undefined;
  if (target.kind === 'span' || target.kind === 'answer') {
    const span = target.span!;
    const len = Math.max(1, span.end - span.start);
    const covered = new Uint8Array(span.end - span.start);
    for (const h of hits) {
      if (h.chunk.docId !== target.docId) continue;
      for (let i = Math.max(h.chunk.start, span.start); i < Math.min(h.chunk.end, span.end); i++)
        covered[i - span.start] = 1;
    }
    coverage = covered.reduce((s, v) => s + v, 0) / len;
    if (span.end === span.start) coverage = firstHit ? 1 : 0;
    retrieved = coverage >= minCoverage && coverage > 0;
  }
  if (retrieved) return finish([], true, firstHit?.rank ?? null, coverage);

  const causes: WhyNotCause[] = [];
  // ---- indexing ----------------------------------------------------------------------------------------------
  const bm25 = pipeline.bm25 ?? null;
  const vindex = pipeline.vectorIndex ?? null;
  const ranBm25 = trace.stages.some((s) => s.stage === 'bm25');
  const ranVector = trace.stages.some((s) => s.stage === 'vector');
  if (relevant.length === 0) {
    causes.push({
      cause: 'not-indexed',
      stage: 'indexing',
      decisive: true,
      sentence: `Document "${target.docId}" is in the corpus but has no chunk covering the target, so it was never indexed.`,
      fix: 'Re-index the document (check that the chunker does not drop it, e.g. empty or filtered text).',
      evidence: { docId: target.docId, chunksOfDocument: pipeline.chunksOf(target.docId!).length },
    });
    return finish(causes, false, null, coverage);
  }
  const missingIdx = relevant.map((c) => ({
    chunkId: c.id,
    inBm25: ranBm25 ? (bm25?.has(c.id) ?? false) : null,
    hasVector: ranVector ? (vindex?.has(c.id) ?? false) : null,
  }));
  const absentEverywhere = missingIdx.filter((m) => m.inBm25 !== true && m.hasVector !== true);
  const absentSomewhere = missingIdx.filter((m) => m.inBm25 === false || m.hasVector === false);
  if (absentSomewhere.length > 0) {
    const all = absentEverywhere.length === relevant.length;
    const zeroVector = new Set(pipeline.chunksWithoutVector?.() ?? []);
    const noVectorBecauseZero = absentSomewhere.filter(
      (m) => m.hasVector === false && zeroVector.has(m.chunkId),
    );
    causes.push({
      cause: 'not-indexed',
      stage: 'indexing',
      decisive: all,
      sentence: all
        ? 'The chunks holding it are in no index (no BM25 entry and no vector), so no query can find them.'
        : `${absentSomewhere.length} of ${relevant.length} chunks holding it are missing from an index.`,
      fix:
        noVectorBecauseZero.length > 0
          ? `${noVectorBecauseZero.length} of them embed to the zero vector (no word the embedder knows), so they have no cosine: use an embedder with a larger vocabulary or subword units, or rely on hybrid search.`
          : 'Re-index the document; check for failed embedding batches or an interrupted update.',
      evidence: { chunks: missingIdx, zeroVector: noVectorBecauseZero.map((m) => m.chunkId) },
    });
  }

  // ---- per-list true ranks (scoring the whole corpus directly) ----------------------------------------------
  const fullBm25 = ranBm25 && bm25 ? bm25.search(query, Math.max(1, bm25.size)) : [];
  const bm25Rank = new Map(fullBm25.map((h, i) => [h.id, { rank: i + 1, score: h.score }]));
  let fullVec: Array<{ id: string; score: number }> = [];
  if (ranVector && vindex && pipeline.embedder && vindex.size > 0) {
    const [qv] = await pipeline.embedder.embed([query], { kind: 'query' });
    // A query with no known token embeds to the zero vector: it has no cosine with anything (the vector stage
    // recorded it as skipped), so every chunk is unranked in the vector list.
    const zeroQuery = vindex.metric === 'cosine' && (qv === undefined || qv.every((x) => x === 0));
    if (!zeroQuery) fullVec = await vindex.search(qv!, vindex.size);
  }
  const vecRank = new Map(fullVec.map((h, i) => [h.id, { rank: i + 1, score: h.score }]));
  const finalList = replay(trace, {}).candidates;
  const finalRank = new Map(finalList.map((c) => [c.chunkId, c]));
  const bestOf = (c: Chunk) =>
    Math.min(
      finalRank.get(c.id)?.rank ?? Infinity,
      bm25Rank.get(c.id)?.rank ?? Infinity,
      vecRank.get(c.id)?.rank ?? Infinity,
    );
  let main = relevant.find((c) => c.id === target.mainChunkId);
  if (!main) main = [...relevant].sort((a, b) => bestOf(a) - bestOf(b))[0]!;
  target.mainChunkId = main.id;
  const mainBm25 = bm25Rank.get(main.id) ?? null;
  const mainVec = vecRank.get(main.id) ?? null;
  const mainFinal = finalRank.get(main.id) ?? null;

  // ---- chunking: split span ------------------------------------------------------------------------------------
  if ((target.kind === 'span' || target.kind === 'answer') && relevant.length >= 2) {
    const { contained, pieces } = spanPieces(relevant, target.span!);
    if (!contained) {
      const withRanks = pieces.map((p) => ({
        ...p,
        finalRank: finalRank.get(p.chunkId)?.rank ?? null,
        retrieved: hits.some((h) => h.chunk.id === p.chunkId),
      }));
      const maxShare = pieces.reduce((m, p) => Math.max(m, p.fraction), Number.NEGATIVE_INFINITY);
      const anyRetrieved = withRanks.some((p) => p.retrieved);
      causes.push({
        cause: 'split-by-chunking',
        stage: 'chunking',
        decisive: anyRetrieved || maxShare < splitShare,
        sentence: `The gold text straddles ${pieces.length} chunks (${withRanks
          .map(
            (p) =>
              `${fmt(p.fraction * 100, 0)}%${p.retrieved ? ` retrieved at rank ${p.finalRank}` : ' not retrieved'}`,
          )
          .join(', ')}); no single chunk holds it.`,
        fix: 'Use larger or sentence-aware chunks, or overlap, so the passage stays in one chunk.',
        evidence: { pieces: withRanks, largestShare: maxShare },
      });
    }
  }

  // ---- embedding: truncation -------------------------------------------------------------------------------
  const embedder = pipeline.embedder ?? null;
  const count =
    options.countTokens ?? (embedder?.countTokens ? (t: string) => embedder.countTokens!(t) : undefined);
  if (ranVector && embedder?.maxTokens && count && target.kind !== 'document') {
    const budget = embedder.maxTokens - reserved;
    const span = target.span!;
    const cut = await truncationOffset(main.text, Math.max(1, budget), count);
    const a = Math.max(span.start, main.start) - main.start;
    const b = Math.min(span.end, main.end) - main.start;
    const inChunk = Math.max(1, b - a);
    const beyond = Math.max(0, b - Math.max(a, cut));
    const share = beyond / inChunk;
    if (cut < main.text.length && beyond > 0) {
      const tokens = await count(main.text);
      const vecMissed = !mainVec || mainVec.rank > k;
      causes.push({
        cause: 'truncated-at-embedding',
        stage: 'embedding',
        decisive: share >= 0.5 && vecMissed,
        sentence: `The embedder reads only the first ${budget} tokens of the chunk (${tokens} tokens); ${fmt(share * 100, 0)}% of the gold text lies beyond that, so the chunk's vector does not represent it.`,
        fix: 'Use smaller chunks (within the embedder budget) or an embedder with a longer input.',
        evidence: {
          chunkId: main.id,
          maxTokens: embedder.maxTokens,
          reservedTokens: reserved,
          chunkTokens: tokens,
          cutAtChar: cut,
          goldInChunk: [a, b],
          shareBeyond: share,
          droppedPreview: main.text.slice(cut, cut + 120),
          vectorRank: mainVec?.rank ?? null,
        },
      });
    }
  }

  // ---- candidate depth (counterfactual: deeper lists, same fusion) ------------------------------------------
  const depthBm25 = stageDepth(trace, pipeline, 'bm25');
  const depthVec = stageDepth(trace, pipeline, 'vector');
  const below: Array<{
    list: 'bm25' | 'vector';
    rank: number;
    score: number;
    depth: number;
    lastKeptScore: number | null;
  }> = [];
  if (depthBm25 !== null && mainBm25 && mainBm25.rank > depthBm25) {
    below.push({
      list: 'bm25',
      rank: mainBm25.rank,
      score: mainBm25.score,
      depth: depthBm25,
      lastKeptScore: fullBm25[depthBm25 - 1]?.score ?? null,
    });
  }
  if (depthVec !== null && mainVec && mainVec.rank > depthVec) {
    below.push({
      list: 'vector',
      rank: mainVec.rank,
      score: mainVec.score,
      depth: depthVec,
      lastKeptScore: fullVec[depthVec - 1]?.score ?? null,
    });
  }
  if (below.length > 0) {
    const lists: FusionInput[] = [];
    const deep = {
      bm25: Math.max(depthBm25 ?? 0, mainBm25?.rank ?? 0),
      vector: Math.max(depthVec ?? 0, mainVec?.rank ?? 0),
    };
    if (depthBm25 !== null)
      lists.push({
        list: 'bm25',
        candidates: fullBm25
          .slice(0, deep.bm25)
          .map((h) => ({ chunkId: h.id, docId: h.docId, score: h.score })),
      });
    if (depthVec !== null) {
      lists.push({
        list: 'vector',
        candidates: fullVec
          .slice(0, deep.vector)
          .map((h) => ({ chunkId: h.id, docId: pipeline.getChunk(h.id)?.docId ?? '', score: h.score })),
      });
    }
    let cfRank: number | null = null;
    if (trace.stages.some((s) => s.stage === 'fusion')) {
      const fusionOpts = { ...recordedFusion(trace) };
      delete fusionOpts.depth;
      const fused = fuse(lists, fusionOpts).candidates;
      cfRank = fused.find((c) => c.chunkId === main.id)?.rank ?? null;
    } else {
      cfRank = lists[0]?.candidates.findIndex((c) => c.chunkId === main.id) ?? -1;
      cfRank = cfRank >= 0 ? cfRank + 1 : null;
    }
    const decisive = cfRank !== null && cfRank <= k;
    causes.push({
      cause: 'below-candidate-depth',
      stage: below[0]!.list,
      decisive,
      sentence: below
        .map(
          (b) =>
            `${b.list === 'bm25' ? 'BM25' : 'The vector search'} ranks it ${b.rank} (score ${fmt(b.score, 4)}) but only the top ${b.depth} candidates are kept (last kept score ${b.lastKeptScore === null ? 'n/a' : fmt(b.lastKeptScore, 4)})`,
        )
        .join('; ')
        .concat(decisive ? `; with deeper candidate lists it would rank ${cfRank}.` : '.'),
      fix: `Raise the candidate depth (to at least ${Math.max(...below.map((b) => b.rank))}).`,
      evidence: { lists: below, counterfactualRank: cfRank, counterfactualDepth: deep },
    });
  }

  // ---- lexical mismatch -----------------------------------------------------------------------------------
  if (ranBm25 && bm25?.has(main.id)) {
    const terms = bm25.analyzer.analyzeTerms(query);
    const chunkTerms = bm25.termsOf(main.id);
    const n = Math.max(1, bm25.size);
    const idf = (df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));
    const stopWorded = terms.filter((t) => t.analyzed === null).map((t) => t.term);
    const content = terms.filter((t): t is { term: string; analyzed: string } => t.analyzed !== null);
    const seen = new Set<string>();
    let total = 0;
    let matchedMass = 0;
    const matched: Array<{ term: string; analyzed: string }> = [];
    const unmatched: Array<{
      term: string;
      analyzed: string;
      nearForms: Array<{ word: string; analyzed: string }>;
    }> = [];
    const chunkWords = new Map<string, string>();
    for (const w of main.text.match(/[\p{L}\p{N}]+/gu) ?? []) {
      const lw = w.toLowerCase();
      if (!chunkWords.has(lw)) chunkWords.set(lw, bm25.analyzer.term(w) ?? '');
    }
    for (const t of content) {
      if (seen.has(t.analyzed)) continue;
      seen.add(t.analyzed);
      const w = idf(bm25.documentFrequency(t.analyzed));
      total += w;
      if (chunkTerms.has(t.analyzed)) {
        matchedMass += w;
        matched.push(t);
      } else {
        // Stemming differences: chunk words sharing a 5+ letter prefix with the query word but another stem.
        const q = t.term.toLowerCase();
        const lcp = (x: string) => {
          let i = 0;
          while (i < x.length && i < q.length && x[i] === q[i]) i++;
          return i;
        };
        const nearForms = [...chunkWords.entries()]
          .filter(([lw, a]) => a !== t.analyzed && lcp(lw) >= Math.min(5, q.length) && lcp(lw) >= 4)
          .slice(0, 3)
          .map(([word, analyzed]) => ({ word, analyzed }));
        unmatched.push({ ...t, nearForms });
      }
    }
    const share = total > 0 ? matchedMass / total : 0;
    if (share < lexicalShare) {
      const zero = matched.length === 0;
      const stem = unmatched.filter((u) => u.nearForms.length > 0);
      const parts: string[] = [];
      if (content.length === 0) parts.push('every query word is a stop word');
      else if (zero)
        parts.push(
          `none of the query's terms (${content.map((t) => `${t.term}→${t.analyzed}`).join(', ')}) occur in the chunk`,
        );
      else
        parts.push(
          `only ${matched.map((t) => t.analyzed).join(', ')} match (${fmt(share * 100, 0)}% of the query's idf weight)`,
        );
      if (stopWorded.length) parts.push(`stop-worded away: ${stopWorded.join(', ')}`);
      if (stem.length) {
        parts.push(
          `stemming differences: ${stem.map((u) => `${u.term}→${u.analyzed} vs ${u.nearForms.map((f) => `${f.word}→${f.analyzed}`).join('/')}`).join('; ')}`,
        );
      }
      causes.push({
        cause: 'lexical-mismatch',
        stage: 'bm25',
        decisive: zero,
        sentence: `Lexical mismatch: ${parts.join('; ')}.`,
        fix: "Turn hybrid search on (dense retrieval matches paraphrases), use a better embedder, or expand the query with the document's vocabulary.",
        evidence: {
          chunkId: main.id,
          matchedShare: share,
          matched,
          unmatched,
          stopWorded,
          bm25Rank: mainBm25?.rank ?? null,
        },
      });
    }
  }

  // ---- crowded out by near-duplicates ----------------------------------------------------------------------
  {
    const pos = mainFinal ? mainFinal.rank : Infinity;
    const above = finalList.slice(0, Math.min(pos - 1, finalList.length));
    const window = above.slice(0, Math.max(k, Math.min(above.length, k * 4)));
    const texts = window.map((c) => pipeline.getChunk(c.chunkId)?.text ?? '');
    const sh = texts.map((t) => shingles(t));
    const vecs = window.map((c) => pipeline.getVector?.(c.chunkId) ?? null);
    const redundant: Array<{
      chunkId: string;
      rank: number;
      duplicateOf: string;
      jaccard: number;
      cosine: number | null;
    }> = [];
    for (let i = 0; i < window.length; i++) {
      for (let j = 0; j < i; j++) {
        const jac = jaccard(sh[i]!, sh[j]!);
        const cos = vecs[i] && vecs[j] ? cosine(vecs[i]!, vecs[j]!) : null;
        if (jac >= dupJaccard || (cos !== null && cos >= dupCosine)) {
          redundant.push({
            chunkId: window[i]!.chunkId,
            rank: window[i]!.rank,
            duplicateOf: window[j]!.chunkId,
            jaccard: jac,
            cosine: cos,
          });
          break;
        }
      }
    }
    const inTopK = redundant.filter((r) => r.rank <= k);
    if (inTopK.length > 0) {
      const dedupedRank = mainFinal ? mainFinal.rank - redundant.length : null;
      const decisive = dedupedRank !== null && dedupedRank <= k;
      causes.push({
        cause: 'crowded-out',
        stage: 'corpus',
        decisive,
        sentence: `${inTopK.length} of the top ${k} hits are near-duplicates of higher hits${
          decisive ? `; without them it would rank ${dedupedRank}` : ''
        }.`,
        fix: 'De-duplicate the corpus (or the results, e.g. MMR or a near-duplicate filter) so copies do not take the top slots.',
        evidence: { redundant, finalRank: mainFinal?.rank ?? null, dedupedRank },
      });
    }
  }

  // ---- fusion ---------------------------------------------------------------------------------------------
  const fusionStage = trace.stages.find((s) => s.stage === 'fusion');
  if (fusionStage && mainFinal) {
    const listRanks = mainFinal.contributions.map((c) => ({
      list: c.list,
      rank: c.rank,
      contribution: c.contribution,
    }));
    const goodList = listRanks.find((c) => c.rank !== null && c.rank <= k);
    if (goodList && mainFinal.fusedRank > k) {
      const kth = finalList.filter((c) => c.fusedRank === k)[0] ?? null;
      const sweep = sweepReplay(trace, main.id, { toggleRerank: false });
      causes.push({
        cause: 'lost-in-fusion',
        stage: 'fusion',
        decisive: sweep.retrieving.length > 0,
        sentence: `${goodList.list === 'bm25' ? 'BM25' : 'The vector search'} ranked it ${goodList.rank}, but fusion (${String(fusionStage.params.method ?? '')}) put it at ${mainFinal.fusedRank} (fused score ${fmt(mainFinal.fusedScore, 5)} vs ${kth ? fmt(kth.fusedScore, 5) : 'n/a'} at rank ${k}). ${sweep.sentence}`,
        fix: sweep.retrieving[0]
          ? `Change fusion settings, e.g. ${JSON.stringify(sweep.retrieving[0].params)}.`
          : 'Give the list that found it more weight, or try another fusion method.',
        evidence: {
          lists: listRanks,
          fusedRank: mainFinal.fusedRank,
          fusedScore: mainFinal.fusedScore,
          kthScore: kth?.fusedScore ?? null,
          retrievingSettings: sweep.retrieving.slice(0, 5),
        },
      });
    }
  }

  // ---- re-ranker ------------------------------------------------------------------------------------------
  const rerankStage = trace.stages.find((s) => s.stage === 'rerank');
  if (rerankStage && mainFinal && mainFinal.fusedRank <= k && mainFinal.rank > k) {
    const kthScore = finalList[k - 1]?.rerankScore ?? null;
    causes.push({
      cause: 'demoted-by-reranker',
      stage: 'rerank',
      decisive: true,
      sentence: `It was at rank ${mainFinal.fusedRank} before re-ranking and the re-ranker moved it to ${mainFinal.rank} (score ${mainFinal.rerankScore === null ? 'n/a' : fmt(mainFinal.rerankScore, 4)} vs ${kthScore === null ? 'n/a' : fmt(kthScore, 4)} at rank ${k}).`,
      fix: 'Try another re-ranker (or a larger one), or check its input budget; compare with re-ranking off.',
      evidence: {
        rankBefore: mainFinal.fusedRank,
        rankAfter: mainFinal.rank,
        score: mainFinal.rerankScore,
        kthScore,
      },
    });
  }

  // ---- fallback -------------------------------------------------------------------------------------------
  if (!causes.some((c) => c.decisive)) {
    causes.push({
      cause: 'outranked',
      stage: ranVector && ranBm25 ? 'fusion' : ranVector ? 'vector' : 'bm25',
      decisive: false,
      sentence: `The retrievers prefer other chunks: BM25 rank ${mainBm25?.rank ?? 'none (no term matched)'}, vector rank ${mainVec?.rank ?? 'n/a'}, final rank ${mainFinal?.rank ?? 'not a candidate'} (k = ${k}).`,
      fix: 'Try a stronger embedder, hybrid search, or query rewriting; check whether the gold label is right.',
      evidence: { bm25: mainBm25, vector: mainVec, finalRank: mainFinal?.rank ?? null },
    });
  }
  return finish(causes, false, mainFinal?.rank ?? null, coverage);
}
