import type { ChunkStats, HistogramBin } from '../../report/types.js';

/** A "nice" bin width (1, 2 or 5 times a power of ten) giving at most `maxBins` bins up to `max`. */
function niceWidth(max: number, maxBins: number): number {
  const raw = Math.max(1, max / maxBins);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/**
 * Histogram of sizes with "nice" equal-width bins starting at 0 (at most `maxBins`, default 12). The last bin
 * includes its upper bound. Empty input gives no bins.
 *
 * @example
 * ```ts
 * sizeHistogram([120, 180, 390, 400]); // [{ from: 0, to: 50, count: 0 }, ..., { from: 350, to: 400, count: 2 }]
 * ```
 */
export function sizeHistogram(sizes: readonly number[], maxBins = 12): HistogramBin[] {
  if (sizes.length === 0) return [];
  let max = 0;
  for (const s of sizes) if (s > max) max = s;
  const width = niceWidth(max, maxBins);
  const n = Math.max(1, Math.ceil(max / width));
  const bins: HistogramBin[] = Array.from({ length: n }, (_, i) => ({
    from: i * width,
    to: (i + 1) * width,
    count: 0,
  }));
  for (const s of sizes) bins[Math.min(n - 1, Math.floor(s / width))]!.count++;
  return bins;
}

/**
 * {@link ChunkStats} of a list of chunks: count, mean size in characters (and in tokens when `tokens` is given)
 * and a character-size histogram.
 *
 * @example
 * ```ts
 * chunkStats([{ text: 'Hello' }, { text: 'world!' }]); // { count: 2, meanChars: 5.5, sizeHistogram: {...} }
 * ```
 */
export function chunkStats(chunks: ReadonlyArray<{ text: string }>, tokens?: readonly number[]): ChunkStats {
  const sizes = chunks.map((c) => c.text.length);
  const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  const stats: ChunkStats = {
    count: chunks.length,
    meanChars: mean(sizes),
    sizeHistogram: { unit: 'chars', bins: sizeHistogram(sizes) },
  };
  if (tokens && tokens.length > 0) stats.meanTokens = mean(tokens);
  return stats;
}
