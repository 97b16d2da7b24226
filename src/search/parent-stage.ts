import { type ParentRef, parentChunk, parentRefOf } from '../chunkers/parent.js';
import type { Chunk, Document } from '../core/document.js';
import { checkInteger, invalidArgument, RagscopeError } from '../core/errors.js';
import type { Candidate, SearchHit, SearchResult } from './types.js';

/**
 * Anything that searches and returns hits with a trace: a {@link RetrievalPipeline}, a {@link RetrieverSearch}, or
 * your own wrapper. `getDocument` (when present) gives the source text the parents are cut from.
 *
 * @example
 * ```ts
 * const inner: SearchWithTrace = pipeline; // or new RetrieverSearch({ retrievers, documents })
 * ```
 */
export interface SearchWithTrace {
  search(query: string, options?: { k?: number } & Record<string, unknown>): Promise<SearchResult>;
  getDocument?(id: string): Document | null | undefined;
}

/**
 * One parent in a ranked list of children: its id, the best child's score, and its children in rank order.
 *
 * @example
 * ```ts
 * const g: ParentGroup = { parentId: 'a#0.x', docId: 'a', score: 0.8, children: ['a#2.y', 'a#0.z'], ref };
 * ```
 */
export interface ParentGroup {
  parentId: string;
  docId: string;
  /** Score of the best (first) child. */
  score: number;
  /** The children that mapped to this parent, best first. */
  children: string[];
  /** The parent's offsets; undefined for a chunk without a parent (it stands for itself). */
  ref?: ParentRef;
}

/**
 * Map a ranked list of children to their parents, best first: each parent appears once, at the rank of its best
 * child, with that child's score; a chunk without `metadata.parent` stands for itself.
 *
 * @example
 * ```ts
 * const groups = groupByParent(hits.map((h) => ({ chunkId: h.chunk.id, docId: h.chunk.docId, score: h.score })), (id) => chunks.get(id));
 * groups.map((g) => g.children.length); // e.g. [2, 1, 3]
 * ```
 */
export function groupByParent(
  ranked: ReadonlyArray<{ chunkId: string; docId: string; score: number }>,
  chunkOf: (chunkId: string) => Pick<Chunk, 'id' | 'metadata'> | undefined | null,
): ParentGroup[] {
  const out: ParentGroup[] = [];
  const byId = new Map<string, ParentGroup>();
  for (const c of ranked) {
    const chunk = chunkOf(c.chunkId);
    const ref = chunk ? parentRefOf(chunk) : undefined;
    const parentId = ref?.id ?? c.chunkId;
    const seen = byId.get(parentId);
    if (seen) {
      seen.children.push(c.chunkId);
      continue;
    }
    const g: ParentGroup = {
      parentId,
      docId: c.docId,
      score: c.score,
      children: [c.chunkId],
      ...(ref ? { ref } : {}),
    };
    byId.set(parentId, g);
    out.push(g);
  }
  return out;
}

/**
 * The parents of a set of child chunks, to evaluate parents where children were retrieved (`ragscope bench` with a
 * `:parent=` chunker): `map` turns a ranked list of child ids into parent ids (deduplicated, best first) and `get`
 * returns a parent as a chunk with exact offsets. Returns null when no chunk has a parent.
 *
 * @example
 * ```ts
 * const parents = parentIndex(chunks, docs);
 * const top5 = parents ? parents.map(childIds).slice(0, 5).map((id) => parents.get(id)!) : [];
 * ```
 */
export function parentIndex(
  chunks: readonly Chunk[],
  documents: readonly Document[],
): { map(ids: readonly string[]): string[]; get(id: string): Chunk | undefined; chunks: Chunk[] } | null {
  const docs = new Map(documents.map((d) => [d.id, d]));
  const parentOf = new Map<string, string>();
  const parents = new Map<string, Chunk>();
  for (const c of chunks) {
    const ref = parentRefOf(c);
    if (!ref) continue;
    parentOf.set(c.id, ref.id);
    if (parents.has(ref.id)) continue;
    const doc = docs.get(c.docId);
    if (!doc)
      throw new RagscopeError(
        'NOT_FOUND',
        `document ${c.docId} of chunk ${c.id} is not among the documents`,
        {
          docId: c.docId,
        },
      );
    parents.set(ref.id, parentChunk(doc, ref));
  }
  if (parents.size === 0) return null;
  return {
    map(ids) {
      const seen = new Set<string>();
      const out: string[] = [];
      for (const id of ids) {
        const p = parentOf.get(id) ?? id;
        if (!seen.has(p)) {
          seen.add(p);
          out.push(p);
        }
      }
      return out;
    },
    get: (id) => parents.get(id),
    chunks: [...parents.values()],
  };
}

/**
 * Options of {@link ParentSearch}.
 *
 * @example
 * ```ts
 * const o: ParentSearchOptions = { documents: docs, maxChildren: 400 };
 * ```
 */
export interface ParentSearchOptions {
  /** The source documents (default: the inner search's `getDocument`). */
  documents?: readonly Document[];
  /** The most children asked of the inner search to fill `k` distinct parents. Default 1000. */
  maxChildren?: number;
}

/**
 * Parent-child retrieval over ANY search that returns hits and a trace: the inner search ranks small chunks (made by
 * a {@link ParentChildChunker}, each with `metadata.parent`), and this returns their parents instead, deduplicated,
 * each with its best child's score, rank and ledger. It asks the inner search for `k` children, then twice as many
 * until `k` distinct parents are found or the inner search has no more (or `maxChildren` is reached). The trace
 * gets a `parent` stage: every parent with its score, and in its params the children that mapped to each parent.
 * Parent offsets are exact: `doc.text.slice(hit.chunk.start, hit.chunk.end) === hit.chunk.text`.
 *
 * @example
 * ```ts
 * const pipeline = new RetrievalPipeline({ chunker: createChunker('recursive:200/0:parent=800') });
 * await pipeline.addDocuments(docs);
 * const { hits, trace } = await new ParentSearch(pipeline).search('how long do refunds take?', { k: 3 });
 * trace.stages.at(-1)?.params.children; // { 'faq#0.ab12cd34': ['faq#1.…', 'faq#0.…'], ... }
 * ```
 */
export class ParentSearch {
  private readonly docs = new Map<string, Document>();
  private readonly maxChildren: number;

  constructor(
    readonly inner: SearchWithTrace,
    options: ParentSearchOptions = {},
  ) {
    if (!inner || typeof inner.search !== 'function')
      invalidArgument(
        'inner',
        inner,
        'a search with search(query, options) (a RetrievalPipeline, a RetrieverSearch)',
      );
    for (const d of options.documents ?? []) this.docs.set(d.id, d);
    this.maxChildren = checkInteger('maxChildren', options.maxChildren ?? 1000, 1);
  }

  private document(id: string): Document {
    const d = this.docs.get(id) ?? this.inner.getDocument?.(id) ?? undefined;
    if (!d)
      throw new RagscopeError(
        'NOT_FOUND',
        `document ${id} is unknown: give ParentSearch the documents (options.documents) so parents can be cut from them`,
        { docId: id },
      );
    return d;
  }

  /** The `k` best parents (the inner search's options pass through; `k` counts parents). */
  async search(query: string, options: { k?: number } & Record<string, unknown> = {}): Promise<SearchResult> {
    const k = checkInteger('k', options.k ?? 10, 1);
    let childK = Math.min(k, this.maxChildren);
    for (;;) {
      const result = await this.inner.search(query, { ...options, k: childK });
      const t0 = performance.now();
      const byId = new Map(result.hits.map((h) => [h.chunk.id, h]));
      const groups = groupByParent(
        result.hits.map((h) => ({ chunkId: h.chunk.id, docId: h.chunk.docId, score: h.score })),
        (id) => byId.get(id)?.chunk,
      );
      const exhausted = result.hits.length < childK || childK >= this.maxChildren;
      if (groups.length < k && !exhausted) {
        childK = Math.min(childK * 2, this.maxChildren);
        continue;
      }
      const hits: SearchHit[] = groups.slice(0, k).map((g, i) => {
        const best = byId.get(g.children[0]!)!;
        return {
          chunk: g.ref ? parentChunk(this.document(g.docId), g.ref) : best.chunk,
          score: g.score,
          rank: i + 1,
          ledger: best.ledger,
        };
      });
      const candidates: Candidate[] = groups.map((g, i) => ({
        chunkId: g.parentId,
        docId: g.docId,
        rank: i + 1,
        score: g.score,
        normalized: g.score,
      }));
      const last = result.trace.stages.at(-1)?.stage ?? null;
      result.trace.stages.push({
        stage: 'parent',
        params: {
          from: last,
          children: Object.fromEntries(groups.map((g) => [g.parentId, g.children])),
          childrenAsked: childK,
          score: 'best child',
        },
        candidates,
        durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
      });
      return { hits, trace: { ...result.trace, k } };
    }
  }
}
