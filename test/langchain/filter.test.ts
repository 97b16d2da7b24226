import { FakeVectorStore } from '@langchain/core/utils/testing';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Document } from '../../src/core/document.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import { fromLangChainVectorStore, toLangChainEmbeddings } from '../../src/langchain/index.js';
import { type MetadataFilter, matchesFilter } from '../../src/search/filter.js';
import { RetrieverSearch } from '../../src/search/retriever-search.js';
import { sharedPath } from '../chunkers/chunk-invariants.js';

let store: FakeVectorStore;
let documents: Document[];
const embedder = new HashingEmbedder({ dimensions: 256 });

beforeAll(async () => {
  const all = await loadChromaSpans(sharedPath('data/chroma'));
  documents = all.documents.filter((d) => d.id === 'chatlogs' || d.id === 'state_of_the_union');
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 400, chunkOverlap: 0 });
  const pieces = await splitter.createDocuments(
    documents.map((d) => d.text),
    documents.map((d) => ({ source: d.id, corpus: d.id })),
  );
  store = await FakeVectorStore.fromDocuments(pieces, await toLangChainEmbeddings(embedder));
});

describe('metadata filters through a LangChain vector store (real @langchain/core FakeVectorStore)', () => {
  it('with a filter translation the store filters natively; without one ragscope post-filters; both agree', async () => {
    const filter: MetadataFilter = { corpus: 'chatlogs' };
    const native = fromLangChainVectorStore(store, {
      documents,
      name: 'native',
      filter: (f) => (doc: { metadata: Record<string, unknown> }) => matchesFilter(doc.metadata, f),
    });
    const post = fromLangChainVectorStore(store, { documents, name: 'post' });
    expect(native.nativeFilter).toBe(true);
    expect(post.nativeFilter).toBeUndefined();
    const search = new RetrieverSearch({ retrievers: [native, post], depth: 30 });
    for (const q of ['How do I reset my password?', 'What did the President say about inflation?']) {
      const { hits, trace } = await search.search(q, { k: 10, filter });
      for (const h of hits) expect(h.chunk.docId).toBe('chatlogs');
      const [n, p] = trace.stages;
      expect(n!.params.filtered).toBe('native');
      expect(p!.params.filtered).toBe('post');
      expect(n!.candidates.map((c) => c.chunkId)).toEqual(p!.candidates.map((c) => c.chunkId));
      expect(n!.candidates).toHaveLength(30);
    }
  });
});
