import type { ListName, Normalization } from './fusion.js';
import type { RetrieverKindTag } from './retriever.js';
import type { StageTrace } from './types.js';

/** Every stage's parameters stay plain JSON and open: a saved trace or a user retriever may record more. */
interface OpenParams {
  [key: string]: unknown;
}

/**
 * Parameters recorded by the built-in `bm25` stage ({@link Bm25Retriever}).
 *
 * @example
 * ```ts
 * const p = findStage(trace.stages, 'bm25')?.params;
 * p?.k1; // 0.9 (typed: number)
 * ```
 */
export interface Bm25StageParams extends OpenParams {
  /** Candidates asked for. */
  depth: number;
  k1: number;
  b: number;
  /** The analyzer's id (tokenizer, stop words, stemmer). */
  analyzer: string;
  /** The normalisation fusion applied to this list (`'none'` with RRF or a single list). */
  normalization: Normalization;
  /** Chunks indexed. */
  chunks: number;
}

/**
 * Parameters recorded by the built-in `vector` stage ({@link VectorRetriever}).
 *
 * @example
 * ```ts
 * const p = findStage(trace.stages, 'vector')?.params;
 * p?.skipped; // 'the query embeds to the zero vector (no known token)' when nothing could be searched
 * ```
 */
export interface VectorStageParams extends OpenParams {
  depth: number;
  metric: 'cosine' | 'ip';
  /** `'hnsw'` or `'exact'`, when the index is a pipeline's. */
  index?: 'hnsw' | 'exact';
  /** HNSW search beam width at query time (HNSW only). */
  efSearch?: number | null;
  /** The embedder's id. */
  embedder: string;
  normalization: Normalization;
  /** Vectors stored. */
  chunks: number;
  /** Why the list is empty without searching (the query has no usable embedding). */
  skipped?: string;
}

/**
 * Parameters recorded by the `fusion` stage: the resolved {@link FusionOptions}, `depth` being each fused list's
 * depth by list name.
 *
 * @example
 * ```ts
 * const p = findStage(trace.stages, 'fusion')?.params;
 * p?.method; // 'rrf'
 * p?.weights.vector; // 1
 * ```
 */
export interface FusionStageParams extends OpenParams {
  method: 'rrf' | 'weighted' | 'combmnz';
  rrfK: number;
  normalization: Normalization;
  weights: Partial<Record<ListName, number>>;
  depth: Partial<Record<ListName, number>>;
}

/**
 * Parameters recorded by the `rerank` stage.
 *
 * @example
 * ```ts
 * const p = findStage(trace.stages, 'rerank')?.params;
 * p?.depth; // 20: the fused top 20 were re-ranked
 * ```
 */
export interface RerankStageParams extends OpenParams {
  /** The re-ranker's id. */
  reranker: string;
  /** Candidates handed to the re-ranker (`max(rerankDepth, k)`). */
  depth: number;
}

/**
 * Parameters of any other retriever's stage (a {@link Retriever} of yours, Postgres, LangChain): whatever its
 * `params()` returns, plus what ragscope adds.
 *
 * @example
 * ```ts
 * const p = findStage(trace.stages, 'pg-text')?.params;
 * p?.kind; // 'lexical'
 * ```
 */
export interface RetrieverStageParams extends OpenParams {
  depth?: number;
  normalization?: Normalization;
  kind?: RetrieverKindTag;
}

/**
 * The parameters of one stage, discriminated by the stage's name (see {@link StageParamsByName}); read them typed
 * with {@link findStage}.
 *
 * @example
 * ```ts
 * const params: StageParams = { reranker: 'mmr:0.7', depth: 20 };
 * ```
 */
export type StageParams =
  | Bm25StageParams
  | VectorStageParams
  | FusionStageParams
  | RerankStageParams
  | RetrieverStageParams;

/**
 * Which parameters each built-in stage name records; any other name records {@link RetrieverStageParams}.
 *
 * @example
 * ```ts
 * type P = StageParamsByName['rerank']; // RerankStageParams
 * ```
 */
export interface StageParamsByName {
  bm25: Bm25StageParams;
  vector: VectorStageParams;
  fusion: FusionStageParams;
  rerank: RerankStageParams;
}

/**
 * A stage trace whose parameters are typed by its name.
 *
 * @example
 * ```ts
 * const s: TypedStageTrace<'rerank'> | undefined = findStage(trace.stages, 'rerank');
 * ```
 */
export type TypedStageTrace<N extends string> = StageTrace & {
  params: N extends keyof StageParamsByName ? StageParamsByName[N] : RetrieverStageParams;
};

/**
 * The stage named `name` of a trace, with its parameters typed by that name, or undefined.
 *
 * @example
 * ```ts
 * const { trace } = await pipeline.search('refund delay', { k: 5 });
 * findStage(trace.stages, 'bm25')?.params.k1; // number
 * findStage(trace.stages, 'fusion')?.params.method; // 'rrf' | 'weighted' | 'combmnz'
 * ```
 */
export function findStage<N extends string>(
  stages: readonly StageTrace[],
  name: N,
): TypedStageTrace<N> | undefined {
  return stages.find((s) => s.stage === name) as TypedStageTrace<N> | undefined;
}
