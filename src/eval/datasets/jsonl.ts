import path from 'node:path';
import type { Document } from '../../core/document.js';
import { RagscopeError } from '../../core/errors.js';
import type { CharRange, EvalDataset, EvalQuestion, Judgments } from '../types.js';
import { loadCorpus } from './corpus.js';
import { datasetError, idField, readJsonl, requireFile } from './lines.js';
import { locateAnswer } from './locate.js';

/**
 * Options of {@link loadJsonl}.
 *
 * @example
 * ```ts
 * await loadJsonl('questions.jsonl', { corpus: 'docs/' });
 * await loadJsonl('questions.jsonl', { corpus: [{ id: 'a', text: 'Refunds take 5 days.' }] });
 * ```
 */
export interface LoadJsonlOptions {
  /**
   * The corpus the questions refer to, anything {@link loadCorpus} takes: a folder of `.md`/`.txt` files (ids =
   * relative paths), a `.jsonl` file of `{"id"|"_id", "title"?, "text"}` lines (title joined on one line, as
   * {@link loadBeir}), `beir:<folder>`, `chroma:<folder>`, any other file (one document, id = file name), or
   * documents in memory. Required.
   */
  corpus: string | Document[];
  /** For a folder or single-file corpus: ids with (`'path'`, default) or without (`'name'`) the extension. */
  idFrom?: 'path' | 'name';
  /**
   * For a `.jsonl` corpus: what joins a title to its text (default `"Title: text"`, see `joinTitle`); `'\n\n'`
   * keeps the offsets of spans written against the older paragraph join.
   */
  titleSeparator?: string;
}

/**
 * Load questions in ragscope's JSONL format (one JSON object per line, blank lines ignored):
 *
 * ```json
 * {"id": "refund-time", "question": "How long do refunds take?",
 *  "docs": ["billing.md"], "spans": [{"doc": "billing.md", "start": 120, "end": 184, "text": "optional check"}],
 *  "answers": ["within 5 business days"]}
 * ```
 *
 * - `question` (required): the question text. `id` (optional): string or number, else `q<line number>`.
 * - `docs`: relevant document ids (grade 1), or an object `{ "docId": grade }`. Unknown ids are reported in
 *   `warnings` (and `stats.missingDocJudgments`) and kept as judged.
 * - `spans`: gold character spans `{doc, start, end}`, half-open, checked against the document; an optional
 *   `text` must equal `doc.text.slice(start, end)`.
 * - `answers`: answer strings located in the corpus (in `docs` if given, else in every document) — exactly,
 *   then whitespace-insensitively — and added to `spans`. An answer found nowhere is an error; one found
 *   several times uses the first occurrence and adds a warning.
 * At least one of `docs`, `spans`, `answers` is required. Without `docs`, `relevantDocs` = the documents of
 * the spans. Malformed input throws `DATASET_ERROR` naming the file and line.
 *
 * @example
 * ```ts
 * const ds = await loadJsonl('examples/questions.jsonl', { corpus: 'examples/corpus' });
 * ds.questions[0].spans; // [{ docId: 'billing.md', start: 412, end: 501 }]
 * ```
 */
export async function loadJsonl(questionsFile: string, options: LoadJsonlOptions): Promise<EvalDataset> {
  if (!options || options.corpus === undefined) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      'options.corpus must be given (a folder, a file or documents)',
      {
        param: 'corpus',
      },
    );
  }
  await requireFile(questionsFile, 'questions file');
  const documents = await loadCorpus(options.corpus, {
    ...(options.idFrom ? { idFrom: options.idFrom } : {}),
    ...(options.titleSeparator !== undefined ? { titleSeparator: options.titleSeparator } : {}),
  });
  const byId = new Map(documents.map((d) => [d.id, d]));
  const warnings: string[] = [];
  const questions: EvalQuestion[] = [];
  const ids = new Set<string>();
  const stats = {
    documents: documents.length,
    questions: 0,
    spans: 0,
    locatedAnswers: 0,
    missingDocJudgments: 0,
  };
  for await (const { value, line } of readJsonl(questionsFile)) {
    const fail = (msg: string): never => {
      throw datasetError(questionsFile, line, msg);
    };
    const id =
      value.id === undefined ? `q${line}` : (idField(value.id) ?? fail('"id" must be a string or number'));
    if (ids.has(id)) fail(`duplicate id ${JSON.stringify(id)}`);
    ids.add(id);
    if (typeof value.question !== 'string' || value.question.trim() === '')
      fail('"question" must be a non-empty string');
    const { docs, spans, answers } = value;
    if (docs === undefined && spans === undefined && answers === undefined) {
      fail('needs at least one of "docs", "spans", "answers"');
    }
    let judged: Judgments | undefined;
    if (docs !== undefined) {
      judged = {};
      if (Array.isArray(docs)) {
        for (const d of docs) judged[idField(d) ?? fail('"docs" must hold document ids')] = 1;
      } else if (docs !== null && typeof docs === 'object') {
        for (const [d, g] of Object.entries(docs)) {
          if (typeof g !== 'number' || !Number.isFinite(g))
            fail(`"docs" grade of ${JSON.stringify(d)} must be a number`);
          judged[d] = g as number;
        }
      } else fail('"docs" must be an array of ids or an object { id: grade }');
      for (const d of Object.keys(judged)) {
        if (!byId.has(d)) {
          stats.missingDocJudgments++;
          warnings.push(`${questionsFile} line ${line}: doc ${JSON.stringify(d)} is not in the corpus`);
        }
      }
    }
    const gold: CharRange[] = [];
    if (spans !== undefined) {
      if (!Array.isArray(spans)) fail('"spans" must be an array of {doc, start, end}');
      (spans as unknown[]).forEach((s, i) => {
        const o = (s ?? {}) as Record<string, unknown>;
        const doc = byId.get(String(o.doc));
        const { start, end } = o;
        if (!doc) fail(`spans[${i}].doc ${JSON.stringify(o.doc)} is not in the corpus`);
        if (
          !Number.isInteger(start) ||
          !Number.isInteger(end) ||
          (start as number) < 0 ||
          (end as number) <= (start as number)
        ) {
          fail(`spans[${i}] needs integers 0 <= start < end, got ${JSON.stringify(s)}`);
        }
        const d = doc as Document;
        if ((end as number) > d.text.length)
          fail(`spans[${i}].end ${end} is past the end of ${d.id} (${d.text.length})`);
        if (o.text !== undefined && d.text.slice(start as number, end as number) !== o.text) {
          fail(
            `spans[${i}].text does not match ${d.id}[${start}, ${end}): found ${JSON.stringify(d.text.slice(start as number, end as number).slice(0, 60))}`,
          );
        }
        gold.push({ docId: d.id, start: start as number, end: end as number });
      });
    }
    const answerList: string[] = [];
    if (answers !== undefined) {
      if (!Array.isArray(answers) || answers.some((a) => typeof a !== 'string' || a.trim() === '')) {
        fail('"answers" must be an array of non-empty strings');
      }
      const scope = judged ? Object.keys(judged).flatMap((d) => byId.get(d) ?? []) : documents;
      for (const a of answers as string[]) {
        const found = locateAnswer(a, scope);
        if (!found)
          fail(
            `answer ${JSON.stringify(a.slice(0, 60))} was not found in ${judged ? 'its "docs"' : 'the corpus'}`,
          );
        const f = found as NonNullable<typeof found>;
        if (f.occurrences > 1) {
          warnings.push(
            `${questionsFile} line ${line}: answer ${JSON.stringify(a.slice(0, 40))} occurs ${f.occurrences} times; using the first (${f.span.docId}:${f.span.start})`,
          );
        }
        if (!gold.some((g) => g.docId === f.span.docId && g.start === f.span.start && g.end === f.span.end))
          gold.push(f.span);
        answerList.push(a);
        stats.locatedAnswers++;
      }
    }
    const q: EvalQuestion = { id, text: value.question as string };
    if (judged) q.relevantDocs = judged;
    else if (gold.length > 0) q.relevantDocs = Object.fromEntries(gold.map((g) => [g.docId, 1]));
    if (gold.length > 0) q.spans = gold;
    if (answerList.length > 0) q.answers = answerList;
    stats.spans += gold.length;
    questions.push(q);
  }
  stats.questions = questions.length;
  return {
    name: path.basename(questionsFile).replace(/\.jsonl$/i, ''),
    documents,
    questions,
    warnings,
    stats,
  };
}
