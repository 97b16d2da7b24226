import { invalidArgument } from '../core/errors.js';
import type { WordVectors } from './static-formats.js';

/** @internal */
export function checkMaxWords(value: unknown): number {
  const maxWords = value ?? Number.POSITIVE_INFINITY;
  if (maxWords !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxWords) || (maxWords as number) < 1)) {
    invalidArgument('maxWords', maxWords, 'a positive integer');
  }
  return maxWords as number;
}

/** @internal */
export function checkCacheDir(value: unknown, fallback: string | false): string | false {
  if (value === undefined) return fallback;
  if (value === false || (typeof value === 'string' && value !== '')) return value;
  return invalidArgument('cacheDir', value, 'a folder path or false');
}

/** @internal */
export function warningSink(onWarning: unknown): (message: string) => void {
  if (onWarning === undefined) return (m) => console.warn(m);
  if (typeof onWarning !== 'function') invalidArgument('onWarning', onWarning, 'a function');
  return onWarning as (message: string) => void;
}

/** @internal The first `maxWords` rows (files are frequency-ordered); the content id records the cut. */
export function firstWords(v: WordVectors, maxWords: number): WordVectors {
  if (maxWords >= v.words.length) return v;
  return {
    words: v.words.slice(0, maxWords),
    matrix: v.matrix.subarray(0, maxWords * v.dimensions),
    dimensions: v.dimensions,
    contentId: `${v.contentId}-${maxWords}`,
  };
}
