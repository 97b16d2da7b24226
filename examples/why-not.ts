// Run: npx tsx examples/why-not.ts
// Index the example corpus, then ask why two questions miss their gold answer. Every cause's fix is replayed on
// the real search code (re-chunked / expanded text re-scored, lists re-fused, the re-ranker dropped), and the
// cause whose fix rescues the target comes first; when no single fix does, `outranked` says so.
import { explain, whyNot } from 'ragscope/diagnostics';
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
for (const c of report.causes) {
  const verified = c.verification ? `, fix ${c.verification.status}` : '';
  console.log(
    `- ${c.cause} (${c.stage}${c.decisive ? ', decisive' : ''}${verified}): ${c.sentence}\n  fix: ${c.fix}`,
  );
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
for (const c of r2.causes)
  console.log(`- ${c.cause}${c.verification ? ` (fix ${c.verification.status})` : ''}: ${c.sentence}`);
