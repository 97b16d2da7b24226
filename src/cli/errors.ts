import { RagscopeError } from '../core/errors.js';

/**
 * A command-line usage error (a bad flag value, a missing or conflicting option): printed as `error: <message>`
 * and exits with code 2.
 *
 * @example
 * ```ts
 * throw new UsageError('give exactly one of --doc, --chunk, --span, --answer');
 * ```
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Error codes that mean "the user asked for something malformed" (exit 2) rather than "it failed" (exit 1). */
const USAGE_CODES = new Set(['INVALID_SPEC', 'INVALID_ARGUMENT']);

/**
 * The exit code for an error: 2 for usage errors (bad flags, malformed specs), 1 for everything else.
 *
 * @example
 * ```ts
 * exitCodeFor(new UsageError('bad')); // 2
 * ```
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof RagscopeError && USAGE_CODES.has(err.code)) return 2;
  return 1;
}

/**
 * One-line (or few-line) message for an error, without a stack trace. Unexpected errors (not ragscope's) keep their
 * stack only when `RAGSCOPE_DEBUG` is set.
 *
 * @example
 * ```ts
 * errorMessage(new UsageError('k must be a positive integer')); // 'error: k must be a positive integer'
 * ```
 */
export function errorMessage(err: unknown): string {
  if (err instanceof UsageError || err instanceof RagscopeError) return `error: ${err.message}`;
  if (err instanceof Error) {
    return process.env.RAGSCOPE_DEBUG ? `error: ${err.stack ?? err.message}` : `error: ${err.message}`;
  }
  return `error: ${String(err)}`;
}
