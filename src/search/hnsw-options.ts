import type { VectorMetric } from './vector-common.js';

/**
 * The HNSW defaults of {@link VectorIndex} (and of the pipeline's `vector: { index: 'hnsw' }`), chosen by measurement
 * in bench/hnsw.ts (bench/RESULTS.md, "HNSW build and update cost"): `efConstruction` 100 builds a graph as good as
 * 200 for embedding-like data (recall@10 0.99 at efSearch 256) at about half the build time; `M` 16.
 * `compactRatio` 1: the graph is rebuilt from its live vectors once deleted (replaced or removed) nodes outnumber
 * the live ones (at least 1024): with every id replaced 3 times an update costs 1.77–1.84x a fresh add at 5k–10k
 * vectors, vs 2.51–2.61x at ratio 2 and 3.5x at 4 (bench/hnsw-churn.ts): inserting into a graph bloated with deleted
 * nodes costs more than the rebuild saves. The graph holds at most 2x the live nodes.
 * `segmentSize` 0 (one graph): at 200k vectors, segments of 50k build at 1.53x the 10k cost per vector (one graph
 * 2.29x) but need 1.84x the query CPU for recall@10 0.98, a gap growing with n / segmentSize (bench/hnsw-build.ts,
 * RESULTS "HNSW segments"); set it when build time matters more than query time.
 *
 * @example
 * ```ts
 * HNSW_DEFAULTS.efConstruction; // 100
 * const idx = new VectorIndex({ dimensions: 384, efSearch: 256 }); // M 16, efConstruction 100
 * ```
 */
export const HNSW_DEFAULTS = {
  M: 16,
  efConstruction: 100,
  efSearch: 64,
  initialCapacity: 1024,
  seed: 100,
  compactRatio: 1,
  segmentSize: 0,
} as const;

/**
 * Options of {@link VectorIndex}. Defaults: {@link HNSW_DEFAULTS}.
 *
 * @example
 * ```ts
 * const o: VectorIndexOptions = { dimensions: 384, metric: 'cosine', M: 16, efConstruction: 100, efSearch: 64 };
 * ```
 */
export interface VectorIndexOptions {
  /** Vector length (required, positive integer). */
  dimensions: number;
  /** `'cosine'` (hnswlib normalises vectors) or `'ip'` (inner product). Default `'cosine'`. */
  metric?: VectorMetric;
  /** HNSW graph degree (links per node per layer); higher = better recall, more memory, slower build. Default 16. */
  M?: number;
  /** Beam width while building; higher = better graph, slower build. Default 100. */
  efConstruction?: number;
  /** Beam width while searching (raised to `k` when smaller); higher = better recall, slower queries. Default 64. */
  efSearch?: number;
  /** Slots allocated up front; the index doubles its capacity whenever it is full. Default 1024. */
  initialCapacity?: number;
  /** Seed of hnswlib's level generator, for reproducible graphs. Default 100. */
  seed?: number;
  /**
   * Rebuild the graph from the live vectors once deleted (replaced or removed) nodes exceed this many times the
   * live ones (at least 1024 live). Higher = fewer rebuilds, a larger graph between them. Default
   * {@link HNSW_DEFAULTS}`.compactRatio`.
   */
  compactRatio?: number;
  /**
   * Most nodes (live + deleted) per segment graph: once the last graph holds this many, new vectors start a new
   * one, and every search asks each segment for its top `k` at `efSearch` and merges them exactly. Bounds the build
   * cost per vector by the segment's size; a query costs about one segment search per segment. `0` = one graph of
   * any size. Default {@link HNSW_DEFAULTS}`.segmentSize`.
   */
  segmentSize?: number;
}
