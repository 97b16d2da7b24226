import { invalidArgument } from '../core/errors.js';
import {
  type CauseCode,
  type Expected,
  type WhyNotOptions,
  type WhyNotPipeline,
  type WhyNotReport,
  whyNot,
} from './whynot.js';

/**
 * One evaluation item to triage.
 *
 * @example
 * ```ts
 * const items: TriageItem[] = [
 *   { id: 'q1', query: 'refund window thirty days unused items', expected: { docId: 'a', start: 72, end: 127 } },
 *   { id: 'q2', query: 'how long does shipping take?', expected: 'b', correct: false },
 *   { id: 'q3', query: 'returns by mail', expected: 'b', correct: true }, // skipped: nothing to triage
 * ];
 * const report = await triage(pipeline, items, { k: 1 });
 * ```
 */
export interface TriageItem {
  /** Your id for the question. Default: its index. */
  id?: string;
  query: string;
  expected: Expected;
  /**
   * Whether the generated answer was judged correct. Items with `correct: true` are skipped (nothing to triage);
   * `false` or absent: triaged.
   */
  correct?: boolean;
}

/**
 * The verdict on one failing question.
 *
 * @example
 * ```ts
 * const [v1, v2]: TriageVerdict[] = (await triage(pipeline, items, { k: 1 })).verdicts;
 * v1; // { id: 'q1', category: 'retrieval-failure', cause: 'split-by-chunking', stage: 'chunking', sentence: 'Not retrieved: …', … }
 * v2?.category; // 'generation-failure' (v2.cause and v2.stage are null)
 * v2?.sentence; // 'The gold context was retrieved (rank 1); the problem is downstream of retrieval.'
 * ```
 */
export interface TriageVerdict {
  id: string;
  query: string;
  /**
   * `retrieval-failure`: the gold context was not in the top k (see `cause`/`stage`).
   * `generation-failure`: the gold context WAS retrieved, so the remaining problem is the model's use of it — prompt,
   * context order, or the model itself; the case where fine-tuning the generator may be worth considering.
   */
  category: 'retrieval-failure' | 'generation-failure';
  /** First (most upstream decisive) cause, for retrieval failures. */
  cause: CauseCode | null;
  stage: string | null;
  sentence: string;
  report: WhyNotReport;
}

/**
 * What {@link triage} returns.
 *
 * @example
 * ```ts
 * const report: TriageReport = await triage(pipeline, items, { k: 1 });
 * report.triaged; // 2 (report.skippedCorrect: 1)
 * report.retrievalFailures; // 1 (report.generationFailures: 1)
 * report.byCause; // [{ cause: 'split-by-chunking', count: 1 }]
 * report.byStage; // [{ stage: 'chunking', count: 1 }]
 * ```
 */
export interface TriageReport {
  /** Items triaged (those not marked correct). */
  triaged: number;
  skippedCorrect: number;
  retrievalFailures: number;
  generationFailures: number;
  /** Retrieval failures per first cause, most frequent first. */
  byCause: Array<{ cause: CauseCode; count: number }>;
  /** Retrieval failures per stage. */
  byStage: Array<{ stage: string; count: number }>;
  verdicts: TriageVerdict[];
}

/**
 * Summarise why-not reports into a triage (pure; {@link triage} runs the reports for you).
 *
 * @example
 * ```ts
 * const summary = summarizeTriage([{ id: 'q1', report }]);
 * summary.byCause; // [{ cause: 'split-by-chunking', count: 1 }]
 * ```
 */
export function summarizeTriage(
  reports: ReadonlyArray<{ id: string; report: WhyNotReport }>,
  skippedCorrect = 0,
): TriageReport {
  const verdicts: TriageVerdict[] = reports.map(({ id, report }) => {
    const first = report.causes[0] ?? null;
    return report.retrieved
      ? {
          id,
          query: report.query,
          category: 'generation-failure',
          cause: null,
          stage: null,
          sentence: `The gold context was retrieved (rank ${report.rank}); the problem is downstream of retrieval.`,
          report,
        }
      : {
          id,
          query: report.query,
          category: 'retrieval-failure',
          cause: first?.cause ?? null,
          stage: first?.stage ?? null,
          sentence: report.summary,
          report,
        };
  });
  const count = <T extends string>(values: T[]) => {
    const m = new Map<T, number>();
    for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  };
  const failures = verdicts.filter((v) => v.category === 'retrieval-failure');
  return {
    triaged: verdicts.length,
    skippedCorrect,
    retrievalFailures: failures.length,
    generationFailures: verdicts.length - failures.length,
    byCause: count(failures.map((v) => v.cause).filter((c): c is CauseCode => c !== null)).map(
      ([cause, n]) => ({ cause, count: n }),
    ),
    byStage: count(failures.map((v) => v.stage).filter((s): s is string => s !== null)).map(([stage, n]) => ({
      stage,
      count: n,
    })),
    verdicts,
  };
}

/**
 * Triage the failing questions of an evaluation: for each, is it a retrieval failure (and at which stage, with the
 * first cause from {@link whyNot}) or was the gold context retrieved (a generation-side failure: prompt, context use,
 * or the model — where fine-tuning may be worth considering)? Counts per cause and stage.
 *
 * @example
 * ```ts
 * const report = await triage(pipeline, [
 *   { query: 'how long do refunds take?', expected: { answer: '5 business days' }, correct: false },
 * ], { k: 5 });
 * report.byCause; // [{ cause: 'below-candidate-depth', count: 1 }]
 * ```
 */
export async function triage(
  pipeline: WhyNotPipeline,
  items: readonly TriageItem[],
  options: WhyNotOptions = {},
): Promise<TriageReport> {
  if (!Array.isArray(items)) invalidArgument('items', items, 'an array of { query, expected, correct? }');
  const reports: Array<{ id: string; report: WhyNotReport }> = [];
  let skipped = 0;
  for (const [i, item] of items.entries()) {
    if (!item || typeof item.query !== 'string')
      invalidArgument(`items[${i}]`, item, '{ query, expected, correct? }');
    if (item.correct === true) {
      skipped++;
      continue;
    }
    reports.push({
      id: item.id ?? String(i),
      report: await whyNot(pipeline, item.query, item.expected, options),
    });
  }
  return summarizeTriage(reports, skipped);
}
