import type { Analyzer } from './analyzer.js';
import { idfOf } from './bm25-idf.js';
import type { Bm25Store } from './bm25-store.js';
import type { Bm25Explanation, TermContribution, UnmatchedTerm } from './types.js';

/** The last query each analyzer took apart: a search explains every hit for the same query (one analysis, not k). */
const lastAnalysis = new WeakMap<Analyzer, { query: string; terms: ReturnType<Analyzer['analyzeTerms']> }>();

function analyzedTerms(analyzer: Analyzer, query: string): ReturnType<Analyzer['analyzeTerms']> {
  const last = lastAnalysis.get(analyzer);
  if (last && last.query === query) return last.terms;
  const terms = analyzer.analyzeTerms(query);
  lastAnalysis.set(analyzer, { query, terms });
  return terms;
}

/**
 * The BM25 score of chunk number `num` for `query`, taken apart per query-term occurrence (the same expression and
 * summing order as search, so the total equals the search score bit for bit). @internal
 */
export function explainChunk(
  s: Bm25Store,
  analyzer: Analyzer,
  params: { k1: number; b: number },
  query: string,
  num: number,
): Bm25Explanation {
  const { k1, b } = params;
  const n = s.size;
  const avg = s.totalLen / n;
  const docLen = s.lens[num] as number;
  const terms: TermContribution[] = [];
  const unmatched: UnmatchedTerm[] = [];
  let score = 0;
  for (const { term, analyzed } of analyzedTerms(analyzer, query)) {
    if (analyzed === null) {
      unmatched.push({ term, analyzed, reason: 'stop-word' });
      continue;
    }
    const tid = s.termIds.get(analyzed);
    const df = tid === undefined ? 0 : (s.df[tid] as number);
    const tf = s.tfOf(num, tid);
    if (df === 0) unmatched.push({ term, analyzed, reason: 'not-in-corpus' });
    else if (tf === 0) unmatched.push({ term, analyzed, reason: 'not-in-chunk' });
    else {
      const idf = idfOf(n, df);
      const lengthNorm = 1 - b + (b * docLen) / avg;
      const contribution = (idf * (tf * (k1 + 1))) / (tf + k1 * lengthNorm);
      score += contribution;
      terms.push({ term, analyzed, tf, df, idf, lengthNorm, contribution });
    }
  }
  return { score, terms, unmatched, docLength: docLen, avgDocLength: avg, k1, b };
}
