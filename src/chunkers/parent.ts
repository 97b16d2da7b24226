import type { Chunk, Document, DocumentInput } from '../core/document.js';
import { makeChunk, toDocument } from '../core/document.js';
import { invalidArgument, RagscopeError } from '../core/errors.js';
import { isJsWhitespace } from './text.js';
import type { Boundary, Chunker, ChunkingTrace } from './types.js';

/**
 * Where a child chunk's parent lies: the parent's id and its exact `[start, end)` in the document
 * (`doc.text.slice(start, end)` is the parent's text). Stored as `chunk.metadata.parent` by {@link ParentChildChunker}.
 *
 * @example
 * ```ts
 * const ref: ParentRef = { id: 'guide#0.ab12cd34', start: 0, end: 812, index: 0 };
 * ```
 */
export interface ParentRef {
  id: string;
  start: number;
  end: number;
  /** Position of the parent within its document (0-based). */
  index: number;
}

/**
 * Parent-child chunking: the document is cut into parents (a larger window made by `parent`, or its Markdown
 * sections with `'section'`), and each parent is cut into children by `child`. Only the children are returned (and
 * indexed); each carries `metadata.parent` ({@link ParentRef}: the parent's id and exact offsets), so a search can
 * retrieve small chunks and return their parent (see `ParentSearch` in `ragscope/search`, and `ragscope bench`, which
 * scores the parents). Children never straddle two parents, and every offset is exact:
 * `doc.text.slice(child.start, child.end) === child.text`. Spec: any chunker spec + `:parent=<size>` (the same
 * chunker at that size, no overlap) or `:parent=section`, e.g. `recursive:200/0:parent=800`.
 *
 * @example
 * ```ts
 * import { ParentChildChunker, RecursiveChunker } from 'ragscope/chunkers';
 * const chunker = new ParentChildChunker(new RecursiveChunker({ size: 40 }), new RecursiveChunker({ size: 160 }), '160');
 * const chunks = await chunker.chunk({ id: 'faq', text: 'Refunds take five days. '.repeat(12) });
 * chunks[0]?.metadata.parent; // { id: 'faq#0.…', start: 0, end: 143, index: 0 }
 * ```
 */
export class ParentChildChunker implements Chunker {
  readonly spec: string;

  /**
   * @param child - cuts each parent into the chunks that are indexed
   * @param parent - cuts the document into parents, or `'section'` for Markdown heading sections
   * @param label - what follows `:parent=` in the spec (default: the parent chunker's spec, or `section`)
   */
  constructor(
    readonly child: Chunker,
    readonly parent: Chunker | 'section',
    label?: string,
  ) {
    if (!child || typeof child.chunk !== 'function') invalidArgument('child', child, 'a Chunker');
    if (parent !== 'section' && (!parent || typeof parent.chunk !== 'function'))
      invalidArgument('parent', parent, "a Chunker or 'section'");
    this.spec = `${child.spec}:parent=${label ?? (parent === 'section' ? 'section' : parent.spec)}`;
  }

  /** The parents of a document, as chunks with exact offsets. */
  async parents(input: DocumentInput): Promise<Chunk[]> {
    const doc = toDocument(input);
    return this.parent === 'section' ? markdownSections(doc) : this.parent.chunk(doc);
  }

  async chunk(input: DocumentInput): Promise<Chunk[]> {
    return (await this.chunkWithTrace(input)).chunks;
  }

  async chunkWithTrace(input: DocumentInput): Promise<ChunkingTrace> {
    const doc = toDocument(input);
    const chunks: Chunk[] = [];
    const boundaries: Boundary[] = [];
    for (const [pi, p] of (await this.parents(doc)).entries()) {
      const ref: ParentRef = { id: p.id, start: p.start, end: p.end, index: pi };
      const sub = await this.child.chunkWithTrace({ id: doc.id, text: p.text, metadata: doc.metadata ?? {} });
      const first = chunks.length;
      if (first > 0 && sub.chunks.length > 0)
        boundaries.push({
          before: first - 1,
          after: first,
          offset: p.start + sub.chunks[0]!.start,
          reason: 'external',
          explanation: `A new parent (${this.parent === 'section' ? 'section' : 'window'} ${pi}) starts here; children never straddle two parents.`,
        });
      for (const b of sub.boundaries)
        boundaries.push({
          ...b,
          before: b.before + first,
          after: b.after + first,
          offset: b.offset + p.start,
        });
      for (const c of sub.chunks) {
        const { parent: _ignored, ...extra } = c.metadata;
        chunks.push(
          makeChunk(doc, chunks.length, c.start + p.start, c.end + p.start, this.spec, {
            ...extra,
            parent: ref,
          }),
        );
      }
    }
    return { chunks, boundaries };
  }
}

/**
 * The Markdown sections of a document: from each ATX heading line (`#` to `######`, outside fenced code) to the next,
 * trailing whitespace excluded; text before the first heading is a section of its own. A document without headings
 * is one section.
 *
 * @example
 * ```ts
 * markdownSections({ id: 'g', text: '# A\nalpha\n\n## B\nbeta\n' }).map((s) => s.text); // ['# A\nalpha', '## B\nbeta']
 * ```
 */
export function markdownSections(input: DocumentInput): Chunk[] {
  const doc: Document = toDocument(input);
  const text = doc.text;
  const starts: number[] = [0];
  let fence: string | null = null;
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(at, end);
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) fence = fence === null ? f[1]![0]! : fence === f[1]![0] ? null : fence;
    else if (fence === null && at > 0 && /^ {0,3}#{1,6}(\s|$)/.test(line)) starts.push(at);
    at = end + 1;
  }
  const out: Chunk[] = [];
  for (const [i, s] of starts.entries()) {
    let e = starts[i + 1] ?? text.length;
    while (e > s && isJsWhitespace(text.charCodeAt(e - 1))) e--;
    let b = s;
    while (b < e && isJsWhitespace(text.charCodeAt(b))) b++;
    if (e > b) out.push(makeChunk(doc, out.length, b, e, 'section'));
  }
  return out;
}

/**
 * The {@link ParentRef} a chunk carries in `metadata.parent`, checked; undefined when it has none. A malformed one
 * (not an id with integer offsets inside the document) is a `RagscopeError` naming the chunk.
 *
 * @example
 * ```ts
 * parentRefOf({ id: 'a#3.x', metadata: { parent: { id: 'a#0.y', start: 0, end: 800, index: 0 } } }); // { id: 'a#0.y', ... }
 * ```
 */
export function parentRefOf(chunk: Pick<Chunk, 'id' | 'metadata'>): ParentRef | undefined {
  const p = chunk.metadata?.parent as Partial<ParentRef> | undefined;
  if (p === undefined) return undefined;
  if (
    p === null ||
    typeof p !== 'object' ||
    typeof p.id !== 'string' ||
    !Number.isInteger(p.start) ||
    !Number.isInteger(p.end) ||
    (p.start as number) < 0 ||
    (p.end as number) < (p.start as number)
  ) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `chunk ${chunk.id} has a malformed metadata.parent ${JSON.stringify(p)} (expected { id, start, end, index })`,
      { param: 'chunk.metadata.parent', value: p },
    );
  }
  return { id: p.id, start: p.start as number, end: p.end as number, index: p.index ?? 0 };
}

/**
 * The parent of a child chunk as a chunk of its own: `doc.text.slice(ref.start, ref.end)` with the document's
 * metadata. Throws when the offsets do not fit the document (a child from another version of it).
 *
 * @example
 * ```ts
 * const parent = parentChunk(doc, parentRefOf(child)!);
 * doc.text.slice(parent.start, parent.end) === parent.text; // true
 * ```
 */
export function parentChunk(doc: Document, ref: ParentRef): Chunk {
  if (ref.end > doc.text.length)
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `parent ${ref.id} ends at ${ref.end}, past the end of document ${doc.id} (${doc.text.length} characters)`,
      { param: 'parent.end', value: ref.end },
    );
  return {
    id: ref.id,
    docId: doc.id,
    index: ref.index,
    text: doc.text.slice(ref.start, ref.end),
    start: ref.start,
    end: ref.end,
    metadata: { ...(doc.metadata ?? {}) },
  };
}

/**
 * Split a `:parent=<size>` / `:parent=section` suffix off a chunker spec string (before any `:ctx`).
 * @internal
 */
export function splitParentSuffix(spec: string): { base: string; parent?: number | 'section' } {
  const m = /^(.*?):parent=([^:]*)$/.exec(spec);
  if (!m) return { base: spec };
  const raw = m[2]!;
  if (raw === 'section') return { base: m[1]!, parent: 'section' };
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new RagscopeError(
      'INVALID_SPEC',
      `invalid chunker spec ${JSON.stringify(spec)}: parent= takes a size (a positive integer, in the child's unit) or section, got ${JSON.stringify(raw)}`,
      { param: 'spec', value: spec },
    );
  return { base: m[1]!, parent: Number(raw) };
}
