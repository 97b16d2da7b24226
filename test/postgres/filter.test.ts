import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import {
  indexIntoPostgres,
  PostgresIndex,
  PostgresTextRetriever,
  PostgresVectorRetriever,
} from '../../src/postgres/index.js';
import { PostgresTableRetriever } from '../../src/postgres/table.js';
import { describeFilter, type MetadataFilter, matchesFilter } from '../../src/search/filter.js';
import { RetrieverSearch } from '../../src/search/retriever-search.js';
import { sharedPath } from '../chunkers/chunk-invariants.js';
import { startPostgres, type TestPostgres } from './server.js';

let server: TestPostgres;
let pool: pg.Pool;
const embedder = new HashingEmbedder({ dimensions: 64 });
const docs = ['state_of_the_union', 'chatlogs', 'pubmed'].map((id) => ({
  id,
  text: fs.readFileSync(sharedPath(`data/chroma/corpora/${id}.md`), 'utf8'),
  metadata: { corpus: id, year: id === 'pubmed' ? 2020 : 2024 },
}));

beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 4 });
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

describe('metadata filters in Postgres (SQL WHERE on the metadata jsonb, real Postgres)', () => {
  it('text and vector retrievers filter natively and exactly: the unfiltered full list restricted to the filter', async () => {
    const index = await PostgresIndex.open({ db: pool, prefix: 'filt', dimensions: 64 });
    await indexIntoPostgres(index, docs, { chunker: new RecursiveChunker({ size: 400 }), embedder });
    const all = new Map((await index.chunks()).map((c) => [c.id, c]));
    const text = new PostgresTextRetriever(index);
    const dense = new PostgresVectorRetriever(index, embedder, { exact: true });
    for (const filter of [
      { corpus: 'chatlogs' },
      { corpus: ['pubmed', 'chatlogs'], year: 2020 },
      { year: '2020' },
    ] as MetadataFilter[]) {
      for (const q of [
        'inflation prices families',
        'patients treatment outcomes',
        'how do I reset my password',
      ]) {
        for (const r of [text, dense]) {
          const got = await r.retrieve(q, 20, { filter });
          const full = await r.retrieve(q, all.size);
          const want = full.filter((h) => matchesFilter(all.get(h.chunkId)!.metadata, filter)).slice(0, 20);
          expect(got.map((h) => h.chunkId)).toEqual(want.map((h) => h.chunkId));
          if (filter.year === '2020') expect(got).toEqual([]); // '2020' is not 2020
        }
      }
    }
    const search = new RetrieverSearch({
      retrievers: [text, new PostgresVectorRetriever(index, embedder)],
      embedder,
    });
    const { hits, trace } = await search.search('patients treatment outcomes', {
      k: 10,
      filter: { corpus: 'pubmed' },
    });
    expect(hits).toHaveLength(10);
    for (const h of hits) expect(h.chunk.metadata.corpus).toBe('pubmed');
    for (const s of trace.stages.slice(0, 2))
      expect(s.params).toMatchObject({ filtered: 'native', filter: describeFilter({ corpus: 'pubmed' }) });
  });

  it('an existing-table retriever without a metadata column refuses a filter instead of returning nothing', async () => {
    const table = await PostgresTableRetriever.open({
      db: pool,
      mode: 'text',
      table: 'filt_chunks',
      columns: { id: 'id', docId: 'doc_id', text: 'text' },
    });
    expect((await table.retrieve('patients', 5)).length).toBeGreaterThan(0);
    await expect(table.retrieve('patients', 5, { filter: { corpus: 'pubmed' } })).rejects.toThrow(
      /cannot filter: the table mapping has no metadata column/,
    );
  });
});
