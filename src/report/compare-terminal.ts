import Table from 'cli-table3';
import type { CompareReport } from '../eval/compare/types.js';
import { sanitizeTerminal as t } from './escape.js';
import { formatMetric, formatP, wrapText } from './summary.js';
import type { HitRef } from './types.js';

const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(3)}` : 'n/a');
const hit = (h: HitRef & { rank?: number }) =>
  `${t(h.docId)}[${h.start},${h.end})${h.rank ? ` #${h.rank}` : ''}`;

/**
 * Options of {@link renderCompareTerminal}.
 *
 * @example
 * ```ts
 * renderCompareTerminal(result, { questions: 5, width: 120 });
 * ```
 */
export interface CompareTerminalOptions {
  /** Lost and won questions listed per configuration. Default 5 of each. */
  questions?: number;
  /** Width the warnings wrap to. Default 100. */
  width?: number;
}

/**
 * Render a comparison as plain text: warnings, one table of baseline / candidate / delta / wins / losses / p / Holm p
 * per configuration and metric (significant deltas marked `*`), then per configuration the most-lost and most-won
 * questions with the chunks that moved in and out of the top k. User-derived text is stripped of control characters.
 *
 * @example
 * ```ts
 * process.stdout.write(renderCompareTerminal(compareRuns(baseline, candidate)));
 * ```
 */
export function renderCompareTerminal(result: CompareReport, options: CompareTerminalOptions = {}): string {
  const perSide = options.questions ?? 5;
  const width = options.width ?? 100;
  const out: string[] = [];
  for (const w of result.warnings) {
    out.push(...wrapText(`WARNING: ${t(w)}`, width - 3).map((l) => `!! ${l}`));
  }
  if (result.warnings.length > 0) out.push('');
  out.push(
    `Baseline:  ${t(result.baseline.file ?? result.baseline.title)} (${t(result.baseline.createdAt)})`,
    `Candidate: ${t(result.candidate.file ?? result.candidate.title)} (${t(result.candidate.createdAt)})`,
    `Questions compared: ${result.questions.compared}` +
      (result.questions.baselineOnly + result.questions.candidateOnly > 0
        ? ` (${result.questions.baselineOnly} only in baseline, ${result.questions.candidateOnly} only in candidate)`
        : ''),
    '',
  );
  const table = new Table({
    head: ['Config (baseline -> candidate)', 'Metric', 'Base', 'Cand', 'Delta', 'W', 'L', 'p', 'Holm p'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    chars: COMPACT,
    style: { head: [], border: [] },
  });
  for (const c of result.configs) {
    const name = c.baseline === c.candidate ? t(c.candidate) : `${t(c.baseline)} -> ${t(c.candidate)}`;
    for (const m of result.metrics) {
      const d = c.metrics[m];
      if (!d) continue;
      table.push([
        m === result.primaryMetric ? name : '',
        t(m),
        formatMetric(d.baseline),
        formatMetric(d.candidate),
        `${signed(d.delta)}${d.significant ? ' *' : '  '}`,
        d.wins,
        d.losses,
        formatP(d.pValue),
        formatP(d.adjustedP),
      ]);
    }
  }
  out.push(
    table.toString(),
    `* significant at alpha = ${result.alpha} after Holm's correction (per metric, over ${result.configs.length} configuration pair(s))`,
  );
  for (const c of result.configs) {
    const lost = c.questions.filter((q) => q.outcome === 'lost').slice(0, perSide);
    const won = c.questions.filter((q) => q.outcome === 'won').slice(0, perSide);
    if (lost.length + won.length === 0) continue;
    out.push('', `${t(c.candidate)}: ${c.lost} questions lost, ${c.won} won on ${t(result.primaryMetric)}`);
    for (const q of [...lost, ...won]) {
      out.push(
        `  ${q.outcome === 'lost' ? '-' : '+'} ${t(q.questionId)} ${signed(q.deltas[result.primaryMetric] ?? 0)}  ${wrapText(t(q.question), 80)[0] ?? ''}`,
      );
      if (q.movedOut.length > 0) out.push(`      out: ${q.movedOut.map(hit).join(', ')}`);
      if (q.movedIn.length > 0) out.push(`      in:  ${q.movedIn.map(hit).join(', ')}`);
      if (q.rankChanges.length > 0) {
        out.push(`      moved: ${q.rankChanges.map((r) => `${hit(r.hit)} ${r.from}->${r.to}`).join(', ')}`);
      }
    }
  }
  if (result.unpaired.baseline.length + result.unpaired.candidate.length > 0) {
    out.push(
      '',
      `Not compared (no partner): ${[...result.unpaired.baseline.map((id) => `baseline ${t(id)}`), ...result.unpaired.candidate.map((id) => `candidate ${t(id)}`)].join('; ')}`,
    );
  }
  return `${out.join('\n')}\n`;
}
