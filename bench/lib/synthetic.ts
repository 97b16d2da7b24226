/**
 * Synthetic corpus pieces for the scale and latency benches: BEIR SciFact's word stream, texts of a given length
 * drawn from it by corpus frequency, and "typical" queries of 3-6 words drawn the same way (the generator of
 * bench/scale.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../src/eval/prng.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** SciFact's word stream (every token of title + text), for frequency-weighted sampling. */
export function scifactWords(): string[] {
  const file = path.resolve(here, '../../../shared/data/scifact/corpus.jsonl');
  const words: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const o = JSON.parse(line) as { title: string; text: string };
    for (const w of `${o.title} ${o.text}`.split(/\s+/)) if (w) words.push(w);
  }
  return words;
}

/** A text of exactly `chars` characters of words drawn from `words` with `next()`. */
export function syntheticText(words: string[], next: () => number, chars: number): string {
  let text = '';
  while (text.length < chars) text += `${words[Math.floor(next() * words.length)]} `;
  return text.slice(0, chars);
}

/** `count` queries of 3-6 words drawn like the corpus (seed 7: frequent words dominate, as in real questions). */
export function queriesLikeCorpus(words: string[], count: number): string[] {
  const next = seededRandom(7);
  return Array.from({ length: count }, () =>
    Array.from({ length: 3 + Math.floor(next() * 4) }, () => words[Math.floor(next() * words.length)]).join(
      ' ',
    ),
  );
}
