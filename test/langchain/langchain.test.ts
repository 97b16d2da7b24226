import { FakeVectorStore } from '@langchain/core/utils/testing';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { beforeAll, describe, expect, it } from 'vitest';
import { TextSplitterChunker } from '../../src/chunkers/langchain.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { evaluateRetriever } from '../../src/eval/evaluate-retriever.js';
import type { EvalDataset } from '../../src/eval/types.js';
import {
  fromLangChainDocuments,
  fromLangChainRetriever,
  fromLangChainVectorStore,
  toLangChainEmbeddings,
  toLangChainRetriever,
} from '../../src/langchain/index.js';
import { ExactVectorIndex } from '../../src/search/exact.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { chatlogsDataset } from './chatlogs.js';

const embedder = new HashingEmbedder({ dimensions: 256 });
let chatlogs: EvalDataset;
let store: FakeVectorStore;
const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 400, chunkOverlap: 0 });

beforeAll(async () => {
  chatlogs = await chatlogsDataset();
  const doc = chatlogs.documents[0]!;
  // A LangChain pipeline as a user builds it: split, embed (here with a ragscope embedder), store.
  const pieces = await splitter.createDocuments([doc.text], [{ source: doc.id }]);
  store = await FakeVectorStore.fromDocuments(pieces, await toLangChainEmbeddings(embedder));
});

describe('LangChain.js retrieval evaluated by ragscope', () => {
  it('scores a LangChain vector store exactly as ragscope scores the same chunks and vectors', async () => {
    const theirs = fromLangChainVectorStore(store, { documents: chatlogs.documents });
    const result = await evaluateRetriever(theirs, chatlogs, { k: 5 });
    expect(chatlogs.questions.length).toBe(56);
    // The same chunks (located exactly by TextSplitterChunker) in ragscope's exact index give the same span recall.
    const chunks = await new TextSplitterChunker(splitter).chunk(chatlogs.documents[0]!);
    const exact = new ExactVectorIndex({ dimensions: 256 });
    await exact.add(
      chunks.map((c) => c.id),
      await embedder.embed(chunks.map((c) => c.text)),
    );
    const byId = new Map(chunks.map((c) => [c.id, c]));
    const ours = await evaluateRetriever(
      {
        name: 'ours',
        kind: 'dense',
        params: () => ({}),
        retrieve: async (q, depth) => {
          const [qv] = await embedder.embed([q], { kind: 'query' });
          return (await exact.search(qv!, depth)).map((h) => ({
            chunkId: h.id,
            docId: 'chatlogs',
            score: h.score,
          }));
        },
        getChunk: async (id) => byId.get(id),
      },
      chatlogs,
      { k: 5 },
    );
    expect(result.spans!.summary.recall.mean).toBeGreaterThan(0);
    expect(result.spans!.summary.recall.mean).toBeCloseTo(ours.spans!.summary.recall.mean, 10);
    expect(result.spans!.summary.iou.mean).toBeCloseTo(ours.spans!.summary.iou.mean, 10);
    expect(Number.isNaN(result.spans!.summary.precisionOmega.mean)).toBe(true);
    expect(result.cannotCheck).toEqual([
      'PrecisionΩ: it needs every chunk of the collection, which a retriever does not list',
    ]);
    expect(result.docs!.mean.recall_5).toBe(1); // one document: every question finds it
  });

  it('wraps a LangChain BaseRetriever (no scores): ranks become scores, and without sources spans cannot be checked', async () => {
    const asRetriever = store.asRetriever({ k: 5 });
    const located = fromLangChainRetriever(asRetriever, { documents: chatlogs.documents });
    const hits = await located.retrieve(chatlogs.questions[0]!.text, 5);
    expect(hits.map((h) => h.score)).toEqual([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]);
    const c = await located.getChunk!(hits[0]!.chunkId);
    expect(chatlogs.documents[0]!.text.slice(c!.start, c!.end)).toBe(c!.text);
    const blind = fromLangChainRetriever(asRetriever);
    const r = await evaluateRetriever(blind, chatlogs, { k: 5 });
    expect(r.spans).toBeUndefined();
    expect(r.cannotCheck).toEqual(['span metrics: the retriever cannot return chunk offsets (no getChunk)']);
    expect(blind.params()).toMatchObject({ scoreFromRank: true, located: false });
  });

  it('exposes a ragscope pipeline as a LangChain retriever with the ledger in metadata', async () => {
    const pipeline = new RetrievalPipeline({ chunker: new TextSplitterChunker(splitter), embedder });
    await pipeline.addDocuments(chatlogs.documents);
    const lc = await toLangChainRetriever(pipeline, { k: 3 });
    const q = chatlogs.questions[0]!.text;
    const docs = await lc.invoke(q);
    const { hits } = await pipeline.search(q, { k: 3 });
    expect(docs.map((d) => d.id)).toEqual(hits.map((h) => h.chunk.id));
    expect(docs[0]!.pageContent).toBe(hits[0]!.chunk.text);
    expect(docs[0]!.metadata?.ragscope).toMatchObject({
      rank: 1,
      start: hits[0]!.chunk.start,
      ledger: hits[0]!.ledger,
    });
  });

  it('accepts multi-page loader output (pages sharing metadata.source) with unique, stable ids', () => {
    const pages = [1, 2, 3].map((n) => ({
      pageContent: `Page ${n} text.`,
      metadata: { source: 'report.pdf', loc: { pageNumber: n } },
    }));
    const lines = [1, 2].map((n) => ({
      pageContent: `row ${n}`,
      metadata: { source: 'table.csv', line: n },
    }));
    const docs = fromLangChainDocuments([
      ...pages,
      ...lines,
      { pageContent: 'alone', metadata: { source: 'one.md' } },
    ]);
    expect(docs.map((d) => d.id)).toEqual([
      'report.pdf#page=1',
      'report.pdf#page=2',
      'report.pdf#page=3',
      'table.csv#1',
      'table.csv#2',
      'one.md',
    ]);
    expect(() =>
      fromLangChainDocuments([
        { pageContent: 'a', id: 'x' },
        { pageContent: 'b', id: 'x' },
      ]),
    ).toThrow(/docs\[1\]\.id/);
  });
});
