/**
 * The arithmetic of {@link StaticEmbedder}: corpus statistics learnt by `fit`, the weight of each word, and the
 * weighted mean of a text's word vectors.
 * @packageDocumentation
 */
import { invalidArgument } from '../core/errors.js';
import { hash53 } from '../core/hash.js';
import type { StaticWeighting } from './static-types.js';

/** @internal Document frequencies and word counts of the corpus given to `fit`, and an id of that corpus. */
export interface FitStats {
  n: number;
  total: number;
  df: Map<string, number>;
  tf: Map<string, number>;
  id: string;
}

/** @internal Replace unknown compounds ("state-of-the-art", "u.s.a") by their known parts when that helps. */
export function splitCompounds(index: ReadonlyMap<string, number>, tokens: string[]): string[] {
  const out: string[] = [];
  for (const tok of tokens) {
    if (index.has(tok) || !/[-.]/.test(tok)) {
      out.push(tok);
      continue;
    }
    for (const part of tok.split(/[-.]+/)) if (part) out.push(part);
  }
  return out;
}

/** @internal Count, over `texts`, the documents and occurrences of each word `wordsOf` gives. */
export function fitCorpus(texts: string[], wordsOf: (text: string) => string[]): FitStats {
  if (!Array.isArray(texts)) invalidArgument('texts', texts, 'an array of strings');
  const df = new Map<string, number>();
  const tf = new Map<string, number>();
  let total = 0;
  let h = 0;
  texts.forEach((t, i) => {
    if (typeof t !== 'string') invalidArgument(`texts[${i}]`, t, 'a string');
    const toks = wordsOf(t);
    total += toks.length;
    for (const w of toks) tf.set(w, (tf.get(w) ?? 0) + 1);
    for (const w of new Set(toks)) df.set(w, (df.get(w) ?? 0) + 1);
    h = hash53(t, h % 4294967296);
  });
  return { n: texts.length, total, df, tf, id: `${texts.length}-${h.toString(36)}` };
}

/** @internal How a word weighs: 1 (`mean`), its idf, or its SIF weight `a / (a + p(w))`. */
export interface WordWeigher {
  weighting: StaticWeighting;
  fit: FitStats | null;
  sifA: number;
  /** Words in the vocabulary (the Zipf estimate of `p(w)` before any fit). */
  vocabularySize: number;
}

/** @internal The weight of `tok`, the word on row `row` of the matrix. */
export function wordWeight(w: WordWeigher, tok: string, row: number): number {
  if (w.weighting === 'mean') return 1;
  const fit = w.fit;
  if (w.weighting === 'idf') {
    const df = fit?.df.get(tok) ?? 0;
    return Math.log((1 + (fit?.n ?? 0)) / (1 + df)) + 1;
  }
  let p: number;
  if (fit && fit.total > 0) p = (fit.tf.get(tok) ?? 0) / fit.total;
  else p = 1 / ((row + 1) * (Math.log(w.vocabularySize) + 0.5772156649));
  return w.sifA / (w.sifA + p);
}

/** @internal Row-major word vectors and the row of each word. */
export interface VectorTable {
  index: ReadonlyMap<string, number>;
  matrix: Float32Array;
  dimensions: number;
}

/**
 * @internal The weighted mean of the vectors of `toks` (unit length when `normalize`), with the out-of-vocabulary
 * count and up to 20 of those words. No known word gives the zero vector.
 */
export function poolVectors(
  table: VectorTable,
  toks: string[],
  weight: (tok: string, row: number) => number,
  normalize: boolean,
): { vector: Float32Array; oov: number; oovWords: string[] } {
  const { index, matrix, dimensions: d } = table;
  const v = new Float32Array(d);
  let wsum = 0;
  let oov = 0;
  const oovWords = new Set<string>();
  for (const tok of toks) {
    const row = index.get(tok);
    if (row === undefined) {
      oov++;
      if (oovWords.size < 20) oovWords.add(tok);
      continue;
    }
    const w = weight(tok, row);
    wsum += w;
    const base = row * d;
    for (let j = 0; j < d; j++) v[j] = (v[j] ?? 0) + w * (matrix[base + j] ?? 0);
  }
  if (wsum > 0) {
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const x = (v[j] ?? 0) / wsum;
      v[j] = x;
      norm += x * x;
    }
    if (normalize && norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let j = 0; j < d; j++) v[j] = (v[j] ?? 0) * inv;
    }
  }
  return { vector: v, oov, oovWords: [...oovWords] };
}
