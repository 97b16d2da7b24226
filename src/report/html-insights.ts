import { html, raw, type SafeHtml } from './escape.js';
import { causeSentences, diagnosticsRows, tieSentence } from './insights.js';
import { formatMetric } from './summary.js';
import type { BenchReport } from './types.js';

/**
 * The "Findings" section the HTML report opens with: corpus-level triage (with the measured effect of each fusion
 * choice), failures by first why-not cause with the fix that rescued most, and the statistical ties.
 * @internal
 */
export function findingsHtml(report: BenchReport): SafeHtml {
  const tr = report.triage;
  const s = report.causeSummary;
  const tie = tieSentence(report);
  if (!tr?.findings.length && !s && !tie) return raw('');
  const triage = tr?.findings.length
    ? html`<div class="triage" role="note"><h3>Corpus level</h3><ul>${tr.findings.map((f) => html`<li>${f}</li>`)}</ul>${effectsTable(report)}</div>`
    : '';
  const causes = s
    ? html`<div id="cause-summary"><h3>Failures by cause</h3><ul>${causeSentences(report).map((l) => html`<li>${l}</li>`)}</ul>${
        s.byCause.length > 0
          ? html`<div class="scroll"><table><thead><tr><th>First cause</th><th>Failures</th><th>Rescued (fix replayed)</th><th>Most frequent fix</th></tr></thead><tbody>${s.byCause.map((c) => html`<tr><td><span class="cause">${c.cause}</span></td><td class="n">${c.count}</td><td class="n">${c.decisive}</td><td>${c.fix}</td></tr>`)}</tbody></table></div>`
          : ''
      }</div>`
    : '';
  return html`<section id="findings"><h2>Findings</h2>${triage}${causes}${tie ? html`<p class="ties">${tie}</p>` : ''}</section>`;
}

/** Primary metric per chunker for each retriever / fusion choice. @internal */
export function effectsTable(report: BenchReport): SafeHtml {
  const effects = report.triage?.effects ?? [];
  if (effects.length === 0) return raw('');
  const labels = [...new Set(effects.flatMap((e) => Object.keys(e.values)))];
  return html`<p>Each retrieval and fusion choice on the same questions (${report.triage!.metric}; fusion replayed over the same traces):</p><div class="scroll"><table class="effects"><thead><tr><th>Chunker</th>${labels.map((l) => html`<th>${l}</th>`)}</tr></thead><tbody>${effects.map((e) => html`<tr><td><code>${e.chunker}</code></td>${labels.map((l) => html`<td class="n">${formatMetric(e.values[l])}</td>`)}</tr>`)}</tbody></table></div>`;
}

/**
 * The "Diagnostics" section: question-level abstention and re-ranker attribution per configuration, truncated
 * chunks per chunker, and (when there is no corpus finding that already shows it) the fusion-choice table.
 * @internal
 */
export function diagnosticsHtml(report: BenchReport): SafeHtml {
  const rows = diagnosticsRows(report);
  const trunc = report.truncation ?? [];
  const effects = report.triage?.findings.length ? raw('') : effectsTable(report);
  if (rows.length === 0 && trunc.length === 0 && effects.toString() === '')
    return html`<p class="muted">No diagnostics in this report.</p>`;
  const withRerank = rows.some((r) => r.rerank !== '');
  const abst =
    rows.length > 0
      ? html`<h3>Abstention per question</h3><p>How well each configuration's top final score separates questions whose top k hold relevant context from those that hold none (AUROC), and the "no relevant context" rule at the threshold that maximises its F1 — pass it to <code>search(query, { minScore })</code> or <code>ragscope search --min-score</code>.</p><div class="scroll"><table><thead><tr><th>Config</th><th>Top-score AUROC</th><th>minScore</th><th>No-context rule</th>${withRerank ? html`<th>Re-rank moved gold</th>` : ''}</tr></thead><tbody>${rows.map((r) => html`<tr><td>${r.configId}</td><td class="n">${r.auroc}</td><td class="n">${r.threshold}</td><td>${r.flagged}</td>${withRerank ? html`<td>${r.rerank}</td>` : ''}</tr>`)}</tbody></table></div>`
      : '';
  const truncHtml =
    trunc.length > 0
      ? html`<h3>Chunks over the embedder's token limit</h3><div class="scroll"><table><thead><tr><th>Chunker</th><th>Model</th><th>Limit</th><th>Over</th><th>Longest</th><th>Chars never embedded</th><th>Example</th></tr></thead><tbody>${trunc.map((x) => html`<tr><td><code>${x.chunker}</code></td><td>${x.model}</td><td class="n">${x.maxTokens}</td><td class="n">${x.over} of ${x.chunks}</td><td class="n">${x.longest}</td><td class="n">${x.droppedChars}</td><td><code>${x.example.chunkId}</code>: dropped “${x.example.droppedPreview.slice(0, 80)}…”</td></tr>`)}</tbody></table></div>`
      : '';
  return html`${abst}${truncHtml}${effects.toString() ? html`<h3>Retrieval and fusion choices</h3>${effects}` : ''}`;
}
