import { RagscopeError, showValue } from '../core/errors.js';

function fail(path: string, value: unknown, expected: string): never {
  throw new RagscopeError('INVALID_ARGUMENT', `${path} must be ${expected}, got ${showValue(value)}`, {
    param: path,
    value,
  });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function obj(path: string, v: unknown): Record<string, unknown> {
  if (!isObject(v)) fail(path, v, 'an object');
  return v;
}
function arr(path: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) fail(path, v, 'an array');
  return v;
}
function str(path: string, v: unknown): string {
  if (typeof v !== 'string') fail(path, v, 'a string');
  return v;
}
function count(path: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(path, v, 'a non-negative integer');
  return v;
}
function finite(path: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, v, 'a finite number');
  return v;
}
/** A number that may be undefined for the data: NaN, or `null` after a JSON round trip. */
function maybe(path: string, v: unknown): void {
  if (!(typeof v === 'number' || v === null)) fail(path, v, 'a number or null');
}

/**
 * Check the optional diagnostic fields of a report (`causeSummary`, `tiedWithBest`, `triage`, `truncation`,
 * `diagnostics`, and `decisive` on failure causes). Every one is optional, so reports written before they existed
 * still validate.
 * @internal
 */
export function validateInsights(r: Record<string, unknown>, configIds: ReadonlySet<string>): void {
  if (r.causeSummary !== undefined) {
    const p = 'report.causeSummary';
    const s = obj(p, r.causeSummary);
    for (const k of ['failures', 'diagnosed', 'withCause']) count(`${p}.${k}`, s[k]);
    finite(`${p}.ms`, s.ms);
    arr(`${p}.byCause`, s.byCause).forEach((c, i) => {
      const cp = `${p}.byCause[${i}]`;
      const row = obj(cp, c);
      str(`${cp}.cause`, row.cause);
      count(`${cp}.count`, row.count);
      count(`${cp}.decisive`, row.decisive);
      str(`${cp}.fix`, row.fix);
    });
    if (s.topFix !== undefined) {
      const t = obj(`${p}.topFix`, s.topFix);
      str(`${p}.topFix.cause`, t.cause);
      str(`${p}.topFix.fix`, t.fix);
      count(`${p}.topFix.rescued`, t.rescued);
    }
  }
  if (r.tiedWithBest !== undefined) {
    const p = 'report.tiedWithBest';
    const t = obj(p, r.tiedWithBest);
    str(`${p}.metric`, t.metric);
    const alpha = finite(`${p}.alpha`, t.alpha);
    if (alpha <= 0 || alpha >= 1) fail(`${p}.alpha`, alpha, 'between 0 and 1');
    const best = str(`${p}.best`, t.best);
    if (!configIds.has(best)) fail(`${p}.best`, best, 'the id of a configuration in the report');
    arr(`${p}.ids`, t.ids).forEach((id, i) => {
      if (!configIds.has(str(`${p}.ids[${i}]`, id)))
        fail(`${p}.ids[${i}]`, id, 'the id of a configuration in the report');
    });
  }
  if (r.triage !== undefined) {
    const p = 'report.triage';
    const t = obj(p, r.triage);
    str(`${p}.metric`, t.metric);
    arr(`${p}.findings`, t.findings).forEach((f, i) => {
      str(`${p}.findings[${i}]`, f);
    });
    if (t.weak !== undefined) {
      const w = obj(`${p}.weak`, t.weak);
      for (const k of ['retriever', 'strong']) {
        if (w[k] !== 'bm25' && w[k] !== 'dense') fail(`${p}.weak.${k}`, w[k], "'bm25' or 'dense'");
      }
      finite(`${p}.weak.value`, w.value);
      finite(`${p}.weak.strongValue`, w.strongValue);
    }
    arr(`${p}.effects`, t.effects).forEach((e, i) => {
      const ep = `${p}.effects[${i}]`;
      const row = obj(ep, e);
      str(`${ep}.chunker`, row.chunker);
      for (const [label, v] of Object.entries(obj(`${ep}.values`, row.values)))
        maybe(`${ep}.values[${JSON.stringify(label)}]`, v);
    });
  }
  if (r.truncation !== undefined) {
    arr('report.truncation', r.truncation).forEach((x, i) => {
      const p = `report.truncation[${i}]`;
      const t = obj(p, x);
      str(`${p}.chunker`, t.chunker);
      str(`${p}.model`, t.model);
      for (const k of ['maxTokens', 'chunks', 'over', 'longest', 'droppedChars']) count(`${p}.${k}`, t[k]);
      const ex = obj(`${p}.example`, t.example);
      str(`${p}.example.chunkId`, ex.chunkId);
      str(`${p}.example.docId`, ex.docId);
      count(`${p}.example.tokens`, ex.tokens);
      str(`${p}.example.droppedPreview`, ex.droppedPreview);
    });
  }
  if (r.diagnostics !== undefined) {
    arr('report.diagnostics', r.diagnostics).forEach((x, i) => {
      const p = `report.diagnostics[${i}]`;
      const d = obj(p, x);
      const id = str(`${p}.configId`, d.configId);
      if (!configIds.has(id)) fail(`${p}.configId`, id, 'the id of a configuration in the report');
      if (d.rerank !== undefined) {
        const rr = obj(`${p}.rerank`, d.rerank);
        for (const k of ['helped', 'hurt', 'unchanged', 'outside']) count(`${p}.rerank.${k}`, rr[k]);
      }
      if (d.abstention !== undefined) {
        const a = obj(`${p}.abstention`, d.abstention);
        str(`${p}.abstention.score`, a.score);
        count(`${p}.abstention.answerable`, a.answerable);
        count(`${p}.abstention.unanswerable`, a.unanswerable);
        for (const k of ['auroc', 'threshold', 'precision', 'recall', 'f1'])
          maybe(`${p}.abstention.${k}`, a[k]);
      }
    });
  }
}
