import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { PostgresTableRetriever } from '../../src/postgres/index.js';
import { vectorLiteral } from '../../src/postgres/sql.js';
import { ExactVectorIndex } from '../../src/search/exact.js';
import { sharedPath } from '../chunkers/chunk-invariants.js';
import { startPostgres, type TestPostgres } from './server.js';

let server: TestPostgres;
let pool: pg.Pool;
const embedder = new HashingEmbedder({ dimensions: 32 });
const text = fs.readFileSync(sharedPath('data/chroma/corpora/chatlogs.md'), 'utf8');
const chunks = new RecursiveChunker({ size: 300 }).chunkSync({ id: 'chatlogs', text });

beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 2 });
  // A table as a team might already have it: its own ids and column names, no ragscope layout.
  await pool.query('CREATE EXTENSION IF NOT EXISTS vector');
  await pool.query(
    'CREATE TABLE items (item_id serial PRIMARY KEY, source text, body text, pos_from int, pos_to int, emb vector(32))',
  );
  const vectors = await embedder.embed(chunks.map((c) => c.text));
  for (const [i, c] of chunks.entries()) {
    await pool.query(
      'INSERT INTO items (source, body, pos_from, pos_to, emb) VALUES ($1, $2, $3, $4, $5::vector)',
      [c.docId, c.text, c.start, c.end, vectorLiteral(vectors[i]!)],
    );
  }
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

describe('PostgresTableRetriever over an existing table', () => {
  const columns = {
    id: 'item_id',
    docId: 'source',
    text: 'body',
    vector: 'emb',
    start: 'pos_from',
    end: 'pos_to',
  };

  it('searches the vectors the table holds, as exact cosine search would', async () => {
    const dense = await PostgresTableRetriever.open({
      db: pool,
      mode: 'vector',
      table: 'items',
      columns,
      embedder,
    });
    expect(dense.kind).toBe('dense');
    const exact = new ExactVectorIndex({ dimensions: 32 });
    await exact.add(
      chunks.map((_, i) => String(i + 1)),
      await embedder.embed(chunks.map((c) => c.text)),
    );
    const [qv] = await embedder.embed(['recipe for a healthy breakfast'], { kind: 'query' });
    const ours = await exact.search(qv!, 5);
    const hits = await dense.retrieve('recipe for a healthy breakfast', 5);
    expect(hits.map((h) => h.chunkId)).toEqual(ours.map((h) => h.id));
    expect(hits[0]!.docId).toBe('chatlogs');
    // With offsets in the table, the chunk it returns is the source text at those offsets.
    const c = await dense.getChunk!(hits[0]!.chunkId);
    expect(text.slice(c!.start, c!.end)).toBe(c!.text);
    expect(await dense.has!('999999')).toBe(false);
    expect(dense.cannotCheck()).toEqual([]);
  });

  it('searches full text on the fly and says what it cannot check without offsets', async () => {
    const lexical = await PostgresTableRetriever.open({
      db: pool,
      mode: 'text',
      table: 'items',
      columns: { id: 'item_id', text: 'body' },
    });
    const hits = await lexical.retrieve('garden travel', 10);
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) {
      const c = await lexical.getChunk!(h.chunkId);
      expect(/garden|travel/i.test(c!.text)).toBe(true);
    }
    expect(lexical.cannotCheck()).toEqual(['document offsets: the table has no start/end columns']);
  });

  it('runs custom SQL with named placeholders, and cannot look rows up then', async () => {
    const custom = await PostgresTableRetriever.open({
      db: pool,
      mode: 'vector',
      embedder,
      sql: 'SELECT item_id AS id, source AS doc_id, 1 - (emb <=> :vector) AS score FROM items ORDER BY emb <=> :vector LIMIT :depth',
    });
    const hits = await custom.retrieve('recipe for a healthy breakfast', 3);
    expect(hits).toHaveLength(3);
    expect(custom.has).toBeUndefined();
    expect(custom.cannotCheck()[0]).toMatch(/cannot read a chunk/);
  });

  it('reports a missing table or column when opened, and bad options by name', async () => {
    await expect(
      PostgresTableRetriever.open({
        db: pool,
        mode: 'text',
        table: 'nope',
        columns: { id: 'id', text: 'body' },
      }),
    ).rejects.toThrow(/nope/);
    await expect(
      PostgresTableRetriever.open({
        db: pool,
        mode: 'text',
        table: 'items',
        columns: { id: 'item_id', text: 'bdy' },
      }),
    ).rejects.toThrow(/bdy/);
    await expect(
      PostgresTableRetriever.open({ db: pool, mode: 'vector', table: 'items', columns }),
    ).rejects.toThrow(/embedder/);
    await expect(PostgresTableRetriever.open({ db: pool, mode: 'text', sql: 'SELECT 1' })).rejects.toThrow(
      /sql/,
    );
    await expect(
      PostgresTableRetriever.open({ db: pool, mode: 'text', table: 'items; drop', columns: { id: 'x' } }),
    ).rejects.toThrow(/table/);
  });
});
