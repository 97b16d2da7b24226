import type { CompareReport, ConfigComparison, QuestionChange } from '../eval/compare/types.js';
import { html, type SafeHtml } from './escape.js';
import { pageHead } from './html-page.js';
import { formatMetric, formatP } from './summary.js';
import type { HitRef } from './types.js';

const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(3)}` : 'n/a');
const hitText = (h: HitRef & { rank?: number }) =>
  `${h.docId} [${h.start}, ${h.end})${h.rank ? ` #${h.rank}` : ''}`;

/**
 * Options of {@link renderCompareHtml}.
 *
 * @example
 * ```ts
 * renderCompareHtml(result, { maxRows: 100 });
 * ```
 */
export interface CompareHtmlOptions {
  /** Changed questions shown per configuration. Default 500 (all are in compare.json). */
  maxRows?: number;
}

/**
 * Render a comparison as one self-contained HTML page: no script at all, and a Content-Security-Policy that allows
 * only the page's own stylesheet (by hash). Every report-derived string (question texts, document and
 * configuration ids, titles, warnings) is escaped, so hostile document text cannot inject markup.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * await writeFile('compare.html', renderCompareHtml(compareRuns(baseline, candidate)));
 * ```
 */
export function renderCompareHtml(result: CompareReport, options: CompareHtmlOptions = {}): string {
  const maxRows = options.maxRows ?? 500;
  const title = `ragscope compare: ${result.candidate.file ?? result.candidate.title} vs ${result.baseline.file ?? result.baseline.title}`;
  const body = html`<header><h1>${title}</h1>
<dl class="meta"><div><dt>Baseline</dt><dd>${result.baseline.title} (${result.baseline.createdAt})</dd></div><div><dt>Candidate</dt><dd>${result.candidate.title} (${result.candidate.createdAt})</dd></div><div><dt>Questions</dt><dd>${result.questions.compared} compared</dd></div><div><dt>Significance</dt><dd>alpha ${result.alpha}, Holm per metric</dd></div></dl>
${result.warnings.length > 0 ? html`<div class="warnings" role="alert"><strong>Read this first</strong><ul>${result.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>` : ''}
</header>
<main>
<section id="summary"><h2>Deltas per configuration</h2>${summaryTable(result)}</section>
${result.configs.map((c) => configSection(c, result, maxRows))}
</main>
<footer>Self-contained comparison: no scripts, loads nothing from the network.</footer>`;
  return `${pageHead(title)}
<body>
${body}
</body>
</html>
`;
}

function summaryTable(result: CompareReport): SafeHtml {
  const rows = result.configs.flatMap((c) =>
    result.metrics.flatMap((m) => {
      const d = c.metrics[m];
      if (!d) return [];
      return [
        html`<tr><td>${c.baseline}</td><td>${c.candidate}</td><td>${m}</td><td class="n">${formatMetric(d.baseline)}</td><td class="n">${formatMetric(d.candidate)}</td><td class="n${d.significant ? ' best' : ''}">${signed(d.delta)}</td><td class="n">${d.wins}</td><td class="n">${d.losses}</td><td class="n">${d.ties}</td><td class="n">${formatP(d.pValue)}</td><td class="n">${formatP(d.adjustedP)}</td></tr>`,
      ];
    }),
  );
  return html`<div class="scroll"><table><thead><tr><th>Baseline</th><th>Candidate</th><th>Metric</th><th>Baseline</th><th>Candidate</th><th>Delta</th><th>Wins</th><th>Losses</th><th>Ties</th><th>p</th><th>Holm p</th></tr></thead><tbody>${rows}</tbody></table></div><p class="muted">Highlighted: significant after Holm's correction.</p>`;
}

function hitList(hits: Array<HitRef & { rank?: number }>): SafeHtml {
  return hits.length === 0
    ? html`<span class="muted">none</span>`
    : html`${hits.map((h) => html`<code>${hitText(h)}</code> `)}`;
}

function questionRow(q: QuestionChange, primary: string): SafeHtml {
  const moved = q.rankChanges.map((r) => html`<code>${hitText(r.hit)} ${r.from}→${r.to}</code> `);
  return html`<tr><td class="qid">${q.questionId}</td><td class="question">${q.question}</td><td>${q.outcome}</td><td class="n">${signed(q.deltas[primary] ?? 0)}</td><td>${hitList(q.movedIn)}</td><td>${hitList(q.movedOut)}</td><td>${moved}</td></tr>`;
}

function configSection(c: ConfigComparison, result: CompareReport, maxRows: number): SafeHtml {
  const shown = c.questions.slice(0, maxRows);
  return html`<section><h2>${c.candidate}${c.baseline !== c.candidate ? html` <span class="muted">vs ${c.baseline} (paired by ${c.pairedBy})</span>` : ''}</h2>
<p>${c.lost} questions lost, ${c.won} won on ${result.primaryMetric}.${c.hitsRecorded ? '' : ' Top-k hits were not recorded, so moved chunks are not shown.'}</p>
${shown.length === 0 ? html`<p class="muted">No question changed.</p>` : html`<div class="scroll"><table><thead><tr><th>Id</th><th>Question</th><th>Outcome</th><th>Δ ${result.primaryMetric}</th><th>Moved in</th><th>Moved out</th><th>Rank changes</th></tr></thead><tbody>${shown.map((q) => questionRow(q, result.primaryMetric))}</tbody></table></div>`}
${shown.length < c.questions.length ? html`<p class="muted">Showing ${shown.length} of ${c.questions.length}; all are in compare.json.</p>` : ''}</section>`;
}
