import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { invalidArgument, RagscopeError } from '../core/errors.js';
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
 * Write a report to `dir` as `report.json`, `report.html` and/or `report.txt`. Each format is rendered and written
 * on its own, so one failing format never costs the others: every format that can be written is; then, if any
 * failed, a `RagscopeError('REPORT_INCOMPLETE')` lists each failed format with its cause (`details.failures`) and
 * the files that were written (`details.written`). Each file is written atomically (a temporary file in the same
 * directory, then `rename`), so a reader never sees a half-written report and a failed write leaves the previous
 * file in place. Returns the absolute path of each file written.
 * Throws `INVALID_ARGUMENT` for a missing `dir`, an unknown format or bad `html` options, before writing anything.
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
  // Render every format first: bad options (INVALID_ARGUMENT, e.g. html.maxRows) are rejected before anything is
  // written; any other failure costs only its own format.
  const failures: ReportWriteFailure[] = [];
  const absDir = path.resolve(dir);
  const contents = new Map<ReportFormat, string>();
  for (const format of new Set(formats)) {
    try {
      contents.set(format, render(report, format, options.html));
    } catch (error) {
      if (error instanceof RagscopeError && error.code === 'INVALID_ARGUMENT') throw error;
      failures.push({ format, file: path.join(absDir, FILE_NAMES[format]), error });
    }
  }
  const written: Partial<Record<ReportFormat, string>> = {};
  if (contents.size > 0) {
    try {
      await mkdir(absDir, { recursive: true });
    } catch (error) {
      for (const format of contents.keys())
        failures.push({ format, file: path.join(absDir, FILE_NAMES[format]), error });
      contents.clear();
    }
  }
  for (const [format, text] of contents) {
    const file = path.join(absDir, FILE_NAMES[format]);
    try {
      await writeFileAtomic(file, text);
      written[format] = file;
    } catch (error) {
      failures.push({ format, file, error });
    }
  }
  if (failures.length > 0) throw incomplete(written, failures);
  return written;
}

/**
 * One format {@link writeReport} could not write, as listed in `details.failures` of its
 * `RagscopeError('REPORT_INCOMPLETE')`.
 *
 * @example
 * ```ts
 * try {
 *   await writeReport(report, { dir: 'out' });
 * } catch (err) {
 *   if (err instanceof RagscopeError && err.code === 'REPORT_INCOMPLETE') {
 *     for (const f of err.details.failures as ReportWriteFailure[]) console.error(f.format, f.error);
 *   }
 * }
 * ```
 */
export interface ReportWriteFailure {
  /** The format that failed. */
  format: ReportFormat;
  /** The file it would have been written to (left as it was). */
  file: string;
  /** Why: the error thrown while rendering or writing it. */
  error: unknown;
}

function render(report: BenchReport, format: ReportFormat, html: HtmlOptions | undefined): string {
  if (format === 'json') return renderJson(report);
  if (format === 'html') return renderHtml(report, html);
  return renderTerminal(report, { color: false });
}

function incomplete(
  written: Partial<Record<ReportFormat, string>>,
  failures: ReportWriteFailure[],
): RagscopeError {
  const causes = failures
    .map((f) => `${FILE_NAMES[f.format]}: ${f.error instanceof Error ? f.error.message : String(f.error)}`)
    .join('; ');
  const files = Object.values(written);
  return new RagscopeError(
    'REPORT_INCOMPLETE',
    `could not write ${failures.length} report format(s): ${causes}` +
      `${files.length > 0 ? `; written: ${files.join(', ')}` : '; nothing was written'}`,
    { written, failures },
    new AggregateError(
      failures.map((f) => f.error),
      'report formats that failed',
    ),
  );
}
