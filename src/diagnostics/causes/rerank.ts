import { verification } from '../whynot-context.js';
import { type CauseCheck, fmt } from './types.js';

/** The re-ranker moved it out of the top k. Verified exactly by replaying the trace without re-ranking. @internal */
export const rerank: CauseCheck = {
  code: 'demoted-by-reranker',
  async check(ctx) {
    const { hasRerank, finalRank, finalList, main, k } = ctx;
    const mainFinal = finalRank.get(main.id);
    if (!hasRerank || !mainFinal) return null;
    const after = ctx.replayWith({ rerank: false });
    if (!after.retrieved) return null;
    const v = verification(ctx, { rerank: false }, after, 'Without the re-ranker');
    v.othersLost = await ctx.othersLost({ replay: { rerank: false } });
    const kthScore = finalList[k - 1]?.rerankScore ?? null;
    return {
      cause: 'demoted-by-reranker',
      stage: 'rerank',
      decisive: true,
      sentence: `It was at rank ${mainFinal.fusedRank} before re-ranking and the re-ranker moved it to ${mainFinal.rank} (score ${mainFinal.rerankScore === null ? 'n/a' : fmt(mainFinal.rerankScore, 4)} vs ${kthScore === null ? 'n/a' : fmt(kthScore, 4)} at rank ${k}). ${v.sentence}`,
      fix: `Try another re-ranker or compare with re-ranking off: ${v.sentence}${v.othersLost ? ` ${v.othersLost.lost} of ${v.othersLost.checked} other questions lose their gold without it.` : ''}`,
      evidence: {
        rankBefore: mainFinal.fusedRank,
        rankAfter: mainFinal.rank,
        score: mainFinal.rerankScore,
        kthScore,
      },
      verification: v,
    };
  },
};
