import type { SearchTrace } from '../search/types.js';
import { replay } from './replay.js';
import type { WhyNotContext } from './whynot-context.js';
import { judge, listOf, type TargetJudge, toChunkLike } from './whynot-judge.js';
import type { Resolved } from './whynot-target.js';
import type { WhyNotVerification } from './whynot-types.js';

/** A setting applied to every query: a replay of each trace with other parameters, or a real re-search. @internal */
export type OtherSetting = { replay: Parameters<typeof replay>[1] } | { search: Record<string, unknown> };

interface OtherBase {
  id: string;
  judge: TargetJudge;
  query: string;
  trace: SearchTrace;
  before: boolean;
}

/** The outcomes of the other questions under the recorded settings, cached per pipeline and question list. */
const otherCache = new WeakMap<object, WeakMap<object, OtherBase[]>>();

/** Search each other question once with the recorded settings and judge it (cached per pipeline and list). */
async function otherBase(
  ctx: WhyNotContext,
  others: NonNullable<WhyNotContext['options']['otherQuestions']>,
  resolveOther: (expected: unknown) => Promise<Resolved>,
): Promise<OtherBase[]> {
  const { pipeline, k, minCoverage } = ctx;
  const searchOptions = ctx.options.searchOptions ?? {};
  let byList = otherCache.get(pipeline);
  if (!byList) {
    byList = new WeakMap();
    otherCache.set(pipeline, byList);
  }
  let base = byList.get(others);
  if (!base) {
    base = [];
    for (const [i, o] of others.entries()) {
      const r = await resolveOther(o.expected);
      if (r.missing || r.relevant.length === 0) continue;
      const oj: TargetJudge = {
        target: r.target,
        relevantIds: new Set(r.relevant.map((c) => c.id)),
        k,
        minCoverage,
      };
      const res = await pipeline.search(o.query, { ...searchOptions, k });
      const ok = judge(
        oj,
        res.hits.map((h) => toChunkLike(h.chunk)),
      ).retrieved;
      base.push({ id: o.id ?? String(i), judge: oj, query: o.query, trace: res.trace, before: ok });
    }
    byList.set(others, base);
  }
  return base;
}

/** Other questions (`options.otherQuestions`) that lose their gold under a setting applied to every query. @internal */
export async function othersLost(
  ctx: WhyNotContext,
  apply: OtherSetting,
  resolveOther: (expected: unknown) => Promise<Resolved>,
): Promise<WhyNotVerification['othersLost']> {
  const others = ctx.options.otherQuestions;
  if (!others || others.length === 0) return undefined;
  const { pipeline, k, query } = ctx;
  const searchOptions = ctx.options.searchOptions ?? {};
  const base = await otherBase(ctx, others, resolveOther);
  const lost: string[] = [];
  for (const o of base) {
    if (!o.before || o.query === query) continue;
    let after: boolean;
    if ('replay' in apply) {
      after = judge(
        o.judge,
        listOf(
          ctx.chunkOf,
          replay(o.trace, apply.replay).candidates.map((c) => c.chunkId),
        ),
      ).retrieved;
    } else {
      const r = await pipeline.search(o.query, { ...searchOptions, ...apply.search, k });
      after = judge(
        o.judge,
        r.hits.map((h) => toChunkLike(h.chunk)),
      ).retrieved;
    }
    if (!after) lost.push(o.id);
  }
  return { checked: base.length, lost: lost.length, ids: lost.slice(0, 20) };
}
