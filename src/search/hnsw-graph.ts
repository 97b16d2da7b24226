import { readFile, rm, writeFile } from 'node:fs/promises';
import type { HierarchicalNSW } from 'hnswlib-node';
import { RagscopeError } from '../core/errors.js';
import { hnswData, readGraphFile, writeGraphFile } from './hnsw-graph-file.js';
import type { HnswModule } from './hnsw-module.js';
import type { ScoredId } from './types.js';
import { tempPath, type VectorMetric } from './vector-common.js';

/**
 * The hnswlib space behind both metrics: inner product. For `'cosine'`, vectors are normalised here
 * ({@link hnswData}) so that the bytes hnswlib stores are known exactly (a saved graph omits them) and a compaction
 * re-adds them unchanged. @internal
 */
export const HNSW_SPACE = 'ip';

/** The checked parameters of one graph (a segment of a `VectorIndex`). @internal */
export interface GraphParams {
  dimensions: number;
  metric: VectorMetric;
  M: number;
  efConstruction: number;
  efSearch: number;
  seed: number;
  initialCapacity: number;
  compactRatio: number;
}

/**
 * One hnswlib graph with its id <-> label maps: a segment of a {@link VectorIndex}. `add` on an id already in this
 * graph marks the old node deleted and inserts a fresh one; deleted nodes stay (routing searches, never returned)
 * until they outnumber the live ones `compactRatio` times, then the graph is rebuilt from its live vectors.
 * @internal
 */
export class HnswGraph {
  readonly labelOf = new Map<string, number>();
  readonly idOf = new Map<number, string>();
  nextLabel = 0;
  /** Nodes in the graph (live + deleted), deleted nodes, allocated slots. */
  used = 0;
  deleted = 0;
  private capacity: number;

  private constructor(
    private readonly mod: HnswModule,
    readonly p: GraphParams,
    private h: HierarchicalNSW,
    capacity: number,
  ) {
    this.capacity = capacity;
  }

  /** An empty graph with room for `capacity` nodes (it grows by doubling). */
  static create(mod: HnswModule, p: GraphParams, capacity = p.initialCapacity): HnswGraph {
    const h = new mod.HierarchicalNSW(HNSW_SPACE, p.dimensions);
    h.initIndex(capacity, p.M, p.efConstruction, p.seed, false);
    h.setEf(p.efSearch);
    return new HnswGraph(mod, p, h, capacity);
  }

  /** Live vectors. */
  get size(): number {
    return this.labelOf.size;
  }

  setEf(ef: number): void {
    this.h.setEf(ef);
  }

  private overDeleted(): boolean {
    return this.deleted > this.p.compactRatio * Math.max(this.labelOf.size, 1024);
  }

  /** Insert one (checked) vector under a new id; `row` is a reused scratch array of `dimensions` numbers. */
  insert(id: string, vector: ArrayLike<number>, row: number[]): void {
    if (this.used >= this.capacity) {
      this.capacity = Math.max(this.capacity * 2, this.used + 1);
      this.h.resizeIndex(this.capacity);
    }
    const v = hnswData(vector, this.p.metric);
    for (let j = 0; j < row.length; j++) row[j] = v[j] as number;
    const label = this.nextLabel++;
    this.h.addPoint(row, label, false);
    this.used++;
    this.labelOf.set(id, label);
    this.idOf.set(label, id);
  }

  /** Mark `id` deleted; false when it is not here. Call {@link HnswGraph.maybeCompact} after a batch. */
  delete(id: string): boolean {
    const label = this.labelOf.get(id);
    if (label === undefined) return false;
    this.h.markDelete(label);
    this.labelOf.delete(id);
    this.idOf.delete(label);
    this.deleted++;
    return true;
  }

  /** Compact when deleted nodes now outnumber live ones `compactRatio` times (at least 1024 live). */
  maybeCompact(): void {
    if (this.overDeleted()) this.compact();
  }

  /** Rebuild the graph from the live vectors (same labels), dropping deleted nodes: one insert per live vector. */
  private compact(): void {
    const old = this.h;
    const h = new this.mod.HierarchicalNSW(HNSW_SPACE, this.p.dimensions);
    const live = [...this.idOf.keys()].sort((a, b) => a - b);
    this.capacity = Math.max(this.p.initialCapacity, live.length * 2);
    h.initIndex(this.capacity, this.p.M, this.p.efConstruction, this.p.seed, false);
    h.setEf(old.getEf());
    for (const label of live) h.addPoint(old.getPoint(label), label, false);
    this.used = live.length;
    this.deleted = 0;
    this.h = h;
  }

  /** The (approximate) `k` nearest live ids of the normalised query `q` (plain array), unsorted. */
  search(q: number[], k: number, out: ScoredId[]): void {
    const n = this.labelOf.size;
    if (n === 0) return;
    const { distances, neighbors } = this.h.searchKnn(q, Math.min(k, n));
    neighbors.forEach((label, i) => {
      const id = this.idOf.get(label);
      if (id !== undefined) out.push({ id, score: 1 - (distances[i] as number) });
    });
  }

  /** hnswlib's own file bytes (graph and vectors). */
  async bytes(tmp: string): Promise<Buffer> {
    try {
      await this.h.writeIndex(tmp);
      return await readFile(tmp);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /**
   * Write this graph without the vectors of `ids` (its live ids, in the caller's order) to `file`, with the index
   * parameters `params` in its header.
   */
  async writeGraph(
    file: string,
    ids: readonly string[],
    vectorOf: (id: string) => ArrayLike<number> | undefined,
    params: GraphParams & { segmentSize?: number },
  ): Promise<void> {
    await writeGraphFile(file, this.h, { ...params, nextLabel: this.nextLabel }, ids, this.labelOf, vectorOf);
  }

  /**
   * A graph read from a {@link writeGraphFile} file (contents `buf`) given its live ids in the saved order and their
   * raw vectors; `make` turns the stored header into checked parameters (throwing on bad ones).
   */
  static async readGraph(
    mod: HnswModule,
    file: string,
    buf: Buffer,
    ids: readonly string[],
    vectors: readonly ArrayLike<number>[],
    make: (header: Record<string, unknown>) => GraphParams,
  ): Promise<{ graph: HnswGraph; header: Record<string, unknown> }> {
    const tmp = tempPath(file);
    try {
      const { header, labels } = await readGraphFile(file, buf, ids, vectors, tmp);
      const graph = await HnswGraph.restore(mod, file, make(header), header.nextLabel, labels, tmp);
      return { graph, header };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** A graph from hnswlib's own bytes `body` and its id map (`[id, label]` rows). */
  static async fromBytes(
    mod: HnswModule,
    file: string,
    p: GraphParams,
    nextLabel: unknown,
    labels: unknown,
    body: Uint8Array,
  ): Promise<HnswGraph> {
    const tmp = tempPath(file);
    try {
      await writeFile(tmp, body);
      return await HnswGraph.restore(mod, file, p, nextLabel, labels, tmp);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** A graph with parameters `p`, `labels`' id map and the hnswlib graph in `hnswFile`. */
  static async restore(
    mod: HnswModule,
    file: string,
    p: GraphParams,
    nextLabel: unknown,
    labels: unknown,
    hnswFile: string,
  ): Promise<HnswGraph> {
    const corrupt = (what: string): never => {
      throw new RagscopeError('CORRUPT_FILE', `${file} is not a valid ragscope vector index: ${what}`, {
        file,
      });
    };
    if (typeof nextLabel !== 'number' || (!Array.isArray(labels) && !(labels instanceof Map)))
      return corrupt('missing id map');
    const h = new mod.HierarchicalNSW(HNSW_SPACE, p.dimensions);
    try {
      await h.readIndex(hnswFile, false);
    } catch (err) {
      throw new RagscopeError(
        'CORRUPT_FILE',
        `${file}: hnswlib could not read the graph (${(err as Error).message})`,
        { file },
      );
    }
    if (h.getNumDimensions() !== p.dimensions) corrupt('graph dimensions differ from header');
    const g = new HnswGraph(mod, p, h, h.getMaxElements());
    for (const row of labels as Iterable<unknown>) {
      if (!Array.isArray(row) || typeof row[0] !== 'string' || !Number.isInteger(row[1]))
        corrupt('bad id map entry');
      const [id, label] = row as [string, number];
      if (g.labelOf.has(id) || g.idOf.has(label) || label >= nextLabel) corrupt('inconsistent id map');
      g.labelOf.set(id, label);
      g.idOf.set(label, id);
    }
    g.nextLabel = nextLabel;
    g.used = h.getCurrentCount();
    g.deleted = g.used - g.labelOf.size;
    if (g.deleted < 0) corrupt('id map larger than the graph');
    h.setEf(p.efSearch);
    return g;
  }
}
