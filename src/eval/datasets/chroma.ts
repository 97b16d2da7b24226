import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse';
import type { Document } from '../../core/document.js';
import type { CharRange, EvalDataset, EvalQuestion } from '../types.js';
import { datasetError, requireFile } from './lines.js';

/**
 * Options of {@link loadChromaSpans}.
 *
 * @example
 * ```ts
 * await loadChromaSpans('data/chroma', { questionsFile: 'my_questions.csv', corporaDir: 'texts' });
 * ```
 */
export interface LoadChromaOptions {
  /** The questions CSV, relative to `dir`. Default `'questions_df.csv'`. */
  questionsFile?: string;
  /** The folder holding `<corpus_id>.md`, relative to `dir`. Default `'corpora'`. */
  corporaDir?: string;
}

interface Reference {
  content: string;
  start_index: number;
  end_index: number;
}

function parseReferences(raw: string, where: () => string): Reference[] {
  let refs: unknown;
  try {
    refs = JSON.parse(raw);
  } catch (err) {
    throw new Error(`${where()}: "references" is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(refs) || refs.length === 0)
    throw new Error(`${where()}: "references" must be a non-empty array`);
  return refs.map((r, i) => {
    const ok =
      r !== null &&
      typeof r === 'object' &&
      typeof r.content === 'string' &&
      Number.isInteger(r.start_index) &&
      Number.isInteger(r.end_index);
    if (!ok) throw new Error(`${where()}: references[${i}] must be {content, start_index, end_index}`);
    return r as Reference;
  });
}

/**
 * Load a Chroma chunking-evaluation folder (brandonstarxel/chunking_evaluation `general_evaluation_data`):
 * `questions_df.csv` with columns `question,references,corpus_id`, where `references` is a JSON array of
 * `{content, start_index, end_index}` over `corpora/<corpus_id>.md`. Every reference is verified:
 * `text.slice(start_index, end_index) === content`, else `DATASET_ERROR` naming the file, the CSV row and the
 * reference. Documents are the referenced corpora (id = corpus_id, in first-use order); questions get ids
 * `"0"`, `"1"`... (the CSV row index, as the reference code's DataFrame index), their `spans`, and
 * `relevantDocs = { [corpus_id]: 1 }`.
 *
 * @example
 * ```ts
 * const chroma = await loadChromaSpans('../shared/data/chroma');
 * chroma.questions.length; // 472
 * chroma.stats.spans; // 790
 * ```
 */
export async function loadChromaSpans(dir: string, options: LoadChromaOptions = {}): Promise<EvalDataset> {
  const csvFile = path.join(dir, options.questionsFile ?? 'questions_df.csv');
  const corporaDir = path.join(dir, options.corporaDir ?? 'corpora');
  await requireFile(csvFile, 'Chroma questions CSV');
  const texts = new Map<string, string>();
  const documents: Document[] = [];
  const questions: EvalQuestion[] = [];
  let spans = 0;
  const parser = createReadStream(csvFile, { encoding: 'utf8' }).pipe(
    parse({ columns: true, info: true, bom: true, skip_empty_lines: true }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number; records: number };
    }>) {
      const row = questions.length;
      const where = () => `row ${row + 1} (ending at line ${info.lines})`;
      const { question, references, corpus_id: corpusId } = record;
      if (typeof question !== 'string' || typeof references !== 'string' || typeof corpusId !== 'string') {
        throw datasetError(csvFile, info.lines, 'expected columns question,references,corpus_id');
      }
      if (!/^[\w.-]+$/.test(corpusId))
        throw datasetError(csvFile, info.lines, `bad corpus_id ${JSON.stringify(corpusId)}`);
      let text = texts.get(corpusId);
      if (text === undefined) {
        const corpusFile = path.join(corporaDir, `${corpusId}.md`);
        text = await readFile(corpusFile, 'utf8').catch((err) => {
          throw datasetError(
            csvFile,
            info.lines,
            `corpus file ${corpusFile} cannot be read (${err.code ?? err})`,
          );
        });
        texts.set(corpusId, text);
        documents.push({ id: corpusId, text, metadata: { file: corpusFile } });
      }
      let refs: Reference[];
      try {
        refs = parseReferences(references, where);
      } catch (err) {
        throw datasetError(csvFile, info.lines, (err as Error).message);
      }
      const qSpans: CharRange[] = refs.map((r, i) => {
        if (text.slice(r.start_index, r.end_index) !== r.content || r.start_index > r.end_index) {
          throw datasetError(
            csvFile,
            info.lines,
            `${where()}: references[${i}] [${r.start_index}, ${r.end_index}) does not match ${corpusId}.md ` +
              `(expected ${JSON.stringify(r.content.slice(0, 40))}, found ${JSON.stringify(text.slice(r.start_index, r.start_index + 40))})`,
          );
        }
        return { docId: corpusId, start: r.start_index, end: r.end_index };
      });
      spans += qSpans.length;
      questions.push({ id: String(row), text: question, spans: qSpans, relevantDocs: { [corpusId]: 1 } });
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'DATASET_ERROR') throw err;
    const line = (err as { lines?: number }).lines;
    throw datasetError(csvFile, line, `malformed CSV (${(err as Error).message})`, err);
  }
  return {
    name: path.basename(path.resolve(dir)),
    documents,
    questions,
    warnings: [],
    stats: { documents: documents.length, questions: questions.length, spans },
  };
}
