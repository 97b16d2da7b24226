import type { Chunker } from '../../chunkers/types.js';
import type { Chunk, Document } from '../../core/document.js';
import type { Embedder } from '../../embedders/types.js';
import type { RetrieverKind } from '../../report/types.js';
import type { MetadataFilter } from '../../search/filter.js';
import type { FusionOptions } from '../../search/fusion.js';
import type { VectorConfig } from '../../search/pipeline.js';
import type { Retriever } from '../../search/retriever.js';
import { RetrieverSearch } from '../../search/retriever-search.js';
import type { SearchResult } from '../../search/types.js';

/**
 * What `runBench` hands a {@link BenchBackend} for one chunker configuration: the corpus, that chunker's chunks
 * (exact offsets), the embedder when the bench runs `dense` or `hybrid`, and the settings the in-memory pipeline
 * would use.
 *
 * @example
 * ```ts
 * const input: BenchBackendInput = { chunker: 'recursive:400/0', chunkerIndex: 0, documents, chunks, retrievers: ['bm25'], vector: { index: 'exact' } };
 * ```
 */
export interface BenchBackendInput {
  /** The chunker spec, and its position in the bench's list (a backend names its tables by it). */
  chunker: string;
  chunkerIndex: number;
  documents: readonly Document[];
  /** Every chunk of this configuration (whitespace-only chunks already left out). */
  chunks: readonly Chunk[];
  /** Embeds the chunks (contextual text, as the pipeline does) and the questions; absent for `bm25` only. */
  embedder?: Embedder;
  /** The retrievers the bench scores (`hybrid+rerank` never reaches a backend). */
  retrievers: readonly RetrieverKind[];
  /** The bench's vector settings: `exact` or `hnsw` with its parameters. */
  vector: VectorConfig;
}

/**
 * The lists a backend serves for one configuration: a lexical retriever for the bench's `bm25` slot and a dense
 * one for its `dense` slot (each when the bench needs it); ragscope fuses them for `hybrid`, with full traces.
 *
 * @example
 * ```ts
 * const lists: BenchBackendLists = { lexical: new PostgresTextRetriever(index), dense: new PostgresVectorRetriever(index, embedder) };
 * ```
 */
export interface BenchBackendLists {
  lexical?: Retriever;
  dense?: Retriever;
  /** Chunks kept out of vector search (they embed to the zero vector). */
  chunksWithoutVector?: readonly string[];
}

/**
 * Where `runBench` indexes each chunker configuration instead of its in-memory indexes (`ragscope bench
 * --backend postgres://…`): `index` stores one configuration and returns its retrievers, `describe` says what
 * ran in place of BM25 and dense (a report warning), `close` removes what the run created unless told to keep
 * it. The caller closes the backend after `runBench`, also when it throws.
 *
 * @example
 * ```ts
 * const backend = await PostgresBenchBackend.open({ url: 'postgres://127.0.0.1:5432/app', prefix: 'bench' });
 * try {
 *   const report = await runBench({ dataset, embedder, backend });
 * } finally {
 *   await backend.close();
 * }
 * ```
 */
export interface BenchBackend {
  /** Short name (e.g. `'postgres'`). */
  readonly name: string;
  index(input: BenchBackendInput): Promise<BenchBackendLists>;
  /** One sentence for the report: which engine ranks the `bm25` and `dense` slots, where the data went. */
  describe(): string;
  close(): Promise<void>;
}

/**
 * One configuration on a backend, as `runBench` uses its in-memory pipeline: `search` runs the backend's lists
 * fused by ragscope (a {@link RetrieverSearch}) and returns the trace with the lexical list under the stage name
 * `bm25` and the dense one under `vector`, the slots the bench's readers (per-retriever runs, fusion replays,
 * abstention) take them from; the stage parameters still say which engine ran. `view` gives why-not the search
 * of one retriever under the backend's own names, so it says "cannot check" for what those lists do not expose.
 * @internal
 */
export class BackendSearch {
  private readonly full: RetrieverSearch;
  private readonly views = new Map<RetrieverKind, RetrieverSearch>();
  private readonly rename = new Map<string, string>();

  constructor(
    private readonly lists: BenchBackendLists,
    private readonly input: BenchBackendInput & {
      chunkerObject?: Chunker;
      fusion?: Omit<FusionOptions, 'depth'>;
      depth?: { bm25?: number; vector?: number };
    },
  ) {
    if (lists.lexical) this.rename.set(lists.lexical.name, 'bm25');
    if (lists.dense) this.rename.set(lists.dense.name, 'vector');
    this.full = this.over([lists.lexical, lists.dense].filter((r): r is Retriever => r !== undefined));
  }

  private over(retrievers: Retriever[]): RetrieverSearch {
    const { fusion, depth, embedder, documents, chunks, chunkerObject } = this.input;
    const slot = (r: Retriever) => (r === this.lists.lexical ? 'bm25' : 'vector');
    const weights = fusion?.weights;
    return new RetrieverSearch({
      retrievers,
      ...(fusion
        ? {
            fusion: {
              ...fusion,
              ...(weights
                ? {
                    weights: Object.fromEntries(
                      retrievers.flatMap((r) =>
                        weights[slot(r)] === undefined ? [] : [[r.name, weights[slot(r)]!]],
                      ),
                    ),
                  }
                : {}),
            },
          }
        : {}),
      depth: Object.fromEntries(retrievers.map((r) => [r.name, depth?.[slot(r)] ?? 100])),
      documents,
      chunks,
      ...(embedder && this.lists.dense && retrievers.includes(this.lists.dense) ? { embedder } : {}),
      ...(chunkerObject ? { chunker: chunkerObject } : {}),
    });
  }

  /** The fused search, its trace stages renamed to the bench's slots (`bm25`, `vector`, `fusion`). */
  async search(query: string, options: { k: number; filter?: MetadataFilter }): Promise<SearchResult> {
    const result = await this.full.search(query, {
      k: options.k,
      ...(options.filter ? { filter: options.filter } : {}),
    });
    for (const s of result.trace.stages) s.stage = this.rename.get(s.stage) ?? s.stage;
    return result;
  }

  /** A chunk of this configuration. */
  getChunk(id: string): Chunk | null {
    return this.full.getChunk(id);
  }

  /** Chunks kept out of vector search. */
  chunksWithoutVector(): readonly string[] {
    return this.lists.chunksWithoutVector ?? [];
  }

  /** The search why-not diagnoses for one bench retriever, under the backend's own list names. */
  view(retriever: RetrieverKind): RetrieverSearch {
    const one =
      retriever === 'bm25' ? this.lists.lexical : retriever === 'dense' ? this.lists.dense : undefined;
    if (!one) return this.full;
    let v = this.views.get(retriever);
    if (!v) {
      v = this.over([one]);
      this.views.set(retriever, v);
    }
    return v;
  }
}
