import { checkInteger, invalidArgument, RagscopeError } from '../core/errors.js';
import { type GraphParams, HnswGraph } from './hnsw-graph.js';
import { hnswData } from './hnsw-graph-file.js';
import { type HnswModule, loadHnsw } from './hnsw-module.js';
import { HNSW_DEFAULTS, type VectorIndexOptions } from './hnsw-options.js';
import {
  readSegmentedGraph,
  readSegmentedIndexFile,
  writeSegmentedGraph,
  writeSegmentedIndexFile,
} from './hnsw-segments-file.js';
import type { ScoredId, VectorSearchIndex } from './types.js';
import {
  checkBatch,
  checkK,
  checkVector,
  checkVectorOptions,
  compareScored,
  type VectorMetric,
} from './vector-common.js';

export { ExactVectorIndex, type ExactVectorIndexOptions } from './exact.js';
export { HNSW_DEFAULTS, type VectorIndexOptions } from './hnsw-options.js';

/**
 * Whether HNSW can be used here: hnswlib-node (an optional peer) is installed and loads. Lets a caller pick exact
 * search instead, saying so, rather than fail.
 *
 * @example
 * ```ts
 * const index = (await hnswAvailable()) ? new VectorIndex({ dimensions: 384 }) : new ExactVectorIndex({ dimensions: 384 });
 * ```
 */
export async function hnswAvailable(): Promise<boolean> {
  return loadHnsw().then(
    () => true,
    () => false,
  );
}

/**
 * Approximate nearest-neighbour search with HNSW (hnswlib-node, loaded lazily on the first call that needs it).
 * Scores are similarities (higher is better): cosine similarity or inner product (`1 - hnswlib distance`; for
 * cosine the index normalises vectors and queries itself, in float32 exactly as hnswlib-node does, over hnswlib's
 * inner-product space).
 *
 * The vectors live in one graph, or with `segmentSize` in several graphs ("segments", as Lucene has) of at most
 * that many nodes each: new vectors go to the last segment, a new one is started when it is full, and a search
 * asks every segment for its top `k` (each at `efSearch`) and merges them exactly. Segments keep the build cost per
 * vector bounded by the segment's size; a query costs about one segment search per segment.
 *
 * `add` on an existing id marks the old vector deleted (in whichever segment holds it) and inserts the new one as a
 * fresh node; `remove` marks deleted. Deleted nodes stay in their graph (still routing searches, never returned)
 * until they outnumber the live ones `compactRatio` times ({@link HNSW_DEFAULTS}); then that graph is rebuilt from
 * its live vectors, and a segment left empty is dropped. hnswlib's in-place replacement of a deleted slot
 * (`replaceDeleted`) is not used: it repairs every neighbour's links and cost ~12x a fresh insert
 * (bench/RESULTS.md). `writeTo` saves a self-contained file (graphs and vectors); a saved pipeline instead stores
 * the graphs without their live vectors, which it keeps once in `vectors.bin`.
 *
 * @example
 * ```ts
 * const idx = new VectorIndex({ dimensions: 384 });
 * await idx.add(['c1', 'c2'], [v1, v2]);
 * const hits = await idx.search(queryVector, 10); // [{ id: 'c2', score: 0.83 }, ...]
 * await idx.writeTo('index/vectors.hnsw');
 * const again = await VectorIndex.readFrom('index/vectors.hnsw');
 * ```
 */
export class VectorIndex implements VectorSearchIndex {
  /** Vector length. */
  readonly dimensions: number;
  /** Similarity metric. */
  readonly metric: VectorMetric;
  /** HNSW graph degree. */
  readonly M: number;
  /** Build beam width. */
  readonly efConstruction: number;
  /** Level-generator seed. */
  readonly seed: number;
  /** Deleted / live ratio that triggers a rebuild. */
  readonly compactRatio: number;
  /** Most nodes per segment graph; 0 = one graph of any size. */
  readonly segmentSize: number;
  private ef: number;
  private readonly initialCapacity: number;
  private mod: HnswModule | null = null;
  private init: Promise<HnswModule> | null = null;
  private segs: HnswGraph[] = [];
  private live = 0;

  constructor(options: VectorIndexOptions) {
    const { dimensions, metric } = checkVectorOptions(options?.dimensions, options?.metric ?? 'cosine');
    this.dimensions = dimensions;
    this.metric = metric;
    this.M = checkInteger('M', options.M ?? HNSW_DEFAULTS.M, 2);
    this.efConstruction = checkInteger(
      'efConstruction',
      options.efConstruction ?? HNSW_DEFAULTS.efConstruction,
      1,
    );
    this.ef = checkInteger('efSearch', options.efSearch ?? HNSW_DEFAULTS.efSearch, 1);
    this.initialCapacity = checkInteger(
      'initialCapacity',
      options.initialCapacity ?? HNSW_DEFAULTS.initialCapacity,
      1,
    );
    this.seed = checkInteger('seed', options.seed ?? HNSW_DEFAULTS.seed, 0);
    const ratio = options.compactRatio ?? HNSW_DEFAULTS.compactRatio;
    if (typeof ratio !== 'number' || !(ratio > 0) || !Number.isFinite(ratio))
      invalidArgument('compactRatio', ratio, 'a finite number > 0');
    this.compactRatio = ratio;
    this.segmentSize = checkInteger('segmentSize', options.segmentSize ?? HNSW_DEFAULTS.segmentSize, 0);
  }

  /** Number of (live) vectors stored. */
  get size(): number {
    return this.live;
  }

  /** Number of segment graphs (0 before the first add; 1 without `segmentSize`). */
  get segmentCount(): number {
    return this.segs.length;
  }

  /** Search beam width (of each segment); setting it applies to the next search. */
  get efSearch(): number {
    return this.ef;
  }

  set efSearch(value: number) {
    this.ef = checkInteger('efSearch', value, 1);
    for (const s of this.segs) s.setEf(this.ef);
  }

  /** Number of deleted (replaced or removed) nodes still in the graphs, awaiting compaction. */
  get deletedCount(): number {
    let n = 0;
    for (const s of this.segs) n += s.deleted;
    return n;
  }

  /**
   * Whether `id` is stored.
   *
   * @example
   * ```ts
   * idx.has('c1'); // true
   * ```
   */
  has(id: string): boolean {
    return this.segmentOf(id) !== undefined;
  }

  private segmentOf(id: string): HnswGraph | undefined {
    for (let i = this.segs.length - 1; i >= 0; i--) {
      const s = this.segs[i] as HnswGraph;
      if (s.labelOf.has(id)) return s;
    }
    return undefined;
  }

  /**
   * Add or replace vectors by id (the batch is validated first). Grows the index as needed.
   *
   * @example
   * ```ts
   * await idx.add(['c1'], [new Float32Array(384).fill(0.05)]);
   * ```
   */
  async add(ids: string[], vectors: Float32Array[]): Promise<void> {
    checkBatch(ids, vectors, this.dimensions, this.metric);
    const mod = await this.module();
    // hnswlib-node takes plain arrays only (it rejects typed arrays): one reused array, filled per vector.
    const row = new Array<number>(this.dimensions);
    const touched = new Set<HnswGraph>();
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as string;
      const old = this.segmentOf(id);
      if (old) {
        old.delete(id);
        old.maybeCompact();
        touched.add(old);
        this.live--;
      }
      let open = this.segs[this.segs.length - 1];
      if (!open || (this.segmentSize > 0 && open.used >= this.segmentSize)) {
        const cap = this.segmentSize > 0 ? Math.min(this.initialCapacity, this.segmentSize) : undefined;
        open = HnswGraph.create(mod, this.params(), cap);
        this.segs.push(open);
      }
      open.insert(id, vectors[i] as Float32Array, row);
      this.live++;
    }
    this.dropEmpty(touched);
  }

  /** Drop segments left with no live vector (never the last one, which takes the next adds). */
  private dropEmpty(touched: Set<HnswGraph>): void {
    const last = this.segs[this.segs.length - 1];
    if ([...touched].some((s) => s.size === 0 && s !== last))
      this.segs = this.segs.filter((s) => s.size > 0 || s === last);
  }

  /**
   * Remove vectors by id (marked deleted; compacted later). Unknown ids are ignored.
   *
   * @example
   * ```ts
   * await idx.remove(['c1']);
   * ```
   */
  async remove(ids: string[]): Promise<void> {
    if (!Array.isArray(ids))
      throw new RagscopeError('INVALID_ARGUMENT', 'ids must be an array of strings', { param: 'ids' });
    const touched = new Set<HnswGraph>();
    for (const id of ids) {
      const s = this.segmentOf(id);
      if (!s) continue;
      s.delete(id);
      touched.add(s);
      this.live--;
    }
    for (const s of touched) s.maybeCompact();
    this.dropEmpty(touched);
  }

  /**
   * The `k` (approximately) most similar ids, best first. Returns fewer when fewer are stored.
   *
   * @example
   * ```ts
   * await idx.search(queryVector, 10);
   * ```
   */
  async search(vector: Float32Array, k: number): Promise<ScoredId[]> {
    const v = checkVector('vector', vector, this.dimensions, this.metric);
    checkK(k);
    if (this.live === 0) return [];
    const q = Array.from(hnswData(v, this.metric));
    const out: ScoredId[] = [];
    // Each segment's own top k, then the exact top k of their union.
    for (const s of this.segs) s.search(q, k, out);
    out.sort(compareScored);
    if (out.length > k) out.length = k;
    return out;
  }

  /**
   * Save to one file, atomically (temp file + rename): a JSON header (parameters, id -> label maps, sha256) followed
   * by hnswlib's own bytes of each segment graph.
   *
   * @example
   * ```ts
   * await idx.writeTo('index/vectors.hnsw');
   * ```
   */
  async writeTo(file: string): Promise<void> {
    await writeSegmentedIndexFile(file, this.params(), await this.graphs());
  }

  /**
   * Load a file written by {@link VectorIndex.writeTo}. A damaged file throws `CORRUPT_FILE`; a file written by
   * {@link ExactVectorIndex} throws `INCOMPATIBLE_INDEX`; a missing one `NOT_FOUND`.
   *
   * @example
   * ```ts
   * const idx = await VectorIndex.readFrom('index/vectors.hnsw');
   * ```
   */
  static async readFrom(file: string): Promise<VectorIndex> {
    const mod = await loadHnsw();
    let idx: VectorIndex | null = null;
    const graphs = await readSegmentedIndexFile(file, mod, (header) => {
      idx = VectorIndex.fromHeader(file, header);
      return idx.params();
    });
    return (idx as unknown as VectorIndex).adopt(mod, graphs);
  }

  /**
   * Save the graphs without the vectors the caller keeps itself (one copy of the vectors on disk): `ids` are all
   * the live ids, in the order the caller will give them back to {@link VectorIndex.readGraphFrom}, `vectorOf`
   * their raw vectors. Only deleted nodes awaiting compaction keep their vectors in the file. @internal
   */
  async writeGraphTo(
    file: string,
    ids: readonly string[],
    vectorOf: (id: string) => ArrayLike<number> | undefined,
  ): Promise<void> {
    await writeSegmentedGraph(file, this.params(), await this.graphs(), ids, vectorOf);
  }

  /**
   * Load graphs written by {@link VectorIndex.writeGraphTo} (file contents `buf`), given the same ids in the same
   * order and their raw vectors; each graph is bit for bit the saved one. A damaged or mismatched file throws
   * `CORRUPT_FILE` naming `file`. @internal
   */
  static async readGraphFrom(
    file: string,
    buf: Buffer,
    ids: readonly string[],
    vectors: readonly ArrayLike<number>[],
  ): Promise<VectorIndex> {
    const mod = await loadHnsw();
    let idx: VectorIndex | null = null;
    const graphs = await readSegmentedGraph(file, buf, ids, vectors, mod, (header) => {
      idx ??= VectorIndex.fromHeader(file, header);
      return idx.params();
    });
    return (idx as unknown as VectorIndex).adopt(mod, graphs);
  }

  /** An empty index with the parameters of a saved header (a file without `segmentSize` is one graph). */
  private static fromHeader(file: string, header: Record<string, unknown>): VectorIndex {
    try {
      return new VectorIndex({
        dimensions: header.dimensions as number,
        metric: header.metric as VectorMetric,
        M: header.M as number,
        efConstruction: header.efConstruction as number,
        efSearch: header.efSearch as number,
        seed: header.seed as number,
        initialCapacity: header.initialCapacity as number,
        segmentSize: (header.segmentSize ?? 0) as number,
        ...(header.compactRatio === undefined ? {} : { compactRatio: header.compactRatio as number }),
      });
    } catch {
      throw new RagscopeError(
        'CORRUPT_FILE',
        `${file} is not a valid ragscope vector index: bad parameters in header`,
        { file },
      );
    }
  }

  private adopt(mod: HnswModule, graphs: HnswGraph[]): VectorIndex {
    this.mod = mod;
    this.segs = graphs;
    this.live = graphs.reduce((n, g) => n + g.size, 0);
    return this;
  }

  /** The segment graphs, at least one (an empty index saves one empty graph). */
  private async graphs(): Promise<HnswGraph[]> {
    const mod = await this.module();
    if (this.segs.length === 0) this.segs.push(HnswGraph.create(mod, this.params()));
    return this.segs;
  }

  /** Parameters of every segment graph (and of the saved header). */
  private params(): GraphParams & { segmentSize: number } {
    return {
      dimensions: this.dimensions,
      metric: this.metric,
      M: this.M,
      efConstruction: this.efConstruction,
      efSearch: this.ef,
      seed: this.seed,
      initialCapacity: this.initialCapacity,
      compactRatio: this.compactRatio,
      segmentSize: this.segmentSize,
    };
  }

  /** The native module, loaded on first use. */
  private async module(): Promise<HnswModule> {
    if (this.mod) return this.mod;
    this.init ??= loadHnsw().then((mod) => {
      this.mod = mod;
      return mod;
    });
    return this.init;
  }
}
