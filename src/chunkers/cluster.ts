import type { Chunk, DocumentInput } from '../core/document.js';
import { makeChunk, toDocument } from '../core/document.js';
import { checkInteger, invalidArgument } from '../core/errors.js';
import { cosine, dot, norm } from '../core/vectors.js';
import type { Embedder } from '../embedders/types.js';
import { checkEmbedder, embedInBatches } from './embedding.js';
import type { LengthFunction } from './length.js';
import { charLength, checkLengthFunction, rangeMeasure } from './lengths.js';
import { packSentences } from './pack.js';
import { CHROMA_SEPARATORS, RecursiveChunker, recursiveRanges } from './recursive.js';
import type { Boundary, Chunker, ChunkingTrace } from './types.js';

/**
 * Options of {@link ClusterChunker}.
 *
 * @example
 * ```ts
 * const options: ClusterChunkerOptions = { embedder, maxSize: 400, pieceSize: 50, lengthFunction: tokenLength(tok) };
 * ```
 */
export interface ClusterChunkerOptions {
  /** Embeds the small pieces (kind `passage`). Required. */
  embedder: Embedder;
  /** Hard maximum chunk length, in `lengthFunction` units. Default `400` (Chroma's default, in its tokens). */
  maxSize?: number;
  /**
   * Size of the small pieces the document is first cut into with the {@link RecursiveChunker} (Chroma's separators
   * {@link CHROMA_SEPARATORS}), in the same units (integer, 1 <= pieceSize <= maxSize).
   * A cluster holds at most `floor(maxSize / pieceSize)` pieces. Default: in tokens, 50 (at most `maxSize`), as
   * Chroma's ClusterSemanticChunker always uses (its `min_chunk_size`); in chars and words, about as much text
   * (220 chars, 35 words, see {@link CLUSTER_PIECE_DEFAULTS}) but at most `floor(maxSize / 4)` (at least 1), so that
   * a cluster can still hold 4 pieces, as in Chroma's 200-token setting (`cluster:400:chars` cuts 100-char pieces).
   */
  pieceSize?: number;
  /**
   * How the small pieces are made: `'recursive'` (Chroma's: {@link RecursiveChunker} with {@link CHROMA_SEPARATORS},
   * which keeps each `.` at the start of the next piece) or `'sentences'` (whole sentences packed up to
   * `pieceSize`, as the {@link SentenceChunker} does, so chunks start at sentence starts). Default `'recursive'`.
   */
  pieces?: 'recursive' | 'sentences';
  /**
   * How sizes are measured. Default {@link charLength}. Pieces and clusters are measured as ranges of the document
   * ({@link rangeMeasure}): with `tokenLength` the document is tokenised once.
   */
  lengthFunction?: LengthFunction;
  /** Texts per `embed` call. Default `256`. */
  batchSize?: number;
}

/**
 * Largest default `pieceSize` of {@link ClusterChunker} per unit: Chroma's ClusterSemanticChunker cuts 50-token
 * pieces (cl100k) whatever the chunk size; 220 chars and 35 words are about 50 cl100k tokens of the Chroma
 * evaluation corpora (4.4 characters and 0.70 words per token). The default is `min(maxSize, 50)` in tokens and
 * `min(220 | 35, max(1, floor(maxSize / 4)))` in chars | words (see {@link clusterPieceSize}).
 *
 * @example
 * ```ts
 * CLUSTER_PIECE_DEFAULTS.tokens; // 50
 * new ClusterChunker({ embedder, maxSize: 400, lengthFunction: tokenLength(tok) }).pieceSize; // 50
 * ```
 */
export const CLUSTER_PIECE_DEFAULTS: Readonly<Record<'chars' | 'words' | 'tokens', number>> = Object.freeze({
  chars: 220,
  words: 35,
  tokens: 50,
});

/**
 * The default `pieceSize` of a {@link ClusterChunker} with this `maxSize` and unit (see
 * {@link CLUSTER_PIECE_DEFAULTS}).
 *
 * @example
 * ```ts
 * clusterPieceSize(200, 'tokens'); // 50
 * clusterPieceSize(400, 'chars'); // 100
 * clusterPieceSize(2000, 'chars'); // 220
 * ```
 */
export function clusterPieceSize(maxSize: number, unit: 'chars' | 'words' | 'tokens'): number {
  const cap = CLUSTER_PIECE_DEFAULTS[unit];
  if (unit === 'tokens') return Math.max(1, Math.min(maxSize, cap));
  return Math.max(1, Math.min(cap, Math.floor(maxSize / 4)));
}

/**
 * What {@link segmentClusters} decided: runs of pieces `[first, last]` (inclusive) with their scores.
 *
 * @example
 * ```ts
 * const seg: ClusterSegmentation = segmentClusters(vectors, 8);
 * seg.clusters[0]; // { first: 0, last: 3, score: 1.7 }
 * ```
 */
export interface ClusterSegmentation {
  clusters: Array<{ first: number; last: number; score: number }>;
  /** Mean similarity of all pairs of distinct pieces, subtracted from every similarity. */
  meanSimilarity: number;
}

/**
 * Chroma's `ClusterSemanticChunker` (Smith & Troynikov, "Evaluating Chunking Strategies for Retrieval", 2024): cut
 * the document into small pieces of about `pieceSize` with the {@link RecursiveChunker}, embed them, and choose
 * the segmentation into runs of consecutive pieces that maximises the sum, over runs, of the pairwise cosine
 * similarities inside each run (minus the document's mean pairwise similarity, so that grouping unrelated pieces
 * is penalised), by dynamic programming with runs of at most `floor(maxSize / pieceSize)` pieces and at most
 * `maxSize` long. Unlike the original, no piece pair further apart than a run is ever compared (the mean is
 * computed exactly from the sum of the vectors), so time and memory stay linear in the document length; and chunks
 * are exact spans of the document (the original joined pieces with spaces). Sizes are ranges of the document
 * ({@link rangeMeasure}); the pieces are cut with the recursive algorithm measuring those ranges rather than
 * re-tokenising every piece, so in tokens they can differ from Chroma's pieces by a token at their edges.
 *
 * @example
 * ```ts
 * const embedder = await StaticEmbedder.fromFile('../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt');
 * const chunker = new ClusterChunker({ embedder, maxSize: 800 });
 * const { chunks, boundaries } = await chunker.chunkWithTrace({ id: 'notes', text });
 * boundaries[0]?.score; // coherence of the chunk starting there
 * ```
 */
export class ClusterChunker implements Chunker {
  readonly embedder: Embedder;
  readonly maxSize: number;
  readonly pieceSize: number;
  readonly pieces: 'recursive' | 'sentences';
  readonly lengthFunction: LengthFunction;
  readonly batchSize: number;
  /**
   * `cluster:<maxSize>:<unit>[:piece=<pieceSize>][:sentences]` (the grammar of `parseChunkerSpec`; `piece=` only
   * when not the default, `sentences` for sentence pieces), e.g. `cluster:400:chars`. The embedder is not part of
   * the spec but is part of every chunk id.
   */
  readonly spec: string;
  private readonly salt: string;
  private readonly splitter: RecursiveChunker;

  constructor(options: ClusterChunkerOptions) {
    const opts = (options ?? {}) as ClusterChunkerOptions;
    this.embedder = checkEmbedder('embedder', opts.embedder);
    this.maxSize = checkInteger('maxSize', opts.maxSize ?? 400, 1);
    this.lengthFunction = checkLengthFunction('lengthFunction', opts.lengthFunction ?? charLength);
    const fallback = clusterPieceSize(this.maxSize, this.lengthFunction.unit);
    this.pieceSize = checkInteger('pieceSize', opts.pieceSize ?? fallback, 1);
    if (this.pieceSize > this.maxSize) {
      invalidArgument('pieceSize', this.pieceSize, `<= maxSize (${this.maxSize})`);
    }
    const pieces = opts.pieces ?? 'recursive';
    if (pieces !== 'recursive' && pieces !== 'sentences') {
      invalidArgument('pieces', pieces, "'recursive' or 'sentences'");
    }
    this.pieces = pieces;
    this.batchSize = checkInteger('batchSize', opts.batchSize ?? 256, 1);
    const defaultPiece = this.pieceSize === fallback;
    this.spec =
      `cluster:${this.maxSize}:${this.lengthFunction.unit}` +
      (defaultPiece ? '' : `:piece=${this.pieceSize}`) +
      (pieces === 'sentences' ? ':sentences' : '');
    this.salt = `${this.spec}@${this.lengthFunction.id}@${this.embedder.id}`;
    this.splitter = new RecursiveChunker({
      size: this.pieceSize,
      overlap: 0,
      separators: CHROMA_SEPARATORS,
      lengthFunction: this.lengthFunction,
    });
  }

  /** Split a document into chunks. */
  async chunk(doc: DocumentInput): Promise<Chunk[]> {
    return (await this.chunkWithTrace(doc)).chunks;
  }

  /** Split a document and explain every boundary (with each chunk's cluster score). */
  async chunkWithTrace(input: DocumentInput): Promise<ChunkingTrace> {
    const doc = toDocument(input);
    const text = doc.text;
    // One range measure for the pieces and the size checks: with tokenLength, the document is tokenised once.
    const measure = rangeMeasure(this.lengthFunction, text);
    const pieces =
      this.pieces === 'sentences'
        ? packSentences(text, this.pieceSize, this.lengthFunction, measure).packs
        : recursiveRanges(this.splitter, text, 0, text.length, measure);
    if (pieces.length === 0) return { chunks: [], boundaries: [] };
    const vectors =
      pieces.length > 1
        ? await embedInBatches(
            this.embedder,
            pieces.map((p) => text.slice(p.start, p.end)),
            this.batchSize,
          )
        : [];
    const maxPieces = Math.max(1, Math.floor(this.maxSize / this.pieceSize));
    const fits = (first: number, last: number) =>
      measure(pieces[first]!.start, pieces[last]!.end) <= this.maxSize;
    const { clusters, meanSimilarity } =
      pieces.length > 1
        ? segmentClusters(vectors, maxPieces, fits)
        : { clusters: [{ first: 0, last: 0, score: 0 }], meanSimilarity: 0 };

    const chunks: Chunk[] = [];
    const boundaries: Boundary[] = [];
    clusters.forEach((c, i) => {
      const start = pieces[c.first]!.start;
      const end = pieces[c.last]!.end;
      if (i > 0) {
        const prev = clusters[i - 1]!;
        const n = c.last - c.first + 1;
        boundaries.push({
          before: i - 1,
          after: i,
          offset: start,
          reason: 'cluster',
          score: c.score,
          explanation:
            `The clustering programme starts a new group of ${n} piece${n === 1 ? '' : 's'} here ` +
            `(score ${c.score.toFixed(4)}, the sum of its pairwise similarities minus the mean ` +
            `${meanSimilarity.toFixed(4)}); ${mergeNote(vectors, prev, c, meanSimilarity, maxPieces, fits)}.`,
        });
      }
      chunks.push(makeChunk(doc, i, start, end, this.salt));
    });
    return { chunks, boundaries };
  }
}

/** Why two neighbouring clusters were not merged. */
function mergeNote(
  vectors: Float32Array[],
  a: { first: number; last: number },
  b: { first: number; last: number },
  meanSimilarity: number,
  maxPieces: number,
  fits: (first: number, last: number) => boolean,
): string {
  if (b.last - a.first + 1 > maxPieces || !fits(a.first, b.last)) {
    return 'merging it with the previous group would pass the size limit';
  }
  let cross = 0;
  for (let x = a.first; x <= a.last; x++) {
    for (let y = b.first; y <= b.last; y++) cross += 2 * (cosine(vectors[x]!, vectors[y]!) - meanSimilarity);
  }
  return `merging it with the previous group would add ${cross.toFixed(4)} to the total`;
}

/**
 * The dynamic programme of Chroma's ClusterSemanticChunker over unit-normalised `vectors`: similarities are
 * cosine similarities minus the mean over all pairs of distinct pieces, with a zero diagonal; the reward of a run
 * `[s, i]` is the sum of its similarity sub-matrix (each pair counted twice, as `np.sum` does); runs hold at most
 * `maxPieces` pieces and must satisfy `fits(s, i)` (assumed monotone: a longer run never fits when a shorter does
 * not). Ties go to the shorter last run, as in the original. Runs in O(n · maxPieces² + n · maxPieces · d).
 *
 * @example
 * ```ts
 * const v = (x: number, y: number) => Float32Array.from([x, y]);
 * segmentClusters([v(1, 0), v(1, 0), v(0, 1), v(0, 1)], 3).clusters.map((c) => [c.first, c.last]);
 * // [[0, 1], [2, 3]]
 * ```
 */
export function segmentClusters(
  vectors: Float32Array[],
  maxPieces: number,
  fits: (first: number, last: number) => boolean = () => true,
): ClusterSegmentation {
  const n = vectors.length;
  const d = vectors[0]?.length ?? 0;
  // Unit-normalise (zero vectors stay zero: similarity 0 with everything).
  const units = vectors.map((v) => {
    const len = norm(v);
    const u = new Float64Array(d);
    if (len > 0) for (let k = 0; k < d; k++) u[k] = v[k]! / len;
    return u;
  });
  // Mean of u_i . u_j over i < j, exactly, from |sum u|^2 = sum |u_i|^2 + 2 sum_{i<j} u_i . u_j.
  const total = new Float64Array(d);
  let selfSum = 0;
  for (const u of units) {
    for (let k = 0; k < d; k++) total[k]! += u[k]!;
    selfSum += dot(u, u);
  }
  const meanSimilarity = n > 1 ? (dot(total, total) - selfSum) / (n * (n - 1)) : 0;
  // band[i][j] = sim(i, i + 1 + j) - mean, for the pairs a run can contain.
  const width = Math.max(0, maxPieces - 1);
  const band = units.map((u, i) => {
    const row = new Float64Array(Math.min(width, n - 1 - i));
    for (let j = 0; j < row.length; j++) row[j] = dot(u, units[i + 1 + j]!) - meanSimilarity;
    return row;
  });
  const best = new Float64Array(n + 1); // best[i + 1] = best total for pieces 0..i
  const from = new Int32Array(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let top = -Infinity;
    let reward = 0;
    for (let size = 1; size <= maxPieces && i - size + 1 >= 0; size++) {
      const s = i - size + 1;
      if (size > 1) {
        if (!fits(s, i)) break;
        const row = band[s]!;
        for (let j = 0; j < size - 1; j++) reward += 2 * row[j]!;
      }
      const value = reward + best[s]!;
      if (value > top) {
        top = value;
        from[i] = s;
        score[i] = reward;
      }
    }
    best[i + 1] = top;
  }
  const clusters: ClusterSegmentation['clusters'] = [];
  for (let i = n - 1; i >= 0; ) {
    const s = from[i]!;
    clusters.push({ first: s, last: i, score: score[i]! });
    i = s - 1;
  }
  clusters.reverse();
  return { clusters, meanSimilarity };
}
