/**
 * Diagnose retrieval on the Chroma chunking-evaluation corpora: explain a hit, ask why-not for a missed gold span,
 * replay fusion with other settings, then the per-corpus reports and a triage of the misses.
 *
 *   npx tsx examples/diagnose-chroma.ts
 */
import path from 'node:path';
import { createChunker } from 'ragscope/chunkers';
import {
  boundaryReport,
  calibration,
  corpusHealth,
  explain,
  labelStageScores,
  sweepReplay,
  tokenBudgetReport,
  triage,
  whyNot,
} from 'ragscope/diagnostics';
import { HashingEmbedder } from 'ragscope/embedders';
import { loadChromaSpans } from 'ragscope/eval';
import { RetrievalPipeline } from 'ragscope/search';

const K = 5;
const data = await loadChromaSpans(path.resolve(process.cwd(), '../shared/data/chroma'));
const pipeline = new RetrievalPipeline({
  chunker: 'recursive:1000/0:chars',
  embedder: new HashingEmbedder({ dimensions: 512 }),
  vector: { index: 'exact' },
});
await pipeline.addDocuments(data.documents);
const questions = data.questions.slice(0, 60);

// 1. Explain the top hit of the first question.
const first = questions[0]!;
const result = await pipeline.search(first.text, { k: K });
console.log(`Q: ${first.text}\n`);
console.log(explain(result, 1, { color: process.stdout.isTTY ?? false, maxChars: 300 }).text);

// 2. Why-not for the first question whose gold span is missed, and what fusion settings would have fixed it.
const results = [];
for (const q of questions) {
  const r = await whyNot(pipeline, q.text, q.spans![0]!, { k: K });
  results.push(r);
  if (!r.retrieved && results.filter((x) => !x.retrieved).length === 1) {
    console.log(`\nWHY NOT: "${q.text}"\n  ${r.summary}`);
    for (const c of r.causes)
      console.log(
        `  - [${c.decisive ? 'decisive' : 'contributing'}] ${c.cause}: ${c.sentence}\n      fix: ${c.fix}`,
      );
    if (r.target.mainChunkId)
      console.log(`  replay: ${sweepReplay(r.result.trace, r.target.mainChunkId).sentence}`);
  }
}

// 3. Reports.
const chunks = data.documents.flatMap((d) => pipeline.chunksOf(d.id));
const spans = questions.flatMap((q) => q.spans ?? []);
const fixed = [];
for (const d of data.documents) fixed.push(...(await createChunker('fixed:1000/0:chars').chunk(d)));
const boundaries = await boundaryReport(
  [
    { name: 'recursive:1000', chunks },
    { name: 'fixed:1000', chunks: fixed },
  ],
  data.documents,
  {
    goldSpans: spans,
    sentences: (t) =>
      [...t.matchAll(/[^.!?\n]+[.!?]?/g)].map((m) => ({
        start: m.index,
        end: m.index + m[0].trimEnd().length,
      })),
  },
);
console.log('\nBOUNDARIES');
for (const b of boundaries) {
  console.log(
    `  ${b.name}: ${b.chunks} chunks, mid-sentence starts ${(100 * b.midSentenceStartShare).toFixed(0)}%, ends ${(100 * b.midSentenceEndShare).toFixed(0)}%, median ${b.sizeChars.p50} chars, gold spans straddling ${b.gold?.straddling}/${b.gold?.spans}`,
  );
}
const words = (t: string) => (t.match(/\S+/g) ?? []).length;
const budget = await tokenBudgetReport(chunks, {
  embedderMaxTokens: 128,
  rerankerMaxTokens: 256,
  countTokens: words,
});
console.log(
  `\nTOKEN BUDGET (words as tokens): ${budget.embedder?.over} chunks over 128, ${budget.reranker?.over} over 256`,
);
const health = corpusHealth(
  results.map((r) => r.result),
  chunks,
  { k: K, hubShare: 0.05 },
);
console.log(
  `\nCORPUS HEALTH: ${health.hubs.length} hubs, ${health.nearDuplicates.pairs} near-duplicate pairs, ${health.neverRetrieved.count} never retrieved, ${health.tiny.length} tiny`,
);
const overlaps = (qi: number, chunkId: string) => {
  const c = pipeline.getChunk(chunkId)!;
  return (questions[qi]!.spans ?? []).some((s) => s.docId === c.docId && s.start < c.end && s.end > c.start);
};
console.log('\nCALIBRATION (score >= threshold means relevant, max F1)');
for (const s of calibration(
  labelStageScores(
    results.map((r) => r.result),
    overlaps,
  ),
)) {
  console.log(
    `  ${s.stage}: AUC ${s.auc.toFixed(3)}, threshold ${s.suggestion?.threshold.toFixed(4)} (P ${s.suggestion?.precision.toFixed(2)}, R ${s.suggestion?.recall.toFixed(2)})`,
  );
}
const t = await triage(
  pipeline,
  questions.map((q) => ({ id: q.id, query: q.text, expected: q.spans![0]! })),
  { k: K },
);
console.log(
  `\nTRIAGE: ${t.retrievalFailures} retrieval failures, ${t.generationFailures} with the gold context retrieved`,
);
for (const c of t.byCause) console.log(`  ${c.cause}: ${c.count}`);
