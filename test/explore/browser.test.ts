import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChunker } from '../../src/chunkers/spec.js';
import { whyNot } from '../../src/diagnostics/whynot.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { type ExploreServer, startExplore } from '../../src/explore/server.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { MmrReranker } from '../../src/search/rerank/mmr.js';
import { CHROMIUM, CHROMIUM_ARGS, requireChromium } from '../chromium.js';
import { buildFixture, type Fixture, HOSTILE_ID, XSS_IMG, XSS_SCRIPT } from './harness.js';

// Kept after the run (ignored by git): the page as the tests left it.
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const QUERY = 'How long do refunds take?';
const K = 5;

interface ShownHit {
  id: string;
  rank: number;
  score: number;
  ledger: Array<{ stage: string; rank: string; score: string }>;
  terms: string[];
}

describe('ragscope explore in headless Chromium', () => {
  let fx: Fixture;
  let server: ExploreServer;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  /** Origins of the explore servers this test started (all on 127.0.0.1). */
  const origins: string[] = [];

  beforeAll(async () => {
    requireChromium();
    fx = await buildFixture();
    server = await startExplore({
      pipeline: fx.pipeline,
      report: fx.report,
      questions: fx.dataset.questions,
    });
    origins.push(new URL(server.url).origin);
    context = await chromium.launchPersistentContext(path.join(fx.tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
    });
    context.on('request', (req) => {
      requests.push(req.url());
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning')
        consoleErrors.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => {
      pageErrors.push(String(err));
    });
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('html[data-ready]', { timeout: 15_000 });
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (fx) await rm(fx.tmp, { recursive: true, force: true });
  });

  // Predicates run in the page as functions: a string predicate would be eval'd there, which the page's CSP
  // (rightly) refuses. The project compiles without DOM types, hence the narrow `document` type.
  type Doc = {
    querySelector(s: string): { getAttribute(a: string): string | null; textContent: string | null } | null;
  };
  const attrIs = ([sel, attr, value]: string[]) =>
    (globalThis as unknown as { document: Doc }).document.querySelector(sel!)?.getAttribute(attr!) === value;
  const textIs = ([sel, value]: string[]) =>
    (globalThis as unknown as { document: Doc }).document.querySelector(sel!)?.textContent === value;

  /** Wait until the element's attribute has the value. */
  async function waitAttr(selector: string, attr: string, value: string): Promise<void> {
    await page.waitForFunction(attrIs, [selector, attr, value]);
  }

  async function waitSummary(summary: string): Promise<void> {
    await page.waitForFunction(textIs, ['#whynot [data-field=summary]', summary]);
  }

  async function search(query: string): Promise<void> {
    await page.click('#tabs button[data-view=query]');
    await page.fill('#k', String(K));
    await page.fill('#query', query);
    await page.click('#query-form button[type=submit]');
    await waitAttr('#hits', 'data-query', query);
  }

  it("shows the hits and per-stage ledger of the library's search result", async () => {
    await search(QUERY);
    const want = await fx.pipeline.search(QUERY, { k: K });
    // Runs in the page (a string: the project compiles without DOM types).
    const shown = await page.evaluate<ShownHit[]>(`[...document.querySelectorAll('#hits .hit')].map((h) => ({
      id: h.getAttribute('data-chunk-id'),
      rank: Number(h.getAttribute('data-rank')),
      score: Number(h.getAttribute('data-score')),
      ledger: [...h.querySelectorAll('table.ledger tr')].map((r) => ({
        stage: r.getAttribute('data-stage'), rank: r.getAttribute('data-rank'), score: r.getAttribute('data-score'),
      })),
      terms: [...h.querySelectorAll('mark.term')].map((m) => m.getAttribute('data-term')),
    }))`);
    expect(shown.map((h) => [h.id, h.rank, h.score])).toEqual(
      want.hits.map((h) => [h.chunk.id, h.rank, h.score]),
    );
    want.hits.forEach((hit, i) => {
      const rows = Object.fromEntries(shown[i]!.ledger.map((r) => [r.stage, r]));
      const l = hit.ledger;
      expect(rows.bm25).toEqual({
        stage: 'bm25',
        rank: String(l.bm25?.rank ?? ''),
        score: String(l.bm25?.score ?? ''),
      });
      expect(rows.vector).toEqual({
        stage: 'vector',
        rank: String(l.vector?.rank ?? ''),
        score: String(l.vector?.score ?? ''),
      });
      expect(rows.fusion).toEqual({
        stage: 'fusion',
        rank: String(l.fusion!.rank),
        score: String(l.fusion!.score),
      });
      // Every highlighted word is one of the BM25 terms that scored, and every scoring term is highlighted.
      const scored = new Set(l.bm25?.explanation.terms.map((t) => t.term) ?? []);
      expect(new Set(shown[i]!.terms)).toEqual(scored);
    });
    // The candidate list of every stage, side by side, in the trace's order.
    const columns = await page.evaluate<Array<{ stage: string; ids: string[] }>>(
      `[...document.querySelectorAll('#stages .stage')].map((s) => ({
        stage: s.getAttribute('data-stage'),
        ids: [...s.querySelectorAll('li')].map((li) => li.getAttribute('data-chunk-id')),
      }))`,
    );
    expect(columns.map((c) => c.stage)).toEqual(want.trace.stages.map((s) => s.stage));
    columns.forEach((c, i) => {
      expect(c.ids).toEqual(want.trace.stages[i]!.candidates.slice(0, 30).map((x) => x.chunkId));
    });
  });

  it('draws a line per final hit between neighbouring stage lists, from its rank in one to its rank in the next', async () => {
    const want = await fx.pipeline.search(QUERY, { k: K });
    await page.waitForSelector('#stages[data-lines]');
    const lines = await page.evaluate<
      Array<{ left: string; right: string; id: string; from: number; to: number }>
    >(
      `[...document.querySelectorAll('#stages svg.gutter line')].map((l) => ({
        left: l.parentNode.previousElementSibling.getAttribute('data-stage'),
        right: l.parentNode.nextElementSibling.getAttribute('data-stage'),
        id: l.getAttribute('data-chunk-id'), from: Number(l.getAttribute('data-from')), to: Number(l.getAttribute('data-to')),
      }))`,
    );
    const final = new Set(want.hits.map((h) => h.chunk.id));
    const expected = want.trace.stages.slice(1).flatMap((right, i) => {
      const left = want.trace.stages[i]!;
      const rows = new Map(right.candidates.slice(0, 30).map((c) => [c.chunkId, c.rank]));
      return left.candidates
        .slice(0, 30)
        .filter((c) => final.has(c.chunkId) && rows.has(c.chunkId))
        .map((c) => ({
          left: left.stage,
          right: right.stage,
          id: c.chunkId,
          from: c.rank,
          to: rows.get(c.chunkId)!,
        }));
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(lines).toEqual(expected);
  });

  it('draws the chunk boundaries of a document at the chunk offsets, with the chunker reasons', async () => {
    const docId = (await fx.pipeline.search(QUERY, { k: K })).hits[0]!.chunk.docId;
    await page.click(`#hits .hit:first-child h3 button`);
    await waitAttr('#doc-text', 'data-doc-id', docId);
    const drawn = await page.evaluate<{
      starts: number[];
      ends: number[];
      text: string;
      titles: string[];
    }>(`(() => {
      const box = document.getElementById('doc-text');
      const at = (kind) => [...box.querySelectorAll('.boundary[data-kind=' + kind + ']')].map((b) => Number(b.getAttribute('data-offset')));
      return { starts: at('start'), ends: at('end'), text: box.textContent,
        titles: [...box.querySelectorAll('.boundary[data-kind=start]')].map((b) => b.getAttribute('title')) };
    })()`);
    const chunks = fx.pipeline.chunksOf(docId);
    expect(drawn.starts).toEqual(chunks.map((c) => c.start));
    expect(drawn.ends.sort((a, b) => a - b)).toEqual(chunks.map((c) => c.end).sort((a, b) => a - b));
    expect(drawn.text).toBe(fx.pipeline.getDocument(docId)!.text);
    const trace = await fx.pipeline.chunker.chunkWithTrace(fx.pipeline.getDocument(docId)!);
    trace.boundaries.forEach((b, i) => {
      expect(drawn.titles[i + 1]).toContain(b.explanation);
    });
    // The chunks retrieved for the query are marked.
    const marked = await page.evaluate<string[]>(
      `[...new Set([...document.querySelectorAll('#doc-text .seg.retrieved')].map((s) => s.getAttribute('data-chunk-id')))]`,
    );
    const hits = (await fx.pipeline.search(QUERY, { k: K })).hits.filter((h) => h.chunk.docId === docId);
    expect(new Set(marked)).toEqual(new Set(hits.map((h) => h.chunk.id)));
  });

  it("draws another chunker of the report on the same document, with that chunker's boundaries", async () => {
    const docId = 'billing-and-refunds.md';
    const other = createChunker('sentence:400/1');
    await page.click('#tabs button[data-view=document]');
    await page.selectOption('#chunker-pick', other.spec);
    await page.selectOption('#doc-pick', docId);
    await page.waitForFunction(
      ([id, n]) =>
        (globalThis as unknown as { document: Doc }).document
          .querySelector('#doc-text')
          ?.getAttribute('data-doc-id') === id &&
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
        ).document.querySelectorAll('#doc-text .boundary[data-kind=start]').length === Number(n),
      [docId, String((await other.chunk(fx.pipeline.getDocument(docId)!)).length)],
    );
    const starts = await page.evaluate<number[]>(
      `[...document.querySelectorAll('#doc-text .boundary[data-kind=start]')].map((b) => Number(b.getAttribute('data-offset')))`,
    );
    const chunks = await other.chunk(fx.pipeline.getDocument(docId)!);
    expect(starts).toEqual(chunks.map((c) => c.start));
    expect(chunks.map((c) => c.start)).not.toEqual(fx.pipeline.chunksOf(docId).map((c) => c.start));
    await page.selectOption('#chunker-pick', fx.pipeline.chunker.spec);
    await waitAttr('#doc-text', 'data-doc-id', docId);
  });

  it("shows the library's why-not verdict for a chunk that was not retrieved", async () => {
    const result = await fx.pipeline.search(QUERY, { k: K });
    const docId = result.hits[0]!.chunk.docId;
    const retrieved = new Set(result.hits.map((h) => h.chunk.id));
    const missed = fx.pipeline.chunksOf(docId).find((c) => !retrieved.has(c.id))!;
    expect(missed).toBeDefined();
    const want = await whyNot(fx.pipeline, QUERY, missed.id, { k: K });
    await page.click(`#doc-text .seg[data-chunk-id="${missed.id}"]`);
    await waitSummary(want.summary);
    const causes = await page.evaluate<Array<{ cause: string; sentence: string; fix: string }>>(
      `[...document.querySelectorAll('#whynot .cause')].map((c) => ({ cause: c.getAttribute('data-cause'),
        sentence: c.querySelector('[data-field=sentence]').textContent,
        fix: c.querySelector('[data-field=fix]').textContent }))`,
    );
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'explore-document.png') });
    expect(want.retrieved).toBe(false);
    expect(causes).toEqual(
      want.causes.map((c) => ({ cause: c.cause, sentence: c.sentence, fix: `fix: ${c.fix}` })),
    );
  });

  it('asks why-not for a text selection in the document view (a span target)', async () => {
    const docId = await page.evaluate<string>(
      `document.getElementById('doc-text').getAttribute('data-doc-id')`,
    );
    const span = await page.evaluate<{ start: number; end: number }>(`(() => {
      const seg = [...document.querySelectorAll('#doc-text .seg')].find((s) => s.textContent.length > 30);
      const node = seg.firstChild;
      const range = document.createRange();
      range.setStart(node, 5);
      range.setEnd(node, 25);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      document.getElementById('doc-text').dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
      const start = Number(seg.getAttribute('data-start')) + 5;
      return { start, end: start + 20 };
    })()`);
    const want = await whyNot(fx.pipeline, QUERY, { docId, ...span }, { k: K });
    expect(want.target.span).toEqual(span);
    await waitSummary(want.summary);
  });

  it('draws the gold span of a question picked from the list', async () => {
    const q = fx.dataset.questions.find((x) => (x.spans ?? []).length > 0)!;
    const gold = q.spans![0]!;
    await page.click('#tabs button[data-view=query]');
    await page.selectOption('#question-pick', q.id);
    await waitAttr('#hits', 'data-query', q.text);
    await page.click('#tabs button[data-view=document]');
    await page.selectOption('#doc-pick', gold.docId);
    await waitAttr('#doc-text', 'data-doc-id', gold.docId);
    const segs = await page.evaluate<Array<[number, number]>>(
      `[...document.querySelectorAll('#doc-text .seg.gold')].map((s) => [Number(s.getAttribute('data-start')), Number(s.getAttribute('data-end'))])`,
    );
    const covered = q.spans!.filter((s) => s.docId === gold.docId);
    const chars = new Set(segs.flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i)));
    const goldChars = new Set(
      covered.flatMap((s) => Array.from({ length: s.end - s.start }, (_, i) => s.start + i)),
    );
    expect(chars).toEqual(goldChars);
  });

  it('shows a hostile document as text and runs none of its markup', async () => {
    await search('hostile upload onerror payload script tag');
    const hitIds = await page.evaluate<string[]>(
      `[...document.querySelectorAll('#hits .hit')].map((h) => h.getAttribute('data-chunk-id'))`,
    );
    expect(hitIds.some((id) => id.startsWith(`${HOSTILE_ID}#`))).toBe(true);
    await page.click('#tabs button[data-view=document]');
    await page.selectOption('#doc-pick', HOSTILE_ID);
    await waitAttr('#doc-text', 'data-doc-id', HOSTILE_ID);
    const facts = await page.evaluate<{
      pwned: unknown;
      images: number;
      scripts: number;
      doc: string;
      hits: string;
    }>(
      `({ pwned: window.__pwned, images: document.images.length, scripts: document.scripts.length,
          doc: document.getElementById('doc-text').textContent, hits: document.getElementById('hits').innerText })`,
    );
    expect(facts.pwned).toBeUndefined();
    expect(facts.images).toBe(0);
    expect(facts.scripts).toBe(1); // app.js only
    expect(facts.doc).toContain(XSS_IMG);
    expect(facts.doc).toContain(XSS_SCRIPT);
    expect(facts.hits).toContain(XSS_IMG);
  });

  it('groups the report failures by cause with counts and drills down to a question', async () => {
    const failures = fx.report.failures ?? [];
    expect(failures.length).toBeGreaterThan(0);
    const want = new Map<string, number>();
    for (const f of failures) {
      const cause = f.causes[0]?.cause ?? 'no cause recorded';
      want.set(cause, (want.get(cause) ?? 0) + 1);
    }
    await page.click('#tabs button[data-view=failures]');
    const groups = await page.evaluate<Array<[string, number]>>(
      `[...document.querySelectorAll('#failures .group')].map((g) => [g.getAttribute('data-cause'), Number(g.getAttribute('data-count'))])`,
    );
    expect(new Map(groups)).toEqual(want);
    // The fix that rescued most (why-not replayed it alone and the gold came back), as the report records it.
    const topFix = fx.report.causeSummary?.topFix;
    const shownTop = await page.evaluate<string | null>(
      `document.querySelector('#failures .top-fix')?.textContent ?? null`,
    );
    if (topFix) expect(shownTop).toContain(`${topFix.cause}, for ${topFix.rescued} failures`);
    else expect(shownTop).toBeNull();
    expect(groups.map((g) => g[1])).toEqual([...groups.map((g) => g[1])].sort((a, b) => b - a));
    const first = failures.find((f) => (f.causes[0]?.cause ?? 'no cause recorded') === groups[0]![0])!;
    await page.locator('#failures .group summary').first().click();
    await page.click(`#failures .failure[data-question-id="${first.questionId}"] button`);
    await waitAttr('#hits', 'data-query', first.question);
    await mkdir(ARTIFACTS, { recursive: true });
    const shot = path.join(fx.tmp, 'explore.png');
    await page.screenshot({ path: shot, fullPage: true });
    await copyFile(shot, path.join(ARTIFACTS, 'explore.png'));
    expect(existsSync(path.join(ARTIFACTS, 'explore.png'))).toBe(true);
  });

  it('shows the re-ranker score and movement of each hit and lines from fused to re-ranked rank', async () => {
    const reranked = new RetrievalPipeline({
      chunker: 'recursive:400/0:chars',
      embedder: new HashingEmbedder(),
      vector: { index: 'exact' },
      reranker: new MmrReranker({ lambda: 0.5 }),
    });
    await reranked.addDocuments(fx.dataset.documents);
    const second = await startExplore({ pipeline: reranked });
    origins.push(new URL(second.url).origin);
    try {
      await page.goto(second.url, { waitUntil: 'load' });
      await page.waitForSelector('html[data-ready]');
      await search(QUERY);
      await page.waitForSelector('#stages[data-lines]');
      const want = await reranked.search(QUERY, { k: K });
      const rows = await page.evaluate<Array<{ rank: string; score: string; moved: string }>>(
        `[...document.querySelectorAll('#hits .hit tr[data-stage=rerank]')].map((r) => ({
          rank: r.getAttribute('data-rank'), score: r.getAttribute('data-score'), moved: r.lastElementChild.textContent }))`,
      );
      const arrow = (m: number) => (m > 0 ? `▲${m}` : m < 0 ? `▼${-m}` : '=');
      expect(rows).toEqual(
        want.hits.map((h) => ({
          rank: String(h.ledger.rerank!.rankAfter),
          score: String(h.ledger.rerank!.score),
          moved: arrow(h.ledger.rerank!.moved),
        })),
      );
      expect(want.hits.some((h) => h.ledger.rerank!.moved !== 0)).toBe(true);
      const lines = await page.evaluate<Array<[number, number]>>(
        `[...document.querySelectorAll('#stages svg.gutter')].filter((g) => g.nextElementSibling.getAttribute('data-stage') === 'rerank')
          .flatMap((g) => [...g.querySelectorAll('line')]).map((l) => [Number(l.getAttribute('data-from')), Number(l.getAttribute('data-to'))])`,
      );
      expect(lines.sort((a, b) => a[1] - b[1])).toEqual(
        want.hits.map((h) => [h.ledger.rerank!.rankBefore, h.ledger.rerank!.rankAfter]),
      );
    } finally {
      await page.goto(server.url, { waitUntil: 'load' });
      await second.close();
    }
  });

  it('sends no request anywhere but the server on 127.0.0.1, and logs no error (CSP included)', () => {
    expect(requests.length).toBeGreaterThan(5);
    expect(origins.every((o) => new URL(o).hostname === '127.0.0.1')).toBe(true);
    expect(requests.filter((u) => !origins.includes(new URL(u).origin))).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
