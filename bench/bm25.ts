/**
 * BM25 on BEIR SciFact (5,183 docs, 300 test queries): build time and query latency of ragscope's Bm25Index beside
 * Orama, wink-bm25-text-search and plain minisearch defaults, in one process; plus nDCG@10 of each (ours vs the
 * published Anserini flat 0.6789).
 *
 * Run: npx tsx bench/bm25.ts            (env ROUNDS=5 for more query passes)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import MiniSearch from 'minisearch';
// @ts-expect-error wink-bm25-text-search ships no type declarations
import bm25Factory from 'wink-bm25-text-search';
// @ts-expect-error wink-nlp-utils (installed with wink-bm25-text-search) ships no type declarations
import winkUtils from 'wink-nlp-utils';
import { Bm25Index } from '../src/search/bm25.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = path.resolve(here, '../../shared/data/scifact');
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BUILDS = Number(process.env.BUILDS ?? 3);

interface Doc {
  id: string;
  text: string;
}

function load(): {
  docs: Doc[];
  queries: Array<{ id: string; text: string }>;
  qrels: Map<string, Set<string>>;
} {
  let corpusText: string;
  try {
    corpusText = readFileSync(path.join(dataDir, 'corpus.jsonl'), 'utf8');
  } catch {
    throw new Error(`SciFact not found at ${dataDir} (expected ../shared/data/scifact beside the repo)`);
  }
  const docs = corpusText
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const o = JSON.parse(l) as { _id: string; title: string; text: string };
      return { id: o._id, text: `${o.title} ${o.text}` };
    });
  const qrels = new Map<string, Set<string>>();
  for (const line of readFileSync(path.join(dataDir, 'qrels/test.tsv'), 'utf8').split('\n').slice(1)) {
    const [q, d, s] = line.split('\t');
    if (!q || !d || Number(s) <= 0) continue;
    if (!qrels.has(q)) qrels.set(q, new Set());
    qrels.get(q)!.add(d);
  }
  const queries = readFileSync(path.join(dataDir, 'queries.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { _id: string; text: string })
    .filter((q) => qrels.has(q._id))
    .map((q) => ({ id: q._id, text: q.text }));
  return { docs, queries, qrels };
}

/** nDCG@k with binary gains (trec_eval semantics: ideal from the judged relevant set). */
function ndcgAt(k: number, ranked: string[], relevant: Set<string>): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(i + 2);
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface Engine {
  name: string;
  build(docs: Doc[]): Promise<void> | void;
  query(text: string): Promise<string[]> | string[];
}

const engines: Engine[] = [];

{
  let idx: Bm25Index;
  engines.push({
    name: 'ragscope Bm25Index (anserini)',
    build(docs) {
      idx = new Bm25Index({ preset: 'anserini' });
      idx.add(docs.map((d) => ({ id: d.id, docId: d.id, text: d.text })));
    },
    query: (q) => idx.search(q, 10).map((h) => h.id),
  });
}
{
  let ms: MiniSearch;
  engines.push({
    name: 'minisearch 7 (defaults)',
    build(docs) {
      ms = new MiniSearch({ fields: ['text'] });
      ms.addAll(docs);
    },
    query: (q) =>
      ms
        .search(q)
        .slice(0, 10)
        .map((r) => String(r.id)),
  });
}
{
  // biome-ignore lint/suspicious/noExplicitAny: Orama's generic schema types are not needed here
  let db: any;
  engines.push({
    name: 'Orama 3 (defaults)',
    async build(docs) {
      db = create({ schema: { docId: 'string', text: 'string' } as const });
      const r = insertMultiple(
        db,
        docs.map((d) => ({ docId: d.id, text: d.text })),
        docs.length,
      );
      if (r instanceof Promise) await r;
    },
    async query(q) {
      let r = oramaSearch(db, { term: q, properties: ['text'], limit: 10 });
      if (r instanceof Promise) r = await r;
      // biome-ignore lint/suspicious/noExplicitAny: see above
      return (r as any).hits.map((h: any) => h.document.docId as string);
    },
  });
}
{
  // biome-ignore lint/suspicious/noExplicitAny: wink ships no types
  let engine: any;
  engines.push({
    name: 'wink-bm25-text-search 3',
    build(docs) {
      engine = bm25Factory();
      engine.defineConfig({ fldWeights: { text: 1 } });
      engine.definePrepTasks([
        winkUtils.string.lowerCase,
        winkUtils.string.tokenize0,
        winkUtils.tokens.removeWords,
        winkUtils.tokens.stem,
      ]);
      docs.forEach((d) => {
        engine.addDoc({ text: d.text }, d.id);
      });
      engine.consolidate();
    },
    query: (q) => (engine.search(q, 10) as Array<[string, number]>).map((r) => r[0]),
  });
}

async function main(): Promise<void> {
  const { docs, queries, qrels } = load();
  console.log(
    `SciFact: ${docs.length} docs, ${queries.length} test queries; ${BUILDS} builds, ${ROUNDS} query rounds`,
  );
  const rows: Array<{
    name: string;
    build: number;
    buildCpu: number;
    p50: number;
    p99: number;
    ndcg: number;
  }> = [];
  for (const e of engines) {
    const builds: number[] = [];
    const buildsCpu: number[] = [];
    for (let i = 0; i < BUILDS; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await e.build(docs);
      const c = process.cpuUsage(c0);
      builds.push(performance.now() - t0);
      buildsCpu.push((c.user + c.system) / 1000);
    }
    builds.sort((a, b) => a - b);
    buildsCpu.sort((a, b) => a - b);
    let ndcg = 0;
    for (const q of queries) ndcg += ndcgAt(10, await e.query(q.text), qrels.get(q.id)!); // also warms up
    ndcg /= queries.length;
    const lat: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const q of queries) {
        const t0 = performance.now();
        await e.query(q.text);
        lat.push(performance.now() - t0);
      }
    }
    lat.sort((a, b) => a - b);
    rows.push({
      name: e.name,
      build: pct(builds, 50),
      buildCpu: pct(buildsCpu, 50),
      p50: pct(lat, 50),
      p99: pct(lat, 99),
      ndcg,
    });
    console.log(`  done ${e.name}`);
  }
  const ours = rows[0]!;
  console.log(
    '\n| engine | build ms (median wall) | build ms (median CPU) | query p50 ms | query p99 ms | build / ours | p50 / ours | nDCG@10 |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.build.toFixed(0)} | ${r.buildCpu.toFixed(0)} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${(r.build / ours.build).toFixed(2)}x | ${(r.p50 / ours.p50).toFixed(2)}x | ${r.ndcg.toFixed(4)} |`,
    );
  }
  console.log(`\nPublished: Anserini BM25 flat (k1 0.9, b 0.4) nDCG@10 0.6789; ours ${ours.ndcg.toFixed(4)}`);
  console.log(
    `Goals: build < 1000 ms: ${ours.build < 1000 ? 'met' : 'MISSED'}; p50 < 1 ms: ${ours.p50 < 1 ? 'met' : 'MISSED'}; ` +
      `faster than every peer (build and p50): ${rows.slice(1).every((r) => r.build >= ours.build && r.p50 >= ours.p50) ? 'yes' : 'NO'}`,
  );
}

await main();
