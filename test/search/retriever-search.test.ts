import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { whyNot } from '../../src/diagnostics/whynot.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import {
  indexIntoPostgres,
  PostgresIndex,
  PostgresTextRetriever,
  PostgresVectorRetriever,
} from '../../src/postgres/index.js';
import { fuse } from '../../src/search/fusion.js';
import { RetrieverSearch } from '../../src/search/retriever-search.js';
import { sharedPath } from '../chunkers/chunk-invariants.js';
import { startPostgres, type TestPostgres } from '../postgres/server.js';

let server: TestPostgres;
let pool: pg.Pool;
let index: PostgresIndex;
const embedder = new HashingEmbedder({ dimensions: 128 });
const chunker = new RecursiveChunker({ size: 400, overlap: 0 });
const docs = ['state_of_the_union', 'chatlogs'].map((id) => ({
  id,
  text: fs.readFileSync(sharedPath(`data/chroma/corpora/${id}.md`), 'utf8'),
}));

beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 4 });
  index = await PostgresIndex.open({ db: pool, prefix: 'rs', dimensions: 128 });
  await indexIntoPostgres(index, docs, { chunker, embedder });
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

describe('RetrieverSearch: any retrievers as named stages, fused with full traces (here Postgres)', () => {
  it('traces each retriever as its own stage and fuses them as fuse() does, with a ledger per list', async () => {
    const text = new PostgresTextRetriever(index);
    const dense = new PostgresVectorRetriever(index, embedder, { exact: true });
    const search = new RetrieverSearch({
      retrievers: [text, dense],
      embedder,
      fusion: { method: 'weighted', normalization: 'minmax', weights: { 'pg-text': 0.7, 'pg-vector': 0.3 } },
      depth: 50,
    });
    const q = 'What did the president say about lowering prescription drug costs?';
    const { hits, trace } = await search.search(q, { k: 5 });
    expect(trace.stages.map((s) => s.stage)).toEqual(['pg-text', 'pg-vector', 'fusion']);
    expect(trace.stages[0]!.params).toMatchObject({ rank: 'ts_rank_cd', kind: 'lexical', depth: 50 });
    // The fused order is fuse() over the two retrievers' own lists.
    const lists = [
      { list: 'pg-text', candidates: await text.retrieve(q, 50) },
      { list: 'pg-vector', candidates: await dense.retrieve(q, 50) },
    ];
    const expected = fuse(lists, {
      method: 'weighted',
      normalization: 'minmax',
      weights: { 'pg-text': 0.7, 'pg-vector': 0.3 },
    });
    expect(hits.map((h) => h.chunk.id)).toEqual(expected.candidates.slice(0, 5).map((c) => c.chunkId));
    for (const h of hits) {
      const sum = h.ledger.fusion!.contributions.reduce((s, c) => s + c.contribution, 0);
      expect(sum).toBeCloseTo(h.score, 12);
      expect(docs.find((d) => d.id === h.chunk.docId)!.text.slice(h.chunk.start, h.chunk.end)).toBe(
        h.chunk.text,
      );
      const pgText = h.ledger.lists?.['pg-text'];
      if (pgText)
        expect(((pgText.explanation?.matched as string[] | undefined) ?? []).length).toBeGreaterThan(0);
    }
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
  });

  it('rejects weights for retrievers that are not there, and duplicate names', () => {
    const text = new PostgresTextRetriever(index);
    expect(() => new RetrieverSearch({ retrievers: [text], fusion: { weights: { vector: 2 } } })).toThrow(
      /fusion.weights/,
    );
    expect(() => new RetrieverSearch({ retrievers: [text, text] })).toThrow(/retrievers\[1\]\.name/);
    expect(() => new RetrieverSearch({ retrievers: [text], depth: { 'pg-vector': 5 } })).toThrow(/depth/);
  });

  it('lets whyNot diagnose the Postgres retrieval, saying what it cannot check instead of guessing', async () => {
    const search = new RetrieverSearch({
      retrievers: [new PostgresTextRetriever(index)],
      documents: docs,
      chunks: await index.chunks(),
    });
    const q = 'prescription drug costs insulin';
    const { hits } = await search.search(q, { k: 3 });
    const top = hits[0]!;
    const found = await whyNot(
      search,
      q,
      { docId: top.chunk.docId, start: top.chunk.start, end: top.chunk.end },
      { k: 3 },
    );
    expect(found.retrieved).toBe(true);
    // A chunk of the other corpus, not retrieved: no confident "not indexed", and the unchecked causes are listed.
    const other = (await index.chunks()).find((c) => c.docId === 'chatlogs')!;
    const miss = await whyNot(
      search,
      q,
      { docId: other.docId, start: other.start, end: other.end },
      { k: 3 },
    );
    expect(miss.retrieved).toBe(false);
    expect(miss.causes.some((c) => c.cause === 'not-indexed' && c.decisive)).toBe(false);
    expect(miss.cannotCheck.map((c) => c.cause)).toEqual([
      'below-candidate-depth',
      'lexical-mismatch',
      'not-indexed',
    ]);
    expect(miss.cannotCheck[0]!.missing).toMatch(/"pg-text"/);
    expect(miss.causes[0]!.sentence).toMatch(/checks were not possible/);
  });
});
