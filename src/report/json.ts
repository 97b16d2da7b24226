import type { BenchReport } from './types.js';

/** Keys written first, so `report.json` opens with what to read first (the findings). */
const LEAD_KEYS = [
  'version',
  'title',
  'createdAt',
  'tool',
  'warnings',
  'triage',
  'causeSummary',
  'tiedWithBest',
];

/**
 * Serialise a report as pretty-printed JSON (2-space indent, trailing newline), the format of `report.json`.
 * Non-finite metric values are written as `null`; {@link validateReport} accepts them back. The file opens with the
 * warnings, the corpus-level triage, the failure-cause summary and the ties with the best configuration.
 *
 * @example
 * ```ts
 * const text = renderJson(report);
 * const again = validateReport(JSON.parse(text));
 * ```
 */
export function renderJson(report: BenchReport): string {
  const ordered: Record<string, unknown> = {};
  for (const key of LEAD_KEYS)
    if (key in report) ordered[key] = (report as unknown as Record<string, unknown>)[key];
  Object.assign(ordered, report);
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
