/**
 * The Postgres backend (PostgresIndex: tsvector + pgvector HNSW, through node-postgres) beside the in-memory indexes
 * (Bm25Index + VectorIndex HNSW / ExactVectorIndex) on the same synthetic chunks, in one run: index time, query
 * p50/p99 for full text and vectors, and HNSW recall@10 against exact search on each side.
 *
 * The Postgres is PGlite (PostgreSQL 17 in WASM with pgvector) served on 127.0.0.1 by pglite-socket: one
 * single-threaded WASM process, so its absolute times are a floor for what a real server does, not a forecast.
 * Chunks: ~400 characters of words drawn (seeded) from SciFact's corpus; vectors: HashingEmbedder 256d.
 *
 * Run: npx tsx bench/postgres.ts            (N=200000 chunks)
 * Env: N (200000), QUERIES (200), DIMS (256), BATCH (2000)
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import type { Chunk } from '../src/core/document.js';
import { HashingEmbedder } from '../src/embedders/hashing.js';
import { seededRandom } from '../src/eval/prng.js';
import { POSTGRES_DEFAULTS, PostgresIndex } from '../src/postgres/store.js';
import { Bm25Index } from '../src/search/bm25.js';
import { ExactVectorIndex } from '../src/search/exact.js';
import { VectorIndex } from '../src/search/vector.js';

const N = Number(process.env.N ?? 200_000);
const QUERIES = Number(process.env.QUERIES ?? 200);
const DIMS = Number(process.env.DIMS ?? 256);
const BATCH = Number(process.env.BATCH ?? 2000);
const K = 10;
const scifact = path.resolve(import.meta.dirname, '../../shared/data/scifact');

function words(): string[] {
  const out: string[] = [];
  for (const line of fs.readFileSync(path.join(scifact, 'corpus.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const { text } = JSON.parse(line) as { text: string };
    for (const w of text.split(/\s+/)) if (w) out.push(w);
    if (out.length > 2_000_000) break;
  }
  return out;
}

function synthChunks(n: number): Chunk[] {
  const vocab = words();
  const r = seededRandom(7);
  const chunks: Chunk[] = [];
  for (let i = 0; i < n; i++) {
    let text = '';
    // A run of consecutive corpus words from a random place: real co-occurrence, ~400 characters.
    for (let at = Math.floor(r() * (vocab.length - 200)); text.length < 400; at++) text += `${vocab[at]} `;
    text = text.trimEnd();
    chunks.push({
      id: `d${i}#0.x`,
      docId: `d${i}`,
      index: 0,
      text,
      start: 0,
      end: text.length,
      metadata: {},
    });
  }
  return chunks;
}

function queries(): string[] {
  const lines = fs.readFileSync(path.join(scifact, 'queries.jsonl'), 'utf8').split('\n').filter(Boolean);
  return lines.slice(0, QUERIES).map((l) => (JSON.parse(l) as { text: string }).text);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Time each query; the answers are kept so recall needs no second pass. */
async function timeEach<T, R>(
  qs: readonly T[],
  fn: (q: T) => Promise<R> | R,
): Promise<{ ms: number[]; out: R[] }> {
  const ms: number[] = [];
  const out: R[] = [];
  for (const q of qs) {
    const t0 = performance.now();
    out.push(await fn(q));
    ms.push(performance.now() - t0);
  }
  return { ms, out };
}

const log = (msg: string) => console.error(`[${new Date().toISOString()}] ${msg}`);

const recall = (got: readonly string[], want: readonly string[]) =>
  want.length === 0 ? 1 : got.filter((g) => want.includes(g)).length / want.length;
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
  const chunks = synthChunks(N);
  const embedder = new HashingEmbedder({ dimensions: DIMS });
  let t0 = performance.now();
  const vectors = await embedder.embed(chunks.map((c) => c.text));
  const embedS = (performance.now() - t0) / 1000;
  const qs = queries();
  const qvs = await embedder.embed(qs, { kind: 'query' });
  console.log(
    `${N} chunks, ${DIMS}d hashing vectors (embedding took ${embedS.toFixed(1)} s), ${qs.length} SciFact queries`,
  );

  // In memory.
  t0 = performance.now();
  const bm25 = new Bm25Index();
  bm25.add(chunks.map((c) => ({ id: c.id, docId: c.docId, text: c.text })));
  const bm25S = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const hnsw = new VectorIndex({ dimensions: DIMS });
  await hnsw.add(
    chunks.map((c) => c.id),
    vectors,
  );
  const hnswS = (performance.now() - t0) / 1000;
  const exact = new ExactVectorIndex({ dimensions: DIMS });
  await exact.add(
    chunks.map((c) => c.id),
    vectors,
  );
  log(`in memory built: BM25 ${bm25S.toFixed(1)} s, HNSW ${hnswS.toFixed(1)} s`);
  const memText = (await timeEach(qs, (q) => bm25.search(q, K))).ms;
  const memVecRun = await timeEach(qvs, (v) => hnsw.search(v, K));
  const memVec = memVecRun.ms;
  let memRecall = 0;
  const truth: string[][] = [];
  for (const [i, v] of qvs.entries()) {
    const want = (await exact.search(v, K)).map((h) => h.id);
    truth.push(want);
    memRecall += recall(
      memVecRun.out[i]!.map((h) => h.id),
      want,
    );
  }
  log('in memory queried');

  // Postgres (PGlite over the wire protocol, reached with pg).
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  await server.start();
  const pool = new pg.Pool({
    connectionString: `postgres://postgres@${server.getServerConn()}/postgres`,
    max: 2,
  });
  pool.on('connect', (client) => client.on('notice', (n) => log(`notice: ${n.message}`)));
  try {
    const index = await PostgresIndex.open({
      db: pool,
      prefix: 'bench',
      dimensions: DIMS,
      deferVectorIndex: true,
      deferTextIndex: true,
    });
    t0 = performance.now();
    for (let at = 0; at < N; at += BATCH) {
      const part = chunks.slice(at, at + BATCH);
      await index.upsert(
        part.map((c) => ({ id: c.docId, text: c.text })),
        part,
        vectors.slice(at, at + BATCH),
      );
      if ((at / BATCH) % 10 === 9)
        log(`loaded ${at + part.length} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const pgLoadS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await index.buildTextIndex();
    const pgGinS = (performance.now() - t0) / 1000;
    log(`GIN built in ${pgGinS.toFixed(1)} s`);
    t0 = performance.now();
    await index.buildVectorIndex();
    const pgHnswS = (performance.now() - t0) / 1000;
    log(`HNSW built in ${pgHnswS.toFixed(1)} s`);
    const pgIndexS = pgLoadS + pgGinS + pgHnswS;
    const pgText = (await timeEach(qs, (q) => index.textSearch(q, K))).ms;
    log('full text queried');
    const pgVecRun = await timeEach(qvs, (v) => index.vectorSearch(v, K));
    const pgVec = pgVecRun.ms;
    let pgRecall = 0;
    for (const [i, hits] of pgVecRun.out.entries()) {
      pgRecall += recall(
        hits.map((h) => h.chunkId),
        truth[i]!,
      );
    }
    const pgExact = (await timeEach(qvs.slice(0, 20), (v) => index.vectorSearch(v, K, { exact: true }))).ms;
    console.log('\n| | in memory | Postgres (PGlite) |\n|---|---|---|');
    console.log(
      `| index (text + vectors) | BM25 ${bm25S.toFixed(1)} s + HNSW ${hnswS.toFixed(1)} s | ${pgIndexS.toFixed(1)} s: rows + tsvector ${pgLoadS.toFixed(1)} s (batches of ${BATCH}, each a transaction) + one GIN build ${pgGinS.toFixed(1)} s + one pgvector HNSW build ${pgHnswS.toFixed(1)} s (maintenance_work_mem ${POSTGRES_DEFAULTS.maintenanceWorkMem}) |`,
    );
    console.log(
      `| full-text query p50 / p99 | ${ms(pct(memText, 50))} / ${ms(pct(memText, 99))} (BM25) | ${ms(pct(pgText, 50))} / ${ms(pct(pgText, 99))} (ts_rank_cd) |`,
    );
    console.log(
      `| vector query p50 / p99 | ${ms(pct(memVec, 50))} / ${ms(pct(memVec, 99))} (hnswlib) | ${ms(pct(pgVec, 50))} / ${ms(pct(pgVec, 99))} (pgvector HNSW, ef_search 40) |`,
    );
    console.log(
      `| HNSW recall@10 vs exact | ${(memRecall / qvs.length).toFixed(4)} | ${(pgRecall / qvs.length).toFixed(4)} |`,
    );
    console.log(`| exact vector query p50 | — | ${ms(pct(pgExact, 50))} (sequential scan) |`);
    console.log(
      `\nratios: Postgres/in-memory index time ${(pgIndexS / (bm25S + hnswS)).toFixed(1)}x; text p50 ${(pct(pgText, 50) / pct(memText, 50)).toFixed(1)}x; vector p50 ${(pct(pgVec, 50) / pct(memVec, 50)).toFixed(1)}x`,
    );
  } finally {
    await pool.end();
    await server.stop();
    await db.close();
  }
}

await main();
