import { type FusionOptions, listContributions, resolveFusionOptions } from '../../search/fusion.js';
import type { SearchTrace } from '../../search/types.js';

interface Entry {
  chunkId: string;
  /** weight * normalised score of each list that found the chunk, in list order. */
  parts: number[];
  bestRank: number;
  score: number;
}

/**
 * The chunk ids of `fuseFromTrace(trace, options).candidates`, in the same order, without building the ledger
 * (per-list contributions, `foundBy` lists) that the bench's fusion replays never read: the same resolved options,
 * the same normalised scores (`normalizeScores` itself), the same products and sums in the same order, and the same
 * tie-breaks (more lists, better best rank, chunk id). A list that did not find a chunk adds 0 in `fuse`; the sum
 * starts at +0 and can never become -0, so adding ±0 changes nothing and those terms are skipped. Two replays per
 * question per chunker were 0.9 s of the Chroma bench, most of it allocating ledgers. Equality with `fuseFromTrace`
 * is a property test. The trace is the pipeline's own (validated when it was fused), so its lists are not
 * re-validated here.
 * @internal
 */
export function fusedIdsFromTrace(trace: SearchTrace, options: FusionOptions): string[] {
  const lists = trace.stages.filter((s) => s.stage !== 'fusion' && s.stage !== 'rerank');
  const params = resolveFusionOptions(
    options,
    lists.map((s) => s.stage),
  );
  const { method, rrfK, normalization } = params;
  const entries = new Map<string, Entry>();
  for (const input of lists) {
    const limit = params.depth[input.stage] ?? input.candidates.length;
    const kept = input.candidates.slice(0, limit);
    const norms = listContributions(kept, method, rrfK, normalization);
    const weight = params.weights[input.stage] ?? 1;
    for (const [i, c] of kept.entries()) {
      let e = entries.get(c.chunkId);
      if (!e) {
        e = { chunkId: c.chunkId, parts: [], bestRank: i + 1, score: 0 };
        entries.set(c.chunkId, e);
      }
      e.parts.push(weight * norms[i]!);
      if (i + 1 < e.bestRank) e.bestRank = i + 1;
    }
  }
  const fused = [...entries.values()];
  for (const e of fused) {
    const multiplier = method === 'combmnz' ? e.parts.length : 1;
    let score = 0;
    for (const p of e.parts) score += p * multiplier;
    e.score = score;
  }
  fused.sort(
    (a, b) =>
      b.score - a.score ||
      b.parts.length - a.parts.length ||
      a.bestRank - b.bestRank ||
      (a.chunkId < b.chunkId ? -1 : a.chunkId > b.chunkId ? 1 : 0),
  );
  return fused.map((e) => e.chunkId);
}
