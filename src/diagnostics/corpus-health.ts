import type { Chunk } from '../core/document.js';
import { checkInteger, checkNumber, invalidArgument } from '../core/errors.js';
import type { SearchResult } from '../search/types.js';
import { shingles } from './similarity.js';

/**
 * Options of {@link corpusHealth}.
 *
 * @example
 * ```ts
 * const options: CorpusHealthOptions = {
 *   k: 5, // default
 *   hubShare: 0.1, // default: in the top 5 of 10% of the queries makes a hub
 *   nearDupThreshold: 0.8, // default
 *   tinyChars: 20, // default
 *   examples: 20, // default
 * };
 * const health = corpusHealth(results, chunks, options);
 * ```
 */
export interface CorpusHealthOptions {
  /** Hits per query considered "retrieved". Default `5`. */
  k?: number;
  /** A chunk in the top k of at least this share of queries is a hub (boilerplate). Default `0.1`. */
  hubShare?: number;
  /** Word-3-shingle Jaccard at or above which two chunks are near-duplicates. Default `0.8`. */
  nearDupThreshold?: number;
  /** Chunks with fewer non-space characters than this are tiny. Default `20`. */
  tinyChars?: number;
  /** Items listed per section (counts are always complete). Default `20`. */
  examples?: number;
}

/**
 * What {@link corpusHealth} returns.
 *
 * @example
 * ```ts
 * const report: CorpusHealthReport = corpusHealth(results, chunks, { k: 2, hubShare: 0.5 });
 * report.hubs[0]; // { chunkId: 'cookie#0.1855f6fc', queries: 3, share: 0.75, preview: 'Cookie policy: we use cookies.' }
 * report.nearDuplicates; // { pairs: 1, chunksInvolved: 2, examples: [{ a: 'cookie#0.1855f6fc', b: 'cookie2#0.1855f6fc', jaccard: 1 }] }
 * report.neverRetrieved; // { count: 1, share: 0.2, examples: ['e#0.1c291c60'] }
 * report.tiny; // ids of chunks under 20 non-space characters
 * ```
 */
export interface CorpusHealthReport {
  chunks: number;
  queries: number;
  /** Chunks in the top k for at least `hubShare` of the queries, most frequent first. */
  hubs: Array<{ chunkId: string; queries: number; share: number; preview: string }>;
  /** Near-duplicate pairs (Jaccard of word 3-shingles). */
  nearDuplicates: {
    pairs: number;
    chunksInvolved: number;
    examples: Array<{ a: string; b: string; jaccard: number }>;
  };
  /** Chunks no query of the run retrieved in its top k. */
  neverRetrieved: { count: number; share: number; examples: string[] };
  /** Chunks with only whitespace. */
  empty: string[];
  /** Chunks shorter than `tinyChars` non-space characters (and not empty). */
  tiny: string[];
}

/**
 * Find near-duplicate chunk pairs exactly (Jaccard of word 3-shingles >= threshold), through an inverted index of
 * shingles so that only chunks sharing a shingle are compared.
 * @internal
 */
export function nearDuplicatePairs(
  texts: readonly string[],
  threshold: number,
): Array<{ a: number; b: number; jaccard: number }> {
  const sets = texts.map((t) => shingles(t));
  const postings = new Map<string, number[]>();
  const pairs: Array<{ a: number; b: number; jaccard: number }> = [];
  for (let i = 0; i < sets.length; i++) {
    const inter = new Map<number, number>();
    for (const s of sets[i]!) {
      const list = postings.get(s);
      if (list) for (const j of list) inter.set(j, (inter.get(j) ?? 0) + 1);
    }
    const size = sets[i]!.size;
    for (const [j, n] of inter) {
      const jac = n / (size + sets[j]!.size - n);
      if (jac >= threshold && size > 0) pairs.push({ a: j, b: i, jaccard: jac });
    }
    for (const s of sets[i]!) {
      let list = postings.get(s);
      if (!list) {
        list = [];
        postings.set(s, list);
      }
      list.push(i);
    }
  }
  return pairs;
}

/**
 * The health of a corpus as a run of queries saw it: hub chunks that appear in the top k of a large share of
 * queries (boilerplate, navigation, disclaimers), near-duplicate chunks, chunks never retrieved, and empty or tiny
 * chunks.
 *
 * @example
 * ```ts
 * const results = await Promise.all(queries.map((q) => pipeline.search(q, { k: 5 })));
 * const health = corpusHealth(results, chunks, { k: 5, hubShare: 0.1 });
 * health.hubs[0]; // { chunkId: 'site#0.…', queries: 41, share: 0.41, preview: 'Cookie policy…' }
 * ```
 */
export function corpusHealth(
  results: readonly SearchResult[],
  chunks: readonly Chunk[],
  options: CorpusHealthOptions = {},
): CorpusHealthReport {
  if (!Array.isArray(results)) invalidArgument('results', results, 'an array of SearchResult');
  if (!Array.isArray(chunks)) invalidArgument('chunks', chunks, 'an array of chunks');
  const k = checkInteger('options.k', options.k ?? 5, 1);
  const hubShare = checkNumber('options.hubShare', options.hubShare ?? 0.1, 0, 1);
  const threshold = checkNumber('options.nearDupThreshold', options.nearDupThreshold ?? 0.8, 0, 1);
  const tinyChars = checkInteger('options.tinyChars', options.tinyChars ?? 20, 0);
  const maxExamples = checkInteger('options.examples', options.examples ?? 20, 0);
  const counts = new Map<string, number>();
  for (const r of results) {
    const seen = new Set<string>();
    for (const h of r.hits.slice(0, k)) seen.add(h.chunk.id);
    for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const byId = new Map(chunks.map((c) => [c.id, c]));
  const q = results.length;
  const hubs = [...counts.entries()]
    .filter(([, n]) => q > 0 && n / q >= hubShare && n > 1)
    .sort((a, b) => b[1] - a[1])
    .map(([chunkId, n]) => ({
      chunkId,
      queries: n,
      share: n / q,
      preview: (byId.get(chunkId)?.text ?? '').slice(0, 80),
    }));
  const pairs = nearDuplicatePairs(
    chunks.map((c) => c.text),
    threshold,
  ).sort((a, b) => b.jaccard - a.jaccard);
  const involved = new Set<number>();
  for (const p of pairs) {
    involved.add(p.a);
    involved.add(p.b);
  }
  const never = chunks.filter((c) => !counts.has(c.id)).map((c) => c.id);
  const empty: string[] = [];
  const tiny: string[] = [];
  for (const c of chunks) {
    const n = c.text.replace(/\s+/g, '').length;
    if (n === 0) empty.push(c.id);
    else if (n < tinyChars) tiny.push(c.id);
  }
  return {
    chunks: chunks.length,
    queries: q,
    hubs: hubs.slice(0, maxExamples),
    nearDuplicates: {
      pairs: pairs.length,
      chunksInvolved: involved.size,
      examples: pairs.slice(0, maxExamples).map((p) => ({
        a: chunks[p.a]!.id,
        b: chunks[p.b]!.id,
        jaccard: p.jaccard,
      })),
    },
    neverRetrieved: {
      count: never.length,
      share: chunks.length ? never.length / chunks.length : 0,
      examples: never.slice(0, maxExamples),
    },
    empty,
    tiny,
  };
}
