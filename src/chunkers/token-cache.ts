import { invalidArgument } from '../core/errors.js';
import type { Tokenizer } from './length.js';

/**
 * Counters of a {@link TokenizationCache}: how many texts were tokenised for their spans (`misses`, with
 * `tokenisedChars` characters in all) and how many tokenisations were served from the cache (`hits`).
 *
 * @example
 * ```ts
 * const { hits, misses } = cache.stats(); // e.g. { hits: 20, misses: 5, countHits: 3100, tokenisedChars: 1_450_000, ... }
 * ```
 */
export interface TokenizationCacheStats {
  hits: number;
  misses: number;
  /** `count(text)` calls answered from a count held for the same text (e.g. a piece another config measured). */
  countHits: number;
  /** Characters of the texts tokenised for their spans (the texts counted by `misses`). */
  tokenisedChars: number;
  /** Characters of the texts whose spans or counts are held now. */
  heldChars: number;
}

/**
 * A per-run cache of document tokenisations, shared by every chunker that measures in the same tokenizer: wrap the
 * tokenizer once per run ({@link TokenizationCache.wrap}) and hand the wrapper to every chunker (directly or through
 * `createChunker(spec, { tokenizer })`). The wrapper keeps the tokenizer's `id` (so chunk ids do not change) and
 * remembers `spans(text)` for each distinct text, keyed by the tokenizer id and the text itself (a `Map` keyed by
 * the string: exact, no hash collisions); `count(text)` and `encode(text)` of a text whose spans are held are read
 * from them. Every chunker that tokenises whole documents goes through `spans` — the fixed chunker in tokens, and
 * `tokenLength(tokenizer).prepare(doc)` used by the sentence, semantic and cluster chunkers — so each document is
 * tokenised once per run however many configurations measure it. The recursive chunker counts its pieces with
 * `count` (LangChain's arithmetic): counts are held per distinct text too, so a piece that several configurations
 * measure (a paragraph at sizes 200, 400 and 800) is counted once; `TiktokenTokenizer` also remembers the tokens of
 * each pre-token piece, which makes the remaining counts cheap.
 *
 * Memory is bounded by `maxChars` (characters of the texts whose spans or counts are held; default 32M, about 8M
 * tokens): spans are held as 8 bytes a token and handed out as a fresh array on every hit; once full, new texts are
 * tokenised without being cached.
 *
 * @example
 * ```ts
 * const cache = new TokenizationCache();
 * const tok = cache.wrap(await TiktokenTokenizer.load());
 * const a = createChunker('fixed:200/0:tokens', { tokenizer: tok });
 * const b = createChunker('sentence:200/0:tokens', { tokenizer: tok });
 * await a.chunk(doc);
 * await b.chunk(doc); // reuses the tokenisation of doc
 * cache.stats(); // { hits: 1, misses: 1, ... }
 * ```
 */
export class TokenizationCache {
  private readonly maxChars: number;
  /** Spans held compactly as [start0, end0, start1, end1, ...] (8 bytes a token instead of a tuple object). */
  private readonly byTokenizer = new Map<string, Map<string, Int32Array>>();
  private readonly countsByTokenizer = new Map<string, Map<string, number>>();
  private readonly wrapped = new Map<Tokenizer, Tokenizer>();
  private counters = { hits: 0, misses: 0, countHits: 0, tokenisedChars: 0, heldChars: 0 };

  constructor(options: { maxChars?: number } = {}) {
    if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
    const max = options.maxChars ?? 32_000_000;
    if (!(Number.isInteger(max) && max >= 0)) invalidArgument('maxChars', max, 'an integer >= 0');
    this.maxChars = max;
  }

  /**
   * A tokenizer with the same id and tokens as `tokenizer` whose document tokenisations go through this cache.
   * Wrapping the same tokenizer twice returns the same wrapper.
   *
   * @example
   * ```ts
   * const tok = new TokenizationCache().wrap(await TiktokenTokenizer.load());
   * tok.spans(text); // tokenises text
   * tok.spans(text); // a cache hit: the same spans, not tokenised again
   * ```
   */
  wrap(tokenizer: Tokenizer): Tokenizer {
    const t = tokenizer as Tokenizer | null;
    if (t === null || typeof t !== 'object' || typeof t.id !== 'string' || typeof t.spans !== 'function') {
      invalidArgument('tokenizer', tokenizer, 'a Tokenizer (with id, encode, count and spans)');
    }
    const known = this.wrapped.get(t);
    if (known !== undefined) return known;
    let held = this.byTokenizer.get(t.id);
    if (held === undefined) {
      held = new Map();
      this.byTokenizer.set(t.id, held);
    }
    const cache = held;
    let counted = this.countsByTokenizer.get(t.id);
    if (counted === undefined) {
      counted = new Map();
      this.countsByTokenizer.set(t.id, counted);
    }
    const counts = counted;
    const count = (text: string): number => {
      const s = cache.get(text);
      if (s !== undefined) return s.length / 2;
      const c = counts.get(text);
      if (c !== undefined) {
        this.counters.countHits++;
        return c;
      }
      const n = t.count(text);
      if (this.counters.heldChars + text.length <= this.maxChars) {
        counts.set(text, n);
        this.counters.heldChars += text.length;
      }
      return n;
    };
    const spans = (text: string): Array<[number, number]> => {
      const hit = cache.get(text);
      if (hit !== undefined) {
        this.counters.hits++;
        const out = new Array<[number, number]>(hit.length / 2);
        for (let k = 0; k < out.length; k++) out[k] = [hit[2 * k]!, hit[2 * k + 1]!];
        return out;
      }
      const s = t.spans(text);
      this.counters.misses++;
      this.counters.tokenisedChars += text.length;
      if (this.counters.heldChars + text.length <= this.maxChars) {
        const flat = new Int32Array(2 * s.length);
        for (let k = 0; k < s.length; k++) {
          flat[2 * k] = s[k]![0];
          flat[2 * k + 1] = s[k]![1];
        }
        cache.set(text, flat);
        this.counters.heldChars += text.length;
      }
      return s;
    };
    const wrapper: Tokenizer = Object.freeze({
      id: t.id,
      spans,
      count,
      encode: (text: string): number[] => t.encode(text),
    });
    this.wrapped.set(t, wrapper);
    return wrapper;
  }

  /**
   * The counters so far (see {@link TokenizationCacheStats}).
   *
   * @example
   * ```ts
   * new TokenizationCache().stats(); // { hits: 0, misses: 0, countHits: 0, tokenisedChars: 0, heldChars: 0 }
   * ```
   */
  stats(): TokenizationCacheStats {
    return { ...this.counters };
  }

  /**
   * Forget every held tokenisation (the counters are kept).
   *
   * @example
   * ```ts
   * cache.clear(); // frees the spans of the documents of the run
   * ```
   */
  clear(): void {
    for (const m of this.byTokenizer.values()) m.clear();
    for (const m of this.countsByTokenizer.values()) m.clear();
    this.counters.heldChars = 0;
  }
}
