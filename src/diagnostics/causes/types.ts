import type { WhyNotContext } from '../whynot-context.js';
import type { CauseCode, WhyNotCause } from '../whynot-types.js';

/**
 * One why-not cause: a check over the shared context that returns the cause (with its evidence, fix and, where the
 * fix can be replayed, its verification) or null when it does not apply. @internal
 */
export interface CauseCheck {
  code: CauseCode;
  check(ctx: WhyNotContext): Promise<WhyNotCause | null>;
}

/** Format a number for sentences. @internal */
export const fmt = (n: number, d = 3) => (Number.isInteger(n) ? String(n) : n.toFixed(d));

/** `rank 14 → rank 1`, the measured effect of a replayed fix, for fix texts. @internal */
export const replayed = (v: { rankBefore: number | null; rankAfter: number | null }) =>
  `${v.rankBefore === null ? 'unranked' : `rank ${v.rankBefore}`} → ${v.rankAfter === null ? 'unranked' : `rank ${v.rankAfter}`}`;
