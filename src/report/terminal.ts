import Table from 'cli-table3';
import { checkInteger, invalidArgument } from '../core/errors.js';
import { sanitizeTerminal } from './escape.js';
import { tiedConfigIds } from './insights.js';
import {
  bestConfigIds,
  effectiveWarnings,
  formatMetric,
  formatMs,
  formatP,
  metricNames,
  metricValue,
  totalMs,
  wrapText,
} from './summary.js';
import { causeSection, diagnosticsSection, effectsTable, findingsSection } from './terminal-sections.js';
import type { BenchReport } from './types.js';

/**
 * Options of {@link renderTerminal}.
 *
 * @example
 * ```ts
 * const opts: TerminalOptions = { color: process.stdout.isTTY === true, metrics: ['recall@5', 'iou@5'] };
 * ```
 */
export interface TerminalOptions {
  /** Use ANSI colours (bold green for the best values, red banner for warnings). Default `false`. */
  color?: boolean;
  /** Metric columns to show, in order. Default: every metric of the report, in order of first appearance. */
  metrics?: string[];
  /** Width the warning banner wraps to, in columns (at least 40). Default `100`. */
  width?: number;
}

/** Box characters without separators between body rows (compact). */
const COMPACT_CHARS = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  dim: '\u001b[2m',
};

function banner(warnings: string[], width: number, paint: (s: string, ...codes: string[]) => string): string {
  const rule = '!'.repeat(width);
  const out = [paint(rule, ANSI.bold, ANSI.red)];
  for (const w of warnings) {
    wrapText(`WARNING: ${sanitizeTerminal(w)}`, width - 3).forEach((l) => {
      out.push(paint(`!! ${l}`, ANSI.bold, ANSI.red));
    });
  }
  out.push(paint(rule, ANSI.bold, ANSI.red));
  return out.join('\n');
}

/**
 * Render a report as plain text for a terminal: a loud banner with the warnings (at the top AND at the bottom),
 * the dataset and embedder, a table of the main metrics per configuration with the best value of each column
 * marked `*` (and bold green with `color`), chunk counts and total time, then paired comparisons, a failure count
 * and the CI gate result when present. User-derived strings are stripped of control characters and ANSI escapes.
 *
 * @example
 * ```ts
 * process.stdout.write(renderTerminal(report, { color: process.stdout.isTTY === true }));
 * ```
 */
export function renderTerminal(report: BenchReport, options: TerminalOptions = {}): string {
  const color = options.color ?? false;
  if (typeof color !== 'boolean') invalidArgument('options.color', color, 'a boolean');
  const width = checkInteger('options.width', options.width ?? 100, 40);
  const allMetrics = metricNames(report);
  const metrics = options.metrics ?? allMetrics;
  if (!Array.isArray(metrics)) invalidArgument('options.metrics', metrics, 'an array of metric names');
  for (const m of metrics) {
    if (!allMetrics.includes(m)) {
      invalidArgument(
        'options.metrics',
        m,
        `one of the report's metrics (${allMetrics.join(', ') || 'none'})`,
      );
    }
  }
  const paint = (s: string, ...codes: string[]) => (color ? `${codes.join('')}${s}${ANSI.reset}` : s);
  const t = sanitizeTerminal;
  const warnings = effectiveWarnings(report);
  const out: string[] = [];

  if (warnings.length > 0) out.push(banner(warnings, width, paint), '');
  out.push(paint(t(report.title), ANSI.bold));
  const fallback = report.embedder.fallback ? paint(' [FALLBACK]', ANSI.bold, ANSI.red) : '';
  out.push(
    `Dataset:  ${t(report.dataset.name)} (${report.dataset.documents} documents, ${report.dataset.questions} questions)`,
    `Embedder: ${t(report.embedder.id)} (${report.embedder.dimensions} dimensions)${fallback}`,
    paint(`${t(report.tool.name)} ${t(report.tool.version)}, ${t(report.createdAt)}`, ANSI.dim),
    '',
  );
  out.push(...findingsSection(report, width, color), ...causeSection(report, width, color));

  if (report.configs.length === 0) {
    out.push('No configurations were benchmarked.');
  } else {
    const best = new Map(metrics.map((m) => [m, bestConfigIds(report, m)]));
    const tied = tiedConfigIds(report);
    const table = new Table({
      head: ['Config', 'Chunks', 'Mean chars', ...metrics.map(t), 'Time'],
      colAligns: ['left', 'right', 'right', ...metrics.map(() => 'right' as const), 'right'],
      chars: COMPACT_CHARS,
      style: color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
    });
    for (const cfg of report.configs) {
      const cells = metrics.map((m) => {
        const isBest = best.get(m)?.has(cfg.id) === true;
        const text = `${formatMetric(metricValue(cfg.metrics[m]))}${isBest ? ' *' : '  '}`;
        return isBest ? paint(text, ANSI.bold, ANSI.green) : text;
      });
      table.push([
        `${t(cfg.id)}${tied.has(cfg.id) ? ' =' : ''}`,
        String(cfg.chunkStats.count),
        cfg.chunkStats.meanChars.toFixed(0),
        ...cells,
        formatMs(totalMs(cfg)),
      ]);
    }
    out.push(
      table.toString(),
      `* best in column (higher is better)${tied.size > 0 ? '; = statistically tied with the best (paired test p >= 0.05)' : ''}`,
    );
  }

  if (report.comparisons && report.comparisons.length > 0) {
    const table = new Table({
      head: ['A', 'B', 'Metric', 'Wins', 'Losses', 'Ties', 'p-value'],
      colAligns: ['left', 'left', 'left', 'right', 'right', 'right', 'right'],
      chars: COMPACT_CHARS,
      style: color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
    });
    for (const c of report.comparisons) {
      table.push([t(c.a), t(c.b), t(c.metric), c.wins, c.losses, c.ties, formatP(c.pValue)]);
    }
    out.push('', 'Paired comparisons (wins/losses of A against B per question):', table.toString());
  }

  out.push(...diagnosticsSection(report, color));
  if (!report.triage?.findings.length) {
    const effects = effectsTable(report, color);
    if (effects.length > 0) out.push('', ...effects);
  }
  if (report.failures && report.failures.length > 0) {
    const questions = new Set(report.failures.map((f) => f.questionId)).size;
    out.push(
      '',
      `Failures: ${report.failures.length} (config, question) pairs over ${questions} questions; why-not causes are in the HTML report.`,
    );
  }
  if (report.gate) {
    const status = report.gate.passed
      ? paint('PASSED', ANSI.bold, ANSI.green)
      : paint('FAILED', ANSI.bold, ANSI.red);
    out.push('', `Gate ${t(report.gate.expr)}: ${status}`);
  }
  if (warnings.length > 0) out.push('', banner(warnings, width, paint));
  return `${out.join('\n')}\n`;
}
