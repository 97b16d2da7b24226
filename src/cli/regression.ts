import path from 'node:path';
import { checkRegressions, parseRegressionRule, type RegressionRule } from '../eval/compare/regression.js';
import type { CompareReport } from '../eval/compare/types.js';
import { type CompareRunsOptions, compareRuns, readReportFile } from '../eval/compare-runs.js';
import { renderCompareTerminal } from '../report/compare-terminal.js';
import { writeCompare } from '../report/compare-write.js';
import type { BenchReport } from '../report/types.js';
import { UsageError } from './errors.js';
import { asFlagError } from './options.js';

/** Parse every `--fail-on-regression` now (usage error naming the flag otherwise). @internal */
export function parseRegressionFlags(exprs: readonly string[]): RegressionRule[] {
  return exprs.map((e) => {
    try {
      return parseRegressionRule(e);
    } catch (err) {
      return asFlagError('--fail-on-regression', err);
    }
  });
}

/** Parse `--pair <baseline id>=<candidate id>` values. @internal */
export function parsePairFlags(values: readonly string[]): Array<[string, string]> {
  return values.map((v) => {
    // Config ids may contain '=' (e.g. recursive:400/0:ctx=bm25 + bm25): then separate them with '=>'.
    const arrow = v.indexOf('=>');
    const i = arrow >= 0 ? arrow : v.indexOf('=');
    const width = arrow >= 0 ? 2 : 1;
    if (i <= 0 || i + width >= v.length) {
      throw new UsageError(
        `--pair must be "<baseline config id>=<candidate config id>" (or => between them), got ${JSON.stringify(v)}`,
      );
    }
    return [v.slice(0, i).trim(), v.slice(i + width).trim()];
  });
}

/**
 * Compare `candidate` with the report in `baselineFile`, print the comparison to stdout, write compare.json/html to
 * `outDir`, and apply the regression rules: returns 1 (after printing each regression on stderr) when one fails.
 * @internal
 */
export async function compareAndGate(
  baselineFile: string,
  candidate: BenchReport,
  candidateName: string,
  rules: readonly RegressionRule[],
  outDir: string,
  options: Pick<
    CompareRunsOptions,
    'allowDifferentQuestions' | 'pairs' | 'metrics' | 'primaryMetric' | 'alpha'
  > = {},
): Promise<{ code: number; result: CompareReport }> {
  const baseline = await readReportFile(baselineFile);
  const result = compareRuns(baseline, candidate, {
    ...options,
    // Won/lost questions are judged on the gated metric (when the reports have it; else the gate names the metrics).
    ...(options.metrics === undefined &&
    options.primaryMetric === undefined &&
    rules.length > 0 &&
    baseline.configs.some((c) => rules[0]!.metric in c.metrics)
      ? { primaryMetric: rules[0]!.metric }
      : {}),
    names: { baseline: baselineFile, candidate: candidateName },
  });
  const gate = rules.length > 0 ? checkRegressions(result, rules) : undefined;
  process.stdout.write(renderCompareTerminal(result));
  const written = await writeCompare(result, { dir: outDir, formats: ['json', 'html'] });
  const files = Object.values(written).map((f) => path.relative(process.cwd(), f!) || f);
  process.stderr.write(`ragscope: compared with ${baselineFile}; wrote ${files.join(', ')}\n`);
  if (gate && !gate.passed) {
    process.stderr.write(`error: --fail-on-regression failed:\n${gate.message}\n`);
    return { code: 1, result };
  }
  if (gate) process.stderr.write(`ragscope: ${gate.message}\n`);
  return { code: 0, result };
}
