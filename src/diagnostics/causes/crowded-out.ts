import { jaccard, shingles } from '../similarity.js';
import { verification } from '../whynot-context.js';
import { type CauseCheck, replayed } from './types.js';

/** Share of the smaller set's items found in the other (1 when the smaller is empty). @internal */
export function containment(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  if (small.size === 0) return 1;
  let inter = 0;
  for (const x of small) if (big.has(x)) inter++;
  return inter / small.size;
}

/**
 * Hits above the target that repeat the TEXT of higher hits (word 3-shingle Jaccard or containment; never vector
 * cosine, which mean-pooled word vectors push above any fixed threshold for unrelated texts). Verified by removing
 * the copies from the candidate lists and re-fusing / re-ranking. @internal
 */
export const crowdedOut: CauseCheck = {
  code: 'crowded-out',
  async check(ctx) {
    const { finalList, finalRank, main, k, settings } = ctx;
    if (settings.nearDuplicates === 'off') return null;
    const pos = finalRank.get(main.id)?.rank ?? Infinity;
    const above = finalList.slice(0, Math.min(pos - 1, finalList.length));
    const window = above.slice(0, Math.max(k, Math.min(above.length, k * 4)));
    const sh = window.map((c) => shingles(ctx.chunkOf(c.chunkId)?.text ?? ''));
    const redundant: Array<{
      chunkId: string;
      rank: number;
      duplicateOf: string;
      jaccard: number;
      containment: number;
    }> = [];
    for (let i = 0; i < window.length; i++) {
      for (let j = 0; j < i; j++) {
        if (sh[i]!.size === 0 || sh[j]!.size === 0) continue;
        const jac = jaccard(sh[i]!, sh[j]!);
        const con = containment(sh[i]!, sh[j]!);
        if (jac >= settings.dupJaccard || con >= settings.dupContainment) {
          redundant.push({
            chunkId: window[i]!.chunkId,
            rank: window[i]!.rank,
            duplicateOf: window[j]!.chunkId,
            jaccard: jac,
            containment: con,
          });
          break;
        }
      }
    }
    const inTopK = redundant.filter((r) => r.rank <= k);
    if (inTopK.length === 0) return null;
    const after = await ctx.counterfactual({ remove: redundant.map((r) => r.chunkId) });
    const v = verification(
      ctx,
      { removeDuplicates: redundant.map((r) => r.chunkId) },
      after,
      `Without the ${redundant.length} near-duplicate chunk(s) above it`,
    );
    const ex = inTopK[0]!;
    return {
      cause: 'crowded-out',
      stage: 'corpus',
      // Copies filling half the top k are conclusive even when removing them alone does not rescue it.
      decisive: v.status === 'rescued' || (inTopK.length >= Math.ceil(k / 2) && v.status !== 'cannot-check'),
      sentence: `${inTopK.length} of the top ${k} hits repeat the text of higher hits (e.g. rank ${ex.rank} vs ${ex.duplicateOf}: shingle Jaccard ${ex.jaccard.toFixed(2)}, containment ${ex.containment.toFixed(2)}). ${v.sentence}`,
      fix:
        v.status === 'rescued'
          ? `De-duplicate the corpus (or filter near-duplicate results) (replayed: ${replayed(v)}).`
          : 'Removing the copies alone does not retrieve it here; see the other causes.',
      evidence: { redundant, finalRank: finalRank.get(main.id)?.rank ?? null, dedupedRank: v.rankAfter },
      verification: v,
    };
  },
};
