/**
 * `ragscope explore` responsiveness: query round-trip over HTTP (POST /api/search, k 10, JSON parsed by the
 * client) on an index of the Chroma corpora (recursive:400/0, hashing embedder, exact vectors), beside the same
 * searches in process, plus document and why-not round trips. Goal: query round trip p50 < 200 ms.
 *   npx tsx bench/explore.ts [../shared/data/chroma] [questions=200]
 */
import { performance } from 'node:perf_hooks';
import { whyNot } from '../src/diagnostics/whynot.js';
import { HashingEmbedder } from '../src/embedders/hashing.js';
import { loadChromaSpans } from '../src/eval/datasets/chroma.js';
import { startExplore } from '../src/explore/server.js';
import { RetrievalPipeline } from '../src/search/pipeline.js';

const dir = process.argv[2] ?? '../shared/data/chroma';
const limit = Number(process.argv[3] ?? 200);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => x.toFixed(1);

const dataset = await loadChromaSpans(dir);
const pipeline = new RetrievalPipeline({
  chunker: 'recursive:400/0:chars',
  embedder: new HashingEmbedder(),
  vector: { index: 'exact' },
});
let t = performance.now();
await pipeline.addDocuments(dataset.documents);
console.log(
  `indexed ${pipeline.stats.documents} documents, ${pipeline.stats.chunks} chunks in ${ms(performance.now() - t)} ms`,
);
const questions = dataset.questions.slice(0, limit);
const server = await startExplore({ pipeline, questions: dataset.questions });
const post = async (route: string, body: unknown) => {
  const res = await fetch(new URL(route, server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${route}: HTTP ${res.status}`);
  return res.json();
};
const time = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

// Warm up both paths (JIT, caches), then alternate them question by question so machine noise hits both alike.
for (const q of questions.slice(0, 20)) {
  await post('/api/search', { query: q.text, k: 10 });
  await pipeline.search(q.text, { k: 10 });
}
const http: number[] = [];
const inproc: number[] = [];
for (const q of questions) {
  http.push(await time(() => post('/api/search', { query: q.text, k: 10 })));
  inproc.push(await time(async () => JSON.stringify(await pipeline.search(q.text, { k: 10 }))));
}
const docs: number[] = [];
for (const id of pipeline.documentIds()) {
  docs.push(
    await time(() =>
      fetch(new URL(`/api/document?id=${encodeURIComponent(id)}`, server.url)).then((r) => r.json()),
    ),
  );
}
const wn: number[] = [];
const wnLocal: number[] = [];
for (const q of questions.slice(0, 50)) {
  const span = q.spans?.[0];
  if (!span) continue;
  const target = { docId: span.docId, start: span.start, end: span.end };
  wn.push(await time(() => post('/api/why-not', { query: q.text, k: 10, target })));
  wnLocal.push(await time(() => whyNot(pipeline, q.text, target, { k: 10 })));
}
await server.close();
const bytes = JSON.stringify(await pipeline.search(questions[0]!.text, { k: 10 })).length;
t = pct(http, 50);
console.log(`queries: ${http.length} (k 10), response ≈ ${(bytes / 1024).toFixed(0)} KB`);
console.log(`query round trip over HTTP: p50 ${ms(t)} ms, p95 ${ms(pct(http, 95))} ms`);
console.log(
  `same search in process (+ JSON.stringify): p50 ${ms(pct(inproc, 50))} ms, p95 ${ms(pct(inproc, 95))} ms`,
);
console.log(`ratio HTTP / in process (p50): ${(t / pct(inproc, 50)).toFixed(2)}`);
console.log(`document round trip (${docs.length} docs, first open re-chunks): p50 ${ms(pct(docs, 50))} ms`);
console.log(
  `why-not round trip (${wn.length} gold spans): p50 ${ms(pct(wn, 50))} ms; in process ${ms(pct(wnLocal, 50))} ms`,
);
console.log(`goal query p50 < 200 ms: ${t < 200 ? 'met' : 'NOT met'}`);
