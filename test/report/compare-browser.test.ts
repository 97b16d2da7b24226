import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/eval/compare-runs.js';
import { writeCompare } from '../../src/report/compare-write.js';
import type { BenchReport } from '../../src/report/types.js';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../chromium.js';
import { fixtureReport, XSS_IMG, XSS_SCRIPT } from './fixture.js';

/** The fixture as a baseline, and a candidate that lost two questions, with hostile hit document ids. */
function runs(): [BenchReport, BenchReport] {
  const base = fixtureReport(true);
  const hit = (docId: string, start: number) => ({ docId, start, end: start + 100 });
  const withHits = (r: BenchReport, shift: number): BenchReport => ({
    ...r,
    perQuery: r.perQuery.map((q) => ({
      ...q,
      hits: Object.fromEntries(
        r.configs.map((c) => [c.id, [hit('a.md', 0), hit(`doc${XSS_IMG}`, 100 + shift)]]),
      ),
    })),
  });
  const cand = structuredClone(base);
  for (const q of cand.perQuery.slice(0, 2))
    for (const s of Object.values(q.scores)) for (const m of Object.keys(s)) s[m] = 0;
  return [withHits(base, 0), withHits(cand, 300)];
}

describe('compare.html in headless Chromium', () => {
  let tmp: string;
  const errors: string[] = [];
  const requests: string[] = [];
  let facts: { pwned: unknown; images: number; scripts: number; text: string };
  let url: string;

  beforeAll(async () => {
    requireChromium();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ragscope-compare-browser-'));
    const [base, cand] = runs();
    const files = await writeCompare(compareRuns(base, cand, { iterations: 200 }), {
      dir: tmp,
      formats: ['html'],
    });
    url = pathToFileURL(files.html!).href;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage();
      page.on('request', (r) => {
        requests.push(r.url());
      });
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
      });
      page.on('pageerror', (e) => {
        errors.push(String(e));
      });
      await page.goto(url, { waitUntil: 'load' });
      facts = await page.evaluate(
        `({ pwned: window.__pwned, images: document.images.length, scripts: document.scripts.length, text: document.body.innerText })`,
      );
    } finally {
      await browser.close();
    }
  }, 60_000);

  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('shows hostile question texts and document ids as text, runs nothing, loads nothing, breaks no CSP rule', () => {
    expect(facts.pwned).toBeUndefined();
    expect(facts.images).toBe(0);
    expect(facts.scripts).toBe(0);
    expect(facts.text).toContain(XSS_SCRIPT);
    expect(facts.text).toContain(`doc${XSS_IMG}`);
    expect(facts.text).toMatch(/2 questions lost, 0 won/);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
  });
});
