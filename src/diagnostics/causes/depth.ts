import { rankText, verification } from '../whynot-context.js';
import { type CauseCheck, fmt } from './types.js';

/**
 * The chunk ranks below a list's candidate depth. Verified by searching again (real search code, same query
 * vector) with each short list deepened just enough to include it; the fix names the depth that rescued. @internal
 */
export const depth: CauseCheck = {
  code: 'below-candidate-depth',
  async check(ctx) {
    const { main, depth: d, bm25Rank, vecRank, fullBm25, fullVec } = ctx;
    const below: Array<{
      list: 'bm25' | 'vector';
      rank: number;
      score: number;
      depth: number;
      lastKeptScore: number | null;
      size: number;
    }> = [];
    const b = bm25Rank.get(main.id);
    const vr = vecRank.get(main.id);
    if (d.bm25 !== null && fullBm25 && b && b.rank > d.bm25) {
      below.push({
        list: 'bm25',
        rank: b.rank,
        score: b.score,
        depth: d.bm25,
        lastKeptScore: fullBm25[d.bm25 - 1]?.score ?? null,
        size: ctx.pipeline.bm25?.size ?? fullBm25.length,
      });
    }
    if (d.vector !== null && fullVec && vr && vr.rank > d.vector) {
      below.push({
        list: 'vector',
        rank: vr.rank,
        score: vr.score,
        depth: d.vector,
        lastKeptScore: fullVec[d.vector - 1]?.score ?? null,
        size: ctx.pipeline.vectorIndex?.size ?? fullVec.length,
      });
    }
    if (below.length === 0) {
      if ((d.bm25 !== null && !fullBm25) || (d.vector !== null && !fullVec)) {
        ctx.cannotCheck.push({
          cause: 'below-candidate-depth',
          missing:
            'the whole-index rank of the chunk (the pipeline exposes no index to score it beyond the recorded depth)',
        });
      }
      return null;
    }
    const newDepth: Record<string, number> = {};
    if (d.bm25 !== null) newDepth.bm25 = d.bm25;
    if (d.vector !== null) newDepth.vector = d.vector;
    for (const x of below) newDepth[x.list] = x.rank;
    const after = await ctx.searchWith({ depth: newDepth });
    const what = below
      .map(
        (x) =>
          `${x.list === 'bm25' ? 'BM25' : 'vector'} depth ${x.rank} (${fmt((100 * x.rank) / Math.max(1, x.size), 0)}% of the ${x.size} chunks)`,
      )
      .join(' and ');
    const v = verification(ctx, { depth: newDepth }, after, `With ${what}`);
    if (v.status === 'rescued') v.othersLost = await ctx.othersLost({ search: { depth: newDepth } });
    return {
      cause: 'below-candidate-depth',
      stage: below[0]!.list,
      decisive: v.status === 'rescued',
      sentence: `${below
        .map(
          (x) =>
            `${x.list === 'bm25' ? 'BM25' : 'The vector search'} ranks it ${x.rank} (score ${fmt(x.score, 4)}) but only the top ${x.depth} candidates are kept (last kept score ${x.lastKeptScore === null ? 'n/a' : fmt(x.lastKeptScore, 4)})`,
        )
        .join('; ')}. ${v.sentence}`,
      fix:
        v.status === 'rescued'
          ? `Raise ${what.replace(/ \(.*?\)/g, '')}: the target moves from ${rankText(v.rankBefore)} to ${rankText(v.rankAfter)}${v.othersLost ? `; ${v.othersLost.lost} of ${v.othersLost.checked} other questions lose their gold` : ''}.`
          : `Deeper candidate lists do not retrieve it (with ${what} it is at ${rankText(after.rank)}); the depth is not the problem.`,
      evidence: { lists: below, counterfactualRank: after.rank, counterfactualDepth: newDepth },
      verification: v,
    };
  },
};
