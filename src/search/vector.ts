import { readFile, rm, writeFile } from 'node:fs/promises';
import type { HierarchicalNSW } from 'hnswlib-node';
import { checkInteger, invalidArgument, RagscopeError } from '../core/errors.js';
import { hnswData, readGraphFile, writeGraphFile } from './hnsw-graph-file.js';
import { type HnswModule, loadHnsw } from './hnsw-module.js';
import { HNSW_DEFAULTS, type VectorIndexOptions } from './hnsw-options.js';
import type { ScoredId, VectorSearchIndex } from './types.js';
import {
  checkBatch,
  checkK,
  checkVector,
  checkVectorOptions,
  compareScored,
  readVectorFile,
  tempPath,
  type VectorMetric,
  writeVectorFile,
} from './vector-common.js';

export { ExactVectorIndex, type ExactVectorIndexOptions } from './exact.js';
export { HNSW_DEFAULTS, type VectorIndexOptions } from './hnsw-options.js';

/**
 * The hnswlib space behind both metrics: inner product. For `'cosine'`, `VectorIndex` normalises vectors itself
 * ({@link hnswData}) so that the bytes hnswlib stores are known exactly (a saved graph omits them) and a compaction
 * re-adds them unchanged.
 */
const HNSW_SPACE = 'ip';

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
 * inner-product space). The index grows by doubling its capacity as items are added; `add` on an existing id marks
 * the old vector deleted and inserts the new one as a fresh node; `remove` marks deleted. Deleted nodes stay in the
 * graph (still routing searches, never returned) until they outnumber the live ones `compactRatio` times
 * ({@link HNSW_DEFAULTS}); then the graph is rebuilt from the live vectors. hnswlib's in-place replacement of a
 * deleted slot (`replaceDeleted`) is not used: it repairs every neighbour's links and cost ~12x a fresh insert
 * (bench/RESULTS.md). `writeTo` saves a self-contained file (graph and vectors); a saved pipeline instead stores the
 * graph without its live vectors, which it keeps once in `vectors.bin`.
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
  private ef: number;
  private readonly initialCapacity: number;
  private hnsw: HierarchicalNSW | null = null;
  private init: Promise<HierarchicalNSW> | null = null;
  private mod: HnswModule | null = null;
  private readonly labelOf = new Map<string, number>();
  private readonly idOf = new Map<number, string>();
  private nextLabel = 0;
  /** Slots ever used (live + deleted) and deleted slots available for reuse. */
  private used = 0;
  private deleted = 0;
  private capacity = 0;

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
  }

  /** Whether deleted nodes now outnumber live ones `compactRatio` times (at least 1024 live). */
  private overDeleted(): boolean {
    return this.deleted > this.compactRatio * Math.max(this.labelOf.size, 1024);
  }

  /** Number of (live) vectors stored. */
  get size(): number {
    return this.labelOf.size;
  }

  /** Search beam width; setting it applies to the next search. */
  get efSearch(): number {
    return this.ef;
  }

  set efSearch(value: number) {
    this.ef = checkInteger('efSearch', value, 1);
    this.hnsw?.setEf(this.ef);
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
    return this.labelOf.has(id);
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
    let h = await this.index();
    // hnswlib-node takes plain arrays only (it rejects typed arrays): one reused array, filled per vector.
    const row = new Array<number>(this.dimensions);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as string;
      const old = this.labelOf.get(id);
      if (old !== undefined) {
        h.markDelete(old);
        this.idOf.delete(old);
        this.labelOf.delete(id);
        this.deleted++;
        if (this.overDeleted()) h = this.compact();
      }
      if (this.used >= this.capacity) {
        this.capacity = Math.max(this.capacity * 2, this.used + 1);
        h.resizeIndex(this.capacity);
      }
      const v = hnswData(vectors[i] as Float32Array, this.metric);
      for (let j = 0; j < row.length; j++) row[j] = v[j] as number;
      const label = this.nextLabel++;
      h.addPoint(row, label, false);
      this.used++;
      this.labelOf.set(id, label);
      this.idOf.set(label, id);
    }
  }

  /** Number of deleted (replaced or removed) nodes still in the graph, awaiting compaction. */
  get deletedCount(): number {
    return this.deleted;
  }

  /**
   * Rebuild the graph from the live vectors (same labels), dropping deleted nodes. Runs by itself when deleted nodes
   * outnumber live ones; costs one insert per live vector.
   */
  private compact(): HierarchicalNSW {
    const old = this.hnsw as HierarchicalNSW;
    const { HierarchicalNSW: Hnsw } = this.mod as HnswModule;
    const h = new Hnsw(HNSW_SPACE, this.dimensions);
    const live = [...this.idOf.keys()].sort((a, b) => a - b);
    this.capacity = Math.max(this.initialCapacity, live.length * 2);
    h.initIndex(this.capacity, this.M, this.efConstruction, this.seed, false);
    h.setEf(this.ef);
    for (const label of live) h.addPoint(old.getPoint(label), label, false);
    this.used = live.length;
    this.deleted = 0;
    this.hnsw = h;
    return h;
  }

  /**
   * Remove vectors by id (marked deleted; the slot is reused by later adds). Unknown ids are ignored.
   *
   * @example
   * ```ts
   * await idx.remove(['c1']);
   * ```
   */
  async remove(ids: string[]): Promise<void> {
    if (!Array.isArray(ids))
      throw new RagscopeError('INVALID_ARGUMENT', 'ids must be an array of strings', { param: 'ids' });
    if (!this.hnsw) return;
    for (const id of ids) {
      const label = this.labelOf.get(id);
      if (label === undefined) continue;
      this.hnsw.markDelete(label);
      this.labelOf.delete(id);
      this.idOf.delete(label);
      this.deleted++;
    }
    if (this.overDeleted()) this.compact();
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
    const q = checkVector('vector', vector, this.dimensions, this.metric);
    checkK(k);
    const n = this.labelOf.size;
    if (n === 0 || !this.hnsw) return [];
    const { distances, neighbors } = this.hnsw.searchKnn(
      Array.from(hnswData(q, this.metric)),
      Math.min(k, n),
    );
    const out: ScoredId[] = [];
    neighbors.forEach((label, i) => {
      const id = this.idOf.get(label);
      if (id !== undefined) out.push({ id, score: 1 - (distances[i] as number) });
    });
    return out.sort(compareScored);
  }

  /**
   * Save to one file, atomically (temp file + rename): a JSON header (parameters, id -> label map, sha256) followed by
   * hnswlib's own index bytes.
   *
   * @example
   * ```ts
   * await idx.writeTo('index/vectors.hnsw');
   * ```
   */
  async writeTo(file: string): Promise<void> {
    const h = await this.index();
    const graphTmp = tempPath(file);
    let body: Buffer;
    try {
      await h.writeIndex(graphTmp);
      body = await readFile(graphTmp);
    } finally {
      await rm(graphTmp, { force: true });
    }
    const header = {
      kind: 'hnsw' as const,
      ...this.params(),
      nextLabel: this.nextLabel,
      labels: [...this.labelOf],
    };
    await writeVectorFile(file, header, body);
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
    const { header, body } = await readVectorFile(file, 'hnsw');
    const tmp = tempPath(file);
    try {
      await writeFile(tmp, body);
      return await VectorIndex.restore(file, header, header.labels, tmp);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * Save the graph without the vectors the caller keeps itself (one copy of the vectors on disk): `ids` are all the
   * live ids, in the order the caller will give them back to {@link VectorIndex.readGraphFrom}, `vectorOf` their
   * raw vectors. Only deleted nodes awaiting compaction keep their vectors in the file. @internal
   */
  async writeGraphTo(
    file: string,
    ids: readonly string[],
    vectorOf: (id: string) => ArrayLike<number> | undefined,
  ): Promise<void> {
    const h = await this.index();
    await writeGraphFile(
      file,
      h,
      { ...this.params(), nextLabel: this.nextLabel },
      ids,
      this.labelOf,
      vectorOf,
    );
  }

  /**
   * Load a graph written by {@link VectorIndex.writeGraphTo} (file contents `buf`), given the same ids in the same
   * order and their raw vectors; the graph is bit for bit the saved one. A damaged or mismatched file throws
   * `CORRUPT_FILE` naming `file`. @internal
   */
  static async readGraphFrom(
    file: string,
    buf: Buffer,
    ids: readonly string[],
    vectors: readonly ArrayLike<number>[],
  ): Promise<VectorIndex> {
    const tmp = tempPath(file);
    try {
      const { header, labels } = await readGraphFile(file, buf, ids, vectors, tmp);
      return await VectorIndex.restore(file, header, labels, tmp);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** An index with `header`'s parameters, `labels`' id map and the hnswlib graph in `hnswFile`. */
  private static async restore(
    file: string,
    header: Record<string, unknown>,
    labels: unknown,
    hnswFile: string,
  ): Promise<VectorIndex> {
    const corrupt = (what: string): never => {
      throw new RagscopeError('CORRUPT_FILE', `${file} is not a valid ragscope vector index: ${what}`, {
        file,
      });
    };
    let idx: VectorIndex;
    try {
      idx = new VectorIndex({
        dimensions: header.dimensions as number,
        metric: header.metric as VectorMetric,
        M: header.M as number,
        efConstruction: header.efConstruction as number,
        efSearch: header.efSearch as number,
        seed: header.seed as number,
        initialCapacity: header.initialCapacity as number,
        ...(header.compactRatio === undefined ? {} : { compactRatio: header.compactRatio as number }),
      });
    } catch {
      return corrupt('bad parameters in header');
    }
    const next = header.nextLabel;
    if (typeof next !== 'number' || (!Array.isArray(labels) && !(labels instanceof Map)))
      return corrupt('missing id map');
    for (const row of labels as Iterable<unknown>) {
      if (!Array.isArray(row) || typeof row[0] !== 'string' || !Number.isInteger(row[1]))
        corrupt('bad id map entry');
      const [id, label] = row as [string, number];
      if (idx.labelOf.has(id) || idx.idOf.has(label) || label >= next) corrupt('inconsistent id map');
      idx.labelOf.set(id, label);
      idx.idOf.set(label, id);
    }
    idx.nextLabel = next;
    const mod = await loadHnsw();
    idx.mod = mod;
    const h = new mod.HierarchicalNSW(HNSW_SPACE, idx.dimensions);
    try {
      await h.readIndex(hnswFile, false);
    } catch (err) {
      throw new RagscopeError(
        'CORRUPT_FILE',
        `${file}: hnswlib could not read the graph (${(err as Error).message})`,
        { file },
      );
    }
    if (h.getNumDimensions() !== idx.dimensions) corrupt('graph dimensions differ from header');
    idx.used = h.getCurrentCount();
    idx.capacity = h.getMaxElements();
    idx.deleted = idx.used - idx.labelOf.size;
    if (idx.deleted < 0) corrupt('id map larger than the graph');
    h.setEf(idx.ef);
    idx.hnsw = h;
    return idx;
  }

  private params() {
    return {
      dimensions: this.dimensions,
      metric: this.metric,
      M: this.M,
      efConstruction: this.efConstruction,
      efSearch: this.ef,
      seed: this.seed,
      initialCapacity: this.initialCapacity,
      compactRatio: this.compactRatio,
    };
  }
  /** The hnswlib index, created (and the native module loaded) on first use. */
  private async index(): Promise<HierarchicalNSW> {
    if (this.hnsw) return this.hnsw;
    this.init ??= loadHnsw().then((mod) => {
      this.mod = mod;
      const h = new mod.HierarchicalNSW(HNSW_SPACE, this.dimensions);
      h.initIndex(this.initialCapacity, this.M, this.efConstruction, this.seed, false);
      h.setEf(this.ef);
      this.capacity = this.initialCapacity;
      this.hnsw = h;
      return h;
    });
    return this.init;
  }
}
