/**
 * Whether texts are queries or passages: some models (e5, bge) embed them with different prefixes.
 *
 * @example
 * ```ts
 * const kind: EmbedKind = 'query';
 * await embedder.embed(['how do refunds work?'], { kind }); // e5/bge models prepend their query prefix
 * ```
 */
export type EmbedKind = 'query' | 'passage';

/**
 * Options of a single {@link Embedder.embed} call.
 *
 * @example
 * ```ts
 * const options: EmbedOptions = { kind: 'query' }; // default kind: 'passage'
 * const [q] = await embedder.embed(['refund policy'], options);
 * ```
 */
export interface EmbedOptions {
  /** Default `'passage'`. */
  kind?: EmbedKind;
}

/**
 * Turns texts into vectors. `id` names the model and every option that changes the vectors; it keys the
 * embedding cache and is stored with a saved index.
 *
 * @example
 * ```ts
 * const embedder: Embedder = new HashingEmbedder({ dimensions: 256 });
 * const [v] = await embedder.embed(['refund policy'], { kind: 'query' });
 * v.length === embedder.dimensions; // true
 * ```
 */
export interface Embedder {
  /** Model plus every vector-changing option, e.g. `hashing:d256:w1:c3-5`. */
  readonly id: string;
  /** Length of every vector returned. */
  readonly dimensions: number;
  /** Input budget in tokens; longer inputs are truncated by the model (see truncation reports). */
  readonly maxTokens?: number;
  /** Embed `texts` in order; returns one vector per text. */
  embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]>;
  /** Count tokens as the model would, when the embedder knows how. */
  countTokens?(text: string): number | Promise<number>;
}
