import { invalidArgument, RagscopeError } from '../core/errors.js';
import type { ScoredId, VectorSearchIndex } from './types.js';
import {
  checkBatch,
  checkK,
  checkVector,
  checkVectorOptions,
  compareScored,
  readVectorFile,
  type VectorMetric,
  writeVectorFile,
} from './vector-common.js';

/**
 * Options of {@link ExactVectorIndex}.
 *
 * @example
 * ```ts
 * const o: ExactVectorIndexOptions = { dimensions: 384, metric: 'cosine' };
 * ```
 */
export interface ExactVectorIndexOptions {
  /** Vector length (required, positive integer). */
  dimensions: number;
  /** `'cosine'` (vectors normalised on add and query) or `'ip'` (raw inner product). Default `'cosine'`. */
  metric?: VectorMetric;
}

/**
 * Brute-force vector search: every query is compared with every stored vector, so results are exact. Pure
 * JavaScript (no native code); fine for small corpora (a few tens of thousands of chunks) and as the ground truth
 * when measuring an ANN index's recall. Vectors live in one growable Float32Array; removal keeps it compact.
 * Scores are cosine similarity or inner product (higher is better); ties are broken by id.
 *
 * @example
 * ```ts
 * const idx = new ExactVectorIndex({ dimensions: 3 });
 * await idx.add(['a', 'b'], [new Float32Array([1, 0, 0]), new Float32Array([0, 1, 0])]);
 * await idx.search(new Float32Array([1, 0.1, 0]), 1); // [{ id: 'a', score: 0.995 }]
 * ```
 */
export class ExactVectorIndex implements VectorSearchIndex {
  /** Vector length. */
  readonly dimensions: number;
  /** Similarity metric. */
  readonly metric: VectorMetric;
  private data: Float32Array;
  private readonly slotIds: string[] = [];
  private readonly slotOf = new Map<string, number>();

  constructor(options: ExactVectorIndexOptions) {
    const { dimensions, metric } = checkVectorOptions(options?.dimensions, options?.metric ?? 'cosine');
    this.dimensions = dimensions;
    this.metric = metric;
    this.data = new Float32Array(dimensions * 64);
  }

  /** Number of vectors stored. */
  get size(): number {
    return this.slotIds.length;
  }

  /**
   * Whether `id` is stored.
   *
   * @example
   * ```ts
   * idx.has('a'); // true
   * ```
   */
  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  /**
   * Add or replace vectors by id. The whole batch is validated first (lengths, finite values, non-zero for cosine).
   *
   * @example
   * ```ts
   * await idx.add(['a'], [new Float32Array([0, 0, 1])]); // replaces 'a'
   * ```
   */
  async add(ids: string[], vectors: Float32Array[]): Promise<void> {
    this.addSync(ids, vectors);
  }

  /**
   * Synchronous {@link ExactVectorIndex.add}.
   *
   * @example
   * ```ts
   * idx.addSync(['a'], [new Float32Array([0, 0, 1])]);
   * ```
   */
  addSync(ids: string[], vectors: Float32Array[]): void {
    checkBatch(ids, vectors, this.dimensions, this.metric);
    const d = this.dimensions;
    ids.forEach((id, i) => {
      let slot = this.slotOf.get(id);
      if (slot === undefined) {
        slot = this.slotIds.length;
        if ((slot + 1) * d > this.data.length) {
          const grown = new Float32Array(Math.max(this.data.length * 2, (slot + 1) * d));
          grown.set(this.data);
          this.data = grown;
        }
        this.slotIds.push(id);
        this.slotOf.set(id, slot);
      }
      const v = vectors[i] as Float32Array;
      let scale = 1;
      if (this.metric === 'cosine') {
        let norm = 0;
        for (let j = 0; j < d; j++) norm += (v[j] as number) * (v[j] as number);
        scale = 1 / Math.sqrt(norm);
      }
      const off = slot * d;
      for (let j = 0; j < d; j++) this.data[off + j] = (v[j] as number) * scale;
    });
  }

  /**
   * An index over `ids.length` vectors stored one after another in `rows` (`ids.length * dimensions` values, e.g.
   * a saved index's vectors file), validated and normalised in one pass into one array: the same contents as
   * `addSync(ids, rows split into vectors)`, without a Float32Array per vector or a growing copy. `rows` is not
   * kept. Bad input (length, non-finite or, for cosine, zero vectors, repeated ids) throws `INVALID_ARGUMENT`.
   *
   * @example
   * ```ts
   * const idx = ExactVectorIndex.fromRows({ dimensions: 2 }, ['a', 'b'], new Float32Array([1, 0, 0, 2]));
   * idx.searchSync(new Float32Array([0, 1]), 1); // [{ id: 'b', score: 1 }]
   * ```
   */
  static fromRows(options: ExactVectorIndexOptions, ids: string[], rows: Float32Array): ExactVectorIndex {
    const idx = new ExactVectorIndex(options);
    const d = idx.dimensions;
    if (!Array.isArray(ids)) invalidArgument('ids', ids, 'an array of strings');
    if (!(rows instanceof Float32Array) || rows.length !== ids.length * d) {
      invalidArgument('rows', rows, `a Float32Array of ${ids.length} x ${d} values`);
    }
    const n = ids.length;
    const data = new Float32Array(Math.max(n, 64) * d);
    const cosine = idx.metric === 'cosine';
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      if (typeof id !== 'string' || id === '') invalidArgument(`ids[${i}]`, id, 'a non-empty string');
      if (idx.slotOf.has(id)) invalidArgument(`ids[${i}]`, id, 'ids that appear once');
      idx.slotIds.push(id);
      idx.slotOf.set(id, i);
      const off = i * d;
      let norm = 0;
      for (let j = 0; j < d; j++) norm += (rows[off + j] as number) * (rows[off + j] as number);
      if (!Number.isFinite(norm) || (cosine && norm === 0)) {
        invalidArgument(
          `rows[${i}]`,
          `vector of ${id}`,
          cosine ? 'finite, non-zero values' : 'finite values',
        );
      }
      // the same expression as addSync: bit-identical contents
      const scale = cosine ? 1 / Math.sqrt(norm) : 1;
      for (let j = 0; j < d; j++) data[off + j] = (rows[off + j] as number) * scale;
    }
    idx.data = data;
    return idx;
  }

  /**
   * Remove vectors by id; unknown ids are ignored.
   *
   * @example
   * ```ts
   * await idx.remove(['a']);
   * ```
   */
  async remove(ids: string[]): Promise<void> {
    if (!Array.isArray(ids))
      throw new RagscopeError('INVALID_ARGUMENT', 'ids must be an array of strings', { param: 'ids' });
    const d = this.dimensions;
    for (const id of ids) {
      const slot = this.slotOf.get(id);
      if (slot === undefined) continue;
      const last = this.slotIds.length - 1;
      if (slot !== last) {
        const lastId = this.slotIds[last] as string;
        this.data.copyWithin(slot * d, last * d, (last + 1) * d);
        this.slotIds[slot] = lastId;
        this.slotOf.set(lastId, slot);
      }
      this.slotIds.pop();
      this.slotOf.delete(id);
    }
  }

  /**
   * The `k` most similar ids, best first, by exhaustive comparison.
   *
   * @example
   * ```ts
   * await idx.search(new Float32Array([1, 0, 0]), 5);
   * ```
   */
  async search(vector: Float32Array, k: number): Promise<ScoredId[]> {
    return this.searchSync(vector, k);
  }

  /**
   * Synchronous {@link ExactVectorIndex.search}.
   *
   * @example
   * ```ts
   * idx.searchSync(new Float32Array([1, 0, 0]), 5);
   * ```
   */
  searchSync(vector: Float32Array, k: number): ScoredId[] {
    const q = checkVector('vector', vector, this.dimensions, this.metric);
    checkK(k);
    const d = this.dimensions;
    const n = this.slotIds.length;
    const query = new Float32Array(d);
    let norm = 0;
    for (let j = 0; j < d; j++) norm += (q[j] as number) * (q[j] as number);
    const scale = this.metric === 'cosine' ? 1 / Math.sqrt(norm) : 1;
    for (let j = 0; j < d; j++) query[j] = (q[j] as number) * scale;
    const kk = Math.min(k, n);
    // Size-kk min-heap of slots keyed by score (then id, reversed), over one pass of dot products.
    const heapS = new Float64Array(kk);
    const heapI = new Int32Array(kk);
    let size = 0;
    const data = this.data;
    const ids = this.slotIds;
    const worse = (sa: number, ia: number, sb: number, ib: number): boolean =>
      sa < sb || (sa === sb && (ids[ia] as string) > (ids[ib] as string));
    for (let s = 0; s < n; s++) {
      const dot = dotAt(data, s * d, query, d);
      if (size < kk) {
        let i = size++;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (!worse(dot, s, heapS[p] as number, heapI[p] as number)) break;
          heapS[i] = heapS[p] as number;
          heapI[i] = heapI[p] as number;
          i = p;
        }
        heapS[i] = dot;
        heapI[i] = s;
      } else if (kk > 0 && worse(heapS[0] as number, heapI[0] as number, dot, s)) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = -1;
          let ms = dot;
          let mi = s;
          if (l < kk && worse(heapS[l] as number, heapI[l] as number, ms, mi)) {
            m = l;
            ms = heapS[l] as number;
            mi = heapI[l] as number;
          }
          if (r < kk && worse(heapS[r] as number, heapI[r] as number, ms, mi)) m = r;
          if (m < 0) break;
          heapS[i] = heapS[m] as number;
          heapI[i] = heapI[m] as number;
          i = m;
        }
        heapS[i] = dot;
        heapI[i] = s;
      }
    }
    const out: ScoredId[] = [];
    for (let i = 0; i < size; i++)
      out.push({ id: ids[heapI[i] as number] as string, score: heapS[i] as number });
    return out.sort(compareScored);
  }

  /**
   * Save to one file, atomically (temp file + rename): a JSON header (dimensions, metric, ids, sha256) and the
   * vectors as float32.
   *
   * @example
   * ```ts
   * await idx.writeTo('index/vectors.rsvi');
   * ```
   */
  async writeTo(file: string): Promise<void> {
    const n = this.slotIds.length;
    const body = new Uint8Array(this.data.buffer, this.data.byteOffset, n * this.dimensions * 4);
    await writeVectorFile(
      file,
      { kind: 'exact', dimensions: this.dimensions, metric: this.metric, ids: this.slotIds },
      body,
    );
  }

  /**
   * Load a file written by {@link ExactVectorIndex.writeTo}. A damaged file throws `CORRUPT_FILE`; an HNSW file throws
   * `INCOMPATIBLE_INDEX`; a missing one `NOT_FOUND`.
   *
   * @example
   * ```ts
   * const idx = await ExactVectorIndex.readFrom('index/vectors.rsvi');
   * ```
   */
  static async readFrom(file: string): Promise<ExactVectorIndex> {
    const { header, body } = await readVectorFile(file, 'exact');
    const ids = header.ids;
    const n = Array.isArray(ids) ? ids.length : -1;
    if (
      n < 0 ||
      !(ids as unknown[]).every((x) => typeof x === 'string' && x !== '') ||
      new Set(ids as string[]).size !== n ||
      body.byteLength !== n * header.dimensions * 4
    ) {
      throw new RagscopeError(
        'CORRUPT_FILE',
        `${file} is not a valid ragscope vector index: ids do not match the vectors`,
        {
          file,
        },
      );
    }
    const idx = new ExactVectorIndex({ dimensions: header.dimensions, metric: header.metric });
    const data = new Float32Array(Math.max(n, 64) * header.dimensions);
    new Uint8Array(data.buffer).set(body);
    idx.data = data;
    (ids as string[]).forEach((id, i) => {
      idx.slotIds.push(id);
      idx.slotOf.set(id, i);
    });
    return idx;
  }
}

/** Dot product of `data[off .. off+d)` and `q`, unrolled by four (the brute-force hot loop). */
function dotAt(data: Float32Array, off: number, q: Float32Array, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += (data[off + j] as number) * (q[j] as number);
    s1 += (data[off + j + 1] as number) * (q[j + 1] as number);
    s2 += (data[off + j + 2] as number) * (q[j + 2] as number);
    s3 += (data[off + j + 3] as number) * (q[j + 3] as number);
  }
  for (; j < d; j++) s0 += (data[off + j] as number) * (q[j] as number);
  return s0 + s1 + s2 + s3;
}
