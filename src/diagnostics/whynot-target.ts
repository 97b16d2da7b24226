import type { Chunk, Document } from '../core/document.js';
import { checkInteger, invalidArgument, RagscopeError } from '../core/errors.js';
import type { Analyzer } from '../search/analyzer.js';
import { locateSupport } from './answer-support.js';
import { spanPieces } from './boundary.js';
import type { Expected, WhyNotCause, WhyNotOptions, WhyNotPipeline, WhyNotTarget } from './whynot-types.js';

/** The resolved target, its chunks and document; `missing` when it is not in the corpus. @internal */
export interface Resolved {
  target: WhyNotTarget;
  relevant: Chunk[];
  doc: Document | null;
  missing?: WhyNotCause;
}

const fmt2 = (n: number) => n.toFixed(2);

function listDocuments(pipeline: WhyNotPipeline, options: WhyNotOptions): Iterable<Document> {
  if (options.documents) return options.documents;
  if (typeof pipeline.documentIds === 'function') {
    return pipeline
      .documentIds()
      .map((id) => pipeline.getDocument(id))
      .filter((d): d is Document => !!d);
  }
  const p = pipeline as unknown as { documents?: unknown };
  if (typeof p.documents === 'function') return (p.documents as () => Iterable<Document>).call(pipeline);
  if (p.documents && typeof p.documents === 'object' && Symbol.iterator in (p.documents as object)) {
    return p.documents as Iterable<Document>;
  }
  throw new RagscopeError(
    'INVALID_ARGUMENT',
    'options.documents is required to look up an { answer } target (the pipeline does not list its documents)',
    { param: 'options.documents' },
  );
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Find `answer` in the documents: exact first, then whitespace-insensitive. @internal */
export function findAnswer(
  docs: Iterable<Document>,
  answer: string,
): { docId: string; start: number; end: number; match: 'exact' | 'whitespace-insensitive' } | null {
  const all = [...docs];
  for (const d of all) {
    const i = d.text.indexOf(answer);
    if (i >= 0) return { docId: d.id, start: i, end: i + answer.length, match: 'exact' };
  }
  const words = answer.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  const re = new RegExp(words.map(escapeRe).join('\\s*'), 'u');
  for (const d of all) {
    const m = re.exec(d.text);
    if (m)
      return { docId: d.id, start: m.index, end: m.index + m[0].length, match: 'whitespace-insensitive' };
  }
  return null;
}

function notFound(kind: WhyNotTarget['kind'], what: string, evidence: Record<string, unknown>): Resolved {
  return {
    target: { kind, docId: null, span: null, chunkIds: [], mainChunkId: null },
    relevant: [],
    doc: null,
    missing: {
      cause: 'not-in-corpus',
      stage: 'corpus',
      decisive: true,
      sentence: `${what} is not in the corpus, so no setting can retrieve it.`,
      fix: 'Add the missing document to the corpus (or check the id / answer text).',
      evidence,
    },
  };
}

function resolveString(pipeline: WhyNotPipeline, expected: string): Resolved {
  const chunk = pipeline.getChunk(expected);
  if (chunk) {
    return {
      target: {
        kind: 'chunk',
        docId: chunk.docId,
        span: { start: chunk.start, end: chunk.end },
        chunkIds: [chunk.id],
        mainChunkId: chunk.id,
      },
      relevant: [chunk],
      doc: pipeline.getDocument(chunk.docId) ?? null,
    };
  }
  const doc = pipeline.getDocument(expected);
  if (!doc)
    return notFound('document', `"${expected}" (neither a chunk id nor a document id)`, { id: expected });
  const chunks = [...pipeline.chunksOf(doc.id)];
  return {
    target: {
      kind: 'document',
      docId: doc.id,
      span: { start: 0, end: doc.text.length },
      chunkIds: chunks.map((c) => c.id),
      mainChunkId: null,
    },
    relevant: chunks,
    doc,
  };
}

/**
 * Resolve what the user expected into a target with its chunks. An answer not found verbatim is located by its
 * closest support ({@link locateSupport}); at or above `minSupport` confidence that passage stands in for it, below
 * it the answer is reported not in the corpus (with the closest support in the evidence). @internal
 */
export async function resolveTarget(
  pipeline: WhyNotPipeline,
  expected: Expected,
  options: WhyNotOptions,
  minSupport: number,
): Promise<Resolved> {
  if (typeof expected === 'string') return resolveString(pipeline, expected);
  if (!expected || typeof expected !== 'object') {
    invalidArgument('expected', expected, 'a document id, a chunk id, { docId, start, end } or { answer }');
  }
  let docId: string;
  let start: number;
  let end: number;
  let kind: WhyNotTarget['kind'] = 'span';
  let match: WhyNotTarget['match'];
  let support: WhyNotTarget['support'];
  if ('answer' in expected) {
    if (typeof expected.answer !== 'string' || expected.answer.trim() === '') {
      invalidArgument('expected.answer', expected.answer, 'a non-empty string');
    }
    const docs = [...listDocuments(pipeline, options)];
    const found = findAnswer(docs, expected.answer);
    kind = 'answer';
    if (found) {
      ({ docId, start, end } = found);
      match = found.match;
    } else {
      const best = await locateSupport(docs, expected.answer, {
        embedder: pipeline.embedder ?? null,
        ...(typeof (pipeline.bm25?.analyzer as { analyze?: unknown } | undefined)?.analyze === 'function'
          ? { analyzer: pipeline.bm25!.analyzer as unknown as Pick<Analyzer, 'analyze'> }
          : {}),
      });
      if (!best || best.confidence < minSupport) {
        const r = notFound(
          'answer',
          `The answer text "${expected.answer.slice(0, 60)}" (not found verbatim${best ? `; closest support at ${best.docId} [${best.start}, ${best.end}) has confidence ${fmt2(best.confidence)} < ${minSupport}` : ''})`,
          { answer: expected.answer, closestSupport: best },
        );
        if (best) r.target.support = best;
        return r;
      }
      ({ docId, start, end } = best);
      match = 'support';
      support = best;
    }
  } else {
    ({ docId, start, end } = expected);
    if (typeof docId !== 'string') invalidArgument('expected.docId', docId, 'a string');
    checkInteger('expected.start', start, 0);
    checkInteger('expected.end', end, start);
  }
  const doc = pipeline.getDocument(docId);
  if (!doc) return notFound(kind, `Document "${docId}"`, { docId });
  if (end > doc.text.length)
    invalidArgument('expected.end', end, `<= the document length ${doc.text.length}`);
  const { pieces, contained } = spanPieces(pipeline.chunksOf(docId), { start, end });
  const relevant = pieces.map((p) => pipeline.getChunk(p.chunkId)!).filter(Boolean);
  const main = contained ?? [...pieces].sort((a, b) => b.fraction - a.fraction)[0];
  const target: WhyNotTarget = {
    kind,
    docId,
    span: { start, end },
    chunkIds: relevant.map((c) => c.id),
    mainChunkId: main ? ('chunkId' in main ? main.chunkId : main.id) : null,
  };
  if (match) target.match = match;
  if (support) target.support = support;
  return { target, relevant, doc };
}
