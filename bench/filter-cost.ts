/**
 * What a metadata filter costs BM25, in one run on the Chroma corpora (recursive 200/0, 472 questions, filter
 * `file=chatlogs`): the built-in BM25 filtering inside its search (`accept`, exact top k among matching chunks)
 * beside the same index behind a retriever without `nativeFilter`, which ragscope post-filters by re-querying with
 * doubling depth. Both lists must be identical; CPU ms per query and the mean number of hits the post-filter asked.
 *
 * Run: npx tsx bench/filter-cost.ts
 */
import { loadChromaSpans } from '../src/eval/datasets/chroma.js';
import { Bm25Retriever } from '../src/search/builtin-retrievers.js';
import { RetrievalPipeline } from '../src/search/pipeline.js';
import type { Retriever } from '../src/search/retriever.js';
import { RetrieverSearch } from '../src/search/retriever-search.js';

const ds = await loadChromaSpans('../shared/data/chroma');
const pipeline = new RetrievalPipeline({ chunker: 'recursive:200/0', vector: false });
await pipeline.addDocuments(ds.documents.map((d) => ({ ...d, metadata: { file: d.id } })));
const chunks = (id: string) => pipeline.getChunk(id) ?? undefined;
const native = new Bm25Retriever(pipeline.bm25!, { chunks });
const plain: Retriever = {
  name: 'bm25',
  kind: 'lexical',
  params: () => ({}),
  retrieve: (q, depth) => native.retrieve(q, depth),
  getChunk: async (id) => chunks(id),
};
const filter = { file: 'chatlogs' };
const queries = ds.questions.map((q) => q.text);

async function measure(search: RetrieverSearch) {
  for (const q of queries.slice(0, 20)) await search.search(q, { k: 10, filter }); // warm-up
  const lists: string[][] = [];
  let asked = 0;
  const c0 = process.cpuUsage();
  for (const q of queries) {
    const { trace } = await search.search(q, { k: 10, filter });
    lists.push(trace.stages[0]!.candidates.map((c) => c.chunkId));
    asked += Number(trace.stages[0]!.params.asked ?? 100);
  }
  const u = process.cpuUsage(c0);
  return { lists, cpuMs: (u.user + u.system) / 1000 / queries.length, asked: asked / queries.length };
}

const a = await measure(new RetrieverSearch({ retrievers: [native], depth: 100 }));
const b = await measure(new RetrieverSearch({ retrievers: [plain], depth: 100 }));
console.log(
  JSON.stringify(
    {
      questions: queries.length,
      nativeCpuMsPerQuery: Number(a.cpuMs.toFixed(3)),
      postCpuMsPerQuery: Number(b.cpuMs.toFixed(3)),
      ratio: Number((b.cpuMs / a.cpuMs).toFixed(2)),
      postMeanAsked: Number(b.asked.toFixed(1)),
      listsIdentical: JSON.stringify(a.lists) === JSON.stringify(b.lists),
    },
    null,
    2,
  ),
);
