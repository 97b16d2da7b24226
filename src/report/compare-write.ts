import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { invalidArgument } from '../core/errors.js';
import type { CompareReport } from '../eval/compare/types.js';
import { renderCompareHtml } from './compare-html.js';
import { renderCompareTerminal } from './compare-terminal.js';

const FILES = { json: 'compare.json', html: 'compare.html', txt: 'compare.txt' } as const;

/**
 * Write a comparison to `dir` as `compare.json`, `compare.html` and/or `compare.txt`, each atomically (temporary
 * file, then rename). Returns the absolute path of each file written.
 *
 * @example
 * ```ts
 * const files = await writeCompare(compareRuns(baseline, candidate), { dir: 'ragscope-compare' });
 * console.log(files.html);
 * ```
 */
export async function writeCompare(
  result: CompareReport,
  options: { dir: string; formats?: Array<keyof typeof FILES> },
): Promise<Partial<Record<keyof typeof FILES, string>>> {
  if (typeof options?.dir !== 'string' || options.dir === '')
    invalidArgument('options.dir', options?.dir, 'a directory');
  const formats = options.formats ?? ['json', 'html'];
  for (const f of formats)
    if (!Object.hasOwn(FILES, f)) invalidArgument('options.formats', f, "one of 'json', 'html', 'txt'");
  const dir = path.resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const written: Partial<Record<keyof typeof FILES, string>> = {};
  for (const f of new Set(formats)) {
    const text =
      f === 'json'
        ? `${JSON.stringify(result, null, 2)}\n`
        : f === 'html'
          ? renderCompareHtml(result)
          : renderCompareTerminal(result);
    const target = path.join(dir, FILES[f]);
    await writeFileAtomic(target, text);
    written[f] = target;
  }
  return written;
}
