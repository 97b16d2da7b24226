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
  /** Which `qrels/<split>.tsv` to read. Default `'test'`. */
  split?: string;
  /**
   * Put between a document's title and its text. Default `'\n\n'` (a paragraph break, so chunkers keep the
   * title as its own paragraph). A document with an empty title is just its text.
   */
  titleSeparator?: string;
}

/**
 * Load a BEIR dataset folder: `corpus.jsonl` (`{"_id","title","text"}`), `queries.jsonl` (`{"_id","text"}`)
 * and `qrels/<split>.tsv` (`query-id<TAB>corpus-id<TAB>score`, with a header line). Files are streamed line
 * by line. Document text is `title + titleSeparator + text` (metadata keeps `title`), so chunk offsets index
 * that combined string.
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
  const sep = options.titleSeparator ?? '\n\n';
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
  await requireFile(qrelsFile, `BEIR qrels for split '${split}'`);

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
    documents.push({ id, text: title ? `${title}${sep}${text}` : text, metadata: { title } });
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
