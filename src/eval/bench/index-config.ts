import { indexText } from '../../chunkers/contextual.js';
import type { Chunk } from '../../core/document.js';
import type { ChunkStats } from '../../report/types.js';
import { parentIndex } from '../../search/parent-stage.js';
import { RetrievalPipeline } from '../../search/pipeline.js';
import type { BenchOptions, BenchProgressEvent } from '../bench.js';
import { indexRanges } from '../metrics/spans.js';
import type { EvalDataset } from '../types.js';
import { BackendSearch } from './backend-search.js';
import { chunkStats } from './histogram.js';
import type { BenchInsights } from './insights.js';
import type { ResolvedBench } from './resolve.js';

/** The searcher of one chunker configuration: the in-memory pipeline, or a `BenchBackend` behind ragscope's fusion. @internal */
export type BenchSearcher = RetrievalPipeline | BackendSearch;

/** One chunker configuration, chunked, embedded and indexed: what searching and scoring it needs. @internal */
export interface IndexedConfig {
  spec: string;
  /** The fields of this chunker's progress events. */
  base: Pick<BenchProgressEvent, 'chunker' | 'chunkerIndex' | 'chunkers'>;
  pipeline: BenchSearcher;
  /** The non-blank chunks of every document. */
  allChunks: Chunk[];
  stats: ChunkStats;
  /** Parent-child (`:parent=`): children are searched, their parents scored. */
  parents: ReturnType<typeof parentIndex>;
  /** Span mode: the scored chunks' ranges, for PrecisionΩ. */
  omegaIndex: ReturnType<typeof indexRanges> | null;
  chunkMs: number;
  embedMs: number;
  indexMs: number;
}

/**
 * Chunk the corpus with chunker `ci` once, embed its chunks once (warming the cache the pipeline then reads) and
 * index them once, in one in-memory pipeline holding BM25 and vectors or in `options.backend`. Pushes to
 * `warnings` what the reader must know about the chunks (no contextual text, zero vectors, truncation). @internal
 */
export async function indexConfig(
  plan: ResolvedBench,
  options: BenchOptions,
  ci: number,
  ctx: { emit: (e: BenchProgressEvent) => void; warnings: string[]; insights: BenchInsights },
): Promise<IndexedConfig> {
  const { emit, warnings, insights } = ctx;
  const { embedder, needsVectors, tokenizer } = plan;
  const docs = plan.dataset.documents;
  const chunker = plan.chunkers[ci]!;
  const spec = plan.chunkerSpecs[ci]!;
  const base = { chunker: spec, chunkerIndex: ci, chunkers: plan.chunkers.length };
  // 1. Chunk once.
  const t0 = performance.now();
  const byDoc = new Map<string, Chunk[]>();
  for (const [i, doc] of docs.entries()) {
    byDoc.set(doc.id, await chunker.chunk(doc));
    emit({ ...base, phase: 'chunk', done: i + 1, total: docs.length });
  }
  const chunkMs = performance.now() - t0;
  const allChunks = [...byDoc.values()].flat().filter((c) => /\S/.test(c.text));
  if (allChunks.length > 0 && allChunks.every((c) => c.metadata.contextText === c.text)) {
    warnings.push(
      `${spec}: no chunk has a title or heading path, so its contextual text is the chunk text (Markdown headings need the chunker's :md option; titles come from metadata.title)`,
    );
  }
  // 2. Embed once (warms the cache the pipeline then reads).
  let embedMs = 0;
  if (needsVectors && embedder) {
    const t1 = performance.now();
    const texts = allChunks.map((c) => indexText(c, 'embed'));
    const batch = 256;
    for (let i = 0; i < texts.length; i += batch) {
      await embedder.embed(texts.slice(i, i + batch), { kind: 'passage' });
      emit({ ...base, phase: 'embed', done: Math.min(i + batch, texts.length), total: texts.length });
    }
    embedMs = performance.now() - t1;
  }
  // 3. Index once: BM25 and vectors in one pipeline.
  emit({ ...base, phase: 'index', done: 0, total: 0 });
  const t2 = performance.now();
  const pipeline = await searcherFor(plan, options, ci, docs, allChunks);
  const indexed =
    pipeline instanceof BackendSearch
      ? { chunksWithoutVector: pipeline.chunksWithoutVector() }
      : await pipeline.addChunks(docs.map((document) => ({ document, chunks: byDoc.get(document.id)! })));
  const indexMs = performance.now() - t2;
  if (indexed.chunksWithoutVector.length > 0) {
    // A zero vector has no cosine (e.g. a chunk whose words are all out of a static embedder's vocabulary):
    // the pipeline keeps such chunks in BM25 only. Say so, with an example, rather than hide it.
    const example = pipeline.getChunk(indexed.chunksWithoutVector[0]!)?.text ?? '';
    warnings.push(
      `${spec}: ${indexed.chunksWithoutVector.length} chunk(s) embed to the zero vector under ${embedder?.id} (e.g. ${JSON.stringify(example.slice(0, 40))}); they are searchable by BM25 only`,
    );
  }
  // The model reads the contextual text (title + heading path + chunk under :ctx), so that is what is counted.
  const embeddedTexts = allChunks.map((c) => ({ ...c, text: indexText(c, 'embed') }));
  const truncated = await insights.checkTokens(spec, embeddedTexts, needsVectors ? embedder : undefined);
  if (truncated) warnings.push(truncated);
  const stats = chunkStats(allChunks, tokenizer ? allChunks.map((c) => tokenizer.count(c.text)) : undefined);
  // Parent-child (:parent=): children are searched, their parents (deduplicated, best child first) are scored.
  const parents = parentIndex(allChunks, docs);
  const omegaIndex = plan.mode === 'spans' ? indexRanges(parents?.chunks ?? allChunks) : null;
  return { spec, base, pipeline, allChunks, stats, parents, omegaIndex, chunkMs, embedMs, indexMs };
}

/** The searcher of chunker `ci`: `options.backend` holding its chunks (indexed there), or an empty pipeline. */
async function searcherFor(
  plan: ResolvedBench,
  options: BenchOptions,
  ci: number,
  docs: EvalDataset['documents'],
  allChunks: Chunk[],
): Promise<BenchSearcher> {
  const { embedder, needsVectors, searched, retrievers } = plan;
  const chunker = plan.chunkers[ci]!;
  if (options.backend) {
    const input = {
      chunker: plan.chunkerSpecs[ci]!,
      chunkerIndex: ci,
      documents: docs,
      chunks: allChunks,
      retrievers: searched,
      vector: options.vector ?? { index: 'exact' as const },
      ...(needsVectors && embedder ? { embedder } : {}),
    };
    return new BackendSearch(await options.backend.index(input), {
      ...input,
      chunkerObject: chunker,
      ...(options.fusion ? { fusion: options.fusion } : {}),
      ...(options.depth ? { depth: options.depth } : {}),
    });
  }
  return new RetrievalPipeline({
    chunker,
    ...(needsVectors && embedder ? { embedder, vector: options.vector ?? { index: 'exact' } } : {}),
    bm25: searched.some((r) => r !== 'dense') ? {} : false,
    ...(options.fusion ? { fusion: options.fusion } : {}),
    ...(options.depth ? { depth: options.depth } : {}),
    ...(retrievers.includes('hybrid+rerank') && options.reranker ? { reranker: options.reranker } : {}),
  });
}
