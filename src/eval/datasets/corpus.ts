import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Document, toDocument } from '../../core/document.js';
import { RagscopeError } from '../../core/errors.js';
import { joinTitle } from './beir.js';
import { dropExtension, loadCorpusFolder } from './folder.js';
import { datasetError, idField, readJsonl, requireFile } from './lines.js';

/**
 * Options of {@link loadCorpus}.
 *
 * @example
 * ```ts
 * const options: LoadCorpusOptions = { extensions: ['.md', '.rst'], idFrom: 'name' };
 * ```
 */
export interface LoadCorpusOptions {
  /** For a folder: file endings to load (case-insensitive). Default `['.md', '.txt']`. */
  extensions?: string[];
  /**
   * For a folder or a single file: ids are the relative path (`'path'`, default: `guides/install.md`) or the same
   * without its extension (`'name'`: `guides/install`). `.jsonl`, `beir:` and `chroma:` corpora carry their ids.
   */
  idFrom?: 'path' | 'name';
  /**
   * For `.jsonl` and `beir:` corpora: what joins a title to its text. Default {@link joinTitle}'s one-line join
   * (`"Title: text"`); `'\n\n'` restores the older paragraph join (and its offsets).
   */
  titleSeparator?: string;
}

/** Read a `.jsonl` corpus: one `{"id"|"_id", "title"?, "text"}` per line, the title joined as BEIR's. */
async function loadJsonlCorpus(file: string, separator: string | undefined): Promise<Document[]> {
  const docs: Document[] = [];
  const seen = new Set<string>();
  for await (const { value, line } of readJsonl(file)) {
    const id = idField(value.id ?? value._id);
    const title = value.title ?? '';
    if (id === undefined) throw datasetError(file, line, 'missing "id"');
    if (typeof value.text !== 'string' || typeof title !== 'string') {
      throw datasetError(file, line, `"text" (and "title", if present) must be strings (doc ${id})`);
    }
    if (seen.has(id)) throw datasetError(file, line, `duplicate id ${JSON.stringify(id)}`);
    seen.add(id);
    const joined = joinTitle(title, value.text, separator);
    docs.push({ id, text: joined.text, metadata: { title, textStart: joined.textStart } });
  }
  return docs;
}

/**
 * Load the documents of a corpus, as `ragscope bench --corpus` and `ragscope index` take it:
 * - a folder: every `.md`/`.txt` file under it ({@link loadCorpusFolder}; ids = relative paths, or without the
 *   extension with `idFrom: 'name'`);
 * - a `.jsonl` file: one `{"id"|"_id", "title"?, "text"}` object per line, the title joined to the text on one
 *   line as BEIR's (`"Title: text"`, see `joinTitle`; `metadata.title` and `metadata.textStart` kept);
 * - `beir:<folder>`: that BEIR folder's `corpus.jsonl` (the same format);
 * - `chroma:<folder>`: the Chroma evaluation's `corpora/*.md` (ids = file names without `.md`, as its questions use);
 * - any other file: one document (id = the file name, or without its extension with `idFrom: 'name'`);
 * - an array of documents in memory (validated).
 * A missing path throws `NOT_FOUND`; a malformed `.jsonl` line `DATASET_ERROR` naming the file and line.
 *
 * @example
 * ```ts
 * const docs = await loadCorpus('examples/corpus'); // ids 'api-limits.md', 'billing.md', ...
 * const named = await loadCorpus('notes', { idFrom: 'name' }); // 'api-limits', 'billing', ...
 * const beir = await loadCorpus('beir:../data/scifact'); // 5,183 abstracts
 * ```
 */
export async function loadCorpus(
  corpus: string | Document[],
  options: LoadCorpusOptions = {},
): Promise<Document[]> {
  if (Array.isArray(corpus)) return corpus.map(toDocument);
  if (typeof corpus !== 'string' || corpus === '') {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `corpus must be a folder, a file or an array of documents, got ${String(corpus)}`,
      { param: 'corpus', value: corpus },
    );
  }
  const idFrom = options.idFrom ?? 'path';
  if (options.titleSeparator !== undefined && typeof options.titleSeparator !== 'string') {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `titleSeparator must be a string, got ${String(options.titleSeparator)}`,
      { param: 'titleSeparator', value: options.titleSeparator },
    );
  }
  const prefixed = /^(beir|chroma):(.+)$/.exec(corpus);
  if (prefixed) {
    const dir = prefixed[2]!;
    if (prefixed[1] === 'beir') {
      const file = path.join(dir, 'corpus.jsonl');
      await requireFile(file, 'BEIR corpus');
      return loadJsonlCorpus(file, options.titleSeparator);
    }
    return loadCorpusFolder(path.join(dir, 'corpora'), { extensions: ['.md'], idFrom: 'name' });
  }
  const st = await stat(corpus).catch(() => undefined);
  if (!st) {
    throw new RagscopeError(
      'NOT_FOUND',
      `corpus not found: ${corpus} (expected a folder of documents, a .jsonl file, a file, beir:<folder> or chroma:<folder>)`,
      { file: corpus },
    );
  }
  if (st.isDirectory()) {
    return loadCorpusFolder(corpus, {
      ...(options.extensions ? { extensions: options.extensions } : {}),
      idFrom,
    });
  }
  if (corpus.toLowerCase().endsWith('.jsonl')) return loadJsonlCorpus(corpus, options.titleSeparator);
  const name = path.basename(corpus);
  let text = await readFile(corpus, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return [{ id: idFrom === 'name' ? dropExtension(name) : name, text, metadata: { path: name } }];
}
