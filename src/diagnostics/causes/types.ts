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
