import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Document } from '../../core/document.js';
import { RagscopeError } from '../../core/errors.js';

/**
 * Options of {@link loadCorpusFolder}.
 *
 * @example
 * ```ts
 * await loadCorpusFolder('notes', { extensions: ['.md', '.markdown', '.rst'] });
 * ```
 */
export interface LoadCorpusFolderOptions {
  /** File name endings to load (case-insensitive). Default `['.md', '.txt']`. */
  extensions?: string[];
  /**
   * Document ids: `'path'` (default) the path relative to the folder (`guides/install.md`); `'name'` the same
   * without the file extension (`guides/install`). Two files that would get the same id are an error.
   */
  idFrom?: 'path' | 'name';
}

/** `guides/install.md` -> `guides/install` (a leading-dot name such as `.env` keeps its name). @internal */
export function dropExtension(rel: string): string {
  const slash = rel.lastIndexOf('/');
  const dot = rel.lastIndexOf('.');
  return dot > slash + 1 ? rel.slice(0, dot) : rel;
}

async function walk(root: string, rel: string, exts: string[], out: string[]): Promise<void> {
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) await walk(root, child, exts, out);
    else if (e.isFile() && exts.some((x) => e.name.toLowerCase().endsWith(x))) out.push(child);
  }
}

/**
 * Load every `.md`/`.txt` file under a folder (recursively, hidden files and folders skipped) as documents.
 * Ids are paths relative to `dir` with `/` separators (e.g. `guides/install.md`), sorted in code-unit order so
 * the result does not depend on the file system. Text is the file's exact UTF-8 content (no newline
 * normalisation, so offsets match other tools reading the file), minus a leading BOM. `metadata.path` holds
 * the relative path (also with `idFrom: 'name'`, whose ids drop the extension). Throws `NOT_FOUND` if `dir` is not
 * a folder.
 *
 * @example
 * ```ts
 * const docs = await loadCorpusFolder('examples/corpus');
 * docs.map((d) => d.id); // ['api-limits.md', 'billing.md', ...]
 * ```
 */
export async function loadCorpusFolder(
  dir: string,
  options: LoadCorpusFolderOptions = {},
): Promise<Document[]> {
  const exts = (options.extensions ?? ['.md', '.txt']).map((x) => x.toLowerCase());
  if (exts.length === 0 || exts.some((x) => typeof x !== 'string' || x.length === 0)) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `extensions must be non-empty strings like '.md', got ${JSON.stringify(options.extensions)}`,
      {
        param: 'extensions',
        value: options.extensions,
      },
    );
  }
  const idFrom = options.idFrom ?? 'path';
  if (idFrom !== 'path' && idFrom !== 'name') {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `idFrom must be 'path' or 'name', got ${JSON.stringify(idFrom)}`,
      {
        param: 'idFrom',
        value: idFrom,
      },
    );
  }
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory())
    throw new RagscopeError('NOT_FOUND', `corpus folder not found: ${dir}`, { file: dir });
  const files: string[] = [];
  await walk(dir, '', exts, files);
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const docs: Document[] = [];
  const byId = new Map<string, string>();
  for (const rel of files) {
    const id = idFrom === 'name' ? dropExtension(rel) : rel;
    const other = byId.get(id);
    if (other !== undefined) {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `idFrom 'name' gives ${rel} and ${other} the same id ${JSON.stringify(id)}; use idFrom 'path' (the default)`,
        { param: 'idFrom', value: idFrom, files: [other, rel] },
      );
    }
    byId.set(id, rel);
    let text = await readFile(path.join(dir, rel), 'utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    docs.push({ id, text, metadata: { path: rel } });
  }
  return docs;
}
