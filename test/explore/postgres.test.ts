import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChunker } from '../../src/chunkers/spec.js';
import { whyNot } from '../../src/diagnostics/whynot.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { loadJsonl } from '../../src/eval/datasets/jsonl.js';
import type { ExploreDocument } from '../../src/explore/api.js';
import { type ExploreServer, startExplore } from '../../src/explore/server.js';
import {
  indexIntoPostgres,
  PostgresIndex,
  PostgresTextRetriever,
  PostgresVectorRetriever,
} from '../../src/postgres/index.js';
import { RetrieverSearch } from '../../src/search/retriever-search.js';
import type { SearchResult } from '../../src/search/types.js';
import { startPostgres, type TestPostgres } from '../postgres/server.js';
import { EXAMPLES } from './harness.js';

describe('explore on a Postgres index (PGlite on 127.0.0.1)', () => {
  let pgServer: TestPostgres;
  let index: PostgresIndex;
  let search: RetrieverSearch;
  let server: ExploreServer;

  beforeAll(async () => {
    pgServer = await startPostgres();
    const dataset = await loadJsonl(path.join(EXAMPLES, 'questions.jsonl'), {
      corpus: path.join(EXAMPLES, 'corpus'),
    });
    const embedder = new HashingEmbedder();
    const chunker = createChunker('recursive:400/0');
    index = await PostgresIndex.open({ db: pgServer.url, prefix: 'ex', dimensions: embedder.dimensions });
    await indexIntoPostgres(index, dataset.documents, { chunker, embedder });
    search = new RetrieverSearch({
      retrievers: [new PostgresTextRetriever(index), new PostgresVectorRetriever(index, embedder)],
      embedder,
      chunker,
      documents: await index.documents(),
      chunks: await index.chunks(),
    });
    server = await startExplore({ pipeline: search, questions: dataset.questions });
  });
  afterAll(async () => {
    await server?.close();
    await index?.close();
    await pgServer?.stop();
  });

  const post = async (route: string, body: unknown) => {
    const r = await fetch(`${server.url}api/${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(r.status).toBe(200);
    return r.json();
  };

  it('serves the Postgres search, its trace and the why-not verdict as the library gives them', async () => {
    const q = 'Which port must be reachable from clients?';
    const shown = (await post('search', { query: q, k: 5 })) as SearchResult;
    const lib = await search.search(q, { k: 5 });
    expect(shown.hits.map((h) => h.chunk.id)).toEqual(lib.hits.map((h) => h.chunk.id));
    expect(shown.trace.stages.map((s) => s.stage)).toEqual(['pg-text', 'pg-vector', 'fusion']);
    const target = { docId: 'billing-and-refunds.md', start: 0, end: 200 };
    const verdict = (await post('why-not', { query: q, target, k: 5 })) as Record<string, unknown>;
    const want = JSON.parse(JSON.stringify(await whyNot(search, q, target, { k: 5 })));
    expect(verdict.summary).toBe(want.summary);
    expect(verdict.causes).toEqual(want.causes);
    expect(verdict.cannotCheck).toEqual(want.cannotCheck);
    expect((verdict.cannotCheck as unknown[]).length).toBeGreaterThan(0);
  });

  it('draws the stored chunks of a document with the boundaries of the chunker that made them', async () => {
    const r = await fetch(`${server.url}api/document?id=installation.md`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as ExploreDocument;
    const stored = search.chunksOf('installation.md');
    expect(doc.chunks.map((c) => [c.start, c.end])).toEqual(stored.map((c) => [c.start, c.end]));
    for (const c of doc.chunks) expect(doc.document.text.slice(c.start, c.end)).toBe(c.text);
  });
});
