import path from 'node:path';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';
import { seededRandom } from '../../src/eval/prng.js';

/** The set-up both why-not benches share (bench/whynot.ts, bench/whynot-real.ts). */

/** The value after `--name` on the command line, or `dflt`. */
export function flag(args: readonly string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
}

/** A Fisher-Yates shuffle driven by `rnd` (a copy; the input is untouched). */
export function shuffle<T>(xs: readonly T[], rnd: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** `xs` in the seeded order both benches sample questions in. */
export const seededOrder = <T>(xs: readonly T[], seed: number): T[] => shuffle(xs, seededRandom(seed));

/** The Chroma chunking-evaluation corpora and questions, from ../shared/data/chroma relative to `root`. */
export const loadChroma = (root: string) => loadChromaSpans(path.resolve(root, '../shared/data/chroma'));

/** The embedder both benches use when none is named: feature hashing, 512 dimensions. */
export const hashingEmbedder = () => new HashingEmbedder({ dimensions: 512 });
