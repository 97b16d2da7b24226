import type { Document } from '../core/document.js';
import { cosine } from '../core/vectors.js';
import type { Embedder } from '../embedders/types.js';
import { Analyzer } from '../search/analyzer.js';

/**
 * Where an answer text that is not in the corpus verbatim is best supported: a window of 1–3 consecutive sentences,
 * its lexical alignment (share of the answer's analysed content terms it holds), its embedding cosine with the
 * answer (when an embedder is given) and a confidence in 0..1.
 *
 * @example
 * ```ts
 * const s: AnswerSupport | null = await locateSupport(docs, 'refunds arrive within five working days');
 * s; // { docId: 'handbook', start: 120, end: 181, confidence: 0.8, lexical: 0.8, cosine: null }
 * ```
 */
export interface AnswerSupport {
  docId: string;
  start: number;
  end: number;
  /** `lexical` alone without an embedder; else `0.6 × lexical + 0.4 × max(0, cosine)`. */
  confidence: number;
  lexical: number;
  cosine: number | null;
}

const SENTENCE_RE = /[^.!?\n]+(?:[.!?]+|\n|$)/g;

function sentences(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (const m of text.matchAll(SENTENCE_RE)) {
    const raw = m[0];
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body === '') continue;
    const start = m.index + lead;
    out.push({ start, end: start + body.length });
  }
  return out;
}

/**
 * Locate the closest support of `answer` in `docs`: every window of 1–3 consecutive sentences is scored by the share
 * of the answer's analysed terms (lower-cased, stop words dropped, Porter-stemmed by default) it contains; the best
 * 20 windows are re-scored with the embedder's cosine between the answer and the window when one is given. Returns
 * the best window, or null when no window shares a term with the answer or the answer has fewer than 3 content
 * terms (too little to align).
 *
 * @example
 * ```ts
 * const docs = [{ id: 'faq', text: 'Shipping is free. Refunds are paid back within five business days.' }];
 * const s = await locateSupport(docs, 'a refund takes five working days');
 * s?.docId; // 'faq'
 * docs[0].text.slice(s!.start, s!.end); // 'Refunds are paid back within five business days.'
 * ```
 */
export async function locateSupport(
  docs: Iterable<Document>,
  answer: string,
  options: { embedder?: Embedder | null; analyzer?: Pick<Analyzer, 'analyze'> } = {},
): Promise<AnswerSupport | null> {
  const analyzer = options.analyzer ?? new Analyzer();
  const wanted = new Set(analyzer.analyze(answer));
  // Fewer than 3 content terms is too little text to align (any passage with two common words would do).
  if (wanted.size < 3) return null;
  type Cand = { docId: string; text: string; start: number; end: number; lexical: number };
  const cands: Cand[] = [];
  for (const doc of docs) {
    const sents = sentences(doc.text);
    const sets = sents.map((s) => new Set(analyzer.analyze(doc.text.slice(s.start, s.end))));
    for (let i = 0; i < sents.length; i++) {
      const found = new Set<string>();
      for (let w = 0; w < 3 && i + w < sents.length; w++) {
        for (const t of sets[i + w]!) if (wanted.has(t)) found.add(t);
        if (found.size === 0) break;
        // Score a longer window only when it adds answer terms (a window no better than a shorter one is noise).
        if (w > 0 && found.size === cands[cands.length - 1]!.lexical * wanted.size) continue;
        const start = sents[i]!.start;
        const end = sents[i + w]!.end;
        cands.push({ docId: doc.id, text: doc.text, start, end, lexical: found.size / wanted.size });
      }
    }
  }
  if (cands.length === 0) return null;
  // Best lexical first; among equals, the shortest window.
  cands.sort((a, b) => b.lexical - a.lexical || a.end - a.start - (b.end - b.start));
  const top = cands.slice(0, 20);
  let cosines: Array<number | null> = top.map(() => null);
  const embedder = options.embedder ?? null;
  if (embedder) {
    const vecs = await embedder.embed([answer, ...top.map((c) => c.text.slice(c.start, c.end))], {
      kind: 'passage',
    });
    const a = vecs[0]!;
    cosines = top.map((_, i) => {
      const v = vecs[i + 1]!;
      const c = cosine(a, v);
      return Number.isFinite(c) ? c : null;
    });
  }
  let best: AnswerSupport | null = null;
  top.forEach((c, i) => {
    const cos = cosines[i] ?? null;
    const confidence = cos === null ? c.lexical : 0.6 * c.lexical + 0.4 * Math.max(0, cos);
    if (!best || confidence > best.confidence) {
      best = { docId: c.docId, start: c.start, end: c.end, confidence, lexical: c.lexical, cosine: cos };
    }
  });
  return best;
}
