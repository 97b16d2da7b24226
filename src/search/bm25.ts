import SearchableMap from 'minisearch/SearchableMap';
import { checkNumber, invalidArgument, RagscopeError } from '../core/errors.js';
import { Analyzer, type AnalyzerOptions } from './analyzer.js';
import type { Bm25Explanation, TermContribution, UnmatchedTerm } from './types.js';

/**
 * Options of {@link Bm25Index}. Every field is optional.
 *
 * @example
 * ```ts
 * const opts: Bm25Options = { preset: 'lucene', analyzer: { stemmer: 'none' } };
 * ```
 */
export interface Bm25Options {
  /** Term-frequency saturation. Default: the preset's (0.9 for `'anserini'`). Must be >= 0. */
  k1?: number;
  /** Length normalisation, between 0 (none) and 1 (full). Default: the preset's (0.4 for `'anserini'`). */
  b?: number;
  /**
   * Named parameter set: `'anserini'` (k1 0.9, b 0.4, the BEIR/Pyserini baseline) or `'lucene'` (k1 1.2, b 0.75,
   * Lucene's `BM25Similarity` defaults). Explicit `k1`/`b` override it. Default `'anserini'`.
   */
  preset?: 'anserini' | 'lucene';
  /** How chunk and query text are analysed. Default: lower-case, Lucene English stop words, Porter stemmer. */
  analyzer?: AnalyzerOptions;
}

/**
 * A BM25 hit.
 *
 * @example
 * ```ts
 * const bm25 = new Bm25Index();
 * bm25.add([
 *   { id: 'faq#0.a', docId: 'faq', text: 'Refunds are paid within 14 days.' },
 *   { id: 'faq#1.b', docId: 'faq', text: 'Shipping takes 3 days.' },
 * ]);
 * const hits: Bm25Hit[] = bm25.search('refund', 10);
 * hits; // [{ id: 'faq#0.a', docId: 'faq', score: 0.678... }] (score === bm25.explain('refund', 'faq#0.a').score)
 * ```
 */
export interface Bm25Hit {
  /** Chunk id. */
  id: string;
  /** Id of the chunk's document. */
  docId: string;
  /** Exact BM25 score; equals `explain(query, id).score`. */
  score: number;
}

/**
 * One item to index: a chunk id, its document id and its text.
 *
 * @example
 * ```ts
 * const items: Bm25Item[] = chunks.map((c) => ({ id: c.id, docId: c.docId, text: c.text }));
 * bm25.add(items);
 * ```
 */
export interface Bm25Item {
  id: string;
  docId: string;
  text: string;
}

const PRESETS = { anserini: { k1: 0.9, b: 0.4 }, lucene: { k1: 1.2, b: 0.75 } } as const;

interface Entry {
  /** Internal dense number, the key in posting lists. */
  num: number;
  id: string;
  docId: string;
  /** Length in analysed terms (stop words excluded). */
  len: number;
  /** Distinct term ids of this chunk and their occurrences (parallel arrays). */
  terms: Int32Array;
  tfs: Int32Array;
}

/** Size at which the raw-token -> term-id cache is cleared. */
const TOKEN_CACHE_LIMIT = 200_000;

/** Serialised form written by {@link Bm25Index.toJSON}. */
interface Bm25Json {
  format: 'ragscope-bm25';
  version: 1;
  k1: number;
  b: number;
  analyzer: ReturnType<Analyzer['toJSON']>;
  /** One row per chunk: id, docId, analysed terms, their term frequencies. */
  docs: Array<[string, string, string[], number[]]>;
}

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
 * 3x slower to build than a hash map on SciFact, which broke the 1 s build budget. So postings live in a hash map of
 * arrays (term -> chunk numbers + tfs) scored here, which lets {@link Bm25Index.explain} reproduce `search` scores
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

  /** Analysed term <-> dense term id (ids are never reused; a term whose df drops to 0 keeps its id). */
  private readonly termIds = new Map<string, number>();
  private readonly termStrings: string[] = [];
  /** Term id -> posting list (parallel arrays of chunk numbers and term frequencies, unordered); undefined when df 0. */
  private postings: Array<Posting | undefined> = [];
  private liveTerms = 0;
  /** Raw token -> term id (-1 for a stop word): skips re-analysing frequent tokens. */
  private readonly tokenCache = new Map<string, number>();
  /** Scratch per-term counter used while adding a chunk (all-zero between chunks). */
  private counts = new Int32Array(0);
  /** Vocabulary radix tree for prefix/fuzzy lookups; built on first use, dropped on change. */
  private vocab: SearchableMap<number> | null = null;
  private readonly byId = new Map<string, Entry>();
  private entries: Array<Entry | undefined> = [];
  private readonly free: number[] = [];
  private totalLen = 0;
  /** Per chunk number: accumulator used by search (kept all-zero between searches) and length. */
  private scores = new Float64Array(0);
  private lens = new Float64Array(0);

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
    return this.byId.size;
  }

  /** Average chunk length in analysed terms (0 when empty). */
  get avgDocLength(): number {
    return this.byId.size === 0 ? 0 : this.totalLen / this.byId.size;
  }

  /** Number of distinct analysed terms in the index. */
  get vocabularySize(): number {
    return this.liveTerms;
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
    for (const it of items) {
      const uniq: number[] = [];
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
        if (seen === 0) uniq.push(tid);
      }
      const terms = Int32Array.from(uniq);
      const tfs = new Int32Array(terms.length);
      for (let i = 0; i < terms.length; i++) {
        const tid = terms[i] as number;
        tfs[i] = this.counts[tid] as number;
        this.counts[tid] = 0;
      }
      this.insert(it.id, it.docId, terms, tfs, len);
    }
  }

  /**
   * Remove chunks by id; unknown ids are ignored.
   *
   * @example
   * ```ts
   * bm25.remove(['c1']);
   * ```
   */
  remove(ids: string[]): void {
    if (!Array.isArray(ids)) invalidArgument('ids', ids, 'an array of strings');
    for (const id of ids) {
      const e = typeof id === 'string' ? this.byId.get(id) : undefined;
      if (e) this.delete(e);
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
    return this.byId.has(id);
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
    return this.byId.keys();
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
    const tid = this.termIds.get(analyzedTerm);
    return tid === undefined ? 0 : (this.postings[tid]?.nums.length ?? 0);
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
    const e = this.entry(id);
    const out = new Map<string, number>();
    for (let i = 0; i < e.terms.length; i++)
      out.set(this.termStrings[e.terms[i] as number] as string, e.tfs[i] as number);
    return out;
  }

  /**
   * The `k` best chunks for `query` by exact BM25, best first (ties by id). Chunks matching no query term are not
   * returned, so fewer than `k` hits may come back.
   *
   * @example
   * ```ts
   * bm25.search('refund delay', 5); // [{ id: 'c1', docId: 'd1', score: 0.57 }]
   * ```
   */
  search(query: string, k: number): Bm25Hit[] {
    if (typeof query !== 'string') invalidArgument('query', query, 'a string');
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) invalidArgument('k', k, 'a positive integer');
    const n = this.byId.size;
    if (n === 0) return [];
    const avg = this.totalLen / n;
    const { k1, b } = this;
    const scores = this.scores;
    const lens = this.lens;
    const touched: number[] = [];
    for (const term of this.analyzer.analyze(query)) {
      const tid = this.termIds.get(term);
      const posting = tid === undefined ? undefined : this.postings[tid];
      if (!posting) continue;
      const { nums, tfs } = posting;
      const idf = idfOf(n, nums.length);
      for (let i = 0; i < nums.length; i++) {
        const num = nums[i] as number;
        const tf = tfs[i] as number;
        // Same expression, same order as explain(): the sums are bit-identical.
        const norm = 1 - b + (b * (lens[num] as number)) / avg;
        const w = (idf * (tf * (k1 + 1))) / (tf + k1 * norm);
        if (scores[num] === 0) touched.push(num);
        scores[num] = (scores[num] as number) + w;
      }
    }
    const top = topK(touched, scores, this.entries as Entry[], k);
    for (const num of touched) scores[num] = 0;
    return top;
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
    const e = this.entry(id);
    const n = this.byId.size;
    const avg = this.totalLen / n;
    const { k1, b } = this;
    const terms: TermContribution[] = [];
    const unmatched: UnmatchedTerm[] = [];
    let score = 0;
    for (const { term, analyzed } of this.analyzer.analyzeTerms(query)) {
      if (analyzed === null) {
        unmatched.push({ term, analyzed, reason: 'stop-word' });
        continue;
      }
      const df = this.documentFrequency(analyzed);
      const tf = tfIn(e, this.termIds.get(analyzed));
      if (df === 0) unmatched.push({ term, analyzed, reason: 'not-in-corpus' });
      else if (tf === 0) unmatched.push({ term, analyzed, reason: 'not-in-chunk' });
      else {
        const idf = idfOf(n, df);
        const lengthNorm = 1 - b + (b * e.len) / avg;
        const contribution = (idf * (tf * (k1 + 1))) / (tf + k1 * lengthNorm);
        score += contribution;
        terms.push({ term, analyzed, tf, df, idf, lengthNorm, contribution });
      }
    }
    return { score, terms, unmatched, docLength: e.len, avgDocLength: avg, k1, b };
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
    if (!this.vocab) {
      this.vocab = new SearchableMap<number>();
      for (const [term, tid] of this.termIds) {
        const p = this.postings[tid];
        if (p) this.vocab.set(term, p.nums.length);
      }
    }
    const found = new Map<string, { term: string; df: number; distance: number }>();
    for (const [term, [df, distance]] of this.vocab.fuzzyGet(analyzedTerm, maxEdits)) {
      found.set(term, { term, df, distance });
    }
    if (options.prefix) {
      for (const [term, df] of this.vocab.atPrefix(analyzedTerm)) {
        if (!found.has(term)) found.set(term, { term, df, distance: term.length - analyzedTerm.length });
      }
    }
    return [...found.values()].sort(
      (x, y) => x.distance - y.distance || y.df - x.df || (x.term < y.term ? -1 : 1),
    );
  }

  /**
   * A plain-JSON snapshot (parameters, analyzer options, per-chunk term frequencies); postings are rebuilt on load.
   *
   * @example
   * ```ts
   * const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(bm25)));
   * ```
   */
  toJSON(): object {
    const docs: Bm25Json['docs'] = [];
    for (const e of this.byId.values()) {
      docs.push([
        e.id,
        e.docId,
        Array.from(e.terms, (t) => this.termStrings[t] as string),
        Array.from(e.tfs),
      ]);
    }
    const json: Bm25Json = {
      format: 'ragscope-bm25',
      version: 1,
      k1: this.k1,
      b: this.b,
      analyzer: this.analyzer.toJSON(),
      docs,
    };
    return json;
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
    const corrupt = (what: string): never => {
      throw new RagscopeError('CORRUPT_FILE', `${source} is not a valid BM25 index: ${what}`, {
        file: source,
      });
    };
    let data: unknown = json;
    if (typeof json === 'string') {
      try {
        data = JSON.parse(json);
      } catch (err) {
        corrupt(`invalid JSON (${(err as Error).message})`);
      }
    }
    if (data === null || typeof data !== 'object') return corrupt('not an object');
    const j = data as Partial<Bm25Json>;
    if (j.format !== 'ragscope-bm25')
      corrupt(`format is ${JSON.stringify(j.format)}, expected "ragscope-bm25"`);
    if (j.version !== 1) corrupt(`unsupported version ${JSON.stringify(j.version)}`);
    if (typeof j.k1 !== 'number' || !(j.k1 >= 0)) corrupt('k1 missing or invalid');
    if (typeof j.b !== 'number' || !(j.b >= 0 && j.b <= 1)) corrupt('b missing or invalid');
    const a = j.analyzer;
    if (a === null || typeof a !== 'object') return corrupt('analyzer missing');
    if (typeof a.lowercase !== 'boolean') corrupt('analyzer.lowercase invalid');
    if (!(a.stopWords === 'english' || a.stopWords === false || isStringArray(a.stopWords)))
      corrupt('analyzer.stopWords invalid');
    if (!(a.stemmer === 'porter' || a.stemmer === 'none' || a.stemmer === null))
      corrupt('analyzer.stemmer invalid');
    if (!(a.tokenizer === 'standard' || a.tokenizer === null)) corrupt('analyzer.tokenizer invalid');
    const stemmer: AnalyzerOptions['stemmer'] =
      a.stemmer === null ? functions.stemmer : (a.stemmer as 'porter' | 'none');
    if (a.stemmer === null && typeof stemmer !== 'function')
      invalidArgument('functions.stemmer', stemmer, `the custom stemmer function ${source} was built with`);
    const tokenizer = a.tokenizer === null ? functions.tokenizer : undefined;
    if (a.tokenizer === null && typeof tokenizer !== 'function')
      invalidArgument(
        'functions.tokenizer',
        tokenizer,
        `the custom tokenizer function ${source} was built with`,
      );
    const idx = new Bm25Index({
      k1: j.k1,
      b: j.b,
      analyzer: { lowercase: a.lowercase, stopWords: a.stopWords, stemmer, tokenizer },
    });
    if (!Array.isArray(j.docs)) return corrupt('docs missing');
    j.docs.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== 4) corrupt(`docs[${i}] is not [id, docId, terms, tfs]`);
      const [id, docId, terms, tfs] = row;
      if (typeof id !== 'string' || id === '' || typeof docId !== 'string')
        corrupt(`docs[${i}] has a bad id/docId`);
      if (idx.byId.has(id)) corrupt(`docs[${i}] repeats id ${JSON.stringify(id)}`);
      if (!isStringArray(terms) || !Array.isArray(tfs) || terms.length !== tfs.length)
        corrupt(`docs[${i}] terms/tfs malformed`);
      const tf = new Map<string, number>();
      let len = 0;
      for (let t = 0; t < terms.length; t++) {
        const f = tfs[t];
        if (typeof f !== 'number' || !Number.isInteger(f) || f < 1 || tf.has(terms[t] as string))
          corrupt(`docs[${i}] term ${t} has a bad or repeated tf`);
        tf.set(terms[t] as string, f as number);
        len += f as number;
      }
      idx.insert(
        id,
        docId,
        Int32Array.from(tf.keys(), (t) => idx.intern(t)),
        Int32Array.from(tf.values()),
        len,
      );
    });
    return idx;
  }

  private entry(id: string): Entry {
    const e = typeof id === 'string' ? this.byId.get(id) : undefined;
    if (!e)
      throw new RagscopeError('NOT_FOUND', `id ${JSON.stringify(id)} is not in the BM25 index`, {
        param: 'id',
        value: id,
      });
    return e;
  }

  private intern(term: string): number {
    let tid = this.termIds.get(term);
    if (tid === undefined) {
      tid = this.termStrings.length;
      this.termStrings.push(term);
      this.termIds.set(term, tid);
      if (tid >= this.counts.length) {
        const grown = new Int32Array(Math.max(1024, this.counts.length * 2));
        grown.set(this.counts);
        this.counts = grown;
      }
    }
    return tid;
  }

  private insert(id: string, docId: string, terms: Int32Array, tfs: Int32Array, len: number): void {
    const old = this.byId.get(id);
    if (old) this.delete(old);
    const num = this.free.pop() ?? this.entries.length;
    const e: Entry = { num, id, docId, len, terms, tfs };
    this.entries[num] = e;
    if (num >= this.scores.length) {
      const cap = Math.max(64, this.scores.length * 2, num + 1);
      const scores = new Float64Array(cap);
      scores.set(this.scores);
      this.scores = scores;
      const lens = new Float64Array(cap);
      lens.set(this.lens);
      this.lens = lens;
    }
    this.lens[num] = len;
    this.byId.set(id, e);
    this.totalLen += len;
    this.vocab = null;
    for (let i = 0; i < terms.length; i++) {
      const tid = terms[i] as number;
      const p = this.postings[tid];
      if (p) {
        p.nums.push(num);
        p.tfs.push(tfs[i] as number);
      } else {
        this.postings[tid] = { nums: [num], tfs: [tfs[i] as number] };
        this.liveTerms++;
      }
    }
  }

  private delete(e: Entry): void {
    for (let t = 0; t < e.terms.length; t++) {
      const tid = e.terms[t] as number;
      const p = this.postings[tid];
      if (!p) continue;
      const i = p.nums.indexOf(e.num);
      if (i < 0) continue;
      const last = p.nums.length - 1;
      p.nums[i] = p.nums[last] as number;
      p.tfs[i] = p.tfs[last] as number;
      p.nums.pop();
      p.tfs.pop();
      if (last === 0) {
        this.postings[tid] = undefined;
        this.liveTerms--;
      }
    }
    this.totalLen -= e.len;
    this.byId.delete(e.id);
    this.entries[e.num] = undefined;
    this.lens[e.num] = 0;
    this.free.push(e.num);
    this.vocab = null;
  }
}

/** Occurrences of term id `tid` in chunk `e` (0 when absent). */
function tfIn(e: Entry, tid: number | undefined): number {
  if (tid === undefined) return 0;
  const i = e.terms.indexOf(tid);
  return i < 0 ? 0 : (e.tfs[i] as number);
}

interface Posting {
  nums: number[];
  tfs: number[];
}

/** Lucene/Anserini BM25 idf: always positive. */
function idfOf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** `a` ranks before `b`: higher score, then smaller id. */
function better(sa: number, ia: string, sb: number, ib: string): boolean {
  return sa > sb || (sa === sb && ia < ib);
}

/** Best `k` of `nums` by (score desc, id asc) with a size-k min-heap. */
function topK(nums: number[], scores: Float64Array, entries: Entry[], k: number): Bm25Hit[] {
  const heap: number[] = [];
  const worse = (x: number, y: number): boolean => {
    const ex = entries[x] as Entry;
    const ey = entries[y] as Entry;
    return better(scores[y] as number, ey.id, scores[x] as number, ex.id);
  };
  const siftUp = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(heap[i] as number, heap[p] as number)) break;
      [heap[i], heap[p]] = [heap[p] as number, heap[i] as number];
      i = p;
    }
  };
  const siftDown = (i: number): void => {
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && worse(heap[l] as number, heap[m] as number)) m = l;
      if (r < n && worse(heap[r] as number, heap[m] as number)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m] as number, heap[i] as number];
      i = m;
    }
  };
  for (const num of nums) {
    if (heap.length < k) {
      heap.push(num);
      siftUp(heap.length - 1);
    } else if (worse(heap[0] as number, num)) {
      heap[0] = num;
      siftDown(0);
    }
  }
  heap.sort((x, y) => (worse(x, y) ? 1 : worse(y, x) ? -1 : 0));
  return heap.map((num) => {
    const e = entries[num] as Entry;
    return { id: e.id, docId: e.docId, score: scores[num] as number };
  });
}
