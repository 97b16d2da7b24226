import { checkInteger, checkNumber, invalidArgument } from '../core/errors.js';
import { noteForeignLists } from './causes/foreign-lists.js';
import { CAUSE_CHECKS } from './causes/registry.js';
import { buildContext, judge, type WhyNotSettings } from './whynot-context.js';
import { type Resolved, resolveTarget } from './whynot-target.js';
import {
  CAUSE_ORDER,
  type CauseCode,
  type Expected,
  type WhyNotCause,
  type WhyNotOptions,
  type WhyNotPipeline,
  type WhyNotReport,
} from './whynot-types.js';

export { findAnswer } from './whynot-target.js';
export * from './whynot-types.js';

const fmt = (n: number, d = 3) => (Number.isInteger(n) ? String(n) : n.toFixed(d));

function settingsOf(options: WhyNotOptions): WhyNotSettings {
  const causes = options.causes ?? CAUSE_ORDER;
  if (!Array.isArray(causes)) invalidArgument('options.causes', causes, 'an array of cause codes');
  for (const c of causes) {
    if (!CAUSE_ORDER.includes(c)) invalidArgument('options.causes', c, `one of ${CAUSE_ORDER.join(', ')}`);
  }
  const nearDuplicates = options.nearDuplicates ?? 'text';
  if (nearDuplicates !== 'text' && nearDuplicates !== 'off')
    invalidArgument('options.nearDuplicates', nearDuplicates, "'text' or 'off'");
  return {
    k: checkInteger('options.k', options.k ?? 5, 1),
    minCoverage: checkNumber('options.minCoverage', options.minCoverage ?? 1, 0, 1),
    lexicalShare: checkNumber('options.lexicalShare', options.lexicalShare ?? 0.5, 0, 1),
    dupJaccard: checkNumber('options.dupJaccard', options.dupJaccard ?? 0.7, 0, 1),
    dupContainment: checkNumber('options.dupContainment', options.dupContainment ?? 0.9, 0, 1),
    nearDuplicates,
    splitShare: checkNumber('options.splitShare', options.splitShare ?? 0.75, 0, 1),
    reserved: checkInteger('options.reservedTokens', options.reservedTokens ?? 0, 0),
    minSupport: checkNumber('options.minSupport', options.minSupport ?? 0.6, 0, 1),
    causes: new Set(causes),
  };
}

/**
 * Decisive causes whose fix rescued (or that need no replay: not in corpus / not indexed) first, in pipeline
 * order; then decisive causes whose evidence is conclusive though their fix alone did not rescue; then
 * `outranked`; then the rest, in pipeline order.
 */
function rankCauses(causes: WhyNotCause[]): WhyNotCause[] {
  const group = (c: WhyNotCause) =>
    c.decisive
      ? c.verification && c.verification.status !== 'rescued'
        ? 1
        : 0
      : c.cause === 'outranked'
        ? 2
        : 3;
  return causes.sort(
    (a, b) => group(a) - group(b) || CAUSE_ORDER.indexOf(a.cause) - CAUSE_ORDER.indexOf(b.cause),
  );
}

/**
 * Why was `expected` not retrieved for `query`? Runs the search once (embedding the query once), then checks every
 * cause over one shared context — not in the corpus, not indexed, crowded out by text near-duplicates, split by
 * chunking, truncated at embedding, below the candidate depth, lexical mismatch, lost in fusion, demoted by the
 * re-ranker — and returns ranked causes, each with a sentence, a fix specific to this pipeline's configuration,
 * its evidence and, where the fix can be replayed, its `verification`: the fix applied alone and the search re-run
 * with the real search code (re-chunked text re-scored by the BM25 index and the embedder, lists re-fused with
 * `fuse`, deeper lists searched again, the re-ranker dropped by replay), with the measured effect.
 *
 * Ranking: a cause whose fix rescues the target is `decisive` and comes first (the most upstream first, by
 * {@link CAUSE_ORDER}); when no single fix rescues, `outranked` comes first ("no single fix"), followed by the
 * checked causes. A cause the pipeline does not let ragscope check (a user's own index) is listed in
 * `cannotCheck` and is never decisive. An `{ answer }` not found verbatim is located by its closest support
 * ({@link locateSupport}); the report says so in `target.match === 'support'` and its summary.
 *
 * @example
 * ```ts
 * const report = await whyNot(pipeline, 'how long do refunds take?', { answer: 'within 5 business days' }, { k: 5 });
 * report.retrieved; // false
 * report.causes[0]?.cause; // e.g. 'below-candidate-depth'
 * report.causes[0]?.verification?.sentence; // 'With BM25 depth 180 (8% of the 2367 chunks), the target moves from unranked to rank 3: retrieved.'
 * ```
 */
export async function whyNot(
  pipeline: WhyNotPipeline,
  query: string,
  expected: Expected,
  options: WhyNotOptions = {},
): Promise<WhyNotReport> {
  if (!pipeline || typeof pipeline.search !== 'function')
    invalidArgument('pipeline', pipeline, 'a retrieval pipeline');
  if (typeof query !== 'string') invalidArgument('query', query, 'a string');
  const settings = settingsOf(options);
  const { k } = settings;
  const resolved = await resolveTarget(pipeline, expected, options, settings.minSupport);
  // Embed the query once; the diagnosed search and every counterfactual search reuse the vector.
  const embedder = pipeline.vectorIndex ? (pipeline.embedder ?? null) : null;
  const queryVector = embedder ? ((await embedder.embed([query], { kind: 'query' }))[0] ?? null) : null;
  const result = await pipeline.search(query, {
    ...(options.searchOptions ?? {}),
    k,
    ...(queryVector ? { queryVector } : {}),
  });
  const { target, relevant } = resolved;
  const supportNote =
    target.match === 'support' && target.support
      ? `Not found verbatim; closest support at ${target.support.docId} [${target.support.start}, ${target.support.end}) (confidence ${fmt(target.support.confidence, 2)}). `
      : '';
  const finish = (
    causes: WhyNotCause[],
    retrieved: boolean,
    rank: number | null,
    coverage: number | undefined,
    cannotCheck: WhyNotReport['cannotCheck'] = [],
  ): WhyNotReport => {
    rankCauses(causes);
    const summary =
      supportNote +
      (retrieved
        ? `Retrieved at rank ${rank}${coverage !== undefined && coverage < 1 ? ` (covering ${fmt(coverage * 100, 0)}% of the span)` : ''}.`
        : causes[0]
          ? `Not retrieved: ${causes[0].sentence}`
          : 'Not retrieved.');
    const report: WhyNotReport = {
      query,
      k,
      target,
      retrieved,
      rank,
      causes: retrieved ? [] : causes,
      summary,
      cannotCheck,
      result,
    };
    if (coverage !== undefined) report.coverage = coverage;
    return report;
  };
  if (resolved.missing) return finish([resolved.missing], false, null, undefined);

  const relevantIds = new Set(relevant.map((c) => c.id));
  const first = judge(
    { target, relevantIds, k, minCoverage: settings.minCoverage },
    result.hits.map((h) => ({
      id: h.chunk.id,
      docId: h.chunk.docId,
      start: h.chunk.start,
      end: h.chunk.end,
      text: h.chunk.text,
    })),
  );
  const firstRank = result.hits.findIndex((h) =>
    target.kind === 'document' ? h.chunk.docId === target.docId : relevantIds.has(h.chunk.id),
  );
  if (first.retrieved) return finish([], true, firstRank >= 0 ? firstRank + 1 : first.rank, first.coverage);
  if (relevant.length === 0 && pipeline.chunksComplete?.() === false) {
    return finish([], false, null, first.coverage, [
      {
        cause: 'not-indexed',
        missing: `which chunks of "${target.docId}" the retrievers hold: ragscope knows only the chunks they returned (give every chunk, e.g. RetrieverSearch's \`chunks\`, to check)`,
      },
    ]);
  }
  if (relevant.length === 0) {
    return finish(
      [
        {
          cause: 'not-indexed',
          stage: 'indexing',
          decisive: true,
          sentence: `Document "${target.docId}" is in the corpus but has no chunk covering the target, so it was never indexed.`,
          fix: 'Re-index the document (check that the chunker does not drop it, e.g. empty or filtered text).',
          evidence: { docId: target.docId, chunksOfDocument: pipeline.chunksOf(target.docId!).length },
        },
      ],
      false,
      null,
      first.coverage,
    );
  }
  const resolveOther = (e: unknown) =>
    resolveTarget(pipeline, e as Expected, options, settings.minSupport) as Promise<Resolved>;
  const ctx = await buildContext(
    pipeline,
    query,
    resolved,
    settings,
    options,
    queryVector,
    result,
    resolveOther,
  );
  noteForeignLists(ctx);
  const causes: WhyNotCause[] = [];
  for (const check of CAUSE_CHECKS) {
    if (!settings.causes.has(check.code)) continue;
    const c = await check.check(ctx);
    if (!c) continue;
    if (c.verification?.status === 'cannot-check') {
      c.decisive = false;
      ctx.cannotCheck.push({
        cause: c.cause,
        missing: c.verification.sentence.replace(/^Cannot check: /, ''),
      });
    }
    causes.push(c);
  }
  if (!causes.some((c) => c.decisive)) causes.push(outranked(ctx, causes));
  return finish(causes, false, ctx.finalRank.get(ctx.main.id)?.rank ?? null, first.coverage, ctx.cannotCheck);
}

function outranked(ctx: Awaited<ReturnType<typeof buildContext>>, checked: WhyNotCause[]): WhyNotCause {
  const { main, bm25Rank, vecRank, finalRank, ranBm25, ranVector, k } = ctx;
  const b = bm25Rank.get(main.id) ?? null;
  const v = vecRank.get(main.id) ?? null;
  const tried = checked
    .filter((c) => c.verification && c.verification.status !== 'cannot-check')
    .map((c) => c.cause as CauseCode);
  return {
    cause: 'outranked',
    stage: ranVector && ranBm25 ? 'fusion' : ranVector ? 'vector' : 'bm25',
    decisive: false,
    sentence: `${ctx.cannotCheck.length > 0 ? `No fix ragscope could replay rescues it, and ${ctx.cannotCheck.length} checks were not possible (see cannotCheck)` : 'No single fix rescues it'}${tried.length ? ` (replayed: ${tried.join(', ')})` : ''}: the retrievers prefer other chunks (BM25 rank ${ranBm25 ? (b?.rank ?? 'none, no term matched') : 'n/a'}, vector rank ${ranVector ? (v?.rank ?? 'none') : 'n/a'}, final rank ${finalRank.get(main.id)?.rank ?? 'not a candidate'}, k = ${k}).`,
    fix: 'A stronger embedder or query rewriting; check whether the gold label is right.',
    evidence: { bm25: b, vector: v, finalRank: finalRank.get(main.id)?.rank ?? null, replayed: tried },
  };
}
