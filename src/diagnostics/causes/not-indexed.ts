import type { CauseCheck } from './types.js';

/**
 * The chunks holding the target are missing from an index the search ran. Where the pipeline does not expose an
 * index (a user's own retriever), membership cannot be checked: the cause says so and is never decisive. @internal
 */
export const notIndexed: CauseCheck = {
  code: 'not-indexed',
  async check(ctx) {
    const { pipeline, relevant, trace, ranBm25, ranVector } = ctx;
    const bm25 = pipeline.bm25 ?? null;
    const vindex = pipeline.vectorIndex ?? null;
    const inStage = (stage: string, id: string) =>
      trace.stages.find((s) => s.stage === stage)?.candidates.some((c) => c.chunkId === id) ?? false;
    const missing: string[] = [];
    if (ranBm25 && !bm25) missing.push('a `bm25` index with has(id)');
    if (ranVector && !vindex) missing.push('a `vectorIndex` with has(id)');
    const rows = relevant.map((c) => ({
      chunkId: c.id,
      inBm25: !ranBm25 ? null : inStage('bm25', c.id) ? true : bm25 ? bm25.has(c.id) : null,
      hasVector: !ranVector ? null : inStage('vector', c.id) ? true : vindex ? vindex.has(c.id) : null,
    }));
    const absentSomewhere = rows.filter((m) => m.inBm25 === false || m.hasVector === false);
    if (absentSomewhere.length === 0) {
      const unknown =
        rows.filter((m) => m.inBm25 === null && ranBm25).length +
        rows.filter((m) => m.hasVector === null && ranVector).length;
      if (missing.length > 0 && unknown > 0) {
        ctx.cannotCheck.push({
          cause: 'not-indexed',
          missing: `the pipeline exposes no ${missing.join(' and no ')}`,
        });
      }
      return null;
    }
    const all =
      rows.every((m) => m.inBm25 === false || (m.inBm25 === null && !ranBm25)) &&
      rows.every((m) => m.hasVector === false || (m.hasVector === null && !ranVector));
    const zeroVector = new Set(pipeline.chunksWithoutVector?.() ?? []);
    const zero = absentSomewhere.filter((m) => m.hasVector === false && zeroVector.has(m.chunkId));
    return {
      cause: 'not-indexed',
      stage: 'indexing',
      decisive: all,
      sentence: all
        ? 'The chunks holding it are in no index the search ran (no BM25 entry and no vector), so no query can find them.'
        : `${absentSomewhere.length} of ${relevant.length} chunks holding it are missing from an index.`,
      fix:
        zero.length > 0
          ? `${zero.length} of them embed to the zero vector (no word the embedder knows), so they have no cosine: use an embedder with a larger vocabulary or subword units, or rely on hybrid search.`
          : 'Re-index the document; check for failed embedding batches or an interrupted update.',
      evidence: { chunks: rows, zeroVector: zero.map((m) => m.chunkId) },
    };
  },
};
