import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { renderHtml } from '../../src/report/index.js';
import { fixtureReport, XSS_IMG, XSS_SCRIPT } from './fixture.js';

function inlineBlocks(page: string, tag: 'script' | 'style'): Array<{ attrs: string; body: string }> {
  const re = new RegExp(`<${tag}([^>]*)>([\\s\\S]*?)</${tag}>`, 'g');
  return [...page.matchAll(re)].map((m) => ({ attrs: m[1] ?? '', body: m[2] ?? '' }));
}

function withoutScripts(page: string): string {
  return page.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '');
}

function dataBlock(page: string): { charts: Array<{ id: string; config: { data: { labels: unknown[] } } }> } {
  const block = inlineBlocks(page, 'script').find((b) => b.attrs.includes('type="application/json"'));
  if (!block) throw new Error('no data block');
  return JSON.parse(block.body);
}

describe('renderHtml (fixture report)', () => {
  const page = renderHtml(fixtureReport(true));

  it('escapes every report string: the hostile markup appears only as text', () => {
    const markup = withoutScripts(page);
    expect(markup).not.toContain(XSS_SCRIPT);
    expect(markup).not.toContain(XSS_IMG);
    expect(markup).not.toMatch(/<img/i);
    expect(markup).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(markup).toContain('&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;');
    // Exactly our three scripts: the JSON data, Chart.js and the chart drawer.
    expect(inlineBlocks(page, 'script')).toHaveLength(3);
  });

  it('embeds chart data as script-safe JSON that parses back to the raw strings', () => {
    const block = inlineBlocks(page, 'script')[0]!;
    expect(block.attrs).toBe(' type="application/json" id="ragscope-data"');
    expect(block.body).not.toMatch(/[<>&\u2028\u2029]/);
    const data = dataBlock(page);
    expect(data.charts.map((c) => c.id)).toEqual([
      'chart-metric-0',
      'chart-metric-1',
      'chart-metric-2',
      'chart-hist-0',
      'chart-hist-1',
      'chart-hist-2',
      'chart-wins',
      'chart-delta',
    ]);
    const labels = data.charts[0]!.config.data.labels.map((l) => (l as string[]).join(' '));
    expect(labels[4]).toBe(`sentence${XSS_IMG} + bm25`);
  });

  it('has a strict CSP: no remote loads, only this page’s inline script and style by hash', () => {
    const csp = page.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)?.[1];
    expect(csp).toBeDefined();
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
    const [, chartJs, client] = inlineBlocks(page, 'script');
    expect(csp).toContain(`script-src ${hash(chartJs!.body)} ${hash(client!.body)};`);
    expect(csp).toContain(`style-src ${hash(inlineBlocks(page, 'style')[0]!.body)};`);
    expect(chartJs!.body).toContain('Chart.js v4');
    // Nothing in the markup points outside the page.
    expect(withoutScripts(page)).not.toMatch(/(src|href)="(?!#)/);
  });

  it('shows the header, warnings, best values, failures and gate', () => {
    expect(page).toContain('<span class="badge bad">FALLBACK</span>');
    expect(page).toMatch(
      /<div class="warnings" role="alert">.*EMBEDDER FALLBACK: the default transformers model/,
    );
    expect(page).toContain('<td class="n best" title="best">0.850</td>');
    expect(page).toContain('<span class="cause">split-across-chunks</span>');
    expect(page).toContain('<span class="badge bad">FAILED</span>');
    expect(page).toContain('n/a');
  });

  it('is deterministic and validates its options', () => {
    expect(renderHtml(fixtureReport(true))).toBe(page);
    expect(() => renderHtml(fixtureReport(), { compare: ['nope', 'x'] })).toThrow(RagscopeError);
    expect(() => renderHtml(fixtureReport(), { primaryMetric: 'mrr@3' })).toThrow(/primaryMetric/);
    expect(() => renderHtml(fixtureReport(), { maxRows: 0 })).toThrow(/options\.maxRows/);
  });

  it('compares the chosen pair and falls back to each-vs-best without comparisons', () => {
    const r = fixtureReport();
    delete r.comparisons;
    const ids = r.configs.map((c) => c.id);
    const out = renderHtml(r, { compare: [ids[0]!, ids[1]!], primaryMetric: 'iou@5' });
    expect(out).toContain('Each configuration (A) against the best one on iou@5 (B), per question.');
    expect(out).toContain(
      'A = <code>recursive:400/0 + bm25</code>, B = <code>recursive:400/0 + hybrid</code>',
    );
    const wins = dataBlock(out).charts.find((c) => c.id === 'chart-wins')!;
    expect(wins.config.data.labels).toHaveLength(ids.length - 1);
  });

  it('never lets an arbitrary question or config id inject markup (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (q, id) => {
        const marker = `<zq${q}`;
        const r = fixtureReport();
        r.perQuery[0]!.question = marker;
        r.configs[0]!.id = `${id}<zc`;
        r.perQuery.forEach((p) => {
          p.scores[r.configs[0]!.id] = { 'recall@5': 1 };
        });
        const out = withoutScripts(renderHtml(r));
        expect(out).not.toContain('<zq');
        expect(out).not.toContain('<zc');
      }),
      { numRuns: 25 },
    );
  });
});
