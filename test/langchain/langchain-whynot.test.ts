import type { Document } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { beforeAll, describe, expect, it } from 'vitest';
import { whyNot } from '../../src/diagnostics/index.js';
import { evaluateRetriever } from '../../src/eval/evaluate-retriever.js';
import { spanMetrics } from '../../src/eval/metrics/spans.js';
import type { EvalDataset, EvalQuestion } from '../../src/eval/types.js';
import { chunksFromLangChain, fromLangChainRetriever } from '../../src/langchain/index.js';
import type { Retriever } from '../../src/search/retriever.js';
import { RetrieverSearch } from '../../src/search/retriever-search.js';
import { chatlogsDataset } from './chatlogs.js';

/**
 * A LangChain retriever as teams write their own: a real `BaseRetriever` subclass (LangChain's invoke, callbacks
 * and run tracking), ranking the pieces it holds by how many distinct query words they contain.
 */
class KeywordRetriever extends BaseRetriever {
  override lc_namespace = ['ragscope', 'test'];

  constructor(
    private readonly pieces: Document[],
    private readonly k = 5,
  ) {
    super();
  }

  override async _getRelevantDocuments(query: string): Promise<Document[]> {
    const words = new Set(query.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []);
    const scored = this.pieces.map((d, i) => {
      const text = d.pageContent.toLowerCase();
      let s = 0;
      for (const w of words) if (text.includes(w)) s++;
      return { d, s, i };
    });
    scored.sort((a, b) => b.s - a.s || a.i - b.i);
    return scored.slice(0, this.k).map((x) => x.d);
  }
}

let chatlogs: EvalDataset;
let pieces: Document[];
let mine: Retriever;

beforeAll(async () => {
  chatlogs = await chatlogsDataset();
  const doc = chatlogs.documents[0]!;
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 400, chunkOverlap: 0 });
  pieces = await splitter.createDocuments([doc.text], [{ source: doc.id }]);
  mine = fromLangChainRetriever(new KeywordRetriever(pieces), {
    documents: chatlogs.documents,
    name: 'keyword',
  });
});

/** The first question whose first gold span the top 5 misses entirely and that straddles two LangChain chunks. */
async function failing(
  search: RetrieverSearch,
): Promise<{ q: EvalQuestion; span: NonNullable<EvalQuestion['spans']>[number] }> {
  for (const q of chatlogs.questions) {
    const { hits } = await search.search(q.text, { k: 5 });
    const span = q.spans![0]!;
    const covered = spanMetrics(
      [span],
      hits.map((h) => h.chunk),
    ).recall;
    const straddles = pieces.filter((p) => {
      const at = chatlogs.documents[0]!.text.indexOf(p.pageContent);
      return at < span.end && at + p.pageContent.length > span.start;
    }).length;
    if (covered === 0 && straddles > 1) return { q, span };
  }
  throw new Error('no failing question');
}

describe('a LangChain BaseRetriever evaluated and diagnosed by ragscope', () => {
  it('evaluates it on Chroma spans: measured where it can be, "cannot check" where not', async () => {
    const r = await evaluateRetriever(mine, chatlogs, { k: 5 });
    expect(r.params).toMatchObject({
      backend: 'langchain',
      retriever: 'KeywordRetriever',
      scoreFromRank: true,
    });
    const recall = r.spans!.summary.recall.mean;
    expect(recall).toBeGreaterThan(0.5);
    expect(recall).toBeLessThan(1);
    expect(r.docs!.mean.recall_5).toBe(1);
    expect(r.cannotCheck).toEqual([
      'PrecisionΩ: it needs every chunk of the collection, which a retriever does not list',
    ]);
  });

  it('diagnoses a miss: checks the chunking, and names what it cannot check on a black-box list and why', async () => {
    const chunks = chunksFromLangChain(pieces, chatlogs.documents);
    expect(chunks.length).toBe(pieces.length);
    for (const c of chunks) expect(chatlogs.documents[0]!.text.slice(c.start, c.end)).toBe(c.text);
    const search = new RetrieverSearch({ retrievers: [mine], documents: chatlogs.documents, chunks });
    const { q, span } = await failing(search);
    const report = await whyNot(
      search,
      q.text,
      { docId: span.docId, start: span.start, end: span.end },
      { k: 5 },
    );
    expect(report.retrieved).toBe(false);
    // Checked: the target's chunks are known, so ragscope can say whether the span straddles them.
    const relevant = chunks.filter((c) => c.start < span.end && c.end > span.start);
    expect(relevant.length).toBeGreaterThan(1);
    const causes = report.causes.map((c) => c.cause);
    expect(causes).toContain('outranked');
    expect(report.causes.every((c) => !c.decisive)).toBe(true);
    expect(causes).toContain('split-by-chunking');
    // Cannot check, with reasons: how deep it ranks, how it matches terms, whether it holds the chunk at all.
    const why = new Map(report.cannotCheck.map((c) => [c.cause, c.missing]));
    expect(why.get('below-candidate-depth')).toMatch(/"keyword" \(other\) beyond the 5 candidates/);
    expect(why.get('lexical-mismatch')).toMatch(/analyser and index statistics are not visible/);
    expect(why.get('not-indexed')).toMatch(/does not expose has\(chunkId\)/);
    // A re-chunked text cannot be scored by the LangChain retriever: never "not rescued", always "cannot check".
    for (const c of report.causes) expect(c.verification?.status ?? 'none').not.toBe('not-rescued');
    expect(why.get('split-by-chunking')).toMatch(/"keyword" cannot score a changed chunk/);
  });

  it('never calls a target "not indexed" when only the returned chunks are known', async () => {
    const blind = new RetrieverSearch({ retrievers: [mine], documents: chatlogs.documents });
    const full = new RetrieverSearch({
      retrievers: [mine],
      documents: chatlogs.documents,
      chunks: chunksFromLangChain(pieces, chatlogs.documents),
    });
    const { q, span } = await failing(full);
    const report = await whyNot(
      blind,
      q.text,
      { docId: span.docId, start: span.start, end: span.end },
      { k: 5 },
    );
    expect(report.retrieved).toBe(false);
    expect(report.causes.some((c) => c.cause === 'not-indexed')).toBe(false);
    expect(report.cannotCheck).toEqual([
      {
        cause: 'not-indexed',
        missing: expect.stringMatching(/ragscope knows only the chunks they returned/),
      },
    ]);
  });
});
