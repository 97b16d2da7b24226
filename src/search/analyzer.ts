import { stemmer as porterStemmer } from 'stemmer';
import { invalidArgument } from '../core/errors.js';
import { hashHex } from '../core/hash.js';

/**
 * Lucene's English stop-word list (`EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`, 33 words), the list Anserini uses by
 * default for BEIR.
 *
 * @example
 * ```ts
 * LUCENE_ENGLISH_STOP_WORDS.includes('the'); // true
 * ```
 */
export const LUCENE_ENGLISH_STOP_WORDS: readonly string[] = Object.freeze([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'but',
  'by',
  'for',
  'if',
  'in',
  'into',
  'is',
  'it',
  'no',
  'not',
  'of',
  'on',
  'or',
  'such',
  'that',
  'the',
  'their',
  'then',
  'there',
  'these',
  'they',
  'this',
  'to',
  'was',
  'will',
  'with',
]);

/**
 * How text is turned into index terms. Every option is optional.
 *
 * @example
 * ```ts
 * const opts: AnalyzerOptions = { stopWords: ['foo'], stemmer: 'none' };
 * ```
 */
export interface AnalyzerOptions {
  /** Lower-case tokens (after tokenising, before stop words and stemming). Default `true`. */
  lowercase?: boolean;
  /**
   * Stop words removed after lower-casing: `'english'` (Lucene's 33-word list, {@link LUCENE_ENGLISH_STOP_WORDS}),
   * your own list, or `false` for none. Default `'english'`.
   */
  stopWords?: 'english' | string[] | false;
  /**
   * Stemmer applied last: `'porter'` (the original Porter algorithm, as Lucene's `PorterStemFilter`, via the
   * `stemmer` package; with `lowercase: false` the stem keeps the token's case, `'Cats'` -> `'Cat'`), `'none'`, or
   * your own function. Default `'porter'`.
   */
  stemmer?: 'porter' | 'none' | ((token: string) => string);
  /**
   * Splits text into tokens. Default {@link standardTokenize}: an approximation of Lucene's StandardTokenizer
   * (Unicode letters/digits; `'`/`.` inside words and `,`/`.` inside numbers kept) followed by removal of the
   * English possessive `'s`, like Lucene's `EnglishAnalyzer`.
   */
  tokenizer?: (text: string) => string[];
}

const TOKEN_RE = /[\p{L}\p{M}\p{N}_]+(?:(?:['’.]|(?<=\p{N})[,;](?=\p{N}))[\p{L}\p{M}\p{N}_]+)*/gu;

/**
 * The default tokenizer: Unicode word tokens in the spirit of Lucene's StandardTokenizer (UAX #29), with the English
 * possessive `'s` removed (`"John's"` -> `"John"`). Hyphens, slashes and other punctuation split tokens.
 *
 * @example
 * ```ts
 * standardTokenize("The patient's IL-6 rose 1,000-fold (p<0.05)."); // ['The', 'patient', 'IL', '6', 'rose', '1,000', 'fold', 'p', '0.05']
 * ```
 */
export function standardTokenize(text: string): string[] {
  const tokens = text.match(TOKEN_RE);
  if (tokens === null) return [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    const n = t.length;
    if (n > 2) {
      const last = t.charCodeAt(n - 1);
      const apos = t.charCodeAt(n - 2);
      // English possessive: trailing 's / ’s / 'S
      if ((last === 115 || last === 83) && (apos === 39 || apos === 0x2019)) tokens[i] = t.slice(0, -2);
    }
  }
  return tokens;
}

/** Size at which the per-analyzer stem cache is cleared (bounds memory on huge vocabularies). */
const STEM_CACHE_LIMIT = 200_000;

/**
 * Text analysis shared by indexing and querying: tokenise, lower-case, drop stop words, stem.
 * The same analyzer must be used for both, which is why {@link Bm25Index} owns one and serialises its options.
 *
 * @example
 * ```ts
 * const a = new Analyzer(); // lower-case, Lucene English stop words, Porter stemmer
 * a.analyze('The running dogs'); // ['run', 'dog']
 * a.analyzeTerms('the dogs'); // [{ term: 'the', analyzed: null }, { term: 'dogs', analyzed: 'dog' }]
 * ```
 */
export class Analyzer {
  /**
   * A stable description of the configuration, e.g. `standard|lower|stop:english|porter`. Custom functions appear as
   * `custom-tokenizer` / `custom-stemmer` (they cannot be identified beyond that); custom stop lists as a hash.
   */
  readonly id: string;
  /** The options as given, with defaults filled in. */
  readonly options: Readonly<Required<AnalyzerOptions>>;
  private readonly stops: ReadonlySet<string>;
  private readonly stem: ((t: string) => string) | null;
  private readonly split: (text: string) => string[];
  private readonly cache = new Map<string, string | null>();

  constructor(options: AnalyzerOptions = {}) {
    if (options === null || typeof options !== 'object')
      invalidArgument('analyzer', options, 'an options object');
    const lowercase = options.lowercase ?? true;
    if (typeof lowercase !== 'boolean') invalidArgument('analyzer.lowercase', lowercase, 'a boolean');
    const stopWords = options.stopWords ?? 'english';
    let stopId: string;
    if (stopWords === 'english') {
      this.stops = new Set(LUCENE_ENGLISH_STOP_WORDS);
      stopId = 'stop:english';
    } else if (stopWords === false) {
      this.stops = new Set();
      stopId = 'stop:none';
    } else if (Array.isArray(stopWords) && stopWords.every((w) => typeof w === 'string')) {
      this.stops = new Set(lowercase ? stopWords.map((w) => w.toLowerCase()) : stopWords);
      stopId = `stop:list-${hashHex([...this.stops].sort().join('\u0001'))}`;
    } else {
      invalidArgument('analyzer.stopWords', stopWords, "'english', an array of strings or false");
    }
    const stemmer = options.stemmer ?? 'porter';
    let stemId: string;
    if (stemmer === 'porter') {
      // The `stemmer` package lower-cases; without lower-casing, keep the token's own case on the stem.
      this.stem = lowercase ? porterStemmer : keepCase(porterStemmer);
      stemId = 'porter';
    } else if (stemmer === 'none') {
      this.stem = null;
      stemId = 'nostem';
    } else if (typeof stemmer === 'function') {
      this.stem = stemmer;
      stemId = 'custom-stemmer';
    } else {
      invalidArgument('analyzer.stemmer', stemmer, "'porter', 'none' or a function");
    }
    const tokenizer = options.tokenizer ?? standardTokenize;
    if (typeof tokenizer !== 'function') invalidArgument('analyzer.tokenizer', tokenizer, 'a function');
    this.split = tokenizer;
    this.options = Object.freeze({ lowercase, stopWords, stemmer, tokenizer });
    this.id = [
      tokenizer === standardTokenize ? 'standard' : 'custom-tokenizer',
      lowercase ? 'lower' : 'case',
      stopId,
      stemId,
    ].join('|');
  }

  /**
   * The raw tokens of `text` (the configured tokenizer only: no lower-casing, stop words or stemming).
   *
   * @example
   * ```ts
   * new Analyzer().tokenize("The dog's bowl"); // ['The', 'dog', 'bowl']
   * ```
   */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') invalidArgument('text', text, 'a string');
    return this.split(text);
  }

  /**
   * Analyse one token: the index term, or null when it is a stop word (or analyses to the empty string).
   *
   * @example
   * ```ts
   * new Analyzer().term('Running'); // 'run'
   * ```
   */
  term(token: string): string | null {
    const cached = this.cache.get(token);
    if (cached !== undefined) return cached;
    let t = this.options.lowercase ? token.toLowerCase() : token;
    let out: string | null;
    if (t === '' || this.stops.has(t)) out = null;
    else {
      if (this.stem) t = this.stem(t);
      out = t === '' ? null : t;
    }
    if (this.cache.size >= STEM_CACHE_LIMIT) this.cache.clear();
    this.cache.set(token, out);
    return out;
  }

  /**
   * The index terms of `text`, in order, stop words removed.
   *
   * @example
   * ```ts
   * new Analyzer().analyze('Refunds are processed'); // ['refund', 'process']
   * ```
   */
  analyze(text: string): string[] {
    if (typeof text !== 'string') invalidArgument('text', text, 'a string');
    const out: string[] = [];
    for (const tok of this.split(text)) {
      const t = this.term(tok);
      if (t !== null) out.push(t);
    }
    return out;
  }

  /**
   * Every token of `text` with its analysed form (`null` when dropped as a stop word), for explanations.
   *
   * @example
   * ```ts
   * new Analyzer().analyzeTerms('the refunds'); // [{ term: 'the', analyzed: null }, { term: 'refunds', analyzed: 'refund' }]
   * ```
   */
  analyzeTerms(text: string): Array<{ term: string; analyzed: string | null }> {
    if (typeof text !== 'string') invalidArgument('text', text, 'a string');
    return this.split(text).map((term) => ({ term, analyzed: this.term(term) }));
  }

  /**
   * The options in JSON form (`null` where a custom function was given and cannot be serialised).
   *
   * @example
   * ```ts
   * new Analyzer().toJSON(); // { lowercase: true, stopWords: 'english', stemmer: 'porter', tokenizer: 'standard' }
   * ```
   */
  toJSON(): {
    lowercase: boolean;
    stopWords: 'english' | string[] | false;
    stemmer: string | null;
    tokenizer: string | null;
  } {
    const { lowercase, stopWords, stemmer, tokenizer } = this.options;
    return {
      lowercase,
      stopWords: Array.isArray(stopWords) ? [...stopWords] : stopWords,
      stemmer: typeof stemmer === 'function' ? null : stemmer,
      tokenizer: tokenizer === standardTokenize ? 'standard' : null,
    };
  }
}

/** Wrap a stemmer that lower-cases so that the stem keeps the original token's letter case. */
function keepCase(stem: (t: string) => string): (t: string) => string {
  return (token) => {
    const s = stem(token);
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const o = token[i];
      const c = s[i] as string;
      out += o !== undefined && o.toLowerCase() === c ? o : c;
    }
    return out;
  };
}
