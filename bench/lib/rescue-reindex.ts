import type { Chunker } from '../../src/chunkers/types.js';
import {
  type Chunk,
  type Document,
  type DocumentInput,
  makeChunk,
  toDocument,
} from '../../src/core/document.js';
import type { RetrievalPipeline } from '../../src/search/pipeline.js';
import { hitsOf, isSpan, K, ok, type Target } from './rescue-target.js';

/** Precomputed chunks, with a per-document override (a re-chunk applied for one counterfactual). */
export class OverrideChunker implements Chunker {
  readonly override = new Map<string, Chunk[]>();
  constructor(
    readonly spec: string,
    private readonly base: Map<string, Chunk[]>,
  ) {}
  async chunk(input: DocumentInput): Promise<Chunk[]> {
    const doc = toDocument(input);
    return this.override.get(doc.id) ?? this.base.get(doc.id)!;
  }
  async chunkWithTrace(input: DocumentInput) {
    return { chunks: await this.chunk(input), boundaries: [] };
  }
}

/** What a re-indexing fix needs: the pipeline, its chunker, the query, the target, its main chunk and document. */
export interface ReindexCase {
  p: RetrievalPipeline;
  chunker: OverrideChunker;
  query: string;
  target: Target;
  main: Chunk;
  doc: Document;
}

/** Re-index one document with the given chunks, or with its own chunks again (null). */
async function reindex(c: ReindexCase, d: Document, chunks: Chunk[] | null): Promise<void> {
  if (chunks) c.chunker.override.set(d.id, chunks);
  else c.chunker.override.delete(d.id);
  await c.p.updateDocuments([d]);
}

/** split: one chunk holding the whole span (real re-index of the document); the document is restored after. */
export async function splitRescues(c: ReindexCase): Promise<boolean> {
  const { p, chunker, query, target, main, doc } = c;
  if (!isSpan(target)) return false;
  const chunks = p.chunksOf(doc.id);
  const pieces = chunks.filter((x) => x.start < target.end && x.end > target.start);
  if (pieces.length < 2) return false;
  const lo = pieces[0]!.start;
  const hi = pieces[pieces.length - 1]!.end;
  const size = Math.max(main.end - main.start, target.end - target.start);
  let s = Math.max(lo, target.start - Math.floor((size - (target.end - target.start)) / 2));
  const e = Math.min(hi, s + size);
  s = Math.max(lo, Math.min(s, e - size));
  // (a) the boundaries inside the span removed; (b) a chunk as long as the main piece centred on the span.
  for (const mid of [
    [[lo, hi]],
    [
      [lo, s],
      [s, e],
      [e, hi],
    ],
  ] as Array<Array<[number, number]>>) {
    const spans: Array<[number, number]> = [];
    for (const x of chunks) {
      if (x === pieces[0]) for (const [a, b] of mid) if (b > a) spans.push([a, b]);
      if (!pieces.includes(x)) spans.push([x.start, x.end]);
    }
    spans.sort((x, y) => x[0] - y[0]);
    const re = { ...doc, metadata: { ...(doc.metadata ?? {}), whynotRechunk: 1 } };
    await reindex(
      c,
      re,
      spans.map(([a, b], i) => makeChunk(re, i, a, b, chunker.spec)),
    );
    const rescued = ok(target, hitsOf((await p.search(query, { k: K })).hits));
    await reindex(c, doc, null);
    if (rescued) return true;
  }
  return false;
}

/** The main chunk's word forms sharing a 4-5 letter prefix with a missing query word. */
function chunkForms(main: Chunk, missing: ReadonlyArray<{ term: string }>): Set<string> {
  const forms = new Set<string>();
  for (const w of main.text.match(/[\p{L}\p{N}]+/gu) ?? []) {
    const lw = w.toLowerCase();
    for (const m of missing) {
      const q = m.term.toLowerCase();
      let i = 0;
      while (i < lw.length && i < q.length && lw[i] === q[i]) i++;
      if (i >= Math.min(5, q.length) && i >= 4 && lw !== q) forms.add(lw);
    }
  }
  return forms;
}

/** (b) of lexical: the missing query words inserted after the main chunk (real re-index, restored after). */
async function documentExpansionRescues(c: ReindexCase, missing: ReadonlyArray<{ term: string }>) {
  const { p, chunker, query, target, main, doc } = c;
  const insert = ` ${missing.map((m) => m.term).join(' ')}`;
  const at = main.end;
  const shift = (x: number) => (x >= at ? x + insert.length : x);
  const text = doc.text.slice(0, at) + insert + doc.text.slice(at);
  const re = { ...doc, text, metadata: { ...(doc.metadata ?? {}), whynotExpand: 1 } };
  const chunks = p
    .chunksOf(doc.id)
    .map((x, i) =>
      makeChunk(
        re,
        i,
        x.id === main.id ? x.start : shift(x.start),
        x.id === main.id ? x.end + insert.length : shift(x.end),
        chunker.spec,
      ),
    );
  await reindex(c, re, chunks);
  const t2 = isSpan(target)
    ? {
        docId: target.docId,
        start: shift(target.start),
        end: target.end > at ? target.end + insert.length : target.end,
      }
    : target;
  const rescued = ok(t2, hitsOf((await p.search(query, { k: K })).hits));
  await reindex(c, doc, null);
  return rescued;
}

/** lexical (BM25 pipelines): (a) query expansion with the chunk's forms; (b) document expansion. */
export async function lexicalRescues(c: ReindexCase): Promise<boolean> {
  const { p, query, target, main } = c;
  if (!p.bm25) return false;
  const an = p.bm25.analyzer;
  const have = new Set(an.analyze(main.text));
  const missing = an.analyzeTerms(query).filter((t) => t.analyzed !== null && !have.has(t.analyzed));
  if (missing.length === 0) return false;
  const forms = chunkForms(main, missing);
  if (
    forms.size > 0 &&
    ok(target, hitsOf((await p.search(`${query} ${[...forms].join(' ')}`, { k: K })).hits))
  )
    return true;
  return documentExpansionRescues(c, missing);
}
