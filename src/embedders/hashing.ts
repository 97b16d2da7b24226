import { checkDimensions, checkNumber, invalidArgument } from '../core/errors.js';
import type { Embedder, EmbedOptions } from './types.js';

/**
 * Options of {@link HashingEmbedder}.
 *
 * @example
 * ```ts
 * // Defaults: dimensions 256, wordWeight 1, charNgrams [3, 5], lowercase true.
 * const options: HashingEmbedderOptions = { dimensions: 512, wordWeight: 1, charNgrams: [3, 5], lowercase: true };
 * new HashingEmbedder(options).id; // 'hashing:d512:w1:c3-5'
 * new HashingEmbedder({ charNgrams: false }).id; // 'hashing:d256:w1:c0' (whole words only)
 * ```
 */
export interface HashingEmbedderOptions {
  /** Number of dimensions (hash buckets). Default `256`. */
  dimensions?: number;
  /**
   * Weight of each whole-word feature, relative to a character n-gram (weight 1). `0` drops word features.
   * Default `1`.
   */
  wordWeight?: number;
  /**
   * Inclusive `[min, max]` lengths of the character n-grams taken from each word padded with boundary marks
   * (`<word>`), or `false` for words only. Default `[3, 5]`.
   */
  charNgrams?: [number, number] | false;
  /** Lower-case the text first. Default `true`. */
  lowercase?: boolean;
}

const WORD_RE = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const WORD_SEED = 0x9747b28c;
const NGRAM_SEED = 0x5bd1e995;

/** 32-bit finaliser of MurmurHash3: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Deterministic feature hashing ("the hashing trick") of lower-cased words and character n-grams into a fixed
 * number of dimensions, with signed hashing (each feature adds +w or -w, so collisions cancel on average) and L2
 * normalisation. No weights, no dependencies, synchronous inside: the offline baseline and the fast embedder for
 * tests. It captures surface overlap (shared words, shared word pieces such as `refund`/`refunds`), not meaning.
 *
 * A text without any letter or digit embeds to the zero vector.
 *
 * @example
 * ```ts
 * import { HashingEmbedder } from 'ragscope/embedders';
 * const embedder = new HashingEmbedder({ dimensions: 256 });
 * embedder.id; // 'hashing:d256:w1:c3-5'
 * const [q, p] = await embedder.embed(['refund policy', 'Our refunds policy: 30 days.']);
 * ```
 */
export class HashingEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly wordWeight: number;
  readonly charNgrams: [number, number] | false;
  readonly lowercase: boolean;

  constructor(options: HashingEmbedderOptions = {}) {
    if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
    this.dimensions = checkDimensions('dimensions', options.dimensions ?? 256);
    this.wordWeight = checkNumber('wordWeight', options.wordWeight ?? 1, 0);
    const ngrams = options.charNgrams ?? [3, 5];
    if (ngrams === false) {
      this.charNgrams = false;
    } else {
      if (
        !Array.isArray(ngrams) ||
        ngrams.length !== 2 ||
        !Number.isInteger(ngrams[0]) ||
        !Number.isInteger(ngrams[1]) ||
        ngrams[0] < 1 ||
        ngrams[1] < ngrams[0]
      ) {
        invalidArgument('charNgrams', ngrams, 'false or [min, max] integers with 1 <= min <= max');
      }
      this.charNgrams = [ngrams[0], ngrams[1]];
    }
    if (this.wordWeight === 0 && this.charNgrams === false) {
      invalidArgument('wordWeight', 0, 'positive when charNgrams is false (no features otherwise)');
    }
    const lowercase = options.lowercase ?? true;
    if (typeof lowercase !== 'boolean') invalidArgument('lowercase', lowercase, 'a boolean');
    this.lowercase = lowercase;
    const grams = this.charNgrams === false ? 'c0' : `c${this.charNgrams[0]}-${this.charNgrams[1]}`;
    this.id = `hashing:d${this.dimensions}:w${this.wordWeight}:${grams}${lowercase ? '' : ':cased'}`;
  }

  /** Number of words the embedder sees in `text` (runs of letters and digits). */
  countTokens(text: string): number {
    const s = this.lowercase ? text.toLowerCase() : text;
    let n = 0;
    for (const _ of s.matchAll(WORD_RE)) n++;
    return n;
  }

  /** Embed texts; `kind` does not change the vectors. */
  async embed(texts: string[], _options?: EmbedOptions): Promise<Float32Array[]> {
    return this.embedSync(texts);
  }

  /**
   * Synchronous {@link HashingEmbedder.embed}.
   *
   * @example
   * ```ts
   * const [v] = new HashingEmbedder().embedSync(['hello world']);
   * ```
   */
  embedSync(texts: string[]): Float32Array[] {
    if (!Array.isArray(texts)) invalidArgument('texts', texts, 'an array of strings');
    return texts.map((t, i) => {
      if (typeof t !== 'string') invalidArgument(`texts[${i}]`, t, 'a string');
      return this.embedOne(t);
    });
  }

  /**
   * Embed a single text synchronously.
   *
   * @example
   * ```ts
   * new HashingEmbedder({ dimensions: 64 }).embedOne('hello').length; // 64
   * ```
   */
  embedOne(text: string): Float32Array {
    const d = this.dimensions;
    const v = new Float32Array(d);
    const s = this.lowercase ? text.toLowerCase() : text;
    const ww = this.wordWeight;
    const grams = this.charNgrams;
    for (const m of s.matchAll(WORD_RE)) {
      const word = m[0];
      if (ww > 0) {
        let h = WORD_SEED;
        for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
        const f = fmix32(h);
        const idx = (f >>> 1) % d;
        v[idx] = (v[idx] ?? 0) + (f & 1 ? ww : -ww);
      }
      if (grams !== false) {
        const padded = `\u0002${word}\u0003`;
        const len = padded.length;
        const [lo, hi] = grams;
        for (let start = 0; start + lo <= len; start++) {
          let h = NGRAM_SEED;
          const stop = Math.min(len, start + hi);
          for (let j = start; j < stop; j++) {
            h = Math.imul(h ^ padded.charCodeAt(j), 0x01000193);
            const n = j - start + 1;
            if (n >= lo) {
              const f = fmix32(h ^ n);
              const idx = (f >>> 1) % d;
              v[idx] = (v[idx] ?? 0) + (f & 1 ? 1 : -1);
            }
          }
        }
      }
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += (v[i] ?? 0) * (v[i] ?? 0);
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let i = 0; i < d; i++) v[i] = (v[i] ?? 0) * inv;
    }
    return v;
  }
}
