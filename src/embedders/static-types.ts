/**
 * How word vectors are combined into a text vector.
 * - `mean`: plain average of the known words' vectors.
 * - `idf`: average weighted by inverse document frequency `ln((1 + N) / (1 + df)) + 1` (needs {@link StaticEmbedder.fit}).
 * - `sif`: "smooth inverse frequency" weights `a / (a + p(w))` (Arora et al. 2017) with `p(w)` from
 *   {@link StaticEmbedder.fit}, or, before any fit, estimated from the word's rank in the file (word2vec and GloVe
 *   files are sorted by frequency) with Zipf's law.
 *
 * @example
 * ```ts
 * const weighting: StaticWeighting = 'idf'; // default 'mean'
 * const glove = (await StaticEmbedder.fromFile(file, { weighting })).fit(chunks.map((c) => c.text));
 * ```
 */
export type StaticWeighting = 'mean' | 'idf' | 'sif';

/**
 * Options of {@link StaticEmbedder}.
 *
 * @example
 * ```ts
 * // Defaults: weighting 'mean', lowercase true, punctuation true, normalize true, sifA 1e-3.
 * const options: StaticEmbedderOptions = { weighting: 'sif', sifA: 1e-3, punctuation: false };
 * const glove = await StaticEmbedder.fromFile('glove.6B.50d.txt', options);
 * ```
 */
export interface StaticEmbedderOptions {
  /** How word vectors are combined. Default `'mean'`. */
  weighting?: StaticWeighting;
  /** Lower-case texts before lookup (GloVe vocabularies are lower-case). Default `true`. */
  lowercase?: boolean;
  /** Keep punctuation marks as tokens (GloVe has vectors for `,` `.` `(` ...). Default `true`. */
  punctuation?: boolean;
  /** L2-normalise the text vectors. Default `true`. */
  normalize?: boolean;
  /** The `a` of SIF weighting. Default `1e-3`. */
  sifA?: number;
  /**
   * Custom analyzer replacing the built-in GloVe-style one (`lowercase` and `punctuation` are then ignored).
   * Give `tokenizerId` too so the embedder id (and caches keyed by it) tell analyzers apart.
   */
  tokenize?: (text: string) => string[];
  /** Name of a custom `tokenize`, part of the id. Default: a hash of the function's source. */
  tokenizerId?: string;
  /** Name used in the id. Default: the file's base name without extension (`fromFile`), else `vectors`. */
  name?: string;
}

/**
 * Options of {@link StaticEmbedder.fromFile}.
 *
 * @example
 * ```ts
 * // maxWords default: every vector in the file.
 * const options: StaticFileOptions = { maxWords: 50_000, weighting: 'mean' };
 * const glove = await StaticEmbedder.fromFile('glove.6B.300d.txt', options); // the 50,000 most frequent words
 * glove.vocabularySize; // 50000
 * ```
 */
export interface StaticFileOptions extends StaticEmbedderOptions {
  /** Read only the first `maxWords` vectors (the most frequent words, files being frequency-ordered). Default: all. */
  maxWords?: number;
  /**
   * Cache the parsed vectors in binary form (float32 matrix + words, CRC-32 checked, keyed by the source's size and
   * mtime) in `<cacheDir>/vectors/`, or `false` for none. Default: `false` for {@link StaticEmbedder.fromFile},
   * {@link DEFAULT_VECTOR_CACHE_DIR} for {@link StaticEmbedder.fromPackage}. A corrupt or stale cache file is
   * reported through `onWarning` and rebuilt, never read.
   */
  cacheDir?: string | false;
  /** Told about an unusable (corrupt, stale, unwritable) vector cache file. Default `console.warn`. */
  onWarning?: (message: string) => void;
}

/**
 * What {@link StaticEmbedder} saw in one text.
 *
 * @example
 * ```ts
 * const { reports } = glove.embedWithReport(['The cat sat.', 'Zxqv blorp']);
 * const report: StaticTextReport = reports[1]!; // { tokens: 2, oov: 2, oovWords: ['zxqv', 'blorp'] }
 * reports[0]; // { tokens: 4, oov: 0, oovWords: [] } ('the', 'cat', 'sat', '.')
 * ```
 */
export interface StaticTextReport {
  /** Tokens produced by the analyzer. */
  tokens: number;
  /** Tokens with no vector (out of vocabulary); they do not contribute. */
  oov: number;
  /** The distinct out-of-vocabulary tokens, at most 20. */
  oovWords: string[];
}

/**
 * Totals of the last `embed` call of a {@link StaticEmbedder}.
 *
 * @example
 * ```ts
 * glove.embedWithReport(['The cat sat.', 'Zxqv blorp']);
 * const stats: StaticEmbedStats = glove.lastStats; // { texts: 2, tokens: 6, oov: 2, oovRate: 0.333... }
 * ```
 */
export interface StaticEmbedStats {
  texts: number;
  tokens: number;
  oov: number;
  /** `oov / tokens` (0 when there are no tokens). */
  oovRate: number;
}
