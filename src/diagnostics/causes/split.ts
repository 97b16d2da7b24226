import { spanPieces } from '../boundary.js';
import { verification } from '../whynot-context.js';
import { type CauseCheck, fmt, replayed } from './types.js';

/**
 * The gold span straddles chunk boundaries. Verified by re-chunking, two ways, each replayed: the pieces merged
 * into one chunk (the boundaries inside the span removed), and a chunk as long as the piece that held most of it,
 * centred on the span, with the rest of the pieces kept as chunks. The new chunks replace the pieces and the lists
 * are re-scored (the BM25 index scores the new texts, the embedder embeds them), re-fused and re-ranked. @internal
 */
export const split: CauseCheck = {
  code: 'split-by-chunking',
  async check(ctx) {
    const { target, relevant, main } = ctx;
    if ((target.kind !== 'span' && target.kind !== 'answer') || relevant.length < 2) return null;
    const span = target.span!;
    const { contained, pieces } = spanPieces(relevant, span);
    if (contained) return null;
    const finalRank = ctx.finalRank;
    const withRanks = pieces.map((p) => ({
      ...p,
      finalRank: finalRank.get(p.chunkId)?.rank ?? null,
      retrieved: ctx.hits.some((h) => h.chunk.id === p.chunkId),
    }));
    // Loops, not Math.max(...xs): a span can be split over any number of chunks.
    const maxShare = pieces.reduce((m, p) => Math.max(m, p.fraction), -Infinity);
    const document = ctx.pipeline.getDocument(target.docId!);
    const lo = relevant.reduce((m, c) => Math.min(m, c.start), Infinity);
    const hi = relevant.reduce((m, c) => Math.max(m, c.end), -Infinity);
    // Two minimal re-chunks, each replayed: (a) the boundaries inside the span removed (its pieces merged);
    // (b) a chunk as long as the main piece centred on the span, the rest of the pieces kept as chunks.
    const size = Math.max(main.end - main.start, span.end - span.start);
    const pad = Math.floor((size - (span.end - span.start)) / 2);
    let start = Math.max(lo, span.start - pad);
    const end = Math.min(hi, start + size);
    start = Math.max(lo, Math.min(start, end - size));
    const variants: Array<Array<[number, number]>> = [
      [[lo, hi]],
      [
        [lo, start],
        [start, end],
        [end, hi],
      ],
    ];
    let v: ReturnType<typeof verification> | null = null;
    for (const ranges of variants) {
      const chunks = ranges
        .filter(([x, y]) => y > x)
        .map(([x, y], i) => ({
          id: `${target.docId}#whynot-rechunk${i}`,
          docId: target.docId!,
          start: x,
          end: y,
          text: document ? document.text.slice(x, y) : '',
        }));
      const holder = chunks.find((c) => c.start <= span.start && c.end >= span.end)!;
      const after = document
        ? await ctx.counterfactual({ remove: relevant.map((c) => c.id), add: chunks })
        : { cannot: 'the document text is not available' };
      const applied = {
        rechunk: {
          docId: target.docId,
          chunks: chunks.map((c) => [c.start, c.end]),
          replaces: relevant.map((c) => c.id),
        },
      };
      const cand = verification(
        ctx,
        applied,
        after,
        `With one chunk holding the whole span ([${holder.start}, ${holder.end}))`,
      );
      if (!v || cand.status === 'rescued' || (v.status === 'cannot-check' && cand.status !== 'cannot-check'))
        v = cand;
      if (v.status === 'rescued' || v.status === 'cannot-check') break;
    }
    if (!v) return null;
    return {
      cause: 'split-by-chunking',
      stage: 'chunking',
      decisive: v.status === 'rescued',
      sentence: `The gold text straddles ${pieces.length} chunks (${withRanks
        .map(
          (p) =>
            `${fmt(p.fraction * 100, 0)}%${p.retrieved ? ` retrieved at rank ${p.finalRank}` : ' not retrieved'}`,
        )
        .join(', ')}); no single chunk holds it. ${v.sentence}`,
      fix:
        v.status === 'rescued'
          ? `Keep the passage in one chunk (larger or sentence-aware chunks, or overlap) (replayed: ${replayed(v)}).`
          : 'Keeping the passage in one chunk alone does not retrieve it here; see the other causes.',
      evidence: { pieces: withRanks, largestShare: maxShare },
      verification: v,
    };
  },
};
