import type { Command } from 'commander';
import { readReportFile } from '../../eval/compare-runs.js';
import { collect, splitList } from '../options.js';
import { compareAndGate, parsePairFlags, parseRegressionFlags } from '../regression.js';

interface CompareFlags {
  out: string;
  metrics?: string;
  metric?: string;
  alpha?: string;
  allowDifferentQuestions?: boolean;
  pair: string[];
  failOnRegression: string[];
}

/**
 * `ragscope compare <baseline> <candidate>`: per-configuration and per-question deltas of two bench reports, with
 * Holm-corrected paired tests; writes compare.json + compare.html; exits 1 on a `--fail-on-regression` failure.
 * @internal
 */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(
      'compare a candidate bench report.json with a baseline: deltas, won/lost questions, moved hits, paired tests',
    )
    .argument('<baseline>', 'baseline report.json')
    .argument('<candidate>', 'candidate report.json')
    .option('--out <dir>', 'folder for compare.json and compare.html', 'ragscope-compare')
    .option('--metrics <list>', 'metrics to compare (default: every metric both reports have)')
    .option('--metric <name>', 'metric deciding won/lost questions (default: the first compared)')
    .option('--alpha <p>', 'significance level after Holm correction', '0.05')
    .option('--allow-different-questions', 'compare the questions both runs share instead of refusing')
    .option('--pair <base=cand>', 'pair two configuration ids explicitly (repeatable)', collect, [])
    .option(
      '--fail-on-regression <metric=tolerance>',
      'exit 1 when a configuration loses more than tolerance on metric AND the loss is significant (repeatable)',
      collect,
      [],
    )
    .addHelpText(
      'after',
      `
Examples:
  $ ragscope compare main-report/report.json ragscope-report/report.json
  $ ragscope compare base.json cand.json --fail-on-regression recall@5=0.02`,
    )
    .action(async (baselineFile: string, candidateFile: string, flags: CompareFlags) => {
      const rules = parseRegressionFlags(flags.failOnRegression);
      const pairs = parsePairFlags(flags.pair);
      const alpha = Number(flags.alpha);
      const candidate = await readReportFile(candidateFile);
      const metrics = flags.metrics !== undefined ? splitList(flags.metrics) : undefined;
      const { code } = await compareAndGate(baselineFile, candidate, candidateFile, rules, flags.out, {
        ...(flags.allowDifferentQuestions ? { allowDifferentQuestions: true } : {}),
        ...(pairs.length > 0 ? { pairs } : {}),
        ...(metrics ? { metrics } : {}),
        ...(flags.metric !== undefined ? { primaryMetric: flags.metric } : {}),
        alpha,
      });
      process.exitCode = code;
    });
}
