import type { Chunk, DocumentInput } from '../core/document.js';
import { invalidArgument, RagscopeError } from '../core/errors.js';
import type { Chunker, ChunkingTrace } from './types.js';

/**
 * Which index reads a chunk's contextual text: BM25, the embedder, or both. The other one reads the chunk text.
 *
 * @example
 * ```ts
 * const target: ContextTarget = 'bm25'; // from the spec suffix ':ctx=bm25'
 * ```
 */
export type ContextTarget = 'bm25' | 'embed' | 'both';

const TARGETS: readonly ContextTarget[] = ['bm25', 'embed', 'both'];

/**
 * The text to index for a chunk: its document title (`metadata.title`, unless the chunk already starts with it) and
 * heading path (`metadata.headings`, joined with `' > '`), each on its own line, a blank line, then the chunk text.
 * Returns the chunk text unchanged when there is neither.
 *
 * @example
 * ```ts
 * contextualText({ text: 'Run npm install.', metadata: { title: 'Guide', headings: ['Guide', 'Install'] } });
 * // 'Guide\nGuide > Install\n\nRun npm install.'
 * ```
 */
export function contextualText(chunk: Pick<Chunk, 'text' | 'metadata'>): string {
  const title = typeof chunk.metadata?.title === 'string' ? chunk.metadata.title.trim() : '';
  const h = chunk.metadata?.headings;
  const headings = Array.isArray(h)
    ? h.filter((x): x is string => typeof x === 'string' && x.trim() !== '')
    : [];
  const lines: string[] = [];
  if (title && !chunk.text.trimStart().startsWith(title)) lines.push(title);
  if (headings.length > 0) lines.push(headings.join(' > '));
  return lines.length === 0 ? chunk.text : `${lines.join('\n')}\n\n${chunk.text}`;
}

/**
 * The text an index should read for a chunk: `metadata.contextText` when a {@link ContextualChunker} set it for this
 * index (`metadata.contextFor`), else the chunk text. Offsets always refer to `chunk.text`.
 *
 * @example
 * ```ts
 * indexText(chunk, 'bm25'); // what BM25 indexes for this chunk
 * indexText(chunk, 'embed'); // what the embedder embeds
 * ```
 */
export function indexText(chunk: Pick<Chunk, 'text' | 'metadata'>, index: 'bm25' | 'embed'): string {
  const ctx = chunk.metadata?.contextText;
  const target = chunk.metadata?.contextFor;
  if (typeof ctx !== 'string' || (target !== 'both' && target !== index)) return chunk.text;
  return ctx;
}

/**
 * Contextual chunk text: wraps a chunker so every chunk carries `metadata.contextText` (its title and heading path
 * prepended, see {@link contextualText}) and `metadata.contextFor` (`target`). `RetrievalPipeline` indexes that text
 * in BM25, the embedder or both, while `chunk.text`, `start` and `end` stay the exact document slice, so metrics and
 * diagnostics see the original chunks. Spec: any chunker spec with the suffix `:ctx` (both) or
 * `:ctx=bm25|embed|both`, e.g. `recursive:400/0:md:ctx`.
 *
 * @example
 * ```ts
 * import { ContextualChunker, RecursiveChunker } from 'ragscope/chunkers';
 * const chunker = new ContextualChunker(new RecursiveChunker({ size: 400, markdown: true }), 'both');
 * const [c] = await chunker.chunk({ id: 'guide.md', text: '# Guide\n\n## Install\n\nRun npm install.' });
 * c.metadata.contextText; // 'Guide > Install\n\nRun npm install.' (or similar, by the chunker's headings)
 * ```
 */
export class ContextualChunker implements Chunker {
  readonly spec: string;

  constructor(
    readonly inner: Chunker,
    readonly target: ContextTarget = 'both',
  ) {
    if (!inner || typeof inner.chunk !== 'function') invalidArgument('inner', inner, 'a Chunker');
    if (!TARGETS.includes(target)) invalidArgument('target', target, "'bm25', 'embed' or 'both'");
    this.spec = `${inner.spec}:ctx=${target}`;
  }

  private decorate(chunks: Chunk[]): Chunk[] {
    return chunks.map((c) => ({
      ...c,
      metadata: { ...c.metadata, contextText: contextualText(c), contextFor: this.target },
    }));
  }

  async chunk(doc: DocumentInput): Promise<Chunk[]> {
    return this.decorate(await this.inner.chunk(doc));
  }

  async chunkWithTrace(doc: DocumentInput): Promise<ChunkingTrace> {
    const trace = await this.inner.chunkWithTrace(doc);
    return { ...trace, chunks: this.decorate(trace.chunks) };
  }
}

/**
 * Split a `:ctx` / `:ctx=<target>` suffix off a chunker spec string.
 * @internal
 */
export function splitContextSuffix(spec: string): { base: string; target?: ContextTarget } {
  const m = /^(.*?):ctx(?:=(\w+))?\s*$/.exec(spec);
  if (!m) return { base: spec };
  const target = (m[2] ?? 'both') as ContextTarget;
  if (!TARGETS.includes(target)) {
    throw new RagscopeError(
      'INVALID_SPEC',
      `invalid chunker spec ${JSON.stringify(spec)}: the context target must be bm25, embed or both (:ctx, :ctx=bm25, :ctx=embed, :ctx=both), got ${JSON.stringify(m[2])}`,
      { spec },
    );
  }
  return { base: m[1]!, target };
}
