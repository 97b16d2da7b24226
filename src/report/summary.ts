/**
 * Derived views of a {@link BenchReport} shared by the renderers: metric columns, best values, wins and losses.
 * @packageDocumentation
 */
import { invalidArgument } from '../core/errors.js';
import type { BenchReport, ChunkStats, Comparison, ConfigResult } from './types.js';

/**
 * A metric value as stored (number, NaN, or `null` after a JSON round trip) read as a number (NaN if absent).
 *
 * @example
 * ```ts
 * metricValue(0.75); // 0.75
 * metricValue(null); // NaN (a NaN metric after a JSON round trip)
 * metricValue(cfg.metrics['recall@5']); // NaN when the config has no recall@5
 * ```
 */
export function metricValue(value: number | null | undefined): number {
  return typeof value === 'number' ? value : Number.NaN;
}

/**
 * Every metric name that appears in any configuration, in order of first appearance.
 *
 * @example
 * ```ts
 * metricNames(report); // ['recall@5', 'precision@5', 'iou@5']
 * ```
 */
export function metricNames(report: BenchReport): string[] {
  const names = new Set<string>();
  for (const cfg of report.configs) for (const name of Object.keys(cfg.metrics)) names.add(name);
  return [...names];
}

/**
 * The metric used for rankings, wins and losses: `requested` if given (it must appear in the report), else the
 * first metric of the report; `undefined` when the report has no metrics at all.
 *
 * @example
 * ```ts
 * primaryMetric(report); // 'recall@5'
 * primaryMetric(report, 'iou@5'); // 'iou@5'
 * ```
 */
export function primaryMetric(report: BenchReport, requested?: string): string | undefined {
  const names = metricNames(report);
  if (requested !== undefined) {
    if (!names.includes(requested)) {
      invalidArgument(
        'primaryMetric',
        requested,
        `one of the report's metrics (${names.join(', ') || 'none'})`,
      );
    }
    return requested;
  }
  return names[0];
}

/**
 * Ids of the configurations with the highest finite value of `metric` (several when tied; none when no
 * configuration has a finite value). All metrics are "higher is better".
 *
 * @example
 * ```ts
 * bestConfigIds(report, 'recall@5'); // Set { 'recursive:400/0 + hybrid' }
 * ```
 */
export function bestConfigIds(report: BenchReport, metric: string): Set<string> {
  let best = Number.NEGATIVE_INFINITY;
  for (const cfg of report.configs) {
    const v = metricValue(cfg.metrics[metric]);
    if (Number.isFinite(v) && v > best) best = v;
  }
  const ids = new Set<string>();
  if (best === Number.NEGATIVE_INFINITY) return ids;
  for (const cfg of report.configs) if (metricValue(cfg.metrics[metric]) === best) ids.add(cfg.id);
  return ids;
}

/**
 * Per-query comparison of configuration `a` against `b` on one metric.
 *
 * @example
 * ```ts
 * const pair: PairResult = comparePair(report, 'fixed:200/0 + hybrid', 'fixed:200/0 + bm25', 'recall@5');
 * pair.wins - pair.losses; // net questions where hybrid beat bm25
 * pair.deltas.filter((d) => d.delta < 0).map((d) => d.question); // questions hybrid did worse on
 * ```
 */
export interface PairResult extends Omit<Comparison, 'pValue'> {
  /** `a - b` per question, for questions where both have a finite score, in `perQuery` order. */
  deltas: Array<{ questionId: string; question: string; delta: number }>;
}

/**
 * Count per-query wins, losses and ties of `a` against `b` on `metric` from `report.perQuery`. Questions where
 * either score is missing or not finite are left out. Throws `INVALID_ARGUMENT` for an unknown config id.
 *
 * @example
 * ```ts
 * const { wins, losses, ties } = comparePair(report, 'fixed:200/0 + hybrid', 'fixed:200/0 + bm25', 'recall@5');
 * ```
 */
export function comparePair(report: BenchReport, a: string, b: string, metric: string): PairResult {
  const ids = new Set(report.configs.map((c) => c.id));
  if (!ids.has(a)) invalidArgument('compare[0]', a, 'the id of a configuration in the report');
  if (!ids.has(b)) invalidArgument('compare[1]', b, 'the id of a configuration in the report');
  const result: PairResult = { a, b, metric, wins: 0, losses: 0, ties: 0, deltas: [] };
  for (const q of report.perQuery) {
    const va = metricValue(q.scores[a]?.[metric]);
    const vb = metricValue(q.scores[b]?.[metric]);
    if (!Number.isFinite(va) || !Number.isFinite(vb)) continue;
    const delta = va - vb;
    if (delta > 0) result.wins++;
    else if (delta < 0) result.losses++;
    else result.ties++;
    result.deltas.push({ questionId: q.questionId, question: q.question, delta });
  }
  return result;
}

/**
 * The configuration with the best mean `metric` (the first one in report order when tied), or `undefined`.
 *
 * @example
 * ```ts
 * bestConfig(report, 'recall@5')?.id; // 'recursive:400/0 + hybrid'
 * ```
 */
export function bestConfig(report: BenchReport, metric: string): ConfigResult | undefined {
  const ids = bestConfigIds(report, metric);
  return report.configs.find((c) => ids.has(c.id));
}

/**
 * The distinct chunker specs of the report, in order, each with the chunk statistics of its first configuration
 * (the chunks do not depend on the retriever).
 *
 * @example
 * ```ts
 * distinctChunkers(report).map((c) => c.chunker); // ['recursive:400/0', 'fixed:200/0']
 * ```
 */
export function distinctChunkers(report: BenchReport): Array<{ chunker: string; stats: ChunkStats }> {
  const seen = new Map<string, ChunkStats>();
  for (const cfg of report.configs) if (!seen.has(cfg.chunker)) seen.set(cfg.chunker, cfg.chunkStats);
  return [...seen].map(([chunker, stats]) => ({ chunker, stats }));
}

/**
 * The report's warnings, plus an automatic `EMBEDDER FALLBACK` warning when `embedder.fallback` is true and no
 * warning already mentions the fallback, so a fallback embedder is never shown silently.
 *
 * @example
 * ```ts
 * effectiveWarnings({ ...report, warnings: [], embedder: { id: 'hashing:256', dimensions: 256, fallback: true } });
 * // ['EMBEDDER FALLBACK: results use the fallback embedder hashing:256, not the requested one']
 * ```
 */
export function effectiveWarnings(report: BenchReport): string[] {
  const warnings = [...report.warnings];
  if (report.embedder.fallback && !warnings.some((w) => /fallback/i.test(w))) {
    warnings.unshift(
      `EMBEDDER FALLBACK: results use the fallback embedder ${report.embedder.id}, not the requested one`,
    );
  }
  return warnings;
}

/**
 * Format a metric value with 3 decimals, or `n/a` when it is not finite.
 *
 * @example
 * ```ts
 * formatMetric(0.83333); // '0.833'
 * formatMetric(Number.NaN); // 'n/a'
 * formatMetric(null); // 'n/a'
 * ```
 */
export function formatMetric(value: number | null | undefined): string {
  const v = metricValue(value);
  return Number.isFinite(v) ? v.toFixed(3) : 'n/a';
}

/**
 * Format milliseconds for display: `0.4 ms`, `12 ms`, `3.20 s`.
 *
 * @example
 * ```ts
 * formatMs(0.42); // '0.4 ms'
 * formatMs(12.3); // '12 ms'
 * formatMs(3200); // '3.20 s'
 * ```
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * Format a p-value: `<0.001` or three decimals.
 *
 * @example
 * ```ts
 * formatP(0.0004); // '<0.001'
 * formatP(0.04567); // '0.046'
 * ```
 */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/**
 * Total time of a configuration over all stages, in ms.
 *
 * @example
 * ```ts
 * totalMs(cfg); // cfg.timings.chunkMs + embedMs + indexMs + searchMs, e.g. 12.5 + 310 + 4.1 + 22 = 348.6
 * ```
 */
export function totalMs(cfg: ConfigResult): number {
  const t = cfg.timings;
  return t.chunkMs + t.embedMs + t.indexMs + t.searchMs;
}

/**
 * Greedy word wrap: lines of at most `width` characters, breaking at spaces; a word longer than `width` is cut.
 * Joining the lines with single spaces gives back the text (less repeated spaces) when no word was cut.
 * @internal
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let w = word;
    while (w.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!w) continue;
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line) lines.push(line);
  return lines;
}
