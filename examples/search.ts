// Run: npx tsx examples/search.ts
// Hybrid search over the example corpus with the full trace and a per-hit ledger; then an incremental update and a
// save / load round trip.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HashingEmbedder } from 'ragscope/embedders';
import { fuseFromTrace, MmrReranker, RetrievalPipeline } from 'ragscope/search';

const corpusDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus');
const docs = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.md'))
  .map((f) => ({ id: f, text: readFileSync(path.join(corpusDir, f), 'utf8') }));

const embedder = new HashingEmbedder({ dimensions: 256 });
const pipeline = new RetrievalPipeline({
  chunker: 'recursive:400/0:md',
  embedder,
  bm25: { preset: 'anserini' },
  vector: { index: 'exact' },
  fusion: { method: 'rrf', rrfK: 60 },
  depth: { bm25: 50, vector: 50 },
  reranker: new MmrReranker({ lambda: 0.7 }),
  rerankDepth: 10,
});
console.log(await pipeline.addDocuments(docs));

const query = 'Which port must be reachable from clients?';
const { hits, trace } = await pipeline.search(query, { k: 3 });
for (const hit of hits) {
  const { bm25, vector, fusion, rerank } = hit.ledger;
  console.log(
    `#${hit.rank} ${hit.chunk.id} score=${hit.score.toFixed(4)} ${JSON.stringify(hit.chunk.text.slice(0, 60))}`,
  );
  console.log(
    '  bm25:',
    bm25
      ? `rank ${bm25.rank}, ${bm25.explanation.terms.map((t) => `${t.analyzed}=${t.contribution.toFixed(2)}`).join(' + ')}`
      : 'not found',
  );
  console.log('  vector:', vector ? `rank ${vector.rank}, cosine ${vector.score.toFixed(3)}` : 'not found');
  console.log(
    '  fusion:',
    fusion?.contributions.map((c) => `${c.list}:${c.contribution.toFixed(4)}`).join(' + '),
    'foundBy',
    fusion?.foundBy,
  );
  console.log(
    '  rerank:',
    rerank ? `${rerank.rankBefore} -> ${rerank.rankAfter} (moved ${rerank.moved})` : '-',
  );
}
console.log(
  'stages:',
  trace.stages.map((s) => `${s.stage}(${s.candidates.length}, ${s.durationMs} ms)`).join(' -> '),
);

// Replay the fusion from the saved trace with other settings, without searching again.
const replay = fuseFromTrace(JSON.parse(JSON.stringify(trace)), {
  method: 'weighted',
  normalization: 'minmax',
});
console.log(
  'min-max replay top 3:',
  replay.candidates.slice(0, 3).map((c) => c.chunkId),
);

// Knowledge changes: only the changed chunks are re-embedded.
const changed = docs.map((d) =>
  d.id === 'installation.md' ? { ...d, text: d.text.replace('7443', '9443') } : d,
);
console.log(await pipeline.updateDocuments(changed));

const dir = mkdtempSync(path.join(tmpdir(), 'ragscope-example-'));
await pipeline.save(path.join(dir, 'index'));
const loaded = await RetrievalPipeline.load(path.join(dir, 'index'), { embedder });
console.log('reloaded:', loaded.stats, (await loaded.search('port 9443', { k: 1 })).hits[0]?.chunk.docId);
rmSync(dir, { recursive: true, force: true });
