// Run: npx tsx examples/langchain.ts
// Evaluate a LangChain.js retrieval pipeline with ragscope: split with a LangChain TextSplitter, store in a LangChain
// vector store, then score that store on labelled questions (span recall, document metrics) and see what ragscope
// can and cannot check about it. Replace the store with yours (PGVectorStore, Chroma, Pinecone...): only
// `similaritySearchWithScore` is used.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeVectorStore } from '@langchain/core/utils/testing';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { HashingEmbedder } from 'ragscope/embedders';
import { evaluateRetriever, loadJsonl } from 'ragscope/eval';
import { fromLangChainVectorStore, toLangChainEmbeddings } from 'ragscope/langchain';

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
