import { readFile } from 'node:fs/promises';
import { checkInteger, checkNumber, invalidArgument, RagscopeError } from '../core/errors.js';
import type { BenchReport } from '../report/types.js';
import { validateReport } from '../report/validate.js';
import { hitMoves } from './compare/hits.js';
import { holmAdjust } from './compare/holm.js';
import { alignQuestions, pairConfigs } from './compare/pairing.js';
import type {
  CompareReport,
  ConfigComparison,
  MetricDelta,
  QuestionChange,
  RunSummary,
} from './compare/types.js';
import { comparePaired } from './compare.js';

export type {
  CompareReport,
  ConfigComparison,
  MetricDelta,
  QuestionChange,
  RankChange,
  RunSummary,
} from './compare/types.js';

/**
 * Options of {@link compareRuns}.
 *
 * @example
 * ```ts
 * const opts: CompareRunsOptions = { metrics: ['recall@5', 'iou@5'], alpha: 0.05, allowDifferentQuestions: true };
 * ```
 */
export interface CompareRunsOptions {
  /** Metrics to compare. Default: every metric both reports have, in the baseline's order. */
  metrics?: readonly string[];
  /** Metric deciding won/lost questions. Default: the first of `metrics`. */
  primaryMetric?: string;
  /** Significance level. Default 0.05. */
  alpha?: number;
  /** Randomisation-test iterations. Default 10000. */
  iterations?: number;
  /** Seed of the paired tests. Default 42. */
  seed?: number;
  /** Compare the questions both runs share instead of refusing runs over different questions. Default false. */
  allowDifferentQuestions?: boolean;
  /**
   * Explicit `[baselineConfigId, candidateConfigId]` pairs. Default: equal ids, then the only remaining
   * configuration with the same retriever on each side.
   */
  pairs?: ReadonlyArray<readonly [string, string]>;
  /** Names of the two runs in messages (e.g. their file names). Default `'the baseline'` / `'the candidate'`. */
  names?: { baseline: string; candidate: string };
}

function summary(r: BenchReport, file?: string): RunSummary {
  return {
    title: r.title,
    createdAt: r.createdAt,
    toolVersion: r.tool.version,
    dataset: r.dataset.name,
    questions: r.dataset.questions,
    ...(r.provenance ? { provenance: r.provenance } : {}),
    ...(file ? { file } : {}),
  };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function provenanceWarnings(baseline: BenchReport, candidate: BenchReport): string[] {
  const out: string[] = [];
  const pb = baseline.provenance;
  const pc = candidate.provenance;
  if (!pb || !pc) {
    const which =
      !pb && !pc
        ? 'neither report records'
        : !pb
          ? 'the baseline does not record'
          : 'the candidate does not record';
    out.push(
      `NO PROVENANCE: ${which} what it was made from (an older report); questions are matched by id and text only`,
    );
    return out;
  }
  if (pb.corpusHash !== pc.corpusHash)
    out.push('DIFFERENT CORPUS: the runs searched different documents (corpus hashes differ)');
  if (pb.k !== pc.k) out.push(`DIFFERENT CUT-OFF: baseline k = ${pb.k}, candidate k = ${pc.k}`);
  if (pb.mode !== pc.mode) out.push(`DIFFERENT MODE: baseline ${pb.mode}, candidate ${pc.mode}`);
  if (pb.embedder !== pc.embedder) out.push(`embedder changed: ${pb.embedder} -> ${pc.embedder}`);
  if (pb.ragscopeVersion !== pc.ragscopeVersion) {
    out.push(`ragscope version changed: ${pb.ragscopeVersion} -> ${pc.ragscopeVersion}`);
  }
  return out;
}

/**
 * Compare a candidate bench run with a baseline run: configurations are paired (same id, else the only remaining
 * configuration with the same retriever on each side, else `options.pairs`), and for each pair and metric the
 * means, delta, per-question wins/losses and a paired randomisation test (`comparePaired`) with Holm's correction
 * over the pairs compared on that metric. Every question whose score changed is listed with its deltas and, when
 * both reports recorded top-k hits, the chunks that moved into and out of the top k and their rank changes.
 *
 * Runs over different questions (question hashes differ, or for reports without provenance, ids/texts differ) throw
 * `RagscopeError('DATASET_ERROR')` unless `allowDifferentQuestions`, which compares the shared questions and says so
 * in `warnings`. A report without provenance (older ragscope) is compared with a warning. A different corpus, `k`,
 * mode or embedder is a warning.
 *
 * @example
 * ```ts
 * import { compareRuns } from 'ragscope/eval';
 * import { renderCompareTerminal } from 'ragscope/report';
 * const result = compareRuns(baselineReport, candidateReport, { metrics: ['recall@5'] });
 * console.log(renderCompareTerminal(result));
 * const lost = result.configs.flatMap((c) => c.questions.filter((q) => q.outcome === 'lost'));
 * ```
 */
export function compareRuns(
  baseline: BenchReport,
  candidate: BenchReport,
  options: CompareRunsOptions = {},
): CompareReport {
  if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
  validateReport(baseline);
  validateReport(candidate);
  const alpha = checkNumber('options.alpha', options.alpha ?? 0.05, 0, 1);
  const iterations = checkInteger('options.iterations', options.iterations ?? 10000, 1);
  const seed = checkInteger('options.seed', options.seed ?? 42, 0);
  const names = options.names ?? { baseline: 'the baseline', candidate: 'the candidate' };
  const { pairs, unpaired } = pairConfigs(baseline, candidate, options.pairs);
  if (pairs.length === 0) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `no configuration of ${names.baseline} (${baseline.configs.map((c) => c.id).join(', ')}) pairs with one of ${names.candidate} (${candidate.configs.map((c) => c.id).join(', ')}): pass pairs (--pair <baseline id>=<candidate id>)`,
      { param: 'pairs' },
    );
  }
  const common = (id: string, r: BenchReport) => Object.keys(r.configs.find((c) => c.id === id)!.metrics);
  const available = common(pairs[0]!.baseline, baseline).filter((m) =>
    pairs.every(
      (p) => common(p.baseline, baseline).includes(m) && common(p.candidate, candidate).includes(m),
    ),
  );
  const metrics = [...(options.metrics ?? available)];
  if (metrics.length === 0)
    invalidArgument('options.metrics', options.metrics, 'a non-empty list of metrics');
  for (const m of metrics) {
    if (!available.includes(m))
      invalidArgument('options.metrics', m, `a metric of both reports (${available.join(', ')})`);
  }
  const primary = options.primaryMetric ?? metrics[0]!;
  if (!metrics.includes(primary))
    invalidArgument('options.primaryMetric', primary, `one of ${metrics.join(', ')}`);
  const ordered = [primary, ...metrics.filter((m) => m !== primary)];

  const warnings = provenanceWarnings(baseline, candidate);
  const aligned = alignQuestions(baseline, candidate, options.allowDifferentQuestions === true, names);
  warnings.push(...aligned.warnings);

  const configs: ConfigComparison[] = pairs.map((p) => {
    const metricsOut: Record<string, MetricDelta> = {};
    for (const m of ordered) {
      const a: number[] = [];
      const b: number[] = [];
      for (const { base, cand } of aligned.rows) {
        const x = base.scores[p.baseline]?.[m];
        const y = cand.scores[p.candidate]?.[m];
        if (finite(x) && finite(y)) {
          a.push(x);
          b.push(y);
        }
      }
      if (a.length === 0) continue;
      const r = comparePaired(a, b, { seed, iterations });
      metricsOut[m] = {
        baseline: mean(a),
        candidate: mean(b),
        delta: r.delta,
        wins: r.wins,
        losses: r.losses,
        ties: r.ties,
        n: a.length,
        pValue: r.pValue,
        adjustedP: r.pValue,
        significant: false,
      };
    }
    const hitsRecorded = aligned.rows.every((r) => r.base.hits?.[p.baseline] && r.cand.hits?.[p.candidate]);
    const questions = questionChanges(aligned.rows, p, ordered, primary, hitsRecorded);
    return {
      baseline: p.baseline,
      candidate: p.candidate,
      pairedBy: p.pairedBy,
      metrics: metricsOut,
      won: questions.filter((q) => q.outcome === 'won').length,
      lost: questions.filter((q) => q.outcome === 'lost').length,
      questions,
      hitsRecorded,
    };
  });
  // Holm per metric, over the configuration pairs that have it.
  for (const m of ordered) {
    const withM = configs.filter((c) => c.metrics[m]);
    const adjusted = holmAdjust(withM.map((c) => c.metrics[m]!.pValue));
    withM.forEach((c, i) => {
      c.metrics[m]!.adjustedP = adjusted[i]!;
      c.metrics[m]!.significant = adjusted[i]! < alpha;
    });
  }
  if (configs.some((c) => !c.hitsRecorded)) {
    warnings.push(
      'top-k hits are not recorded in one of the reports (older ragscope): moved hits are not shown',
    );
  }
  return {
    kind: 'ragscope-compare',
    version: 1,
    createdAt: new Date().toISOString(),
    baseline: summary(baseline, options.names?.baseline),
    candidate: summary(candidate, options.names?.candidate),
    warnings,
    questions: {
      compared: aligned.rows.length,
      baselineOnly: aligned.baselineOnly,
      candidateOnly: aligned.candidateOnly,
    },
    metrics: ordered,
    primaryMetric: primary,
    alpha,
    correction: 'holm',
    configs,
    unpaired,
  };
}

function questionChanges(
  rows: ReturnType<typeof alignQuestions>['rows'],
  p: { baseline: string; candidate: string },
  metrics: readonly string[],
  primary: string,
  hitsRecorded: boolean,
): QuestionChange[] {
  const out: QuestionChange[] = [];
  for (const { base, cand } of rows) {
    const deltas: Record<string, number> = {};
    let changed = false;
    for (const m of metrics) {
      const x = base.scores[p.baseline]?.[m];
      const y = cand.scores[p.candidate]?.[m];
      if (finite(x) && finite(y)) {
        deltas[m] = y - x;
        if (Math.abs(y - x) > 1e-12) changed = true;
      }
    }
    if (!changed) continue;
    const d = deltas[primary] ?? 0;
    const moves = hitsRecorded
      ? hitMoves(base.hits![p.baseline]!, cand.hits![p.candidate]!)
      : { movedIn: [], movedOut: [], rankChanges: [] };
    out.push({
      questionId: base.questionId,
      question: base.question,
      outcome: d > 1e-12 ? 'won' : d < -1e-12 ? 'lost' : 'tie',
      deltas,
      ...moves,
    });
  }
  const rank = { lost: 0, won: 1, tie: 2 } as const;
  return out.sort(
    (a, b) =>
      rank[a.outcome] - rank[b.outcome] ||
      (a.outcome === 'won'
        ? (b.deltas[primary] ?? 0) - (a.deltas[primary] ?? 0)
        : (a.deltas[primary] ?? 0) - (b.deltas[primary] ?? 0)),
  );
}

/**
 * Read and validate a `report.json`. A missing file is `NOT_FOUND`; a file that is not JSON is `CORRUPT_FILE` naming
 * the file and where it broke; a file with the wrong shape is `INVALID_ARGUMENT` naming the file and field.
 *
 * @example
 * ```ts
 * const baseline = await readReportFile('main/ragscope-report/report.json');
 * ```
 */
export async function readReportFile(file: string): Promise<BenchReport> {
  if (typeof file !== 'string' || file === '') invalidArgument('file', file, 'a path to report.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RagscopeError('NOT_FOUND', `report not found: ${file}`, { file }, err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RagscopeError(
      'CORRUPT_FILE',
      `${file} is not valid JSON: ${(err as Error).message}`,
      { file },
      err,
    );
  }
  try {
    return validateReport(json);
  } catch (err) {
    if (err instanceof RagscopeError) {
      throw new RagscopeError(err.code, `${file}: ${err.message}`, { ...err.details, file }, err);
    }
    throw err;
  }
}
