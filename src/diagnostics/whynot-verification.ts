import type { WhyNotContext } from './whynot-context.js';
import type { Outcome } from './whynot-judge.js';
import type { WhyNotVerification } from './whynot-types.js';

/** `rank 42` / `unranked`, for sentences. @internal */
export const rankText = (r: number | null) => (r === null ? 'unranked' : `rank ${r}`);

/** Build a verification record from before/after outcomes. @internal */
export function verification(
  ctx: WhyNotContext,
  applied: Record<string, unknown>,
  after: Outcome | { cannot: string },
  what: string,
): WhyNotVerification {
  if ('cannot' in after) {
    return {
      status: 'cannot-check',
      applied,
      rankBefore: ctx.before.rank,
      rankAfter: null,
      sentence: `Cannot check: ${after.cannot}.`,
    };
  }
  const v: WhyNotVerification = {
    status: after.retrieved ? 'rescued' : 'not-rescued',
    applied,
    rankBefore: ctx.before.rank,
    rankAfter: after.rank,
    sentence: `${what}, the target moves from ${rankText(ctx.before.rank)} to ${rankText(after.rank)}${
      after.coverage !== undefined ? ` (top ${ctx.k} cover ${Math.round(after.coverage * 100)}% of it)` : ''
    }: ${after.retrieved ? 'retrieved' : 'still missed'}.`,
  };
  if (after.coverage !== undefined) v.coverageAfter = after.coverage;
  return v;
}
