import { createHash } from 'node:crypto';
import type { Document } from '../../core/document.js';
import type { HitRef } from '../../report/types.js';
import type { EvalQuestion } from '../types.js';

function sha256(parts: Iterable<string>): string {
  const h = createHash('sha256');
  // Each part is length-prefixed, so ['ab', 'c'] and ['a', 'bc'] hash differently.
  for (const p of parts) h.update(`${p.length}:`).update(p);
  return `sha256:${h.digest('hex')}`;
}

/** SHA-256 of every document id and text, in order. @internal */
export function corpusHash(documents: readonly Document[]): string {
  return sha256(
    (function* () {
      for (const d of documents) {
        yield d.id;
        yield d.text;
      }
    })(),
  );
}

/** SHA-256 of every question's id, text and gold labels (spans, judgments), in order. @internal */
export function questionsHash(questions: readonly EvalQuestion[]): string {
  return sha256(
    questions.map((q) =>
      JSON.stringify([
        q.id,
        q.text,
        (q.spans ?? []).map((s) => [s.docId, s.start, s.end]),
        Object.entries(q.relevantDocs ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ]),
    ),
  );
}

/** The top-k chunks of a ranking as positions (comparable across chunkers and runs). @internal */
export function hitRefs(chunks: ReadonlyArray<{ docId: string; start: number; end: number }>): HitRef[] {
  return chunks.map((c) => ({ docId: c.docId, start: c.start, end: c.end }));
}
