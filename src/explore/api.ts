import type { Chunker } from '../chunkers/types.js';
import type { Document } from '../core/document.js';
import { RagscopeError } from '../core/errors.js';
import { type Expected, type WhyNotPipeline, type WhyNotReport, whyNot } from '../diagnostics/whynot.js';
import type { CharRange, EvalQuestion } from '../eval/types.js';
import type { BenchReport } from '../report/types.js';
import type { PipelineConfigJSON } from '../search/pipeline.js';
import type { SearchResult } from '../search/types.js';
import { type Chunking, Chunkings } from './chunkings.js';

/**
 * What `ragscope explore` shows: a saved index, a bench report, or both, and the questions with their gold spans
 * when known.
 * @internal
 */
export interface ExploreData {
  pipeline?: ExplorePipeline;
  report?: BenchReport;
  questions?: EvalQuestion[];
}

/**
 * What the page needs of an index: a {@link RetrievalPipeline} (a saved folder), or a `RetrieverSearch` over any
 * retrievers (a Postgres index) that knows its documents, chunks and chunker. @internal
 */
export type ExplorePipeline = WhyNotPipeline & {
  readonly chunker: Chunker;
  readonly config: NonNullable<WhyNotPipeline['config']> & object;
  readonly stats: Record<string, number>;
  documentIds(): string[];
};

/** `GET /api/info`: what is loaded. @internal */
export interface ExploreInfo {
  index: {
    config: PipelineConfigJSON | object;
    stats: Record<string, number>;
    documents: Array<{ id: string; chars: number; chunks: number }>;
  } | null;
  /** Chunkers the document view can draw (the index's first). */
  chunkers: string[];
  report: BenchReport | null;
  questions: EvalQuestion[];
}

/** `GET /api/document?id=`: the document, its chunks, the chunker's boundary reasons and the gold spans. @internal */
export interface ExploreDocument extends Chunking {
  document: Document;
  /** The chunker spec whose cut is shown (the index's unless another of the report's was asked for). */
  chunker: string;
  /** Gold spans of the loaded questions that fall in this document. */
  gold: Array<CharRange & { questionId: string }>;
}

/** An API error: HTTP status and message. @internal */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_K = 100;

function needPipeline(data: ExploreData): ExplorePipeline {
  if (!data.pipeline) throw new ApiError(404, 'no index loaded: start ragscope explore with an index folder');
  return data.pipeline;
}

function queryOf(body: Record<string, unknown>): string {
  const q = body.query;
  if (typeof q !== 'string' || q.trim() === '') throw new ApiError(400, 'query must be a non-empty string');
  return q;
}

function kOf(body: Record<string, unknown>): number {
  const k = body.k ?? 10;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_K) {
    throw new ApiError(400, `k must be an integer in [1, ${MAX_K}], got ${JSON.stringify(k)}`);
  }
  return k;
}

function expectedOf(value: unknown): Expected {
  if (typeof value === 'string' && value !== '') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.answer === 'string' && v.answer !== '') return { answer: v.answer };
    if (typeof v.docId === 'string' && Number.isInteger(v.start) && Number.isInteger(v.end)) {
      return { docId: v.docId, start: v.start as number, end: v.end as number };
    }
  }
  throw new ApiError(
    400,
    `target must be a chunk or document id, {docId, start, end} or {answer}, got ${JSON.stringify(value)}`,
  );
}

/** Map library errors on user input to 400, anything else stays a 500. @internal */
function asApiError(err: unknown): never {
  if (err instanceof RagscopeError) throw new ApiError(err.code === 'NOT_FOUND' ? 404 : 400, err.message);
  throw err;
}

/** The JSON API of the explore page, one method per route. @internal */
export class ExploreApi {
  private readonly chunkings: Chunkings | undefined;

  constructor(private readonly data: ExploreData) {
    this.chunkings = data.pipeline ? new Chunkings(data.pipeline, data.report) : undefined;
  }

  info(): ExploreInfo {
    const p = this.data.pipeline;
    return {
      index: p
        ? {
            config: p.config,
            stats: p.stats,
            documents: p.documentIds().map((id) => ({
              id,
              chars: p.getDocument(id)?.text.length ?? 0,
              chunks: p.chunksOf(id).length,
            })),
          }
        : null,
      chunkers: this.chunkings?.specs ?? [],
      report: this.data.report ?? null,
      questions: this.data.questions ?? [],
    };
  }

  report(): BenchReport {
    if (!this.data.report)
      throw new ApiError(404, 'no report loaded: start ragscope explore with a report.json');
    return this.data.report;
  }

  async search(body: Record<string, unknown>): Promise<SearchResult> {
    const pipeline = needPipeline(this.data);
    return pipeline.search(queryOf(body), { k: kOf(body) }).catch(asApiError);
  }

  async whyNot(body: Record<string, unknown>): Promise<WhyNotReport> {
    const pipeline = needPipeline(this.data);
    return whyNot(pipeline, queryOf(body), expectedOf(body.target), { k: kOf(body) }).catch(asApiError);
  }

  async document(id: string | null, chunker: string | null): Promise<ExploreDocument> {
    const pipeline = needPipeline(this.data);
    const document = id === null ? undefined : pipeline.getDocument(id);
    if (!document) throw new ApiError(404, `no document ${JSON.stringify(id)} in the index`);
    const spec = chunker ?? pipeline.chunker.spec;
    if (!this.chunkings!.specs.includes(spec)) {
      throw new ApiError(
        400,
        `chunker must be the index's or one of the report's, got ${JSON.stringify(spec)}`,
      );
    }
    const gold = (this.data.questions ?? []).flatMap((q) =>
      (q.spans ?? []).filter((s) => s.docId === document.id).map((s) => ({ ...s, questionId: q.id })),
    );
    return { document, chunker: spec, ...(await this.chunkings!.of(document, spec)), gold };
  }
}
