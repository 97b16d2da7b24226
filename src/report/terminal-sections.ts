import Table from 'cli-table3';
import { sanitizeTerminal as t } from './escape.js';
import { causeSentences, diagnosticsRows, tieSentence } from './insights.js';
import { formatMetric, wrapText } from './summary.js';
import type { BenchReport } from './types.js';

/** Box characters without separators between body rows (compact). */
const COMPACT_CHARS = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

function table(head: string[], color: boolean, aligns: Array<'left' | 'right'>) {
  return new Table({
    head,
    colAligns: aligns,
    chars: COMPACT_CHARS,
    style: color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
  });
}

const bullet = (text: string, width: number) =>
  wrapText(t(text), width - 2).map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`));

/** The corpus-level findings and their fusion table (the first thing after the header). @internal */
export function findingsSection(report: BenchReport, width: number, color: boolean): string[] {
  const tr = report.triage;
  if (!tr || tr.findings.length === 0) return [];
  const out = ['FINDINGS (corpus level, before any single question):'];
  for (const f of tr.findings) out.push(...bullet(f, width));
  out.push(...effectsTable(report, color), '');
  return out;
}

/** The primary metric per chunker for each retriever and fusion choice. @internal */
export function effectsTable(report: BenchReport, color: boolean): string[] {
  const effects = report.triage?.effects ?? [];
  if (effects.length === 0) return [];
  const labels = [...new Set(effects.flatMap((e) => Object.keys(e.values)))];
  const tb = table(['Chunker', ...labels.map(t)], color, ['left', ...labels.map(() => 'right' as const)]);
  for (const e of effects) tb.push([t(e.chunker), ...labels.map((l) => formatMetric(e.values[l]))]);
  return [
    `Each retrieval / fusion choice on the same questions (${t(report.triage!.metric)}):`,
    tb.toString(),
  ];
}

/** Failures by first why-not cause, with the fix that rescued most of them. @internal */
export function causeSection(report: BenchReport, width: number, color: boolean): string[] {
  const s = report.causeSummary;
  if (!s) return [];
  const out = ['FAILURES BY CAUSE:'];
  for (const line of causeSentences(report)) out.push(...bullet(line, width));
  if (s.byCause.length > 0) {
    const tb = table(['First cause', 'Failures', 'Rescued (fix replayed)'], color, [
      'left',
      'right',
      'right',
    ]);
    for (const c of s.byCause) tb.push([t(c.cause), c.count, c.decisive]);
    out.push(tb.toString());
  }
  const tie = tieSentence(report);
  if (tie) out.push(...bullet(tie, width));
  out.push('');
  return out;
}

/** Question-level abstention and re-ranker attribution per configuration. @internal */
export function diagnosticsSection(report: BenchReport, color: boolean): string[] {
  const rows = diagnosticsRows(report);
  if (rows.length === 0) return [];
  const withRerank = rows.some((r) => r.rerank !== '');
  const tb = table(
    [
      'Config',
      'Top-score AUROC',
      'minScore',
      'No-context rule',
      ...(withRerank ? ['Re-rank moved gold'] : []),
    ],
    color,
    ['left', 'right', 'right', 'left', ...(withRerank ? (['left'] as const) : [])],
  );
  for (const r of rows) {
    tb.push([t(r.configId), r.auroc, r.threshold, r.flagged, ...(withRerank ? [r.rerank] : [])]);
  }
  return [
    '',
    'Abstention per question (top final score; "minScore" is the threshold to pass to search):',
    tb.toString(),
  ];
}
