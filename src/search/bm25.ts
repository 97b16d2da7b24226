import type SearchableMap from 'minisearch/SearchableMap';
import { checkNumber, invalidArgument, RagscopeError } from '../core/errors.js';
import { Analyzer, type AnalyzerOptions } from './analyzer.js';
import { blockMaxTopK, queryTerms } from './bm25-blockmax.js';
import { exhaustiveTopK } from './bm25-exhaustive.js';
import { explainChunk } from './bm25-explain.js';
import { bm25ToJson, readBm25Json } from './bm25-json.js';
import { Bm25Store } from './bm25-store.js';
import type { Bm25Hit, Bm25Item, Bm25Options, Bm25SearchOptions } from './bm25-types.js';
import { buildVocab, similarIn } from './bm25-vocab.js';
import type { Bm25Explanation } from './types.js';

export type { Bm25Hit, Bm25Item, Bm25Options, Bm25SearchOptions } from './bm25-types.js';

const PRESETS = { anserini: { k1: 0.9, b: 0.4 }, lucene: { k1: 1.2, b: 0.75 } } as const;

/** Size at which the raw-token -> term-id cache is cleared. */
const TOKEN_CACHE_LIMIT = 200_000;

/**
 * A BM25 index over chunks with exact, explainable scores.
 *
 * **Scoring** is classic BM25 in the Lucene/Anserini form, computed exactly:
 * `score(q, d) = Σ_{t in q} idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·len(d)/avgLen))`,
 * `idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5))`, where `len(d)` counts the chunk's analysed terms (stop words
 * excluded) and `N`/`avgLen` are over all indexed chunks. Unlike Lucene, lengths are exact (Lucene stores them in a
 * lossy one-byte norm) and the `(k1+1)` factor Lucene 8+ dropped is kept; neither changes rankings noticeably.
 *
 * **Why not minisearch's own scorer/index:** minisearch scores BM25+ (an extra `d = 0.5` per matched term), measures
 * field length as the number of *distinct raw* tokens, and keeps a lazily discarded document in `df` until vacuum;
 * none of this can be configured to classic BM25. Its radix-tree inverted index (`SearchableMap`) was also measured
 * 3x slower to build than a hash map on SciFact, which broke the 1 s build budget. So postings live in typed arrays
 * sorted by chunk number ({@link Bm25Store}: tombstones on removal, compaction) scored here, which lets {@link Bm25Index.explain} reproduce `search` scores
 * bit for bit; minisearch's `SearchableMap` is kept for vocabulary lookups ({@link Bm25Index.similarTerms}: prefix
 * and fuzzy matches, e.g. to suggest what a `not-in-corpus` query term might have meant), built lazily.
 *
 * **Repeated query terms** count once per occurrence (`"cell cell"` weighs `cell` twice), as Anserini's
 * bag-of-words query (a term boosted by its count) does; `explain` lists one contribution per occurrence.
 *
 * **Ties** are broken by chunk id, so results do not depend on insertion order.
 *
 * @example
 * ```ts
 * const bm25 = new Bm25Index(); // anserini preset: k1 0.9, b 0.4
 * bm25.add([{ id: 'c1', docId: 'd1', text: 'Refunds take five days.' }]);
 * const [hit] = bm25.search('how long do refunds take', 10); // { id: 'c1', docId: 'd1', score: 0.57... }
 * bm25.explain('how long do refunds take', 'c1').terms; // per-term idf, tf, lengthNorm, contribution
 * ```
 */
export class Bm25Index {
  /** The analyzer applied to chunks and queries. */
  readonly analyzer: Analyzer;
  /** Term-frequency saturation parameter. */
  readonly k1: number;
  /** Length-normalisation parameter. */
  readonly b: number;
  /** @internal Postings, forward index and chunk table. */
  readonly store = new Bm25Store();
  /** Raw token -> term id (-1 for a stop word): skips re-analysing frequent tokens. */
  private readonly tokenCache = new Map<string, number>();
  /** Scratch per-term counter used while adding a chunk (all-zero between chunks). */
  private counts = new Int32Array(0);
  /** Vocabulary radix tree for prefix/fuzzy lookups; built on first use, dropped on change. */
  private vocab: SearchableMap<number> | null = null;
  /** Per chunk number: accumulator used by search (kept all-zero between searches). */
  private scores = new Float64Array(0);

  constructor(options: Bm25Options = {}) {
    if (options === null || typeof options !== 'object')
      invalidArgument('options', options, 'an options object');
    const presetName = options.preset ?? 'anserini';
    const preset = PRESETS[presetName];
    if (!preset || !Object.hasOwn(PRESETS, presetName))
      invalidArgument('preset', presetName, "'anserini' or 'lucene'");
    this.k1 = checkNumber('k1', options.k1 ?? preset.k1, 0);
    this.b = checkNumber('b', options.b ?? preset.b, 0, 1);
    this.analyzer = new Analyzer(options.analyzer ?? {});
  }

  /** Number of chunks indexed. */
  get size(): number {
    return this.store.size;
  }

  /** Average chunk length in analysed terms (0 when empty). */
  get avgDocLength(): number {
    const n = this.store.size;
    return n === 0 ? 0 : this.store.totalLen / n;
  }

  /** Number of distinct analysed terms in the index. */
  get vocabularySize(): number {
    return this.store.liveTerms;
  }

  /**
   * Index chunks. Re-adding an existing id replaces it (df and avgLen are kept right).
   * The batch is validated before anything changes.
   *
   * @example
   * ```ts
   * bm25.add([{ id: 'c1', docId: 'd1', text: 'Refunds take five days.' }]);
   * ```
   */
  add(items: Bm25Item[]): void {
    if (!Array.isArray(items)) invalidArgument('items', items, 'an array of { id, docId, text }');
    items.forEach((it, i) => {
      if (it === null || typeof it !== 'object')
        invalidArgument(`items[${i}]`, it, 'an object { id, docId, text }');
      if (typeof it.id !== 'string' || it.id === '')
        invalidArgument(`items[${i}].id`, it.id, 'a non-empty string');
      if (typeof it.docId !== 'string') invalidArgument(`items[${i}].docId`, it.docId, 'a string');
      if (typeof it.text !== 'string') invalidArgument(`items[${i}].text`, it.text, 'a string');
    });
    const cache = this.tokenCache;
    let uniq = new Int32Array(64);
    let tfs = new Int32Array(64);
    for (const it of items) {
      let n = 0;
      let len = 0;
      for (const tok of this.analyzer.tokenize(it.text)) {
        let tid = cache.get(tok);
        if (tid === undefined) {
          const analyzed = this.analyzer.term(tok);
          tid = analyzed === null ? -1 : this.intern(analyzed);
          if (cache.size >= TOKEN_CACHE_LIMIT) cache.clear();
          cache.set(tok, tid);
        }
        if (tid < 0) continue;
        len++;
        const seen = this.counts[tid] as number;
        this.counts[tid] = seen + 1;
        if (seen === 0) {
          if (n === uniq.length) {
            const u = new Int32Array(n * 2);
            u.set(uniq);
            uniq = u;
            tfs = new Int32Array(n * 2);
          }
          uniq[n++] = tid;
        }
      }
      for (let i = 0; i < n; i++) {
        const tid = uniq[i] as number;
        tfs[i] = this.counts[tid] as number;
        this.counts[tid] = 0;
      }
      this.store.insert(it.id, it.docId, uniq, tfs, n, len);
    }
    this.vocab = null;
  }

  /**
   * Remove chunks by id; unknown ids are ignored. O(distinct terms of each chunk): posting lists keep a tombstone
   * until a compaction (when dead entries outnumber live ones), so removal is O(1) amortised per posting.
   *
   * @example
   * ```ts
   * bm25.remove(['c1']);
   * ```
   */
  remove(ids: string[]): void {
    if (!Array.isArray(ids)) invalidArgument('ids', ids, 'an array of strings');
    for (const id of ids) {
      const num = typeof id === 'string' ? this.store.byId.get(id) : undefined;
      if (num !== undefined) {
        this.store.delete(num);
        this.vocab = null;
      }
    }
  }

  /**
   * Whether chunk `id` is indexed.
   *
   * @example
   * ```ts
   * bm25.has('c1'); // true
   * ```
   */
  has(id: string): boolean {
    return this.store.byId.has(id);
  }

  /**
   * Ids of all indexed chunks, in insertion order.
   *
   * @example
   * ```ts
   * [...bm25.ids()]; // ['c1', 'c2']
   * ```
   */
  ids(): IterableIterator<string> {
    return this.store.byId.keys();
  }

  /**
   * Number of chunks containing the analysed term (0 when absent).
   *
   * @example
   * ```ts
   * bm25.documentFrequency(bm25.analyzer.term('Refunds')!); // 1
   * ```
   */
  documentFrequency(analyzedTerm: string): number {
    const tid = this.store.termIds.get(analyzedTerm);
    return tid === undefined ? 0 : (this.store.df[tid] as number);
  }

  /**
   * Analysed term -> term frequency in chunk `id` (a copy), for lexical-mismatch diagnostics.
   * Throws `NOT_FOUND` for an unknown id.
   *
   * @example
   * ```ts
   * bm25.termsOf('c1'); // Map { 'refund' => 1, 'take' => 1, 'five' => 1, 'dai' => 1 }
   * ```
   */
  termsOf(id: string): Map<string, number> {
    const num = this.num(id);
    const s = this.store;
    s.ensureForward();
    const out = new Map<string, number>();
    const start = s.fwdStart[num] as number;
    const end = start + (s.fwdCount[num] as number);
    for (let i = start; i < end; i++)
      out.set(s.termStrings[s.fwdTerms[i] as number] as string, s.fwdTfs[i] as number);
    return out;
  }

  /**
   * The `k` best chunks for `query` by exact BM25, best first (ties by id). Chunks matching no query term are not
   * returned, so fewer than `k` hits may come back. `options.accept` keeps only the chunks it returns true for (the
   * exact top k among them). Uses block-max dynamic pruning (per-window score bounds, best windows first): the same hits and bit-identical scores as
   * scoring every posting, without visiting most postings of frequent terms.
   *
   * @example
   * ```ts
   * bm25.search('refund delay', 5); // [{ id: 'c1', docId: 'd1', score: 0.57 }]
   * bm25.search('refund delay', 5, { accept: (id) => id.startsWith('faq#') }); // only FAQ chunks
   * ```
   */
  search(query: string, k: number, options: Bm25SearchOptions = {}): Bm25Hit[] {
    const accept = this.checkSearch(query, k, options);
    const s = this.store;
    if (s.size === 0) return [];
    const { terms, occurrences } = queryTerms(this.analyzer, s, query);
    const params = { k1: this.k1, b: this.b, avg: s.totalLen / s.size };
    return this.hits(blockMaxTopK(s, terms, occurrences, k, params, accept));
  }

  /**
   * @internal {@link Bm25Index.search} by exhaustive scoring (every posting of every query term): the reference
   * the pruned search is tested against.
   */
  searchExhaustive(query: string, k: number, options: Bm25SearchOptions = {}): Bm25Hit[] {
    const accept = this.checkSearch(query, k, options);
    const s = this.store;
    if (s.size === 0) return [];
    if (this.scores.length < s.nextNum) this.scores = new Float64Array(Math.max(64, s.alive.length));
    const terms = this.analyzer.analyze(query);
    return this.hits(exhaustiveTopK(s, terms, k, this.k1, this.b, this.scores, accept));
  }

  private checkSearch(query: string, k: number, options: Bm25SearchOptions): Bm25SearchOptions['accept'] {
    if (typeof query !== 'string') invalidArgument('query', query, 'a string');
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) invalidArgument('k', k, 'a positive integer');
    if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
    const { accept } = options;
    if (accept !== undefined && typeof accept !== 'function')
      invalidArgument('options.accept', accept, 'a function (chunkId) => boolean');
    return accept;
  }

  private hits(top: Array<{ num: number; score: number }>): Bm25Hit[] {
    const s = this.store;
    return top.map(({ num, score }) => ({ id: s.ids[num] as string, docId: s.docIds[num] as string, score }));
  }

  /**
   * Take the BM25 score of chunk `id` for `query` apart: per query-term occurrence its analysed form, tf, df, idf,
   * length normalisation and contribution (they sum to `score`, which equals the `search` score), plus the query
   * terms that contributed nothing and why. Throws `NOT_FOUND` for an unknown id.
   *
   * @example
   * ```ts
   * const e = bm25.explain('the refund policy', 'c1');
   * e.unmatched; // [{ term: 'the', analyzed: null, reason: 'stop-word' }, { term: 'policy', analyzed: 'polici', reason: 'not-in-corpus' }]
   * ```
   */
  explain(query: string, id: string): Bm25Explanation {
    if (typeof query !== 'string') invalidArgument('query', query, 'a string');
    return explainChunk(this.store, this.analyzer, this, query, this.num(id));
  }

  /**
   * Indexed terms close to an analysed term, with their document frequency, via minisearch's radix tree:
   * every term within `maxEdits` edits (Levenshtein), plus, with `prefix: true`, every term starting with it.
   * Useful to explain a `not-in-corpus` query term (a typo, another inflection, a different spelling).
   *
   * @example
   * ```ts
   * bm25.similarTerms('refnd'); // [{ term: 'refund', df: 1, distance: 1 }]
   * ```
   */
  similarTerms(
    analyzedTerm: string,
    options: { maxEdits?: number; prefix?: boolean } = {},
  ): Array<{ term: string; df: number; distance: number }> {
    if (typeof analyzedTerm !== 'string') invalidArgument('analyzedTerm', analyzedTerm, 'a string');
    const maxEdits = options.maxEdits ?? 2;
    if (!Number.isInteger(maxEdits) || maxEdits < 0) invalidArgument('maxEdits', maxEdits, 'an integer >= 0');
    this.vocab ??= buildVocab(this.store);
    return similarIn(this.vocab, analyzedTerm, maxEdits, options.prefix === true);
  }

  /**
   * A plain-JSON snapshot (parameters, analyzer options, per-chunk term frequencies); postings are rebuilt on load.
   * (Saved pipelines use a compact binary form instead.)
   *
   * @example
   * ```ts
   * const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(bm25)));
   * ```
   */
  toJSON(): object {
    return bm25ToJson(this);
  }

  /**
   * Rebuild an index from {@link Bm25Index.toJSON} output (an object or its JSON string). Anything malformed throws
   * `CORRUPT_FILE` naming `source`. If the index was built with a custom tokenizer or stemmer function, pass the same
   * function(s) in `functions` (they cannot be serialised).
   *
   * @example
   * ```ts
   * const idx = Bm25Index.fromJSON(JSON.parse(text), 'index/bm25.json');
   * ```
   */
  static fromJSON(
    json: unknown,
    source = 'Bm25Index JSON',
    functions: Pick<AnalyzerOptions, 'stemmer' | 'tokenizer'> = {},
  ): Bm25Index {
    const { params, rows } = readBm25Json(json, source, functions);
    const idx = new Bm25Index(params);
    rows(
      (id, docId, terms, tfs, len) => {
        const tids = terms.map((t) => idx.intern(t));
        idx.store.insert(id, docId, tids, tfs, tids.length, len);
      },
      (id) => idx.store.byId.has(id),
    );
    return idx;
  }

  private num(id: string): number {
    const num = typeof id === 'string' ? this.store.byId.get(id) : undefined;
    if (num === undefined)
      throw new RagscopeError('NOT_FOUND', `id ${JSON.stringify(id)} is not in the BM25 index`, {
        param: 'id',
        value: id,
      });
    return num;
  }

  /** @internal Term id of `term`, created when new (keeps the add scratch counter in size). */
  intern(term: string): number {
    const tid = this.store.intern(term);
    if (tid >= this.counts.length) {
      const grown = new Int32Array(Math.max(1024, this.counts.length * 2, tid + 1));
      grown.set(this.counts);
      this.counts = grown;
    }
    return tid;
  }
}
