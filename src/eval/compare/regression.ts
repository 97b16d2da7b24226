import { RagscopeError, showValue } from '../../core/errors.js';
import type { CompareReport } from './types.js';

/**
 * One `--fail-on-regression metric=tolerance` rule: a configuration regresses when it loses more than `tolerance`
 * on `metric` AND the loss is significant (Holm-adjusted p below the comparison's alpha).
 *
 * @example
 * ```ts
 * const rule: RegressionRule = { metric: 'recall@5', tolerance: 0.02 };
 * ```
 */
export interface RegressionRule {
  /** A metric of the compared reports. */
  metric: string;
  /** Largest accepted loss (a non-negative number, in the metric's unit). */
  tolerance: number;
}

/**
 * A configuration that failed a {@link RegressionRule}.
 *
 * @example
 * ```ts
 * const r: Regression = { baseline: 'recursive:400/0 + bm25', candidate: 'recursive:200/0 + bm25', metric: 'recall@5',
 *   tolerance: 0.02, delta: -0.06, pValue: 0.0001, adjustedP: 0.0001, questionsLost: ['q3', 'q9'] };
 * ```
 */
export interface Regression {
  /** Baseline configuration id. */
  baseline: string;
  /** Candidate configuration id. */
  candidate: string;
  /** The metric. */
  metric: string;
  /** The rule's tolerance. */
  tolerance: number;
  /** candidate - baseline (below `-tolerance`). */
  delta: number;
  /** Raw paired-test p-value. */
  pValue: number;
  /** Holm-adjusted p-value (below alpha). */
  adjustedP: number;
  /** Ids of the questions whose value of `metric` went down. */
  questionsLost: string[];
}

/**
 * Outcome of {@link checkRegressions}.
 *
 * @example
 * ```ts
 * const g = checkRegressions(result, [parseRegressionRule('recall@5=0.02')]);
 * if (!g.passed) console.error(g.message);
 * ```
 */
export interface RegressionGateResult {
  /** No configuration regressed. */
  passed: boolean;
  /** The regressions found. */
  regressions: Regression[];
  /** One line per regression (or a PASSED line), naming configuration, delta, p-value and the questions lost. */
  message: string;
}

/**
 * Parse `metric=tolerance` (e.g. `recall@5=0.02`). Throws `RagscopeError('INVALID_ARGUMENT')` naming the expression.
 *
 * @example
 * ```ts
 * parseRegressionRule('recall@5=0.02'); // { metric: 'recall@5', tolerance: 0.02 }
 * ```
 */
export function parseRegressionRule(expr: string): RegressionRule {
  const m = typeof expr === 'string' ? /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?|\.\d+)\s*$/.exec(expr) : null;
  if (!m) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `fail-on-regression must be "<metric>=<tolerance>" with a tolerance >= 0 (e.g. recall@5=0.02), got ${showValue(expr)}`,
      { param: 'failOnRegression', value: expr },
    );
  }
  return { metric: m[1]!, tolerance: Number(m[2]) };
}

const fmt = (x: number) => (x >= 0 ? `+${x.toFixed(4)}` : x.toFixed(4));
const fmtP = (p: number) => (p < 0.0001 ? p.toExponential(1) : p.toFixed(4));

/**
 * Check a comparison against regression rules. A rule on a metric the comparison lacks throws
 * `RagscopeError('INVALID_ARGUMENT')` listing the metrics it has.
 *
 * @example
 * ```ts
 * const gate = checkRegressions(compareRuns(baseline, candidate), [{ metric: 'recall@5', tolerance: 0.02 }]);
 * process.exitCode = gate.passed ? 0 : 1;
 * ```
 */
export function checkRegressions(
  result: CompareReport,
  rules: readonly RegressionRule[],
): RegressionGateResult {
  const regressions: Regression[] = [];
  for (const rule of rules) {
    if (!result.metrics.includes(rule.metric)) {
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `fail-on-regression metric ${JSON.stringify(rule.metric)} is not compared; compared metrics: ${result.metrics.join(', ')}`,
        { param: 'failOnRegression', value: rule.metric },
      );
    }
    for (const c of result.configs) {
      const d = c.metrics[rule.metric];
      if (!d || !(d.delta < -rule.tolerance) || !d.significant) continue;
      const lost = c.questions.filter((q) => (q.deltas[rule.metric] ?? 0) < -1e-12).map((q) => q.questionId);
      regressions.push({
        baseline: c.baseline,
        candidate: c.candidate,
        metric: rule.metric,
        tolerance: rule.tolerance,
        delta: d.delta,
        pValue: d.pValue,
        adjustedP: d.adjustedP,
        questionsLost: lost,
      });
    }
  }
  const lines = regressions.map((r) => {
    const shown = r.questionsLost.slice(0, 10).join(', ');
    const more = r.questionsLost.length > 10 ? ` and ${r.questionsLost.length - 10} more` : '';
    const config = r.baseline === r.candidate ? r.candidate : `${r.candidate} (baseline ${r.baseline})`;
    return `REGRESSION ${config}: ${r.metric} ${fmt(r.delta)} (tolerance ${r.tolerance}), p = ${fmtP(r.pValue)} (Holm-adjusted ${fmtP(r.adjustedP)} < ${result.alpha}); ${r.questionsLost.length} questions lost: ${shown}${more}`;
  });
  const rulesText = rules.map((r) => `${r.metric}=${r.tolerance}`).join(', ');
  return {
    passed: regressions.length === 0,
    regressions,
    message:
      lines.length > 0
        ? lines.join('\n')
        : `no significant regression beyond ${rulesText} in ${result.configs.length} configuration(s)`,
  };
}
