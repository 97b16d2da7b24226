import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChunker } from '../../src/chunkers/spec.js';
import { type WhyNotReport, whyNot } from '../../src/diagnostics/whynot.js';
import type { ExploreDocument } from '../../src/explore/api.js';
import { ASSET_FILES } from '../../src/explore/assets.js';
import { type ExploreServer, startExplore } from '../../src/explore/server.js';
import type { SearchResult } from '../../src/search/types.js';
import { buildFixture, type Fixture, HOSTILE_ID, rawRequest } from './harness.js';

describe('explore server (HTTP, no browser)', () => {
  let fx: Fixture;
  let server: ExploreServer;
  let host: string;

  beforeAll(async () => {
    fx = await buildFixture();
    server = await startExplore({
      pipeline: fx.pipeline,
      report: fx.report,
      questions: fx.dataset.questions,
    });
    host = `127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server?.close();
    if (fx) await rm(fx.tmp, { recursive: true, force: true });
  });

  it('binds to 127.0.0.1 and prints a URL with the chosen free port', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin with 403', async () => {
    const url = `${server.url}api/info`;
    expect((await rawRequest(url, { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await rawRequest(url, { Host: 'localhost:1' })).status).toBe(403);
    expect((await rawRequest(url, { Host: host, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await rawRequest(url, { Host: host, Origin: `https://${host}` })).status).toBe(403);
    expect((await rawRequest(url, { Host: host, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    const search = await rawRequest(
      `${server.url}api/search`,
      { Host: host, Origin: 'http://evil.example', 'Content-Type': 'application/json' },
      'POST',
      JSON.stringify({ query: 'refund' }),
    );
    expect(search.status).toBe(403);
    expect((await rawRequest(url, { Host: host, Origin: `http://${host}` })).status).toBe(200);
    expect((await rawRequest(url, { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('serves every file of the page (a module missing from ASSET_FILES would break the page) and no other', async () => {
    const dir = path.resolve(__dirname, '../../src/explore/static');
    const files = (await readdir(dir)).sort();
    expect(
      Object.values(ASSET_FILES)
        .filter((f, i, all) => all.indexOf(f) === i)
        .sort(),
    ).toEqual(files);
    for (const file of files) {
      const res = await fetch(new URL(`/${file}`, server.url));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(await readFile(path.join(dir, file), 'utf8'));
    }
    // Every module the page imports is one of them.
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const text = await readFile(path.join(dir, file), 'utf8');
      for (const m of text.matchAll(/from '\.\/([\w-]+\.js)'/g)) expect(files).toContain(m[1]);
    }
    expect((await fetch(new URL('/harness.ts', server.url))).status).toBe(404);
  });

  it('sends a strict CSP on the page', async () => {
    const page = await rawRequest(server.url, { Host: host });
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.body).not.toMatch(/<script>(?!<)/); // no inline script in the HTML
  });

  it("returns the library's SearchResult and WhyNotReport as JSON", async () => {
    const query = 'How long do refunds take?';
    const post = (route: string, body: unknown) =>
      fetch(new URL(route, server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as SearchResult & WhyNotReport }));
    const got = await post('/api/search', { query, k: 5 });
    const want = await fx.pipeline.search(query, { k: 5 });
    expect(got.status).toBe(200);
    expect(got.json.hits).toEqual(JSON.parse(JSON.stringify(want.hits)));
    expect(got.json.trace.stages.map((s: { candidates: unknown }) => s.candidates)).toEqual(
      want.trace.stages.map((s) => s.candidates),
    );
    const target = fx.pipeline.chunksOf(HOSTILE_ID)[0]!.id;
    const wn = await post('/api/why-not', { query, k: 5, target });
    const wantWn = await whyNot(fx.pipeline, query, target, { k: 5 });
    expect(wn.json.summary).toBe(wantWn.summary);
    expect(wn.json.causes).toEqual(JSON.parse(JSON.stringify(wantWn.causes)));
  });

  it('answers bad input with 4xx naming the parameter', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(new URL('/api/search', server.url), { method: 'POST', headers: { 'content-type': type }, body });
    const empty = await post(JSON.stringify({ query: '  ' }));
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: string }).error).toMatch(/query/);
    const badK = await post(JSON.stringify({ query: 'x', k: 0 }));
    expect(badK.status).toBe(400);
    expect(((await badK.json()) as { error: string }).error).toMatch(/k must be/);
    expect((await post('{not json')).status).toBe(400);
    expect((await post('{}', 'text/plain')).status).toBe(415);
    const doc = await fetch(new URL('/api/document?id=nope', server.url));
    expect(doc.status).toBe(404);
    const whyNotOf = (target: unknown) =>
      fetch(new URL('/api/why-not', server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'x', target }),
      });
    const badTarget = await whyNotOf({ docId: 'a', start: 'zero', end: 3 });
    expect(badTarget.status).toBe(400);
    expect(((await badTarget.json()) as { error: string }).error).toMatch(/target must be/);
    // An unknown document is a verdict, not an error: the library says it is not in the corpus.
    const missing = await whyNotOf({ docId: 'nope', start: 0, end: 3 });
    expect(missing.status).toBe(200);
    expect(((await missing.json()) as WhyNotReport).causes[0]?.cause).toBe('not-in-corpus');
    expect((await fetch(new URL('/../../etc/passwd', server.url))).status).toBe(404);
  });

  it("offers the index's chunker and the report's other chunkers, and refuses any other", async () => {
    const info = (await (await fetch(new URL('/api/info', server.url))).json()) as { chunkers: string[] };
    expect(info.chunkers).toEqual([fx.pipeline.chunker.spec, createChunker('sentence:400/1').spec]);
    const other = await fetch(
      new URL('/api/document?id=billing-and-refunds.md&chunker=sentence:400/1:chars', server.url),
    );
    const doc = (await other.json()) as ExploreDocument;
    const want = await createChunker('sentence:400/1').chunkWithTrace(
      fx.pipeline.getDocument('billing-and-refunds.md')!,
    );
    expect(doc.chunks).toEqual(JSON.parse(JSON.stringify(want.chunks)));
    expect(doc.boundaries).toEqual(JSON.parse(JSON.stringify(want.boundaries)));
    const bad = await fetch(
      new URL('/api/document?id=billing-and-refunds.md&chunker=fixed:10/0', server.url),
    );
    expect(bad.status).toBe(400);
  });

  it('serves each document with its chunks and the chunker boundary reasons', async () => {
    const res = await fetch(new URL('/api/document?id=billing-and-refunds.md', server.url));
    const doc = (await res.json()) as ExploreDocument;
    const chunks = fx.pipeline.chunksOf('billing-and-refunds.md');
    expect(doc.chunks.map((c: { start: number; end: number }) => [c.start, c.end])).toEqual(
      chunks.map((c) => [c.start, c.end]),
    );
    expect(doc.boundaries).toHaveLength(chunks.length - 1);
    expect(doc.boundaries?.map((b: { offset: number }) => b.offset)).toEqual(
      chunks.slice(1).map((c) => c.start),
    );
  });
});
