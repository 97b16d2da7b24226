/**
 * The diagnostic views of a {@link BenchReport} shared by the renderers: which configurations are tied with the best,
 * the failure-cause summary and the corpus-level findings as sentences, and per-configuration diagnostics rows.
 * @packageDocumentation
 */
import { formatMetric } from './summary.js';
import type { BenchReport, ConfigDiagnostics } from './types.js';

/** Significance level used to call a paired comparison a tie when the report does not record one. */
const DEFAULT_ALPHA = 0.05;

/**
 * Ids of the configurations statistically tied with the best one: `report.tiedWithBest` when recorded, else read
 * from `report.comparisons` (those against the best configuration with `pValue >= 0.05`), so reports written before
 * ties were recorded are marked too. Empty without comparisons.
 *
 * @example
 * ```ts
 * const tied = tiedConfigIds(report); // Set { 'sentence:400/1 + bm25' }
 * report.configs.filter((c) => tied.has(c.id)).map((c) => c.id);
 * ```
 */
export function tiedConfigIds(report: BenchReport): Set<string> {
  if (report.tiedWithBest) return new Set(report.tiedWithBest.ids);
  const cmps = report.comparisons ?? [];
  const bests = new Set(cmps.map((c) => c.b));
  if (bests.size !== 1) return new Set();
  return new Set(cmps.filter((c) => c.pValue >= DEFAULT_ALPHA).map((c) => c.a));
}

/**
 * One sentence on statistical ties with the best configuration, or `null` when there is nothing to say.
 *
 * @example
 * ```ts
 * tieSentence(report);
 * // '2 configurations are statistically tied with the best (recursive:400/0 + bm25) on recall@5: paired test p >= 0.05.'
 * ```
 */
export function tieSentence(report: BenchReport): string | null {
  const t = report.tiedWithBest;
  const ids = tiedConfigIds(report);
  if (ids.size === 0) return null;
  const best = t?.best ?? report.comparisons?.[0]?.b ?? '';
  const metric = t?.metric ?? report.comparisons?.[0]?.metric ?? '';
  const alpha = t?.alpha ?? DEFAULT_ALPHA;
  const n = ids.size;
  return `${n} configuration${n === 1 ? ' is' : 's are'} statistically tied with the best (${best}) on ${metric}: paired test p >= ${alpha}; the ranking between them is noise.`;
}

/**
 * The failure-cause summary as sentences, most important first: how many failures were diagnosed, the fix that
 * rescued most, and the count per first cause. Empty when the report has no cause summary.
 *
 * @example
 * ```ts
 * causeSentences(report)[0];
 * // '97 of 120 failing (config, question) pairs diagnosed (why-not took 5.4 s). The fix that rescued most: ...'
 * ```
 */
export function causeSentences(report: BenchReport): string[] {
  const s = report.causeSummary;
  if (!s) return [];
  const out: string[] = [];
  const capped = s.diagnosed < s.failures ? ` (capped by --max-failures per configuration)` : '';
  out.push(
    `${s.diagnosed} of ${s.failures} failing (config, question) pairs diagnosed${capped}, ${s.withCause} with a cause; why-not took ${(s.ms / 1000).toFixed(1)} s.`,
  );
  if (s.topFix) {
    out.push(
      `The fix that rescued most: ${s.topFix.cause}, its fix rescued ${s.topFix.rescued} of ${s.diagnosed} (replayed alone on the real search, the gold was retrieved): ${s.topFix.fix}`,
    );
  } else if (s.withCause > 0) {
    out.push('No single-cause fix rescued any diagnosed failure on its own.');
  }
  return out;
}

/**
 * A per-configuration diagnostics row for display: question-level abstention and re-ranker attribution as short
 * strings (empty when the report has no value). A top score no better than chance (AUROC <= 0.5) gets no threshold:
 * its best-F1 rule degenerates to flagging almost every question.
 *
 * @example
 * ```ts
 * diagnosticsRows(report)[0];
 * // { configId: 'recursive:400/0 + hybrid', auroc: '0.738', threshold: '0.0318', flagged: 'P 0.833 / R 0.500 (10 of 35 without context)', rerank: '' }
 * ```
 */
export function diagnosticsRows(
  report: BenchReport,
): Array<{ configId: string; auroc: string; threshold: string; flagged: string; rerank: string }> {
  return (report.diagnostics ?? []).map((d: ConfigDiagnostics) => {
    const a = d.abstention;
    const r = d.rerank;
    return {
      configId: d.configId,
      auroc: a ? formatMetric(a.auroc) : '',
      threshold: !a
        ? ''
        : typeof a.auroc === 'number' && a.auroc <= 0.5
          ? 'none (AUROC <= 0.5)'
          : typeof a.threshold === 'number' && Number.isFinite(a.threshold)
            ? a.threshold.toPrecision(4)
            : 'n/a',
      flagged: a
        ? `P ${formatMetric(a.precision)} / R ${formatMetric(a.recall)} (${a.unanswerable} of ${a.answerable + a.unanswerable} without context)`
        : '',
      rerank: r ? `${r.helped} up / ${r.hurt} down / ${r.unchanged} same / ${r.outside} outside` : '',
    };
  });
}

/**
 * Everything the report says first, in order: corpus-level findings, then the failure-cause sentences, then the
 * tie sentence.
 *
 * @example
 * ```ts
 * for (const line of leadFindings(report)) console.log(`- ${line}`);
 * ```
 */
export function leadFindings(report: BenchReport): string[] {
  const tie = tieSentence(report);
  return [...(report.triage?.findings ?? []), ...causeSentences(report), ...(tie ? [tie] : [])];
}
