import { findStage } from '../../search/stage-params.js';
import type { ReplayParams } from '../replay.js';
import { replay } from '../replay.js';
import { rankText, verification } from '../whynot-context.js';
import { type CauseCheck, fmt } from './types.js';

const WEIGHTS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

function describe(p: ReplayParams): string {
  const w = p.weights ? `, BM25 weight ${p.weights.bm25}, vector weight ${p.weights.vector}` : '';
  return `${p.method}${p.method === 'rrf' ? ` (k ${p.rrfK})` : ` (${p.normalization})`}${w}`;
}

/**
 * Fusion buried a chunk a list ranked well. Verified by replaying the trace's lists through the real fusion code
 * over a grid of methods, normalisations and weights (the recorded re-ranker order kept). The fix is the rescuing
 * setting closest to the recorded one; a setting whose top k equals one list's own top k is reported as what it is:
 * dropping the other list. @internal
 */
export const fusion: CauseCheck = {
  code: 'lost-in-fusion',
  async check(ctx) {
    const { hasFusion, finalRank, main, trace, k } = ctx;
    const mainFinal = finalRank.get(main.id);
    if (!hasFusion || !mainFinal) return null;
    const stage = findStage(trace.stages, 'fusion')!;
    // The replay grid weighs the built-in bm25 and vector lists; other retrievers' lists are not replayed yet.
    const lists = trace.stages.map((s) => s.stage).filter((n) => n !== 'fusion' && n !== 'rerank');
    const others = lists.filter((n) => n !== 'bm25' && n !== 'vector');
    if (others.length > 0) {
      ctx.cannotCheck.push({
        cause: 'lost-in-fusion',
        missing: `a fusion replay over the lists ${lists.map((n) => `"${n}"`).join(', ')}: the replay grid covers the built-in bm25 and vector lists only`,
      });
      return null;
    }
    const rec = stage.params;
    const recW = rec.weights?.bm25 ?? 1;
    const recV = rec.weights?.vector ?? 1;
    const recShare = recW / Math.max(1e-9, recW + recV);
    const settings: ReplayParams[] = [];
    for (const w of WEIGHTS) {
      const weights = { bm25: w, vector: Number((1 - w).toFixed(2)) };
      for (const rrfK of [1, 10, 30, 60, 100]) settings.push({ method: 'rrf', rrfK, weights });
      for (const normalization of ['minmax', 'zscore', 'none'] as const) {
        settings.push({ method: 'weighted', normalization, weights });
        settings.push({ method: 'combmnz', normalization, weights });
      }
    }
    const topOf = (p: ReplayParams) =>
      replay(trace, { ...p, rerank: false })
        .hits.map((h) => h.chunkId)
        .join('\n');
    const onlyBm25 = topOf({ method: 'weighted', normalization: 'minmax', weights: { bm25: 1, vector: 0 } });
    const onlyVec = topOf({ method: 'weighted', normalization: 'minmax', weights: { bm25: 0, vector: 1 } });
    const rows = settings.map((p) => {
      const o = ctx.replayWith(p);
      const top = topOf(p);
      const drops = top === onlyBm25 ? 'vector' : top === onlyVec ? 'bm25' : null;
      const share = p.weights!.bm25! / (p.weights!.bm25! + p.weights!.vector!);
      const distance = Math.abs(share - recShare) + (p.method === rec.method ? 0 : 0.5) + (drops ? 2 : 0);
      return { params: p, outcome: o, drops, distance };
    });
    const rescuing = rows
      .filter((r) => r.outcome.retrieved)
      .sort((a, b) => a.distance - b.distance || (a.outcome.rank ?? 1e9) - (b.outcome.rank ?? 1e9));
    const listRanks = mainFinal.contributions.map((c) => ({
      list: c.list,
      rank: c.rank,
      contribution: c.contribution,
    }));
    // With a re-ranker the replay only knows the scores it recorded: confirm by searching again with the setting
    // (the re-ranker re-scores what the new fusion puts in its window).
    let best = rescuing[0];
    if (ctx.hasRerank && best) {
      best = undefined;
      for (const r of rescuing.slice(0, 5)) {
        const { method, rrfK, normalization, weights } = r.params;
        const real = await ctx.searchWith({ fusion: { method, rrfK, normalization, weights } });
        if (real.retrieved) {
          best = { ...r, outcome: real };
          break;
        }
      }
    }
    const bestList = [...listRanks].filter((l) => l.rank !== null).sort((a, b) => a.rank! - b.rank!)[0];
    if (!best && !(bestList && bestList.rank! <= k && mainFinal.fusedRank > k)) return null;
    const applied = best ? (best.params as Record<string, unknown>) : {};
    const v = best
      ? verification(ctx, applied, best.outcome, `With fusion ${describe(best.params)}`)
      : verification(
          ctx,
          {},
          { retrieved: false, rank: ctx.before.rank },
          `With any of ${rows.length} fusion settings tried`,
        );
    if (best) v.othersLost = await ctx.othersLost({ replay: best.params });
    const dropNote = best?.drops
      ? ` This amounts to dropping the ${best.drops} list: the top ${k} equal the ${best.drops === 'vector' ? 'BM25' : 'vector'} list's own.`
      : '';
    return {
      cause: 'lost-in-fusion',
      stage: 'fusion',
      decisive: best !== undefined,
      sentence: `${bestList ? `${bestList.list === 'bm25' ? 'BM25' : 'The vector search'} ranked it ${bestList.rank}, but ` : ''}fusion (${String(rec.method ?? '')}) put it at ${mainFinal.fusedRank} (fused score ${fmt(mainFinal.fusedScore, 5)}). ${best ? `${rescuing.length} of ${rows.length} fusion settings replayed retrieve it. ${v.sentence}${dropNote}` : `None of ${rows.length} fusion settings replayed retrieves it.`}`,
      fix: best
        ? `Change fusion to ${describe(best.params)}: the target moves from ${rankText(v.rankBefore)} to ${rankText(v.rankAfter)}${v.othersLost ? `; ${v.othersLost.lost} of ${v.othersLost.checked} other questions lose their gold` : ''}.${dropNote}`
        : 'No fusion setting retrieves it; fusion is not the problem.',
      evidence: {
        lists: listRanks,
        fusedRank: mainFinal.fusedRank,
        fusedScore: mainFinal.fusedScore,
        retrievingSettings: rescuing
          .slice(0, 5)
          .map((r) => ({ params: r.params, rank: r.outcome.rank, drops: r.drops })),
        tried: rows.length,
      },
      verification: v,
    };
  },
};
