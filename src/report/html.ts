import { checkInteger, invalidArgument } from '../core/errors.js';
import { chartJsSource } from './chartjs.js';
import { html, jsonForScript, raw, type SafeHtml } from './escape.js';
import { CLIENT_SCRIPT } from './html-client.js';
import { diagnosticsHtml, findingsHtml } from './html-insights.js';
import { pageHead } from './html-page.js';
import { tiedConfigIds } from './insights.js';
import {
  bestConfig,
  bestConfigIds,
  comparePair,
  distinctChunkers,
  effectiveWarnings,
  formatMetric,
  formatMs,
  formatP,
  metricNames,
  metricValue,
  type PairResult,
  primaryMetric,
  wrapText,
} from './summary.js';
import type { BenchReport, Comparison, ConfigResult } from './types.js';

/**
 * Options of {@link renderHtml}.
 *
 * @example
 * ```ts
 * const opts: HtmlOptions = { primaryMetric: 'recall@5', compare: ['fixed:200/0 + hybrid', 'fixed:200/0 + bm25'] };
 * ```
 */
export interface HtmlOptions {
  /** Metric used for the wins/losses charts and the per-question table. Default: the report's first metric. */
  primaryMetric?: string;
  /**
   * Two configuration ids `[a, b]` whose per-question scores are compared (wins/losses and a per-question
   * difference chart). Default: the best configuration on the primary metric against the runner-up.
   */
  compare?: [string, string];
  /** At most this many rows in the per-question and failure tables (the charts use every question). Default `500`. */
  maxRows?: number;
}

interface ChartSpec {
  id: string;
  height: number;
  config: Record<string, unknown>;
}

const BLUE = '#7aa6d6';
const GREEN = '#2e8b57';
const RED = '#c0392b';
const GREY = '#b0b0b0';

function num(v: number | null | undefined): number | null {
  const x = metricValue(v);
  return Number.isFinite(x) ? x : null;
}

/** Split a long chart label into lines (Chart.js draws an array label as several lines). */
function wrapLabel(label: string): string[] {
  const lines = wrapText(label, 34);
  return lines.length > 0 ? lines : [''];
}

/** Height in pixels of a horizontal bar chart whose rows have these labels. */
function barHeight(labels: string[][]): number {
  return Math.max(140, 60 + labels.reduce((sum, l) => sum + Math.max(24, l.length * 16 + 10), 0));
}

function metricChart(report: BenchReport, metric: string, index: number): ChartSpec {
  const best = bestConfigIds(report, metric);
  const values = report.configs.map((c) => num(c.metrics[metric]));
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  const labels = report.configs.map((c) => wrapLabel(c.id));
  return {
    id: `chart-metric-${index}`,
    height: barHeight(labels),
    config: {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            label: metric,
            data: values,
            backgroundColor: report.configs.map((c) => (best.has(c.id) ? GREEN : BLUE)),
          },
        ],
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, title: { display: true, text: metric } },
        scales: { x: { min: 0, ...(max <= 1 ? { max: 1 } : {}) }, y: { ticks: { autoSkip: false } } },
      },
    },
  };
}

function histogramChart(chunker: string, stats: ConfigResult['chunkStats'], index: number): ChartSpec {
  const bins = stats.sizeHistogram.bins;
  return {
    id: `chart-hist-${index}`,
    height: 220,
    config: {
      type: 'bar',
      data: {
        labels: bins.map((b) => `${b.from}–${b.to}`),
        datasets: [{ label: 'chunks', data: bins.map((b) => b.count), backgroundColor: BLUE }],
      },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, title: { display: true, text: chunker } },
        scales: {
          x: { title: { display: true, text: `size (${stats.sizeHistogram.unit})` } },
          y: { beginAtZero: true, title: { display: true, text: 'chunks' } },
        },
      },
    },
  };
}

/** A comparison row of the wins-and-losses chart; `pValue` is absent for pairs computed at render time. */
interface WinRow extends Omit<Comparison, 'pValue'> {
  label: string;
  pValue?: number;
}

function winsChart(rows: WinRow[]): ChartSpec {
  const labels = rows.map((r) => [...wrapLabel(r.a), ...wrapLabel(r.label)]);
  return {
    id: 'chart-wins',
    height: barHeight(labels) + 30,
    config: {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: 'wins', data: rows.map((r) => r.wins), backgroundColor: GREEN },
          { label: 'ties', data: rows.map((r) => r.ties), backgroundColor: GREY },
          { label: 'losses', data: rows.map((r) => r.losses), backgroundColor: RED },
        ],
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        plugins: { title: { display: true, text: 'Questions won / tied / lost by A against B' } },
        scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true, ticks: { autoSkip: false } } },
      },
    },
  };
}

function deltaChart(pair: PairResult): ChartSpec {
  const sorted = [...pair.deltas].sort((x, y) => y.delta - x.delta);
  return {
    id: 'chart-delta',
    height: 260,
    config: {
      type: 'bar',
      data: {
        labels: sorted.map((d) => d.questionId),
        datasets: [
          {
            label: `${pair.metric}: A − B`,
            data: sorted.map((d) => d.delta),
            backgroundColor: sorted.map((d) => (d.delta > 0 ? GREEN : d.delta < 0 ? RED : GREY)),
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          title: { display: true, text: `Per-question ${pair.metric} difference, A − B (sorted)` },
        },
        scales: { x: { ticks: { autoSkip: true, maxRotation: 60 } } },
      },
    },
  };
}

function canvas(spec: ChartSpec, label: string): SafeHtml {
  return html`<div class="chart"><canvas id="${spec.id}" role="img" aria-label="${label}"></canvas></div>`;
}

function defaultPair(report: BenchReport, metric: string): [string, string] | undefined {
  if (report.configs.length < 2) return undefined;
  const best = bestConfig(report, metric) ?? report.configs[0]!;
  let runnerUp: ConfigResult | undefined;
  for (const c of report.configs) {
    if (c.id === best.id) continue;
    if (!runnerUp || metricValue(c.metrics[metric]) > metricValue(runnerUp.metrics[metric])) runnerUp = c;
  }
  return runnerUp ? [best.id, runnerUp.id] : undefined;
}

function winRows(report: BenchReport, metric: string | undefined): { rows: WinRow[]; note: string } {
  if (report.comparisons && report.comparisons.length > 0) {
    return {
      rows: report.comparisons.map((c) => ({ ...c, label: `vs ${c.b} (${c.metric})` })),
      note: 'Paired comparisons computed by the bench run, with their p-values.',
    };
  }
  if (!metric || report.configs.length < 2) return { rows: [], note: '' };
  const best = bestConfig(report, metric);
  if (!best) return { rows: [], note: '' };
  const rows = report.configs
    .filter((c) => c.id !== best.id)
    .map((c) => {
      const p = comparePair(report, c.id, best.id, metric);
      return { ...p, label: 'vs the best' };
    });
  return { rows, note: `Each configuration (A) against the best one on ${metric} (B), per question.` };
}

/**
 * Render a report as ONE self-contained HTML page: no network is needed to open it (Chart.js's UMD build is
 * inlined, read from the installed `chart.js` package at render time). It has a header with the dataset,
 * embedder and the warnings, a summary table (best values highlighted), a bar chart of each metric per
 * configuration, a chunk-size histogram per chunker, per-question wins and losses (the report's `comparisons`,
 * or each configuration against the best) with a per-question difference chart for one pair, the failing
 * questions with their why-not causes when present, and a per-question score table.
 *
 * Security: every report string is HTML-escaped; the chart data is embedded as JSON in a
 * `<script type="application/json">` block with `<`, `>`, `&`, U+2028 and U+2029 escaped and read with
 * `JSON.parse`; a Content-Security-Policy meta tag allows only this page's own inline script and style (by
 * SHA-256 hash computed at render time) and no remote loads at all. Throws `INVALID_ARGUMENT` for bad options.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('report.html', renderHtml(report, { primaryMetric: 'recall@5' }));
 * ```
 */
export function renderHtml(report: BenchReport, options: HtmlOptions = {}): string {
  const maxRows = checkInteger('options.maxRows', options.maxRows ?? 500, 1);
  const metrics = metricNames(report);
  const primary = primaryMetric(report, options.primaryMetric);
  if (
    options.compare !== undefined &&
    (!Array.isArray(options.compare) ||
      options.compare.length !== 2 ||
      !options.compare.every((x) => typeof x === 'string'))
  ) {
    invalidArgument('options.compare', options.compare, 'a pair of configuration ids [a, b]');
  }
  const pairIds = options.compare ?? (primary ? defaultPair(report, primary) : undefined);
  const pair = pairIds && primary ? comparePair(report, pairIds[0], pairIds[1], primary) : undefined;
  const warnings = effectiveWarnings(report);

  const charts: ChartSpec[] = [];
  const metricCharts = metrics.map((m, i) => {
    const spec = metricChart(report, m, i);
    charts.push(spec);
    return canvas(spec, `${m} per configuration`);
  });
  const histCharts = distinctChunkers(report).map(({ chunker, stats }, i) => {
    const spec = histogramChart(chunker, stats, i);
    charts.push(spec);
    return html`<figure class="hist">${canvas(spec, `chunk sizes of ${chunker}`)}<figcaption>${chunker}: ${stats.count} chunks, mean ${stats.meanChars.toFixed(0)} chars${stats.meanTokens !== undefined ? `, ${stats.meanTokens.toFixed(0)} tokens` : ''}</figcaption></figure>`;
  });
  const wins = winRows(report, primary);
  let winsChartHtml: SafeHtml = html`<p class="muted">Needs at least two configurations with per-question scores.</p>`;
  if (wins.rows.length > 0) {
    const spec = winsChart(wins.rows);
    charts.push(spec);
    winsChartHtml = canvas(spec, 'wins and losses per question');
  }
  let deltaHtml: SafeHtml = raw('');
  if (pair && pair.deltas.length > 0) {
    const spec = deltaChart(pair);
    charts.push(spec);
    deltaHtml = html`<h3>Per question: A = <code>${pair.a}</code>, B = <code>${pair.b}</code></h3>
<p>${pair.wins} wins, ${pair.ties} ties, ${pair.losses} losses for A on ${pair.metric}.</p>${canvas(spec, 'per-question difference')}`;
  }

  const body = html`<header>
<h1>${report.title}</h1>
<dl class="meta">
<div><dt>Dataset</dt><dd>${report.dataset.name} · ${report.dataset.documents} documents · ${report.dataset.questions} questions</dd></div>
<div><dt>Embedder</dt><dd>${report.embedder.id} · ${report.embedder.dimensions} dimensions${report.embedder.fallback ? raw(' <span class="badge bad">FALLBACK</span>') : ''}</dd></div>
<div><dt>Generated</dt><dd>${report.tool.name} ${report.tool.version} · <time>${report.createdAt}</time></dd></div>
${report.gate ? html`<div><dt>Gate</dt><dd><code>${report.gate.expr}</code> <span class="badge ${report.gate.passed ? 'ok' : 'bad'}">${report.gate.passed ? 'PASSED' : 'FAILED'}</span></dd></div>` : ''}
</dl>
${warnings.length > 0 ? html`<div class="warnings" role="alert"><strong>Warnings</strong><ul>${warnings.map((w) => html`<li>${w}</li>`)}</ul></div>` : ''}
<nav>${report.triage?.findings.length || report.causeSummary ? html`<a href="#findings">Findings</a>` : ''}<a href="#summary">Summary</a><a href="#metrics">Metrics</a><a href="#chunks">Chunk sizes</a><a href="#wins">Wins and losses</a><a href="#diagnostics">Diagnostics</a><a href="#failures">Failures</a><a href="#questions">Questions</a></nav>
</header>
<main>
${findingsHtml(report)}
<section id="summary"><h2>Summary</h2>${summaryTable(report, metrics)}</section>
<section id="metrics"><h2>Metrics per configuration</h2>${metrics.length > 0 ? html`<div class="grid">${metricCharts}</div>` : html`<p class="muted">No metrics.</p>`}</section>
<section id="chunks"><h2>Chunk size histograms</h2>${histCharts.length > 0 ? html`<div class="grid">${histCharts}</div>` : html`<p class="muted">No chunkers.</p>`}</section>
<section id="wins"><h2>Per-question wins and losses</h2>${wins.note ? html`<p>${wins.note}</p>` : ''}${winsChartHtml}${comparisonTable(wins.rows)}${deltaHtml}</section>
<section id="diagnostics"><h2>Diagnostics</h2>${diagnosticsHtml(report)}</section>
<section id="failures"><h2>Failing questions</h2>${failuresTable(report, maxRows)}</section>
<section id="questions"><h2>Per-question scores${primary ? html` (${primary})` : ''}</h2>${questionsTable(report, primary, maxRows)}</section>
</main>
<footer>Self-contained report: opens offline, loads nothing from the network.</footer>`;

  const data = jsonForScript({ charts });
  const chartJs = chartJsSource();
  return `${pageHead(report.title, [chartJs, CLIENT_SCRIPT])}
<body>
${body}
<script type="application/json" id="ragscope-data">${data}</script>
<script>${chartJs}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

function summaryTable(report: BenchReport, metrics: string[]): SafeHtml {
  if (report.configs.length === 0) return html`<p class="muted">No configurations were benchmarked.</p>`;
  const best = new Map(metrics.map((m) => [m, bestConfigIds(report, m)]));
  const tied = tiedConfigIds(report);
  const rows = report.configs.map((c) => {
    const t = c.timings;
    return html`<tr${tied.has(c.id) ? raw(' class="tied"') : ''}><th scope="row">${c.id}${tied.has(c.id) ? raw(' <span class="badge tie" title="paired test p >= 0.05 against the best">tied with best</span>') : ''}</th><td><code>${c.chunker}</code></td><td>${c.retriever}</td><td class="n">${c.chunkStats.count}</td><td class="n">${c.chunkStats.meanChars.toFixed(0)}</td>${metrics.map((m) => (best.get(m)?.has(c.id) ? html`<td class="n best" title="best">${formatMetric(c.metrics[m])}</td>` : html`<td class="n">${formatMetric(c.metrics[m])}</td>`))}<td class="n">${formatMs(t.chunkMs)}</td><td class="n">${formatMs(t.embedMs)}</td><td class="n">${formatMs(t.indexMs)}</td><td class="n">${formatMs(t.searchMs)}</td></tr>`;
  });
  return html`<div class="scroll"><table><thead><tr><th>Config</th><th>Chunker</th><th>Retriever</th><th>Chunks</th><th>Mean chars</th>${metrics.map((m) => html`<th>${m}</th>`)}<th>Chunk</th><th>Embed</th><th>Index</th><th>Search</th></tr></thead><tbody>${rows}</tbody></table></div><p class="muted">Highlighted: best value in the column (every metric is higher-is-better).${tied.size > 0 ? ' "tied with best": a paired test cannot separate it from the best configuration (p >= 0.05).' : ''}</p>`;
}

function comparisonTable(rows: WinRow[]): SafeHtml {
  if (rows.length === 0) return raw('');
  const hasP = rows.some((r) => r.pValue !== undefined);
  return html`<div class="scroll"><table><thead><tr><th>A</th><th>B</th><th>Metric</th><th>Wins</th><th>Ties</th><th>Losses</th>${hasP ? html`<th>p-value</th>` : ''}</tr></thead><tbody>${rows.map((r) => html`<tr><td>${r.a}</td><td>${r.b}</td><td>${r.metric}</td><td class="n">${r.wins}</td><td class="n">${r.ties}</td><td class="n">${r.losses}</td>${hasP ? html`<td class="n">${r.pValue === undefined ? '' : formatP(r.pValue)}</td>` : ''}</tr>`)}</tbody></table></div>`;
}

function failuresTable(report: BenchReport, maxRows: number): SafeHtml {
  const failures = report.failures;
  if (!failures) return html`<p class="muted">No why-not diagnostics in this report.</p>`;
  if (failures.length === 0) return html`<p>No failing questions.</p>`;
  const shown = failures.slice(0, maxRows);
  const rows = shown.map(
    (f) =>
      html`<tr><td>${f.configId}</td><td><span class="qid">${f.questionId}</span> <span class="question">${f.question}</span></td><td>${f.causes.length === 0 ? html`<span class="muted">no diagnosis</span>` : html`<ul class="causes">${f.causes.map((c) => html`<li><span class="cause">${c.cause}</span> ${c.sentence} <em>Fix:</em> ${c.fix}</li>`)}</ul>`}${f.cannotCheck?.length ? html`<ul class="causes muted">${f.cannotCheck.map((c) => html`<li>cannot check <span class="cause">${c.cause}</span>: ${c.missing}</li>`)}</ul>` : ''}</td></tr>`,
  );
  return html`<div class="scroll"><table class="failures"><thead><tr><th>Config</th><th>Question</th><th>Why not</th></tr></thead><tbody>${rows}</tbody></table></div>${failures.length > shown.length ? html`<p class="muted">Showing ${shown.length} of ${failures.length}; all are in report.json.</p>` : ''}`;
}

function questionsTable(report: BenchReport, metric: string | undefined, maxRows: number): SafeHtml {
  if (!metric || report.perQuery.length === 0) return html`<p class="muted">No per-question scores.</p>`;
  const configs = report.configs.slice(0, 12);
  const shown = report.perQuery.slice(0, maxRows);
  const rows = shown.map(
    (q) =>
      html`<tr><td class="qid">${q.questionId}</td><td class="question">${q.question}</td>${configs.map((c) => html`<td class="n">${formatMetric(q.scores[c.id]?.[metric])}</td>`)}</tr>`,
  );
  const notes: string[] = [];
  if (configs.length < report.configs.length)
    notes.push(`first ${configs.length} of ${report.configs.length} configurations`);
  if (shown.length < report.perQuery.length)
    notes.push(`first ${shown.length} of ${report.perQuery.length} questions`);
  return html`<div class="scroll"><table><thead><tr><th>Id</th><th>Question</th>${configs.map((c) => html`<th>${c.id}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>${notes.length > 0 ? html`<p class="muted">Showing the ${notes.join(' and the ')}; all are in report.json.</p>` : ''}`;
}
