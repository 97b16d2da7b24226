import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { RagscopeError } from '../../core/errors.js';

/** Build a `DATASET_ERROR` naming the file and (1-based) line. @internal */
export function datasetError(
  file: string,
  line: number | undefined,
  message: string,
  cause?: unknown,
): RagscopeError {
  const where = line === undefined ? file : `${file} line ${line}`;
  return new RagscopeError('DATASET_ERROR', `${where}: ${message}`, { file, line }, cause);
}

/** Throw `NOT_FOUND` unless `file` exists and is a regular file. @internal */
export async function requireFile(file: string, what: string): Promise<void> {
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) {
    throw new RagscopeError('NOT_FOUND', `${what} not found: ${file}`, { file });
  }
}

/**
 * Stream a text file line by line (never holding the whole file), skipping blank lines.
 * Yields the line and its 1-based number. A leading UTF-8 BOM is dropped. @internal
 */
export async function* readLines(file: string): AsyncGenerator<{ text: string; line: number }> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  try {
    for await (let text of rl) {
      line++;
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim() === '') continue;
      yield { text, line };
    }
  } finally {
    rl.close();
  }
}

/** Stream a JSONL file: one JSON object per non-blank line, else `DATASET_ERROR` with file and line. @internal */
export async function* readJsonl(
  file: string,
): AsyncGenerator<{ value: Record<string, unknown>; line: number }> {
  for await (const { text, line } of readLines(file)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw datasetError(file, line, `invalid JSON (${(err as Error).message})`, err);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw datasetError(file, line, `expected a JSON object, got ${text.slice(0, 60)}`);
    }
    yield { value: value as Record<string, unknown>, line };
  }
}

/** Read a string field, accepting numbers as ids (`"_id": 42`). @internal */
export function idField(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
