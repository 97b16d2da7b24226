import { truncationOffset } from '../tokens.js';
import { verification } from '../whynot-context.js';
import { type CauseCheck, fmt, replayed } from './types.js';

/**
 * Part of the gold text lies beyond the embedder's input budget in its chunk. Verified by replacing the chunk with
 * one that starts at the gold text (so the embedder reads it) and re-scoring. @internal
 */
export const truncated: CauseCheck = {
  code: 'truncated-at-embedding',
  async check(ctx) {
    const { pipeline, target, main, ranVector, options, settings, vecRank, k } = ctx;
    const embedder = pipeline.embedder ?? null;
    const count =
      options.countTokens ?? (embedder?.countTokens ? (t: string) => embedder.countTokens!(t) : undefined);
    if (!ranVector || !embedder?.maxTokens || !count || target.kind === 'document') return null;
    const budget = embedder.maxTokens - settings.reserved;
    const span = target.span!;
    const cut = await truncationOffset(main.text, Math.max(1, budget), count);
    const a = Math.max(span.start, main.start) - main.start;
    const b = Math.min(span.end, main.end) - main.start;
    const inChunk = Math.max(1, b - a);
    const beyond = Math.max(0, b - Math.max(a, cut));
    const share = beyond / inChunk;
    if (cut >= main.text.length || beyond === 0) return null;
    const tokens = await count(main.text);
    const mainVec = vecRank.get(main.id) ?? null;
    const start = main.start + a;
    const after = await ctx.counterfactual({
      remove: [main.id],
      add: {
        id: `${main.id}#whynot-tail`,
        docId: main.docId,
        start,
        end: main.end,
        text: main.text.slice(a),
      },
    });
    const v = verification(
      ctx,
      { rechunk: { chunkId: main.id, start, end: main.end } },
      after,
      'With a chunk starting at the gold text',
    );
    return {
      cause: 'truncated-at-embedding',
      stage: 'embedding',
      decisive: v.status === 'rescued',
      sentence: `The embedder reads only the first ${budget} tokens of the chunk (${tokens} tokens); ${fmt(share * 100, 0)}% of the gold text lies beyond that, so the chunk's vector does not represent it. ${v.sentence}`,
      fix:
        v.status === 'rescued'
          ? `Use chunks within the embedder budget (${budget} tokens) or an embedder with a longer input (replayed: ${replayed(v)}).`
          : 'Smaller chunks alone do not retrieve it here; see the other causes.',
      evidence: {
        chunkId: main.id,
        maxTokens: embedder.maxTokens,
        reservedTokens: settings.reserved,
        chunkTokens: tokens,
        cutAtChar: cut,
        goldInChunk: [a, b],
        shareBeyond: share,
        droppedPreview: main.text.slice(cut, cut + 120),
        vectorRank: mainVec?.rank ?? null,
        vectorMissed: !mainVec || mainVec.rank > k,
      },
      verification: v,
    };
  },
};
