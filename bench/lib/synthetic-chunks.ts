/**
 * Synthetic chunks for the scale benches: 400-character texts of BEIR SciFact's words drawn by their corpus
 * frequency (seeded), and "typical" queries of 3-6 words drawn the same way (frequent words dominate, as in real
 * questions). Shared by bench/scale.ts, bench/bm25-scale.ts and bench/latency.ts so all three measure the same corpus.
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

/** A text of exactly `chars` characters of words drawn from `words` with `next`. */
export function makeText(words: string[], next: () => number, chars = 400): string {
  let text = '';
  while (text.length < chars) text += `${words[Math.floor(next() * words.length)]} `;
  return text.slice(0, chars);
}

/** `n` typical queries (3-6 words drawn by corpus frequency, seed 7). */
export function typicalQueries(words: string[], n = 100): string[] {
  const next = seededRandom(7);
  return Array.from({ length: n }, () =>
    Array.from({ length: 3 + Math.floor(next() * 4) }, () => words[Math.floor(next() * words.length)]).join(
      ' ',
    ),
  );
}

/** Median CPU milliseconds of `run` over `items`. */
export function cpuP50<T>(items: T[], run: (item: T) => unknown): number {
  return cpuStats(items, run).p50;
}

/** Median, 90th percentile and mean CPU milliseconds of `run` over `items`. */
export function cpuStats<T>(
  items: T[],
  run: (item: T) => unknown,
): { p50: number; p90: number; mean: number } {
  const times = items.map((item) => {
    const c0 = process.cpuUsage();
    run(item);
    const u = process.cpuUsage(c0);
    return (u.user + u.system) / 1000;
  });
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(times.length * q))] as number;
  return { p50: at(0.5), p90: at(0.9), mean: Math.round(mean * 1000) / 1000 };
}
