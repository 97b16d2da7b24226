import { RagscopeError, showValue } from '../core/errors.js';
import { type BenchReport, REPORT_VERSION } from './types.js';
import { validateInsights } from './validate-insights.js';

const RETRIEVERS = new Set(['bm25', 'dense', 'hybrid', 'hybrid+rerank']);

function fail(path: string, value: unknown, expected: string): never {
  throw new RagscopeError('INVALID_ARGUMENT', `${path} must be ${expected}, got ${showValue(value)}`, {
    param: path,
    value,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function obj(path: string, value: unknown): Record<string, unknown> {
  if (!isObject(value)) fail(path, value, 'an object');
  return value;
}

function str(path: string, value: unknown): string {
  if (typeof value !== 'string') fail(path, value, 'a string');
  return value;
}

function count(path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail(path, value, 'a non-negative integer');
  }
  return value;
}

function finite(path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, value, 'a finite number');
  return value;
}

/** Metric values may be NaN (undefined for this config) or `null` (a NaN after a JSON round trip). */
function metricMap(path: string, value: unknown): void {
  const map = obj(path, value);
  for (const [name, v] of Object.entries(map)) {
    if (!(typeof v === 'number' || v === null)) fail(`${path}[${JSON.stringify(name)}]`, v, 'a number');
  }
}

function arr(path: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) fail(path, value, 'an array');
  return value;
}

/** `hits[configId]` = top-k chunk positions. */
function hitMap(path: string, value: unknown): void {
  for (const [cid, list] of Object.entries(obj(path, value))) {
    arr(`${path}[${JSON.stringify(cid)}]`, list).forEach((h, j) => {
      const hp = `${path}[${JSON.stringify(cid)}][${j}]`;
      const hit = obj(hp, h);
      str(`${hp}.docId`, hit.docId);
      count(`${hp}.start`, hit.start);
      count(`${hp}.end`, hit.end);
    });
  }
}

function provenance(value: unknown): void {
  const p = obj('report.provenance', value);
  for (const k of ['corpusHash', 'questionsHash', 'embedder', 'ragscopeVersion'])
    str(`report.provenance.${k}`, p[k]);
  for (const k of ['chunkers', 'retrievers']) {
    arr(`report.provenance.${k}`, p[k]).forEach((v, i) => {
      str(`report.provenance.${k}[${i}]`, v);
    });
  }
  if (p.reranker !== undefined) str('report.provenance.reranker', p.reranker);
  count('report.provenance.k', p.k);
  if (p.mode !== 'spans' && p.mode !== 'docs') fail('report.provenance.mode', p.mode, "'spans' or 'docs'");
}

/**
 * Check that `value` has the {@link BenchReport} shape and return it typed. Use it on a report read back from
 * `report.json` before rendering it. Throws `RagscopeError('INVALID_ARGUMENT')` whose message names the first bad
 * field by its path (e.g. `report.configs[2].timings.embedMs`) and shows its value. Config ids must be unique.
 * Metric values may be numbers, `NaN`, or `null` (how JSON writes `NaN`); renderers show those as `n/a`. The
 * diagnostic fields (`causeSummary`, `tiedWithBest`, `triage`, `truncation`, `diagnostics`) are optional, so a
 * `report.json` written before they existed still validates and renders.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * const report = validateReport(JSON.parse(readFileSync('report.json', 'utf8')));
 * console.log(renderTerminal(report, { color: false }));
 * ```
 */
export function validateReport(value: unknown): BenchReport {
  const r = obj('report', value);
  if (r.version !== REPORT_VERSION) fail('report.version', r.version, `${REPORT_VERSION}`);
  str('report.title', r.title);
  const created = str('report.createdAt', r.createdAt);
  if (Number.isNaN(Date.parse(created))) fail('report.createdAt', created, 'an ISO 8601 date string');
  const tool = obj('report.tool', r.tool);
  str('report.tool.name', tool.name);
  str('report.tool.version', tool.version);
  arr('report.warnings', r.warnings).forEach((w, i) => {
    str(`report.warnings[${i}]`, w);
  });
  const ds = obj('report.dataset', r.dataset);
  str('report.dataset.name', ds.name);
  count('report.dataset.documents', ds.documents);
  count('report.dataset.questions', ds.questions);
  const emb = obj('report.embedder', r.embedder);
  str('report.embedder.id', emb.id);
  count('report.embedder.dimensions', emb.dimensions);
  if (emb.fallback !== undefined && typeof emb.fallback !== 'boolean') {
    fail('report.embedder.fallback', emb.fallback, 'a boolean');
  }
  const ids = new Set<string>();
  arr('report.configs', r.configs).forEach((c, i) => {
    const p = `report.configs[${i}]`;
    const cfg = obj(p, c);
    const id = str(`${p}.id`, cfg.id);
    if (ids.has(id)) fail(`${p}.id`, id, 'unique among configs');
    ids.add(id);
    str(`${p}.chunker`, cfg.chunker);
    const variant = typeof cfg.retriever === 'string' && /^(bm25|dense|hybrid):[\w.-]+$/.test(cfg.retriever);
    if (typeof cfg.retriever !== 'string' || (!RETRIEVERS.has(cfg.retriever) && !variant)) {
      fail(
        `${p}.retriever`,
        cfg.retriever,
        "one of 'bm25', 'dense', 'hybrid', 'hybrid+rerank', or '<bm25|dense|hybrid>:<rewriter>'",
      );
    }
    const st = obj(`${p}.chunkStats`, cfg.chunkStats);
    count(`${p}.chunkStats.count`, st.count);
    finite(`${p}.chunkStats.meanChars`, st.meanChars);
    if (st.meanTokens !== undefined) finite(`${p}.chunkStats.meanTokens`, st.meanTokens);
    const h = obj(`${p}.chunkStats.sizeHistogram`, st.sizeHistogram);
    str(`${p}.chunkStats.sizeHistogram.unit`, h.unit);
    arr(`${p}.chunkStats.sizeHistogram.bins`, h.bins).forEach((b, j) => {
      const bp = `${p}.chunkStats.sizeHistogram.bins[${j}]`;
      const bin = obj(bp, b);
      finite(`${bp}.from`, bin.from);
      finite(`${bp}.to`, bin.to);
      count(`${bp}.count`, bin.count);
    });
    metricMap(`${p}.metrics`, cfg.metrics);
    const t = obj(`${p}.timings`, cfg.timings);
    for (const k of ['chunkMs', 'embedMs', 'indexMs', 'searchMs']) finite(`${p}.timings.${k}`, t[k]);
  });
  arr('report.perQuery', r.perQuery).forEach((q, i) => {
    const p = `report.perQuery[${i}]`;
    const pq = obj(p, q);
    str(`${p}.questionId`, pq.questionId);
    str(`${p}.question`, pq.question);
    const scores = obj(`${p}.scores`, pq.scores);
    for (const [cid, m] of Object.entries(scores)) metricMap(`${p}.scores[${JSON.stringify(cid)}]`, m);
    if (pq.hits !== undefined) hitMap(`${p}.hits`, pq.hits);
  });
  if (r.provenance !== undefined) provenance(r.provenance);
  if (r.comparisons !== undefined) {
    arr('report.comparisons', r.comparisons).forEach((c, i) => {
      const p = `report.comparisons[${i}]`;
      const cmp = obj(p, c);
      str(`${p}.a`, cmp.a);
      str(`${p}.b`, cmp.b);
      str(`${p}.metric`, cmp.metric);
      count(`${p}.wins`, cmp.wins);
      count(`${p}.losses`, cmp.losses);
      count(`${p}.ties`, cmp.ties);
      if (!(typeof cmp.pValue === 'number' && cmp.pValue >= 0 && cmp.pValue <= 1)) {
        fail(`${p}.pValue`, cmp.pValue, 'a number between 0 and 1');
      }
    });
  }
  if (r.failures !== undefined) {
    arr('report.failures', r.failures).forEach((f, i) => {
      const p = `report.failures[${i}]`;
      const fr = obj(p, f);
      str(`${p}.configId`, fr.configId);
      str(`${p}.questionId`, fr.questionId);
      str(`${p}.question`, fr.question);
      arr(`${p}.causes`, fr.causes).forEach((c, j) => {
        const cp = `${p}.causes[${j}]`;
        const cause = obj(cp, c);
        str(`${cp}.cause`, cause.cause);
        str(`${cp}.sentence`, cause.sentence);
        str(`${cp}.fix`, cause.fix);
        if (cause.decisive !== undefined && typeof cause.decisive !== 'boolean') {
          fail(`${cp}.decisive`, cause.decisive, 'a boolean');
        }
      });
      if (fr.cannotCheck !== undefined) {
        arr(`${p}.cannotCheck`, fr.cannotCheck).forEach((c, j) => {
          const cp = `${p}.cannotCheck[${j}]`;
          const e = obj(cp, c);
          str(`${cp}.cause`, e.cause);
          str(`${cp}.missing`, e.missing);
        });
      }
    });
  }
  validateInsights(r, ids);
  if (r.gate !== undefined) {
    const g = obj('report.gate', r.gate);
    str('report.gate.expr', g.expr);
    if (typeof g.passed !== 'boolean') fail('report.gate.passed', g.passed, 'a boolean');
  }
  return value as BenchReport;
}
