import type { Document } from '../core/document.js';

/**
 * A half-open character range `[start, end)` in one document: a gold span or a chunk's position.
 * Offsets are UTF-16 code units, as `String.prototype.slice` uses — the same offsets ragscope chunks carry,
 * so any {@link Chunk} can be passed where a `CharRange` is expected.
 *
 * @example
 * ```ts
 * const span: CharRange = { docId: 'billing.md', start: 120, end: 184 };
 * ```
 */
export interface CharRange {
  /** Id of the document the offsets refer to. */
  docId: string;
  /** Inclusive start offset. */
  start: number;
  /** Exclusive end offset. */
  end: number;
}

/**
 * Graded relevance judgments for one question: document id -> grade (trec_eval qrels semantics:
 * a grade >= 1 is relevant; 0 or below is judged non-relevant; the grade is also the nDCG gain).
 *
 * @example
 * ```ts
 * const rels: Judgments = { 'doc-1': 2, 'doc-7': 1, 'doc-9': 0 };
 * ```
 */
export type Judgments = Record<string, number>;

/**
 * One evaluation question. At least one kind of gold label is present:
 * `relevantDocs` (document-level metrics), `spans` (span metrics) or `answers` (the answer strings the spans
 * were located from).
 *
 * @example
 * ```ts
 * const q: EvalQuestion = {
 *   id: 'q1',
 *   text: 'How long do refunds take?',
 *   relevantDocs: { 'billing.md': 1 },
 *   spans: [{ docId: 'billing.md', start: 120, end: 184 }],
 *   answers: ['Refunds reach your card within 5 business days'],
 * };
 * ```
 */
export interface EvalQuestion {
  /** Stable id (from the dataset, or generated from the row/line number). */
  id: string;
  /** The question / query text. */
  text: string;
  /** Judged documents and their grades. Span datasets fill it with every document holding a gold span (grade 1). */
  relevantDocs?: Judgments;
  /** Gold character spans; `doc.text.slice(start, end)` is the evidence. */
  spans?: CharRange[];
  /** Reference answer strings, when the dataset has them. */
  answers?: string[];
}

/**
 * A dataset in memory: documents, questions and what the loader had to report.
 *
 * @example
 * ```ts
 * const ds = await loadBeir('../shared/data/scifact');
 * ds.documents.length; // 5183
 * ds.questions.length; // 300
 * ds.warnings; // [] — or e.g. 'qrels/test.tsv line 12: corpus-id "42" is not in corpus.jsonl'
 * ```
 */
export interface EvalDataset {
  /** Short name (the folder or file name). */
  name: string;
  /** Every document of the corpus, in file order. */
  documents: Document[];
  /** Every question, in file order. */
  questions: EvalQuestion[];
  /** Problems that did not stop loading (missing ids, ambiguous answers...), one sentence each. */
  warnings: string[];
  /** Counts describing what was loaded (e.g. `judgments`, `spans`, `missingDocJudgments`). */
  stats: Record<string, number>;
}
