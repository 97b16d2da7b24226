import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchReport, writeReport } from '../../src/report/index.js';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../chromium.js';
import { examplesReport, fixtureReport, XSS_IMG, XSS_SCRIPT } from './fixture.js';

interface PageFacts {
  canvases: number;
  charts: number;
  drawn: string | null;
  blank: string[];
  pwned: unknown;
  text: string;
  images: number;
  scripts: number;
}

describe('HTML report in headless Chromium', () => {
  let tmp: string;
  let context: BrowserContext;
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];
  let fileUrl: string;
  let facts: PageFacts;
  let screenshot: string;

  beforeAll(async () => {
    requireChromium();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ragscope-report-browser-'));
    const paths = await writeReport(fixtureReport(true), { dir: path.join(tmp, 'out') });
    fileUrl = pathToFileURL(paths.html!).href;
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    context.on('request', (req) => {
      requests.push(req.url());
    });
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning')
        consoleErrors.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => {
      pageErrors.push(String(err));
    });
    await page.goto(fileUrl, { waitUntil: 'load' });
    await page.waitForFunction("document.documentElement.hasAttribute('data-charts-drawn')", null, {
      timeout: 15_000,
    });
    // Runs in the page (a string, as this project compiles without DOM types). innerText: the text as SHOWN.
    facts = await page.evaluate<PageFacts>(`(() => {
      const canvases = [...document.querySelectorAll('canvas')];
      const blank = [];
      let charts = 0;
      for (const c of canvases) {
        if (window.Chart.getChart(c)) charts++;
        const ctx = c.getContext('2d');
        const img = ctx && c.width > 0 && c.height > 0 ? ctx.getImageData(0, 0, c.width, c.height).data : undefined;
        let painted = 0;
        if (img) for (let i = 3; i < img.length; i += 4) if (img[i] > 0) painted++;
        if (painted < 50) blank.push(c.id);
      }
      return {
        canvases: canvases.length,
        charts,
        drawn: document.documentElement.getAttribute('data-charts-drawn'),
        blank,
        pwned: window.__pwned,
        text: document.body.innerText,
        images: document.images.length,
        scripts: document.scripts.length,
      };
    })()`);
    screenshot = process.env.RAGSCOPE_REPORT_SCREENSHOT ?? path.join(tmp, 'report.png');
    await page.screenshot({ path: path.join(tmp, 'report.png'), fullPage: true });
    if (screenshot !== path.join(tmp, 'report.png')) await copyFile(path.join(tmp, 'report.png'), screenshot);
  });

  afterAll(async () => {
    await context?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('draws every chart (Chart.js instance per canvas, pixels painted)', () => {
    // 3 metrics + 3 chunker histograms + wins/losses + per-question difference.
    expect(facts.canvases).toBe(8);
    expect(facts.charts).toBe(facts.canvases);
    expect(facts.drawn).toBe('8');
    expect(facts.blank).toEqual([]);
  });

  it('logs no console errors and throws no page errors (CSP included)', () => {
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('loads nothing but the file itself', () => {
    expect(requests).toEqual([fileUrl]);
  });

  it('runs none of the markup in report strings and shows it as text', () => {
    expect(facts.pwned).toBeUndefined();
    expect(facts.images).toBe(0);
    expect(facts.scripts).toBe(3); // the JSON data block, Chart.js, the chart script
    expect(facts.text).toContain(XSS_SCRIPT);
    expect(facts.text).toContain(XSS_IMG);
    expect(facts.text).toContain('EMBEDDER FALLBACK');
    expect(facts.text).toContain('split-across-chunks');
    expect(facts.text).toContain('Failures by cause');
  });
});

describe('HTML report of a real bench run in headless Chromium: the findings come first', () => {
  let tmp: string;
  let context: BrowserContext;
  let report: BenchReport;
  let shown: { text: string; findings: number; summary: number; causeRows: string[]; tied: number };

  beforeAll(async () => {
    report = await examplesReport();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ragscope-report-real-'));
    const paths = await writeReport(report, { dir: path.join(tmp, 'out') });
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const page = await context.newPage();
    await page.goto(pathToFileURL(paths.html!).href, { waitUntil: 'load' });
    shown = await page.evaluate(`(() => {
      const text = document.body.innerText;
      const rows = [...document.querySelectorAll('#cause-summary tbody tr')].map((tr) => tr.innerText.split('\\t').slice(0, 3).join(' '));
      return {
        text,
        findings: text.indexOf('Findings'),
        summary: text.indexOf('Summary\\n'),
        causeRows: rows,
        tied: document.querySelectorAll('#summary .badge.tie').length,
      };
    })()`);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('shows the failure-cause summary, with counts and the fix that rescued most, before the summary table', () => {
    const s = report.causeSummary!;
    expect(s.byCause.length).toBeGreaterThan(0);
    expect(shown.findings).toBeGreaterThan(-1);
    expect(shown.findings).toBeLessThan(shown.summary);
    expect(shown.causeRows).toEqual(s.byCause.map((c) => `${c.cause} ${c.count} ${c.decisive}`));
    expect(shown.text).toContain(`The fix that rescued most: ${s.topFix!.cause}`);
  });

  it('marks each configuration tied with the best', () => {
    expect(shown.tied).toBe(report.tiedWithBest!.ids.length);
    expect(shown.tied).toBeGreaterThan(0);
  });
});
