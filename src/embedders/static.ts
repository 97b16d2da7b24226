import { checkNumber, invalidArgument, RagscopeError } from '../core/errors.js';
import { hash53 } from '../core/hash.js';
import type { Embedder, EmbedOptions } from './types.js';

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

// A word (letters/digits, with inner hyphens, dots and apostrophes: "e-mail", "u.s.", "don't") or one other mark.
const TOKEN_RE = /[\p{L}\p{N}]+(?:[-.'’][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;
const CLITIC_RE = /^(.+?)('(?:s|re|ve|ll|d|m))$/;
const PUNCT_RE = /^[^\p{L}\p{N}]$/u;

/**
 * Split text the way GloVe's corpus was tokenised (approximately): lower-cased, punctuation marks as separate
 * tokens, clitics split off (`don't` -> `do`, `n't`; `it's` -> `it`, `'s`).
 *
 * @example
 * ```ts
 * gloveTokenize("Don't panic, it's fine."); // ['do', "n't", 'panic', ',', 'it', "'s", 'fine', '.']
 * ```
 */
export function gloveTokenize(
  text: string,
  options: { lowercase?: boolean; punctuation?: boolean } = {},
): string[] {
  const s = (options.lowercase ?? true) ? text.toLowerCase() : text;
  const keepPunct = options.punctuation ?? true;
  const out: string[] = [];
  for (const m of s.matchAll(TOKEN_RE)) {
    let tok = m[0].replace(/’/g, "'");
    if (PUNCT_RE.test(tok)) {
      if (keepPunct) out.push(tok);
      continue;
    }
    if (tok.includes("'")) {
      const lower = tok.toLowerCase();
      if (lower.endsWith("n't") && tok.length > 3) {
        out.push(tok.slice(0, -3), tok.slice(-3));
        continue;
      }
      const c = CLITIC_RE.exec(lower);
      if (c?.[1] && c[2]) {
        out.push(tok.slice(0, c[1].length), tok.slice(c[1].length));
        continue;
      }
      tok = tok.replace(/'$/, '');
    }
    out.push(tok);
  }
  return out;
}

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
  private fitStats: {
    n: number;
    total: number;
    df: Map<string, number>;
    tf: Map<string, number>;
    id: string;
  } | null = null;

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
   * Stream a word2vec (optional `count dims` header line) or GloVe text file: one word and its floats per line,
   * space separated. A malformed line throws `RagscopeError('CORRUPT_FILE')` naming the file and line; a missing
   * file throws `NOT_FOUND`.
   *
   * @example
   * ```ts
   * const glove = await StaticEmbedder.fromFile('glove.6B.300d.txt', { weighting: 'sif', maxWords: 100_000 });
   * ```
   */
  static async fromFile(path: string, options: StaticFileOptions = {}): Promise<StaticEmbedder> {
    if (typeof path !== 'string' || path.length === 0) invalidArgument('path', path, 'a file path');
    const maxWords = options.maxWords ?? Number.POSITIVE_INFINITY;
    if (maxWords !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxWords) || maxWords < 1)) {
      invalidArgument('maxWords', maxWords, 'a positive integer');
    }
    const fs = await import('node:fs');
    const readline = await import('node:readline');
    const nodePath = await import('node:path');
    try {
      await fs.promises.access(path, fs.constants.R_OK);
    } catch (err) {
      throw new RagscopeError(
        'NOT_FOUND',
        `word vector file ${JSON.stringify(path)} cannot be read`,
        { file: path },
        err,
      );
    }
    const corrupt = (line: number, what: string): never => {
      throw new RagscopeError('CORRUPT_FILE', `${path}:${line}: ${what}`, { file: path, line });
    };
    const words: string[] = [];
    let dims = 0;
    let matrix = new Float32Array(0);
    let h = 0x12345;
    let lineNo = 0;
    const rl = readline.createInterface({
      input: fs.createReadStream(path, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    try {
      for await (const raw of rl) {
        lineNo++;
        const line = raw.trimEnd();
        if (line.length === 0) continue;
        const parts = line.split(' ');
        if (
          lineNo === 1 &&
          parts.length === 2 &&
          /^\d+$/.test(parts[0] ?? '') &&
          /^\d+$/.test(parts[1] ?? '')
        ) {
          dims = Number(parts[1]);
          if (dims < 1) corrupt(lineNo, `header declares ${dims} dimensions`);
          continue; // word2vec header "count dims"
        }
        const word = parts[0] ?? '';
        if (dims === 0) {
          dims = parts.length - 1;
          if (dims < 1)
            corrupt(lineNo, `expected a word followed by numbers, got ${JSON.stringify(line.slice(0, 60))}`);
        }
        if (parts.length - 1 !== dims) {
          corrupt(
            lineNo,
            `expected ${dims} numbers after ${JSON.stringify(word.slice(0, 40))}, got ${parts.length - 1}`,
          );
        }
        if (words.length >= maxWords) break;
        const row = words.length;
        if ((row + 1) * dims > matrix.length) {
          const bigger = new Float32Array(Math.max(1024 * dims, matrix.length * 2));
          bigger.set(matrix);
          matrix = bigger;
        }
        const base = row * dims;
        for (let j = 1; j <= dims; j++) {
          const x = Number(parts[j]);
          if (!Number.isFinite(x) || parts[j] === '') {
            corrupt(
              lineNo,
              `field ${j + 1} is not a number: ${JSON.stringify((parts[j] ?? '').slice(0, 30))}`,
            );
          }
          matrix[base + j - 1] = x;
        }
        words.push(word);
        h = hash53(line, h % 4294967296);
      }
    } finally {
      rl.close();
    }
    if (words.length === 0) corrupt(lineNo, 'no word vectors in the file');
    const name = options.name ?? nodePath.basename(path).replace(/\.(txt|vec|w2v)$/i, '');
    return new StaticEmbedder(words, matrix.subarray(0, words.length * dims), dims, {
      ...options,
      name,
      contentId: h.toString(36),
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
    if (!Array.isArray(texts)) invalidArgument('texts', texts, 'an array of strings');
    const df = new Map<string, number>();
    const tf = new Map<string, number>();
    let total = 0;
    let h = 0;
    texts.forEach((t, i) => {
      if (typeof t !== 'string') invalidArgument(`texts[${i}]`, t, 'a string');
      const toks = this.lookupTokens(this.analyze(t));
      total += toks.length;
      for (const w of toks) tf.set(w, (tf.get(w) ?? 0) + 1);
      for (const w of new Set(toks)) df.set(w, (df.get(w) ?? 0) + 1);
      h = hash53(t, h % 4294967296);
    });
    this.fitStats = { n: texts.length, total, df, tf, id: `${texts.length}-${h.toString(36)}` };
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
    const d = this.dimensions;
    const vectors: Float32Array[] = [];
    const reports: StaticTextReport[] = [];
    let allTokens = 0;
    let allOov = 0;
    texts.forEach((text, i) => {
      if (typeof text !== 'string') invalidArgument(`texts[${i}]`, text, 'a string');
      const raw = this.analyze(text);
      const toks = this.lookupTokens(raw);
      const v = new Float32Array(d);
      let wsum = 0;
      let oov = 0;
      const oovWords = new Set<string>();
      for (const tok of toks) {
        const row = this.index.get(tok);
        if (row === undefined) {
          oov++;
          if (oovWords.size < 20) oovWords.add(tok);
          continue;
        }
        const w = this.weight(tok, row);
        wsum += w;
        const base = row * d;
        for (let j = 0; j < d; j++) v[j] = (v[j] ?? 0) + w * (this.matrix[base + j] ?? 0);
      }
      if (wsum > 0) {
        let norm = 0;
        for (let j = 0; j < d; j++) {
          const x = (v[j] ?? 0) / wsum;
          v[j] = x;
          norm += x * x;
        }
        if (this.normalize && norm > 0) {
          const inv = 1 / Math.sqrt(norm);
          for (let j = 0; j < d; j++) v[j] = (v[j] ?? 0) * inv;
        }
      }
      allTokens += toks.length;
      allOov += oov;
      vectors.push(v);
      reports.push({ tokens: toks.length, oov, oovWords: [...oovWords] });
    });
    this.lastStats = {
      texts: texts.length,
      tokens: allTokens,
      oov: allOov,
      oovRate: allTokens === 0 ? 0 : allOov / allTokens,
    };
    return { vectors, reports };
  }

  /** Replace unknown compounds ("state-of-the-art", "u.s.a") by their known parts when that helps. */
  private lookupTokens(tokens: string[]): string[] {
    const out: string[] = [];
    for (const tok of tokens) {
      if (this.index.has(tok) || !/[-.]/.test(tok)) {
        out.push(tok);
        continue;
      }
      for (const part of tok.split(/[-.]+/)) if (part) out.push(part);
    }
    return out;
  }

  private weight(tok: string, row: number): number {
    if (this.weighting === 'mean') return 1;
    const fit = this.fitStats;
    if (this.weighting === 'idf') {
      const df = fit?.df.get(tok) ?? 0;
      return Math.log((1 + (fit?.n ?? 0)) / (1 + df)) + 1;
    }
    let p: number;
    if (fit && fit.total > 0) p = (fit.tf.get(tok) ?? 0) / fit.total;
    else p = 1 / ((row + 1) * (Math.log(this.index.size) + 0.5772156649));
    return this.sifA / (this.sifA + p);
  }
}
