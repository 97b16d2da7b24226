import type { FailureRecord, RetrieverKind } from '../../report/types.js';
import type { RetrievalPipeline } from '../../search/pipeline.js';
import { docRunFromChunks } from '../metrics/chunk-relevance.js';
import { spanMetrics } from '../metrics/spans.js';
import type { EvalQuestion } from '../types.js';
import { BackendSearch } from './backend-search.js';
import type { BenchSearcher } from './index-config.js';

/** The why-not diagnostics module (`ragscope/diagnostics`), loaded lazily. @internal */
export type Diagnostics = typeof import('../../diagnostics/index.js');

/**
 * Load the why-not diagnostics, or push a warning saying failures are listed without causes and return null.
 * @internal
 */
export async function loadDiagnostics(warnings: string[]): Promise<Diagnostics | null> {
  try {
    return await import('../../diagnostics/index.js');
  } catch (err) {
    warnings.push(
      `why-not diagnostics unavailable (${(err as Error).message}); failures are listed without causes`,
    );
    return null;
  }
}

/** A view of the shared pipeline that runs one retriever, for why-not (which re-searches). */
function viewFor(pipeline: RetrievalPipeline, retriever: RetrieverKind): RetrievalPipeline {
  if (retriever === 'hybrid' || retriever === 'hybrid+rerank') return pipeline;
  return pipeline.view({ retrievers: [retriever === 'bm25' ? 'bm25' : 'vector'], reranker: false });
}

/**
 * Why `retriever` missed the first gold item of failing question `q` in its top `k`: why-not's causes (a cause is
 * decisive when its fix alone was replayed and rescued the gold) and what it could not check. A why-not that
 * throws leaves the causes empty and adds a warning (once per message, at most 100 warnings). @internal
 */
export async function diagnose(
  diagnostics: Diagnostics,
  pipeline: BenchSearcher,
  retriever: RetrieverKind,
  q: EvalQuestion,
  k: number,
  mode: 'spans' | 'docs',
  warnings: string[],
): Promise<Pick<FailureRecord, 'causes' | 'cannotCheck'>> {
  const views = viewCache.get(pipeline) ?? new Map<RetrieverKind, RetrievalPipeline | WhyNotView>();
  viewCache.set(pipeline, views);
  let view = views.get(retriever);
  if (!view) {
    view = pipeline instanceof BackendSearch ? pipeline.view(retriever) : viewFor(pipeline, retriever);
    views.set(retriever, view);
  }
  // The first gold item the top k missed: a span not fully covered, or a relevant document not retrieved.
  const { hits } = await view.search(q.text, { k, ...(retriever === 'hybrid' ? { rerank: false } : {}) });
  let expected: import('../../diagnostics/index.js').Expected | undefined;
  if (mode === 'spans') {
    for (const span of q.spans ?? []) {
      if (
        spanMetrics(
          [span],
          hits.map((h) => h.chunk),
        ).recall < 1
      ) {
        expected = { docId: span.docId, start: span.start, end: span.end };
        break;
      }
    }
  } else {
    const got = new Set(docRunFromChunks(hits.map((h) => h.chunk)).docIds.slice(0, k));
    const missing = Object.entries(q.relevantDocs ?? {}).find(([id, g]) => g > 0 && !got.has(id));
    if (missing) expected = missing[0];
  }
  if (expected === undefined) return { causes: [] };
  try {
    const report = await diagnostics.whyNot(view, q.text, expected, {
      k,
      ...(retriever === 'hybrid' ? { searchOptions: { rerank: false } } : {}),
    });
    const causes = report.causes.map((c) => ({
      cause: c.cause,
      sentence: c.sentence,
      fix: c.fix,
      // "Decisive" in the report means verified: why-not replayed this fix alone on the real search and it
      // retrieved the gold (a cause that is only conclusive by evidence is not counted as a rescue).
      decisive: c.verification ? c.verification.status === 'rescued' : c.decisive,
      ...(c.verification?.sentence ? { effect: c.verification.sentence } : {}),
    }));
    return report.cannotCheck.length > 0 ? { causes, cannotCheck: report.cannotCheck } : { causes };
  } catch (err) {
    const msg = `why-not failed for question ${q.id}: ${(err as Error).message}`;
    if (!warnings.includes(msg) && warnings.length < 100) warnings.push(msg);
    return { causes: [] };
  }
}

type WhyNotView = ReturnType<BackendSearch['view']>;
/** Per searcher, its one-retriever views, built on first use (a searcher lives for one chunker). */
const viewCache = new WeakMap<BenchSearcher, Map<RetrieverKind, RetrievalPipeline | WhyNotView>>();
