// Run: npx tsx examples/langchain.ts
// Evaluate a LangChain.js retrieval pipeline with ragscope: split with a LangChain TextSplitter, store in a LangChain
// vector store, then score that store on labelled questions (span recall, document metrics), diagnose a question it
// fails (why-not), and see what ragscope can and cannot check about it. Replace the store with yours (PGVectorStore, Chroma, Pinecone...): only
// `similaritySearchWithScore` is used.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeVectorStore } from '@langchain/core/utils/testing';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { whyNot } from 'ragscope/diagnostics';
import { HashingEmbedder } from 'ragscope/embedders';
import { evaluateRetriever, loadJsonl } from 'ragscope/eval';
import { chunksFromLangChain, fromLangChainVectorStore, toLangChainEmbeddings } from 'ragscope/langchain';
import { RetrieverSearch } from 'ragscope/search';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataset = await loadJsonl(path.join(here, 'questions.jsonl'), { corpus: path.join(here, 'corpus') });

// The LangChain side, as a user builds it (here with LangChain's in-memory store and a ragscope embedder).
const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 400, chunkOverlap: 0 });
const pieces = await splitter.createDocuments(
  dataset.documents.map((d) => d.text),
  dataset.documents.map((d) => ({ source: d.id })),
);
const store = await FakeVectorStore.fromDocuments(pieces, await toLangChainEmbeddings(new HashingEmbedder()));

// The ragscope side: the store as a Retriever, hits located back in their source documents.
const mine = fromLangChainVectorStore(store, { documents: dataset.documents });
const result = await evaluateRetriever(mine, dataset, { k: 5 });
console.log(`${dataset.questions.length} questions, ${pieces.length} LangChain chunks`);
console.log(
  'span recall@5',
  result.spans?.summary.recall.mean.toFixed(3),
  'IoU',
  result.spans?.summary.iou.mean.toFixed(3),
);
console.log('document metrics', result.docs?.mean);
console.log('cannot check:', result.cannotCheck);
const [first] = dataset.questions;
if (first) console.log(`"${first.text}" ->`, result.hits[first.id]?.slice(0, 3));

// Diagnose a question the store fails: every chunk the store holds is given, so why-not can check chunk
// boundaries; what it cannot check on a store it does not control is listed with the reason.
const search = new RetrieverSearch({
  retrievers: [mine],
  depth: 10, // candidates asked of the store
  documents: dataset.documents,
  chunks: chunksFromLangChain(pieces, dataset.documents),
});
const failed = dataset.questions.find(
  (q) => result.spans?.perQuery.find((s) => s.queryId === q.id)?.recall === 0 && q.spans?.length,
);
if (failed) {
  const span = failed.spans![0]!;
  const report = await whyNot(
    search,
    failed.text,
    { docId: span.docId, start: span.start, end: span.end },
    { k: 5 },
  );
  console.log(`\nwhy-not "${failed.text}": ${report.summary}`);
  for (const c of report.causes) console.log(`  ${c.cause}${c.decisive ? ' (decisive)' : ''}: ${c.sentence}`);
  for (const c of report.cannotCheck) console.log(`  cannot check ${c.cause}: ${c.missing}`);
}
