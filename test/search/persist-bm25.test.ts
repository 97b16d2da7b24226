import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bm25Index } from '../../src/search/bm25.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { scifactDir, scifactDocs } from './shared.js';

const work = mkdtempSync(path.join(tmpdir(), 'ragscope-persist-bm25-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const queries = readFileSync(path.join(scifactDir, 'queries.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, 30)
  .map((l) => (JSON.parse(l) as { text: string }).text);

/** Everything observable about a BM25 index's content (a chunk's terms in term order: it holds no other order). */
function snapshot(bm25: Bm25Index) {
  const ids = [...bm25.ids()];
  const json = bm25.toJSON() as { docs: Array<[string, string, string[], number[]]> };
  return {
    params: { ...json, docs: undefined },
    docs: json.docs.map(([id, docId, terms, tfs]) => [id, docId, terms.map((t, i) => [t, tfs[i]]).sort()]),
    terms: ids.map((id) => [...bm25.termsOf(id)].sort()),
    explain: ids.slice(0, 50).map((id) => bm25.explain(queries[0] as string, id)),
    hits: queries.map((q) => bm25.search(q, 10)),
  };
}

describe('a loaded BM25 index (postings read back, forward index built on first use)', () => {
  it('equals the saved one, answers as exhaustive scoring does, and changes the same way', async () => {
    const p = new RetrievalPipeline({ chunker: 'recursive:300/0' });
    const docs = scifactDocs(240);
    await p.addDocuments(docs.slice(0, 180));
    const dir = path.join(work, 'index');
    await p.save(dir);
    const q = await RetrievalPipeline.load(dir);
    const saved = p.bm25 as Bm25Index;
    const loaded = q.bm25 as Bm25Index;
    expect(loaded.size).toBeGreaterThan(300); // several blocks of chunk numbers
    // searches and explanations first: they do not need the forward index
    for (const id of [...saved.ids()].slice(0, 80)) {
      expect(loaded.explain(queries[1] as string, id)).toEqual(saved.explain(queries[1] as string, id));
    }
    expect(loaded.store.forwardStale).toBe(true);
    for (const query of queries) {
      expect(loaded.search(query, 10)).toEqual(saved.search(query, 10));
      expect(loaded.search(query, 10)).toEqual(loaded.searchExhaustive(query, 10));
    }
    expect(snapshot(loaded)).toEqual(snapshot(saved));
    // the same changes on both: remove a third of the documents, add new ones, replace one
    const gone = docs.slice(0, 60).map((d) => d.id);
    for (const pipeline of [p, q]) {
      await pipeline.removeDocuments(gone);
      await pipeline.addDocuments(docs.slice(180, 240));
      await pipeline.updateDocuments([{ ...docs[100]!, text: 'quokka quokka habitat' }]);
    }
    expect(snapshot(loaded)).toEqual(snapshot(saved));
    for (const query of [...queries, 'quokka habitat']) {
      expect(loaded.search(query, 10)).toEqual(loaded.searchExhaustive(query, 10));
    }
  });
});
