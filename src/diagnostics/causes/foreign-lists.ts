import type { WhyNotContext } from '../whynot-context.js';

const BUILT_IN = new Set(['bm25', 'vector', 'fusion', 'rerank']);

/**
 * Lists from retrievers that are not ragscope's own indexes (a Postgres table, a LangChain retriever, a service):
 * ragscope sees their top candidates only, not their index, so the causes it checks through its own BM25 and vector
 * indexes (how deep the target ranks, which query terms it lacks, whether it is indexed at all) cannot be checked
 * for those lists. This names each such list and what is missing in `ctx.cannotCheck`; it is not a cause of its
 * own, so no verdict about those lists is decisive without evidence. @internal
 */
export function noteForeignLists(ctx: WhyNotContext): void {
  const inList = (stage: string) =>
    ctx.trace.stages.find((s) => s.stage === stage)?.candidates.some((c) => c.chunkId === ctx.main.id) ??
    false;
  for (const s of ctx.trace.stages) {
    if (BUILT_IN.has(s.stage) || inList(s.stage)) continue;
    const kind = typeof s.params.kind === 'string' ? ` (${s.params.kind})` : '';
    const depth = s.candidates.length;
    ctx.cannotCheck.push(
      {
        cause: 'below-candidate-depth',
        missing: `the target's rank in "${s.stage}"${kind} beyond the ${depth} candidates it returned: ragscope cannot search that index deeper`,
      },
      {
        cause: 'lexical-mismatch',
        missing: `how "${s.stage}" matches terms: its analyser and index statistics are not visible to ragscope`,
      },
      {
        cause: 'not-indexed',
        missing: `whether "${s.stage}" holds the target at all: it does not expose has(chunkId)`,
      },
    );
  }
}
