import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import {
  indexIntoPostgres,
  PostgresIndex,
  PostgresTextRetriever,
  PostgresVectorRetriever,
} from '../../src/postgres/index.js';
import { ExactVectorIndex } from '../../src/search/exact.js';
import { sharedPath } from '../chunkers/chunk-invariants.js';
import { startPostgres, type TestPostgres } from './server.js';

let server: TestPostgres;
let pool: pg.Pool;
const embedder = new HashingEmbedder({ dimensions: 64 });
const chunker = new RecursiveChunker({ size: 400, overlap: 0 });
const sotu = {
  id: 'state_of_the_union',
  text: fs.readFileSync(sharedPath('data/chroma/corpora/state_of_the_union.md'), 'utf8'),
};

beforeAll(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 4 });
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

describe('PostgresIndex over a real Postgres (PGlite on 127.0.0.1, reached with pg)', () => {
  it('stores chunks with exact offsets and searches full text with matched lexemes', async () => {
    const index = await PostgresIndex.open({ db: pool, prefix: 'sotu', dimensions: 64 });
    const written = await indexIntoPostgres(index, [sotu], { chunker, embedder });
    const expected = chunker.chunkSync(sotu);
    expect(written).toBe(expected.length);
    expect(await index.size()).toBe(expected.length);
    const stored = await index.chunks();
    expect(stored.map((c) => [c.id, c.start, c.end])).toEqual(expected.map((c) => [c.id, c.start, c.end]));
    for (const c of stored) expect(sotu.text.slice(c.start, c.end)).toBe(c.text);

    const text = new PostgresTextRetriever(index);
    const hits = await text.retrieve('inflation prices families', 10);
    expect(hits.length).toBe(10);
    for (const [i, h] of hits.entries()) {
      const matched = h.explanation?.matched as string[];
      expect(matched.length).toBeGreaterThan(0);
      expect(matched.every((l) => ['famili', 'inflat', 'price'].includes(l))).toBe(true);
      if (i > 0) expect(h.score).toBeLessThanOrEqual(hits[i - 1]!.score);
    }
    expect(text.params()).toMatchObject({
      rank: 'ts_rank_cd',
      rankNormalization: 0,
      operator: 'or',
      textConfig: 'english',
    });
    // The ranking is Postgres's own: the same SQL issued directly gives the same top chunk and score.
    const direct = await pool.query(
      `SELECT id, ts_rank_cd(tsv, to_tsquery('english', 'famili | inflat | price')) AS s FROM sotu_chunks ORDER BY s DESC, id LIMIT 1`,
    );
    expect(hits[0]).toMatchObject({ chunkId: direct.rows[0].id });
    expect(hits[0]!.score).toBeCloseTo(Number(direct.rows[0].s), 6);
    // explain scores a chunk below the depth, and says nothing for a chunk without a matching lexeme.
    const last = (await text.retrieve('inflation prices families', 200)).at(-1)!;
    expect((await text.explain('inflation prices families', last.chunkId))?.score).toBeCloseTo(last.score, 6);
    const none = stored.find((c) => !/inflat|price|famil/i.test(c.text))!;
    expect(await text.explain('inflation prices families', none.id)).toBeUndefined();
  });

  it('gives exact vector search equal to ragscope exact search, and HNSW close to it', async () => {
    const index = await PostgresIndex.open({ db: pool, prefix: 'sotu', dimensions: 64 });
    const chunks = await index.chunks();
    const exact = new ExactVectorIndex({ dimensions: 64 });
    await exact.add(
      chunks.map((c) => c.id),
      await embedder.embed(chunks.map((c) => c.text)),
    );
    const queries = [
      'child care costs',
      'the border and immigration',
      'cancer research moonshot',
      'ukraine putin',
    ];
    let overlap = 0;
    for (const q of queries) {
      const [qv] = await embedder.embed([q], { kind: 'query' });
      const ours = await exact.search(qv!, 10);
      const pgExact = await new PostgresVectorRetriever(index, embedder, { exact: true }).retrieve(q, 10);
      expect(pgExact.map((h) => h.chunkId)).toEqual(ours.map((h) => h.id));
      for (const [i, h] of pgExact.entries()) expect(h.score).toBeCloseTo(ours[i]!.score, 5);
      const hnsw = await new PostgresVectorRetriever(index, embedder).retrieve(q, 10);
      overlap += hnsw.filter((h) => ours.some((o) => o.id === h.chunkId)).length;
    }
    expect(overlap / (10 * queries.length)).toBeGreaterThanOrEqual(0.9);
  });

  it('replaces and removes documents in transactions; a failing batch changes nothing', async () => {
    const index = await PostgresIndex.open({ db: pool, prefix: 'tx', dimensions: 64 });
    const a = { id: 'a', text: 'Refunds take five days. Shipping is free.' };
    await indexIntoPostgres(index, [a], { chunker: new RecursiveChunker({ size: 25 }), embedder });
    const before = await index.chunks();
    expect(before.length).toBe(2);
    // A batch that fails inside the database (a duplicate primary key) rolls back whole.
    const dup = { ...before[0]!, text: before[0]!.text };
    const vectors = await embedder.embed([dup.text, dup.text]);
    await expect(index.upsert([a], [dup, dup], vectors)).rejects.toThrow(/duplicate key/);
    expect((await index.chunks()).map((c) => c.id)).toEqual(before.map((c) => c.id));
    // Updating a document replaces all of its chunks.
    const a2 = { id: 'a', text: 'Refunds now take ten days.' };
    await indexIntoPostgres(index, [a2], { chunker: new RecursiveChunker({ size: 25 }), embedder });
    expect((await index.chunks()).map((c) => c.text)).toEqual(['Refunds now take ten', 'days.']);
    expect(await index.removeDocuments(['a', 'missing'])).toBe(1);
    expect(await index.size()).toBe(0);
    await index.drop();
    const gone = await pool.query("SELECT to_regclass('tx_chunks') AS t");
    expect(gone.rows[0].t).toBeNull();
  });

  it('refuses bad options and an index made with other dimensions, naming the parameter', async () => {
    await expect(PostgresIndex.open({ db: pool, prefix: 'bad name' })).rejects.toThrow(/prefix/);
    await expect(PostgresIndex.open({ db: pool, prefix: 'sotu', dimensions: 32 })).rejects.toMatchObject({
      code: 'INCOMPATIBLE_INDEX',
    });
    await expect(
      PostgresIndex.open({ db: pool, prefix: 'cfg', textConfig: 'klingon' }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    const index = await PostgresIndex.open({ db: pool, prefix: 'sotu', dimensions: 64 });
    await expect(index.upsert([sotu], [], [new Float32Array(3)])).rejects.toThrow(RagscopeError);
    await expect(index.vectorSearch(new Float32Array(3), 5)).rejects.toThrow(/vector/);
    await expect(index.textSearch('x', 0)).rejects.toThrow(/depth/);
  });

  it('defers the HNSW build for bulk loads: exact until buildVectorIndex, the same answers after', async () => {
    const index = await PostgresIndex.open({
      db: pool,
      prefix: 'bulk',
      dimensions: 64,
      deferVectorIndex: true,
    });
    await indexIntoPostgres(index, [sotu], { chunker, embedder });
    expect(await index.usesVectorIndex()).toBe(false);
    const [qv] = await embedder.embed(['child care costs'], { kind: 'query' });
    const before = await index.vectorSearch(qv!, 5);
    expect(await index.buildVectorIndex()).toBe(true);
    expect(await index.usesVectorIndex()).toBe(true);
    expect(await index.buildVectorIndex()).toBe(false);
    const exactAfter = await index.vectorSearch(qv!, 5, { exact: true });
    expect(exactAfter.map((h) => h.chunkId)).toEqual(before.map((h) => h.chunkId));
    await index.drop();
  });

  it('defers the GIN build too: full text scans until buildTextIndex, the same hits after', async () => {
    const index = await PostgresIndex.open({
      db: pool,
      prefix: 'bulk_gin',
      dimensions: 64,
      deferTextIndex: true,
    });
    await indexIntoPostgres(index, [sotu], { chunker, embedder });
    const hasGin = async () =>
      (await pool.query("SELECT to_regclass('bulk_gin_chunks_tsv') AS i")).rows[0].i !== null;
    expect(await hasGin()).toBe(false);
    const before = await index.textSearch('child care costs', 10);
    expect(before.length).toBe(10);
    expect(await index.buildTextIndex()).toBe(true);
    expect(await hasGin()).toBe(true);
    expect(await index.buildTextIndex()).toBe(false);
    expect(await index.textSearch('child care costs', 10)).toEqual(before);
    await index.drop();
  });

  it('keeps chunks given a null vector out of vector search (the zero vector has no cosine), ties by id', async () => {
    const index = await PostgresIndex.open({ db: pool, prefix: 'nulls', dimensions: 3, hnsw: false });
    const doc = { id: 'd', text: 'alpha beta gamma' };
    const chunks = ['alpha', 'beta', 'gamma'].map((w, i) => ({
      id: `d#${i}`,
      docId: 'd',
      index: i,
      text: w,
      start: doc.text.indexOf(w),
      end: doc.text.indexOf(w) + w.length,
      metadata: {},
    }));
    const same = new Float32Array([0, 1, 0]);
    await index.upsert([doc], chunks, [same, null, new Float32Array([0, 1, 0])]);
    const hits = await index.vectorSearch(new Float32Array([0, 1, 0]), 10);
    expect(hits.map((h) => h.chunkId)).toEqual(['d#0', 'd#2']);
    expect((await index.textSearch('beta', 5)).map((h) => h.chunkId)).toEqual(['d#1']);
    await expect(index.upsert([doc], chunks, [same, same, new Float32Array(2)])).rejects.toThrow(
      /vectors\[2\].*Float32Array of 3 numbers or null/,
    );
    await index.drop();
  });

  it('opens from a postgres:// URL through pg and closes its own pool', async () => {
    const index = await PostgresIndex.open({ db: server.url, prefix: 'sotu', dimensions: 64 });
    expect(await index.size()).toBeGreaterThan(100);
    await index.close();
  });
});
