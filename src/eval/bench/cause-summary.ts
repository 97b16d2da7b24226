import type { CauseCount, CauseSummary, FailureRecord } from '../../report/types.js';

function mostFrequent(values: readonly string[]): string {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  let best = '';
  let n = 0;
  for (const [v, c] of m) if (c > n) [best, n] = [v, c];
  return best;
}

/**
 * Group diagnosed failures by first why-not cause: counts, how many the cause's fix rescues (decisive causes), the
 * most frequent fix text, and the cause whose fix rescued the most.
 * @internal
 */
export function summarizeCauses(
  records: readonly FailureRecord[],
  failures: number,
  ms: number,
): CauseSummary {
  const groups = new Map<
    string,
    { count: number; decisive: number; fixes: string[]; decisiveFixes: string[] }
  >();
  let withCause = 0;
  for (const r of records) {
    const first = r.causes[0];
    if (!first) continue;
    withCause++;
    let g = groups.get(first.cause);
    if (!g) {
      g = { count: 0, decisive: 0, fixes: [], decisiveFixes: [] };
      groups.set(first.cause, g);
    }
    g.count++;
    g.fixes.push(first.fix);
    if (first.decisive === true) {
      g.decisive++;
      g.decisiveFixes.push(first.fix);
    }
  }
  const byCause: CauseCount[] = [...groups.entries()]
    .map(([cause, g]) => ({
      cause,
      count: g.count,
      decisive: g.decisive,
      fix: mostFrequent(g.decisiveFixes.length > 0 ? g.decisiveFixes : g.fixes),
    }))
    .sort((a, b) => b.count - a.count || b.decisive - a.decisive || (a.cause < b.cause ? -1 : 1));
  const summary: CauseSummary = {
    failures,
    diagnosed: records.length,
    withCause,
    ms: Math.round(ms),
    byCause,
  };
  const top = [...byCause].sort((a, b) => b.decisive - a.decisive)[0];
  if (top && top.decisive > 0) summary.topFix = { cause: top.cause, fix: top.fix, rescued: top.decisive };
  return summary;
}
