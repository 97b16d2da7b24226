import type { BenchReport } from './types.js';

/**
 * Serialise a report as pretty-printed JSON (2-space indent, trailing newline), the format of `report.json`.
 * Non-finite metric values are written as `null`; {@link validateReport} accepts them back.
 *
 * @example
 * ```ts
 * const text = renderJson(report);
 * const again = validateReport(JSON.parse(text));
 * ```
 */
export function renderJson(report: BenchReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
