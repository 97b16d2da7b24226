// Run: npx tsx examples/why-not.ts
// Index the example corpus, then ask why two questions miss their gold answer, and which fusion settings
// would have found it (replayed from the saved trace, without searching again).
import { explain, sweepReplay, whyNot } from 'ragscope/diagnostics';
import { HashingEmbedder } from 'ragscope/embedders';
import { loadCorpusFolder } from 'ragscope/eval';
import { RetrievalPipeline } from 'ragscope/search';

const docs = await loadCorpusFolder(new URL('./corpus', import.meta.url).pathname);
const pipeline = new RetrievalPipeline({
  chunker: 'recursive:400/0',
  embedder: new HashingEmbedder({ dimensions: 256 }),
  vector: { index: 'exact' },
  fusion: { method: 'rrf', rrfK: 60 },
});
await pipeline.addDocuments(docs);

const query = 'Why am I asked to log in again every month?';
const result = await pipeline.search(query, { k: 5 });
console.log(explain(result, 1).text);

const report = await whyNot(
  pipeline,
  query,
  { answer: 'the session token has expired. Sign out and sign in again; tokens last 30 days.' },
  { k: 5 },
);
console.log(`\n${report.summary}`);
for (const c of report.causes)
  console.log(`- ${c.cause} (${c.stage}${c.decisive ? ', decisive' : ''}): ${c.sentence}\n  fix: ${c.fix}`);

const target = report.target.mainChunkId;
if (target) {
  const sweep = sweepReplay(result.trace, target);
  console.log(`\nreplayed ${sweep.rows.length} fusion settings from the trace: ${sweep.sentence}`);
}

const q2 = 'Can my script briefly exceed its request quota, and how does it know how much is left?';
const r2 = await whyNot(
  pipeline,
  q2,
  {
    answer:
      'Short bursts of up to twice the limit are accepted for a few seconds. Every response carries the headers',
  },
  { k: 5 },
);
console.log(`\n${r2.summary}`);
for (const c of r2.causes) console.log(`- ${c.cause}: ${c.sentence}`);
