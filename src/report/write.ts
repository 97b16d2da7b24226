import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { invalidArgument } from '../core/errors.js';
import { type HtmlOptions, renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderTerminal } from './terminal.js';
import type { BenchReport } from './types.js';

/**
 * A file format {@link writeReport} can write: `report.json`, `report.html` or `report.txt` (the terminal table, no colour).
 *
 * @example
 * ```ts
 * const formats: ReportFormat[] = ['json', 'html', 'txt'];
 * const paths = await writeReport(report, { dir: 'out', formats });
 * paths.txt; // '/abs/path/out/report.txt'
 * ```
 */
export type ReportFormat = 'json' | 'html' | 'txt';

const FILE_NAMES: Record<ReportFormat, string> = {
  json: 'report.json',
  html: 'report.html',
  txt: 'report.txt',
};

/**
 * Options of {@link writeReport}.
 *
 * @example
 * ```ts
 * const opts: WriteReportOptions = { dir: 'ragscope-report', formats: ['json', 'html'] };
 * ```
 */
export interface WriteReportOptions {
  /** Directory to write into; created (with parents) if missing. Required. */
  dir: string;
  /** Formats to write. Default `['json', 'html']`. */
  formats?: ReportFormat[];
  /** Options passed to {@link renderHtml}. Default `{}`. */
  html?: HtmlOptions;
}

/**
 * Write a report to `dir` as `report.json`, `report.html` and/or `report.txt`. Each file is written atomically
 * (a temporary file in the same directory, then `rename`), so a reader never sees a half-written report; all
 * formats are rendered before anything is written. Returns the absolute path of each file written.
 * Throws `INVALID_ARGUMENT` for a missing `dir` or an unknown format.
 *
 * @example
 * ```ts
 * const paths = await writeReport(report, { dir: 'out' });
 * console.log(`open ${paths.html}`); // open /abs/path/out/report.html
 * ```
 */
export async function writeReport(
  report: BenchReport,
  options: WriteReportOptions,
): Promise<Partial<Record<ReportFormat, string>>> {
  if (options === null || typeof options !== 'object')
    invalidArgument('options', options, 'an object with dir');
  const { dir } = options;
  if (typeof dir !== 'string' || dir.length === 0)
    invalidArgument('options.dir', dir, 'a non-empty directory path');
  const formats = options.formats ?? ['json', 'html'];
  if (!Array.isArray(formats) || formats.length === 0) {
    invalidArgument('options.formats', formats, "a non-empty array of 'json', 'html', 'txt'");
  }
  for (const f of formats) {
    if (!Object.hasOwn(FILE_NAMES, f)) invalidArgument('options.formats', f, "one of 'json', 'html', 'txt'");
  }
  const contents = new Map<ReportFormat, string>();
  for (const f of new Set(formats)) {
    contents.set(
      f,
      f === 'json'
        ? renderJson(report)
        : f === 'html'
          ? renderHtml(report, options.html)
          : renderTerminal(report, { color: false }),
    );
  }
  const absDir = path.resolve(dir);
  await mkdir(absDir, { recursive: true });
  const written: Partial<Record<ReportFormat, string>> = {};
  for (const [format, text] of contents) {
    const target = path.join(absDir, FILE_NAMES[format]);
    await writeAtomic(target, text);
    written[format] = target;
  }
  return written;
}

async function writeAtomic(target: string, text: string): Promise<void> {
  const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
