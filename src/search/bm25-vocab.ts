import SearchableMap from 'minisearch/SearchableMap';
import type { Bm25Store } from './bm25-store.js';

/** A term close to a looked-up one, with its document frequency and edit distance. @internal */
export interface SimilarTerm {
  term: string;
  df: number;
  distance: number;
}

/** minisearch's radix tree over the live vocabulary (term -> df). @internal */
export function buildVocab(s: Bm25Store): SearchableMap<number> {
  const vocab = new SearchableMap<number>();
  for (const [term, tid] of s.termIds) {
    const df = s.df[tid] as number;
    if (df > 0) vocab.set(term, df);
  }
  return vocab;
}

/** Terms of `vocab` within `maxEdits` of `term` (plus, with `prefix`, those starting with it), closest first. @internal */
export function similarIn(
  vocab: SearchableMap<number>,
  term: string,
  maxEdits: number,
  prefix: boolean,
): SimilarTerm[] {
  const found = new Map<string, SimilarTerm>();
  for (const [t, [df, distance]] of vocab.fuzzyGet(term, maxEdits)) found.set(t, { term: t, df, distance });
  if (prefix) {
    for (const [t, df] of vocab.atPrefix(term)) {
      if (!found.has(t)) found.set(t, { term: t, df, distance: t.length - term.length });
    }
  }
  return [...found.values()].sort(
    (x, y) => x.distance - y.distance || y.df - x.df || (x.term < y.term ? -1 : 1),
  );
}
