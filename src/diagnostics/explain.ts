import { invalidArgument } from '../core/errors.js';
import { Analyzer } from '../search/analyzer.js';
import type { Ledger, SearchHit, SearchResult } from '../search/types.js';

/**
 * Options of {@link explain}.
 *
 * @example
 * ```ts
 * // Defaults: color false, analyzer: a default Analyzer (lower-case, English stop words, Porter), maxChars 400.
 * const options: ExplainOptions = { color: process.stdout.isTTY, maxChars: 200 };
 * console.log(explain(result, 1, options).text);
 * ```
 */
export interface ExplainOptions {
  /** Highlight matched query terms (and headings) with ANSI escape codes. Default `false`. */
  color?: boolean;
  /**
   * Analyzer used to find which words of the chunk and query match (must be the BM25 index's analyzer for exact
   * highlighting). Default: a default {@link Analyzer} (lower-case, English stop words, Porter).
   */
  analyzer?: Pick<Analyzer, 'term'>;
  /** Characters of chunk text shown in the text rendering (the rest is elided). Default `400`. */
  maxChars?: number;
}

/**
 * The machine-readable explanation of one hit. Plain JSON.
 *
 * @example
 * ```ts
 * const { json } = explain(await pipeline.search('how long do refunds take?', { k: 3 }), 1);
 * const e: HitExplanation = json;
 * e.matchedTerms; // ['refund', 'take'] (analysed forms)
 * e.span; // { start: 0, end: 20 }
 * e.summary[2]; // 'Fusion (rrf): rank 1, score 0.03279 = bm25 rank 1 +0.01639 + vector rank 1 +0.01639'
 * ```
 */
export interface HitExplanation {
  query: string;
  chunkId: string;
  docId: string;
  /** Final 1-based rank and score. */
  rank: number;
  score: number;
  /** `[start, end)` of the chunk in its document. */
  span: { start: number; end: number };
  /** Analysed query terms that occur in the chunk (from the BM25 ledger), best contribution first. */
  matchedTerms: string[];
  /** Every stage's account, copied from the hit's ledger. */
  ledger: Ledger;
  /** One plain-language line per stage, in pipeline order. */
  summary: string[];
}

const BOLD = '\x1b[1m';
const HILITE = '\x1b[1;33m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
const WORD_RE = /[\p{L}\p{M}\p{N}_]+(?:['’.][\p{L}\p{M}\p{N}_]+)*/gu;

function fmt(n: number, digits = 4): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

function pickHit(result: SearchResult, hit: SearchHit | number | string): SearchHit {
  if (!result || !Array.isArray(result.hits)) invalidArgument('result', result, 'a SearchResult with hits');
  if (typeof hit === 'number') {
    const h = result.hits.find((x) => x.rank === hit);
    if (!h) invalidArgument('hit', hit, `a rank between 1 and ${result.hits.length}`);
    return h;
  }
  if (typeof hit === 'string') {
    const h = result.hits.find((x) => x.chunk.id === hit);
    if (!h) invalidArgument('hit', hit, 'the chunk id of one of result.hits');
    return h;
  }
  if (!hit || typeof hit !== 'object' || !hit.chunk || !hit.ledger) {
    invalidArgument('hit', hit, 'a SearchHit, a rank or a chunk id');
  }
  return hit;
}

/** Mark the words of `text` whose analysed form is in `terms` (ANSI when color, else `[word]`). */
function highlight(
  text: string,
  terms: ReadonlySet<string>,
  analyzer: Pick<Analyzer, 'term'>,
  color: boolean,
) {
  return text.replace(WORD_RE, (w) => {
    const t = analyzer.term(w);
    if (t === null || !terms.has(t)) return w;
    return color ? `${HILITE}${w}${RESET}` : `[${w}]`;
  });
}

function stageSummary(ledger: Ledger): string[] {
  const out: string[] = [];
  if (ledger.bm25) {
    const e = ledger.bm25.explanation;
    const parts = [...e.terms]
      .sort((a, b) => b.contribution - a.contribution)
      .map(
        (t) =>
          `${t.term}→${t.analyzed} tf=${t.tf} df=${t.df} idf=${fmt(t.idf, 3)} +${fmt(t.contribution, 3)}`,
      );
    const missing = e.unmatched.map((u) => `${u.term} (${u.reason}${u.analyzed ? `, ${u.analyzed}` : ''})`);
    out.push(
      `BM25: rank ${ledger.bm25.rank}, score ${fmt(ledger.bm25.score, 3)} (k1=${e.k1}, b=${e.b}, length ${e.docLength} vs avg ${fmt(e.avgDocLength, 1)})` +
        (parts.length ? `; ${parts.join('; ')}` : '') +
        (missing.length ? `; unmatched: ${missing.join(', ')}` : ''),
    );
  } else out.push('BM25: not in the BM25 candidate list (or BM25 not run)');
  if (ledger.vector) {
    out.push(`Vector: rank ${ledger.vector.rank}, ${ledger.vector.metric} ${fmt(ledger.vector.score)}`);
  } else out.push('Vector: not in the vector candidate list (or vector search not run)');
  if (ledger.fusion) {
    const f = ledger.fusion;
    const parts = f.contributions.map(
      (c) => `${c.list} ${c.rank === null ? 'absent' : `rank ${c.rank}`} +${fmt(c.contribution, 5)}`,
    );
    const only = f.foundBy.length === 1 ? ` — found by ${f.foundBy[0]} ONLY` : '';
    out.push(`Fusion (${f.method}): rank ${f.rank}, score ${fmt(f.score, 5)} = ${parts.join(' + ')}${only}`);
  }
  if (ledger.rerank) {
    const r = ledger.rerank;
    const move = r.moved > 0 ? `up ${r.moved}` : r.moved < 0 ? `down ${-r.moved}` : 'unchanged';
    out.push(`Re-rank: score ${fmt(r.score)}, rank ${r.rankBefore} → ${r.rankAfter} (${move})`);
  }
  return out;
}

/**
 * Explain one hit of a search for people and programs: the ledger of every stage (per-term BM25 contributions with
 * tf/df/idf, vector similarity, each list's rank and fusion contribution, re-ranker score and rank movement), and
 * the chunk text with the matched query terms highlighted.
 *
 * `hit` is a {@link SearchHit} of `result`, its 1-based rank, or its chunk id. Throws `INVALID_ARGUMENT` when the hit
 * is not in the result.
 *
 * @example
 * ```ts
 * const result = await pipeline.search('how long do refunds take?', { k: 5 });
 * const { text, json } = explain(result, 1, { color: process.stdout.isTTY });
 * console.log(text);
 * json.ledger.bm25?.explanation.terms; // per-term contributions
 * ```
 */
export function explain(
  result: SearchResult,
  hit: SearchHit | number | string,
  options: ExplainOptions = {},
): { text: string; json: HitExplanation } {
  const h = pickHit(result, hit);
  const color = options.color ?? false;
  const analyzer = options.analyzer ?? new Analyzer();
  const maxChars = options.maxChars ?? 400;
  if (typeof color !== 'boolean') invalidArgument('options.color', color, 'a boolean');
  if (!Number.isInteger(maxChars) || maxChars < 1)
    invalidArgument('options.maxChars', maxChars, 'a positive integer');
  const query = result.trace.query;
  const matched = h.ledger.bm25
    ? [...h.ledger.bm25.explanation.terms]
        .sort((a, b) => b.contribution - a.contribution)
        .map((t) => t.analyzed)
    : [];
  const matchedSet = new Set(matched);
  const summary = stageSummary(h.ledger);
  const json: HitExplanation = {
    query,
    chunkId: h.chunk.id,
    docId: h.chunk.docId,
    rank: h.rank,
    score: h.score,
    span: { start: h.chunk.start, end: h.chunk.end },
    matchedTerms: matched,
    ledger: h.ledger,
    summary,
  };
  const b = (s: string) => (color ? `${BOLD}${s}${RESET}` : s);
  const shown = h.chunk.text.length > maxChars ? `${h.chunk.text.slice(0, maxChars)}…` : h.chunk.text;
  const lines = [
    `${b(`#${h.rank}`)} ${h.chunk.id} (doc ${h.chunk.docId} [${h.chunk.start}, ${h.chunk.end})) score ${fmt(h.score)}`,
    `Query: ${highlight(query, matchedSet, analyzer, color)}`,
    ...summary.map((s) => `  ${s}`),
    color ? `${DIM}---${RESET}` : '---',
    highlight(shown, matchedSet, analyzer, color),
  ];
  return { text: lines.join('\n'), json };
}
