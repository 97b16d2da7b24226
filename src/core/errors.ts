/**
 * Machine-readable codes carried by every {@link RagscopeError}.
 *
 * - `INVALID_ARGUMENT`: a parameter has a value the library cannot use (size <= 0, NaN, overlap >= size, ...).
 * - `INVALID_DOCUMENT`: a document is not a `{ id, text }` or LangChain `{ pageContent }` object.
 * - `INVALID_SPEC`: a chunker/embedder spec string could not be parsed.
 * - `MODEL_UNAVAILABLE`: a model could not be loaded (offline, wrong id, missing local files).
 * - `HTTP_ERROR`: a remote server answered with an error or a malformed body.
 * - `CORRUPT_FILE`: a file written by ragscope (cache, saved index) failed its checks.
 * - `INCOMPATIBLE_INDEX`: a saved index was made with another embedder, dimension or format version.
 * - `DATASET_ERROR`: an evaluation file is malformed (the message names the file and line).
 * - `NOT_FOUND`: a referenced document, chunk or file does not exist.
 * - `MISSING_DEPENDENCY`: an optional peer dependency (`@huggingface/transformers`, `hnswlib-node`) is needed and
 *   not installed; the message says which package to install and what needs it.
 * - `REPORT_INCOMPLETE`: `writeReport` wrote some formats but not all; `details.failures` lists each with its cause.
 *
 * @example
 * ```ts
 * try {
 *   await createEmbedder('not a model');
 * } catch (err) {
 *   const code: RagscopeErrorCode | undefined = err instanceof RagscopeError ? err.code : undefined;
 *   code; // 'INVALID_SPEC'
 * }
 * ```
 */
export type RagscopeErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_DOCUMENT'
  | 'INVALID_SPEC'
  | 'MODEL_UNAVAILABLE'
  | 'HTTP_ERROR'
  | 'CORRUPT_FILE'
  | 'INCOMPATIBLE_INDEX'
  | 'DATASET_ERROR'
  | 'NOT_FOUND'
  | 'MISSING_DEPENDENCY'
  | 'REPORT_INCOMPLETE';

/**
 * The one error class thrown by ragscope for bad input or unusable resources.
 * `code` is stable and meant for programs; `message` names the parameter and the offending value.
 *
 * @example
 * ```ts
 * import { FixedChunker, RagscopeError } from 'ragscope';
 * try {
 *   new FixedChunker({ size: 0 });
 * } catch (err) {
 *   if (err instanceof RagscopeError) console.log(err.code, err.message);
 *   // INVALID_ARGUMENT size must be a positive integer, got 0
 * }
 * ```
 */
export class RagscopeError extends Error {
  /** Stable machine-readable category of the error. */
  readonly code: RagscopeErrorCode;
  /** Extra structured context (parameter name, value, file, line...). */
  readonly details: Record<string, unknown>;

  constructor(
    code: RagscopeErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RagscopeError';
    this.code = code;
    this.details = details;
  }
}

/** Render a value for an error message: strings quoted, long values cut. @internal */
export function showValue(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = JSON.stringify(value);
  else if (typeof value === 'number' || typeof value === 'boolean' || value == null) s = String(value);
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = Object.prototype.toString.call(value);
    }
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Throw an `INVALID_ARGUMENT` error naming the parameter and value.
 * @internal
 */
export function invalidArgument(param: string, value: unknown, expected: string): never {
  throw new RagscopeError('INVALID_ARGUMENT', `${param} must be ${expected}, got ${showValue(value)}`, {
    param,
    value,
  });
}

/** Check that `value` is a finite integer >= `min`. @internal */
export function checkInteger(param: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    invalidArgument(param, value, min === 1 ? 'a positive integer' : `an integer >= ${min}`);
  }
  return value;
}

/** Check that `value` is a finite number within [min, max]. @internal */
export function checkNumber(param: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range =
      min === -Infinity && max === Infinity
        ? 'a finite number'
        : max === Infinity
          ? `a finite number >= ${min}`
          : min === -Infinity
            ? `a finite number <= ${max}`
            : `a number between ${min} and ${max}`;
    invalidArgument(param, value, range);
  }
  return value;
}

/**
 * Largest vector dimension ragscope accepts (embedding models use 64 to 8,192; a larger value is a typo such as
 * `1e12`, which would otherwise fail later with a bare `RangeError` from a typed array). @internal
 */
export const MAX_DIMENSIONS = 65_536;

/** Check that `value` is an integer in [1, {@link MAX_DIMENSIONS}]. @internal */
export function checkDimensions(param: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_DIMENSIONS) {
    invalidArgument(param, value, `an integer between 1 and ${MAX_DIMENSIONS}`);
  }
  return value;
}
