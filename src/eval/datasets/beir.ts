import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Document } from '../../core/document.js';
import { RagscopeError } from '../../core/errors.js';
import type { EvalDataset, EvalQuestion, Judgments } from '../types.js';
import { datasetError, idField, readJsonl, readLines, requireFile } from './lines.js';

/**
 * Options of {@link loadBeir}.
 *
 * @example
 * ```ts
 * await loadBeir('data/nfcorpus', { split: 'dev', titleSeparator: ' ' });
 * ```
 */
export interface LoadBeirOptions {
  /** Which `qrels/<split>.tsv` to read (`test`, `dev`, `train`...). Default `'test'`. */
  split?: string;
  /**
   * Put between a document's title and its text. Default: {@link joinTitle}'s join on one line (`"Title: text"`,
   * or `"Title? text"` when the title ends with `?`, `!` or `:`), so no chunker makes a chunk of the bare title.
   * `'\n\n'` gives the older paragraph join. A document with an empty title is just its text.
   */
  titleSeparator?: string;
}

/**
 * Join a document's title and text on one line, as a heading clause: `"Title: text"` (a final `.` of the title
 * dropped: `"Title.: text"` reads badly and `"Title. text"` lets sentence chunkers cut the title off), or
 * `"Title? text"` when the title ends with `?`, `!` or `:`. An empty title gives the text alone. With an explicit
 * `separator`, `title + separator + text`. `textStart` is where the text begins in the result. Used by
 * {@link loadBeir} and by `.jsonl` corpora (`loadCorpus`). A paragraph break (the older join) made recursive
 * chunkers cut the title off as a chunk of its own: 5,180 of 25,990 `recursive:400/0` chunks on SciFact.
 *
 * @example
 * ```ts
 * joinTitle('Vitamin D and bone density.', 'We studied 300 adults.');
 * // { text: 'Vitamin D and bone density: We studied 300 adults.', textStart: 28 }
 * joinTitle('Does aspirin help?', 'Yes.').text; // 'Does aspirin help? Yes.'
 * joinTitle('Title', 'Text', '\n\n').text; // 'Title\n\nText'
 * ```
 */
export function joinTitle(
  title: string,
  text: string,
  separator?: string,
): { text: string; textStart: number } {
  if (title.trim() === '') return { text, textStart: 0 };
  let head = title;
  let sep = separator;
  if (sep === undefined) {
    head = title.trim();
    if (/[?!:]$/.test(head)) sep = ' ';
    else {
      head = head.replace(/\.+$/, '');
      sep = ': ';
    }
  }
  return { text: `${head}${sep}${text}`, textStart: head.length + sep.length };
}

/** `NOT_FOUND` naming the splits that are present when `qrels/<split>.tsv` is missing. */
async function requireQrels(dir: string, qrelsFile: string, split: string): Promise<void> {
  try {
    await requireFile(qrelsFile, `BEIR qrels for split '${split}'`);
  } catch (err) {
    const names = await readdir(path.join(dir, 'qrels')).catch(() => [] as string[]);
    const splits = names
      .filter((n) => n.endsWith('.tsv'))
      .map((n) => n.slice(0, -4))
      .sort();
    throw new RagscopeError(
      'NOT_FOUND',
      `${(err as Error).message}; splits present in ${path.join(dir, 'qrels')}: ${splits.length > 0 ? splits.join(', ') : 'none'}`,
      { file: qrelsFile, param: 'split', value: split, splits },
    );
  }
}

/**
 * Load a BEIR dataset folder: `corpus.jsonl` (`{"_id","title","text"}`), `queries.jsonl` (`{"_id","text"}`)
 * and `qrels/<split>.tsv` (`query-id<TAB>corpus-id<TAB>score`, with a header line). Files are streamed line
 * by line. Document text is the title joined to the text on one line ({@link joinTitle}: `"Title: text"`, or
 * `title + titleSeparator + text`); `metadata.title` keeps the title and `metadata.textStart` the offset where the
 * text begins, and chunk offsets index the combined string. A missing `qrels/<split>.tsv` throws `NOT_FOUND`
 * listing the splits present.
 *
 * Questions are the queries judged in the split, in qrels order, with `relevantDocs` = their judgments
 * (graded, 0 kept as judged non-relevant). Problems are reported in `warnings` and counted in `stats`, never
 * ignored: judgments whose corpus-id is not in the corpus (kept, since trec_eval counts them as relevant and
 * unretrievable — `stats.missingDocJudgments`) and judged query ids absent from queries.jsonl (dropped —
 * `stats.missingQueries`). A malformed line throws `DATASET_ERROR` naming the file and line; a missing file
 * throws `NOT_FOUND`.
 *
 * @example
 * ```ts
 * const scifact = await loadBeir('../shared/data/scifact'); // split 'test'
 * scifact.documents.length; // 5183
 * scifact.questions.length; // 300
 * scifact.stats.judgments; // 339
 * ```
 */
export async function loadBeir(dir: string, options: LoadBeirOptions = {}): Promise<EvalDataset> {
  const split = options.split ?? 'test';
  const sep = options.titleSeparator;
  if (sep !== undefined && typeof sep !== 'string') {
    throw new RagscopeError('INVALID_ARGUMENT', `titleSeparator must be a string, got ${String(sep)}`, {
      param: 'titleSeparator',
      value: sep,
    });
  }
  if (typeof split !== 'string' || !/^[\w.-]+$/.test(split)) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `split must be a file name like 'test', got ${JSON.stringify(split)}`,
      {
        param: 'split',
        value: split,
      },
    );
  }
  const corpusFile = path.join(dir, 'corpus.jsonl');
  const queriesFile = path.join(dir, 'queries.jsonl');
  const qrelsFile = path.join(dir, 'qrels', `${split}.tsv`);
  await requireFile(corpusFile, 'BEIR corpus');
  await requireFile(queriesFile, 'BEIR queries');
  await requireQrels(dir, qrelsFile, split);

  const documents: Document[] = [];
  const docIds = new Set<string>();
  for await (const { value, line } of readJsonl(corpusFile)) {
    const id = idField(value._id ?? value.id);
    const text = value.text;
    const title = value.title ?? '';
    if (id === undefined) throw datasetError(corpusFile, line, 'missing "_id"');
    if (typeof text !== 'string') throw datasetError(corpusFile, line, `"text" must be a string (doc ${id})`);
    if (typeof title !== 'string')
      throw datasetError(corpusFile, line, `"title" must be a string (doc ${id})`);
    if (docIds.has(id)) throw datasetError(corpusFile, line, `duplicate _id ${JSON.stringify(id)}`);
    docIds.add(id);
    const joined = joinTitle(title, text, sep);
    documents.push({ id, text: joined.text, metadata: { title, textStart: joined.textStart } });
  }

  const queryText = new Map<string, string>();
  for await (const { value, line } of readJsonl(queriesFile)) {
    const id = idField(value._id ?? value.id);
    if (id === undefined) throw datasetError(queriesFile, line, 'missing "_id"');
    if (typeof value.text !== 'string')
      throw datasetError(queriesFile, line, `"text" must be a string (query ${id})`);
    queryText.set(id, value.text);
  }

  const warnings: string[] = [];
  const judged = new Map<string, Judgments>();
  let judgments = 0;
  let missingDocJudgments = 0;
  let first = true;
  for await (const { text, line } of readLines(qrelsFile)) {
    const cols = text.split('\t').map((c) => c.trim());
    if (first) {
      first = false;
      if (cols[0] === 'query-id' || Number.isNaN(Number(cols[2]))) continue; // header
    }
    if (cols.length !== 3 || cols[0] === '' || cols[1] === '') {
      throw datasetError(
        qrelsFile,
        line,
        `expected "query-id<TAB>corpus-id<TAB>score", got ${JSON.stringify(text)}`,
      );
    }
    const [qid, did, scoreText] = cols as [string, string, string];
    const score = Number(scoreText);
    if (!Number.isFinite(score))
      throw datasetError(qrelsFile, line, `score must be a number, got ${scoreText}`);
    if (!docIds.has(did)) {
      missingDocJudgments++;
      warnings.push(
        `${qrelsFile} line ${line}: corpus-id ${JSON.stringify(did)} (query ${qid}) is not in corpus.jsonl`,
      );
    }
    let rels = judged.get(qid);
    if (!rels) {
      rels = {};
      judged.set(qid, rels);
    }
    if (Object.hasOwn(rels, did))
      warnings.push(`${qrelsFile} line ${line}: duplicate judgment ${qid}/${did}`);
    else judgments++;
    rels[did] = score;
  }

  const questions: EvalQuestion[] = [];
  let missingQueries = 0;
  for (const [qid, rels] of judged) {
    const q = queryText.get(qid);
    if (q === undefined) {
      missingQueries++;
      warnings.push(
        `${qrelsFile}: query-id ${JSON.stringify(qid)} is judged but not in queries.jsonl (dropped)`,
      );
      continue;
    }
    questions.push({ id: qid, text: q, relevantDocs: rels });
  }
  return {
    name: path.basename(path.resolve(dir)),
    documents,
    questions,
    warnings,
    stats: {
      documents: documents.length,
      questions: questions.length,
      judgments,
      missingDocJudgments,
      missingQueries,
    },
  };
}
