import { crowdedOut } from './crowded-out.js';
import { depth } from './depth.js';
import { fusion } from './fusion.js';
import { lexical } from './lexical.js';
import { notIndexed } from './not-indexed.js';
import { rerank } from './rerank.js';
import { split } from './split.js';
import { truncated } from './truncated.js';
import type { CauseCheck } from './types.js';

/**
 * Every why-not cause check, in pipeline order. A new cause is one file plus one line here (and its code in
 * `CAUSE_ORDER`). @internal
 */
export const CAUSE_CHECKS: readonly CauseCheck[] = [
  notIndexed,
  crowdedOut,
  split,
  truncated,
  depth,
  lexical,
  fusion,
  rerank,
];
