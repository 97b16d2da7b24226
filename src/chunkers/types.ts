import type { Chunk, DocumentInput } from '../core/document.js';

/**
 * Why a chunk boundary is where it is.
 *
 * - `separator`: the text was split on a separator of the hierarchy (`separator` says which).
 * - `size-cap`: the next piece would have made the chunk longer than the size limit.
 * - `sentence-end`: a sentence ended and the next sentence did not fit.
 * - `semantic-breakpoint`: the embedding distance between neighbouring pieces passed the threshold.
 * - `heading`: a markdown heading starts a new chunk.
 * - `forced-split`: no separator was available, the text was cut inside a word/token to respect the size.
 * - `cluster`: the cluster chunker's dynamic programme grouped pieces here.
 * - `max-size`: a semantic group was longer than the hard maximum and was re-split.
 * - `external`: another library's splitter (e.g. a LangChain `TextSplitter`) cut here; it does not say why.
 *
 * @example
 * ```ts
 * const text = 'Refunds take 5 days.\n\nShipping is free for orders over 50 euros.';
 * const { boundaries } = new RecursiveChunker({ size: 40, overlap: 0 }).chunkWithTraceSync({ id: 'a', text });
 * const reasons: BoundaryReason[] = boundaries.map((b) => b.reason); // ['separator', 'size-cap']
 * ```
 */
export type BoundaryReason =
  | 'separator'
  | 'size-cap'
  | 'sentence-end'
  | 'semantic-breakpoint'
  | 'heading'
  | 'forced-split'
  | 'cluster'
  | 'max-size'
  | 'external';

/**
 * One boundary between chunk `before` and chunk `after` (indices into the chunk list).
 *
 * @example
 * ```ts
 * const { boundaries } = new RecursiveChunker({ size: 40 }).chunkWithTraceSync(doc);
 * boundaries[0]; // { before: 0, after: 1, offset: 38, reason: 'separator', separator: '\n\n', explanation: '...' }
 * ```
 */
export interface Boundary {
  /** Index of the chunk that ends here. */
  before: number;
  /** Index of the chunk that starts here. */
  after: number;
  /** Character offset in the document where chunk `after` starts. */
  offset: number;
  /** The rule that produced the boundary. */
  reason: BoundaryReason;
  /** For `separator`: the separator split on (e.g. `"\n\n"`). */
  separator?: string;
  /** For `semantic-breakpoint`: the distance between the two neighbouring pieces. */
  distance?: number;
  /** For `semantic-breakpoint`: the threshold the distance passed. */
  threshold?: number;
  /** Units of `distance`/`threshold` (e.g. `"cosine distance; threshold = 95th percentile of the curve"`). */
  thresholdUnit?: string;
  /** For `size-cap`/`max-size`: the size the next piece would have reached, in the chunker's length unit. */
  wouldBe?: number;
  /** For `size-cap`/`max-size`: the limit, in the chunker's length unit. */
  limit?: number;
  /** For `cluster`: the within-cluster similarity score of the chunk that starts here (higher = more coherent). */
  score?: number;
  /** A plain-language sentence for people. */
  explanation: string;
}

/**
 * The semantic chunker's distance curve: one point per pair of neighbouring pieces.
 *
 * @example
 * ```ts
 * const { curve } = await new SemanticChunker({ embedder, threshold: 90 }).chunkWithTrace({ id: 'notes', text });
 * curve?.distances; // [0.012, 0.045, 0.019, ...]: one per pair of neighbouring sentences
 * curve?.unit; // "cosine distance; threshold = 90th percentile of the document's distances"
 * curve?.breakpoints; // [1]: cut between sentence 1 and sentence 2 (0-based), where the distance passed the threshold
 * ```
 */
export interface DistanceCurve {
  /** Offsets of the pieces (sentences or small chunks) that were embedded. */
  pieces: Array<{ start: number; end: number }>;
  /** `distances[i]` is the distance between piece i and piece i+1. */
  distances: number[];
  /** The threshold in use, in the units of `unit`. */
  threshold: number;
  /** How the threshold was obtained (e.g. `"percentile 95 of cosine distances"`). */
  unit: string;
  /** Indices i where a break was made between piece i and i+1. */
  breakpoints: number[];
  /** For the `gradient` mode: the gradient of `distances`, which is what `threshold` is compared with. */
  gradient?: number[];
}

/**
 * The result of `chunkWithTrace`: the chunks plus why each boundary exists.
 *
 * @example
 * ```ts
 * const text = 'Refunds take 5 days.\n\nShipping is free for orders over 50 euros.';
 * const trace: ChunkingTrace = new RecursiveChunker({ size: 40, overlap: 0 }).chunkWithTraceSync({ id: 'a', text });
 * trace.chunks.map((c) => c.text); // ['Refunds take 5 days.', 'Shipping is free for orders over 50', 'euros.']
 * trace.boundaries[1]?.explanation; // 'Adding the next piece (split at " ") would make the chunk 43 characters, over the limit of 40.'
 * trace.curve; // undefined (only semantic chunkers have one)
 * ```
 */
export interface ChunkingTrace {
  chunks: Chunk[];
  boundaries: Boundary[];
  /** Present for semantic chunkers: the whole distance curve. */
  curve?: DistanceCurve;
}

/**
 * The uniform chunker interface. Every chunker accepts a ragscope or LangChain document and returns
 * chunks whose `[start, end)` offsets reproduce their text exactly.
 *
 * @example
 * ```ts
 * const chunker: Chunker = new RecursiveChunker({ size: 400, overlap: 0 });
 * const chunks = await chunker.chunk({ id: 'a', text });
 * ```
 */
export interface Chunker {
  /** Canonical spec string, e.g. `recursive:400/0:chars`; part of every chunk id. */
  readonly spec: string;
  /** Split a document into chunks. */
  chunk(doc: DocumentInput): Promise<Chunk[]>;
  /** Split a document and explain every boundary. */
  chunkWithTrace(doc: DocumentInput): Promise<ChunkingTrace>;
}

/**
 * A chunker that needs no embeddings and so also works synchronously.
 *
 * @example
 * ```ts
 * const chunks = new FixedChunker({ size: 200 }).chunkSync({ id: 'a', text });
 * ```
 */
export interface SyncChunker extends Chunker {
  chunkSync(doc: DocumentInput): Chunk[];
  chunkWithTraceSync(doc: DocumentInput): ChunkingTrace;
}
