import { verification, type WhyNotContext } from '../whynot-context.js';
import { type CauseCheck, fmt, replayed } from './types.js';

interface Bm25Full {
  explain?: (q: string, id: string) => { terms: Array<{ analyzed: string; idf: number }> };
  similarTerms?: (t: string, o: { maxEdits?: number; prefix?: boolean }) => Array<{ term: string }>;
}

/** The index's own idf of an analysed term (from `explain` on a chunk holding it), or null. */
function idfOf(ctx: WhyNotContext, analyzed: string): number | null {
  const bm25 = ctx.pipeline.bm25!;
  const full = bm25 as unknown as Bm25Full;
  if (typeof full.explain !== 'function') return null;
  const [holder] = bm25.search(analyzed, 1);
  if (!holder) return null;
  return full.explain(analyzed, holder.id).terms.find((t) => t.analyzed === analyzed)?.idf ?? null;
}

/**
 * The query's analysed terms barely occur in the chunk. The share uses the index's own idf (`explain`); near forms
 * (another inflection or stem) come from `Bm25Index.similarTerms`, kept when they occur in the chunk. Verified by
 * expanding the query with the chunk's forms of the unmatched terms (a real search with the expanded query), or,
 * when the chunk has no such form, by adding the missing query words to the chunk (document expansion) and
 * re-scoring. @internal
 */
export const lexical: CauseCheck = {
  code: 'lexical-mismatch',
  async check(ctx) {
    const { pipeline, main, query, ranBm25, ranVector, settings } = ctx;
    const bm25 = pipeline.bm25 ?? null;
    if (!ranBm25 || !bm25?.has(main.id)) return null;
    const terms = bm25.analyzer.analyzeTerms(query);
    const chunkTerms = bm25.termsOf(main.id);
    const stopWorded = terms.filter((t) => t.analyzed === null).map((t) => t.term);
    const content = terms.filter((t): t is { term: string; analyzed: string } => t.analyzed !== null);
    const seen = new Set<string>();
    let total = 0;
    let matchedMass = 0;
    const matched: Array<{ term: string; analyzed: string }> = [];
    const unmatched: Array<{
      term: string;
      analyzed: string;
      nearForms: Array<{ word: string; analyzed: string }>;
    }> = [];
    const chunkWords = new Map<string, string>();
    for (const w of main.text.match(/[\p{L}\p{N}]+/gu) ?? []) {
      const a = bm25.analyzer.term(w);
      if (a && !chunkWords.has(a)) chunkWords.set(a, w.toLowerCase());
    }
    const similar = (bm25 as unknown as Bm25Full).similarTerms;
    for (const t of content) {
      if (seen.has(t.analyzed)) continue;
      seen.add(t.analyzed);
      const w = idfOf(ctx, t.analyzed) ?? 1;
      total += w;
      if (chunkTerms.has(t.analyzed)) {
        matchedMass += w;
        matched.push(t);
        continue;
      }
      const near: Array<{ word: string; analyzed: string }> = [];
      const cands =
        typeof similar === 'function'
          ? similar.call(bm25, t.analyzed, {
              maxEdits: t.analyzed.length >= 6 ? 2 : 1,
              prefix: t.analyzed.length >= 4,
            })
          : [];
      for (const c of cands)
        if (chunkTerms.has(c.term) && c.term !== t.analyzed)
          near.push({ word: chunkWords.get(c.term) ?? c.term, analyzed: c.term });
      unmatched.push({ ...t, nearForms: near.slice(0, 3) });
    }
    const share = total > 0 ? matchedMass / total : 0;
    // Every query with an unmatched term is replayed; a share at or above lexicalShare is reported only when the
    // lexical fix rescues.
    if (unmatched.length === 0) return null;
    const forms = unmatched.flatMap((u) => u.nearForms.map((f) => f.word));
    let v: ReturnType<typeof verification> | null = null;
    let fixText = '';
    if (forms.length > 0) {
      const expanded = `${query} ${forms.join(' ')}`;
      const after = await ctx.searchWith({}, expanded);
      v = verification(
        ctx,
        { query: expanded },
        after,
        `With the document's forms (${forms.join(', ')}) added to the query`,
      );
      fixText = `Expand the query with the document's forms (${forms.join(', ')}) or use an analyzer that conflates them`;
    }
    if (v?.status !== 'rescued') {
      const words = unmatched.map((u) => u.term);
      const after = await ctx.counterfactual({
        remove: [main.id],
        add: {
          id: `${main.id}#whynot-expanded`,
          docId: main.docId,
          start: main.start,
          end: main.end,
          text: `${main.text} ${words.join(' ')}`,
        },
      });
      const v2 = verification(
        ctx,
        { documentExpansion: { chunkId: main.id, add: words } },
        after,
        `With the query's missing words (${words.join(', ')}) added to the chunk`,
      );
      if (!v || v2.status === 'rescued' || v.status === 'cannot-check') {
        v = v2;
        fixText = `The chunk says it in other words: expand the document (doc2query-style) or the query with synonyms of ${words.join(', ')}${ranVector ? '' : ', or add a dense retriever (hybrid search)'}`;
      }
    }
    if (v.status !== 'rescued' && share >= settings.lexicalShare) return null;
    const zero = matched.length === 0 && content.length > 0;
    const stem = unmatched.filter((u) => u.nearForms.length > 0);
    const parts: string[] = [];
    if (content.length === 0) parts.push('every query word is a stop word');
    else if (zero)
      parts.push(
        `none of the query's terms (${content.map((t) => `${t.term}→${t.analyzed}`).join(', ')}) occur in the chunk`,
      );
    else
      parts.push(
        `only ${matched.map((t) => t.analyzed).join(', ')} match (${fmt(share * 100, 0)}% of the query's idf weight)`,
      );
    if (stopWorded.length) parts.push(`stop-worded away: ${stopWorded.join(', ')}`);
    if (stem.length) {
      parts.push(
        `stemming differences: ${stem.map((u) => `${u.term}→${u.analyzed} vs ${u.nearForms.map((f) => `${f.word}→${f.analyzed}`).join('/')}`).join('; ')}`,
      );
    }
    return {
      cause: 'lexical-mismatch',
      stage: 'bm25',
      // Zero overlap is conclusive even when no single replayed fix rescues it (ranked after rescued causes).
      decisive: v.status === 'rescued' || (zero && v.status !== 'cannot-check'),
      sentence: `Lexical mismatch: ${parts.join('; ')}. ${v.sentence}`,
      fix:
        v.status === 'rescued'
          ? `${fixText} (replayed: ${replayed(v)}).`
          : `${fixText} (alone, this does not retrieve it here).`,
      evidence: {
        chunkId: main.id,
        matchedShare: share,
        matched,
        unmatched,
        stopWorded,
        bm25Rank: ctx.bm25Rank.get(main.id)?.rank ?? null,
      },
      verification: v,
    };
  },
};
