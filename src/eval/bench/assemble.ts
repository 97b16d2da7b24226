import type { BenchReport, Comparison, ConfigResult, PerQueryResult } from '../../report/types.js';
import { REPORT_VERSION } from '../../report/types.js';
import type { BenchOptions, BenchProgressEvent } from '../bench.js';
import type { EvalQuestion } from '../types.js';
import type { BenchTally } from './failures.js';
import { gateExpr } from './gate.js';
import type { BenchInsights } from './insights.js';
import { comparePairedMany } from './paired.js';
import { corpusHash, questionsHash } from './provenance.js';
import type { ResolvedBench } from './resolve.js';
import { ragscopeVersion } from './version.js';

/**
 * The bench report from everything the configurations accumulated: the per-query table, paired comparisons of
 * every configuration against the best one, the insights' diagnostics, provenance and the `failUnder` gate (a
 * failed gate adds a warning). Emits the `compare` and `done` progress events. @internal
 */
export function assembleReport(
  plan: ResolvedBench,
  options: BenchOptions,
  questions: readonly EvalQuestion[],
  ctx: {
    emit: (e: BenchProgressEvent) => void;
    warnings: string[];
    tally: BenchTally;
    insights: BenchInsights;
    diagnosed: boolean;
  },
): BenchReport {
  const { emit, warnings, tally, insights } = ctx;
  const { configs, failures } = tally;
  const { dataset, embedder, retrievers, primary, chunkers } = plan;
  const docs = dataset.documents;
  if (options.backend) warnings.push(options.backend.describe());
  // Per-query table, paired comparisons against the best configuration, gate.
  emit({
    phase: 'compare',
    chunker: '',
    chunkerIndex: chunkers.length,
    chunkers: chunkers.length,
    done: 0,
    total: 0,
  });
  const perQuery: PerQueryResult[] = questions.map((q) => ({
    questionId: q.id,
    question: q.text,
    scores: Object.fromEntries(
      configs.map((c) => [c.id, tally.scoresByConfig.get(c.id)!.perQuery.get(q.id)!]),
    ),
    hits: Object.fromEntries(configs.map((c) => [c.id, tally.scoresByConfig.get(c.id)!.hits.get(q.id)!])),
  }));
  const best = bestOf(configs, primary);
  const comparisons = pairedComparisons(plan, tally, questions, best);
  const report: BenchReport = {
    version: REPORT_VERSION,
    title: options.title ?? `ragscope bench: ${dataset.name}`,
    createdAt: new Date().toISOString(),
    tool: { name: 'ragscope', version: ragscopeVersion() },
    warnings,
    dataset: { name: dataset.name, documents: docs.length, questions: questions.length },
    embedder: embedder
      ? {
          id: embedder.id,
          dimensions: embedder.dimensions,
          ...(options.embedderFallback ? { fallback: true } : {}),
        }
      : { id: 'none (bm25 only)', dimensions: 0 },
    configs,
    perQuery,
    comparisons,
    failures,
    ...insights.result({
      questions: questions.length,
      best: best?.id,
      comparisons,
      failures,
      totalFailures: tally.totalFailures,
      diagnosed: ctx.diagnosed,
      diagnoseMs: tally.diagnoseMs,
    }),
    provenance: {
      corpusHash: corpusHash(docs),
      questionsHash: questionsHash(questions),
      chunkers: plan.chunkerSpecs,
      retrievers: plan.scoredKinds,
      embedder: embedder?.id ?? 'none',
      ...(retrievers.includes('hybrid+rerank') && options.reranker ? { reranker: options.reranker.id } : {}),
      ragscopeVersion: ragscopeVersion(),
      k: plan.k,
      mode: plan.mode,
    },
  };
  applyGate(report, plan, best);
  emit({
    phase: 'done',
    chunker: '',
    chunkerIndex: chunkers.length,
    chunkers: chunkers.length,
    done: 1,
    total: 1,
  });
  return report;
}

/** The configuration best on `metric` (the first of equals; NaN never wins), if any. */
function bestOf(configs: ConfigResult[], metric: string): ConfigResult | undefined {
  let best: ConfigResult | undefined;
  for (const c of configs) {
    const v = c.metrics[metric]!;
    if (Number.isFinite(v) && (!best || v > best.metrics[metric]!)) best = c;
  }
  return best;
}

/** A paired randomisation test of every other configuration against the best one, on the primary metric. */
function pairedComparisons(
  plan: ResolvedBench,
  tally: BenchTally,
  questions: readonly EvalQuestion[],
  best: ConfigResult | undefined,
): Comparison[] {
  const { primary, seed, iterations } = plan;
  const comparisons: Comparison[] = [];
  if (best && questions.length > 0) {
    const runOf = (id: string) =>
      questions.map((q) => tally.scoresByConfig.get(id)!.perQuery.get(q.id)![primary]!);
    const others = tally.configs.filter((c) => c.id !== best.id);
    // comparePaired of each against the best, sign flips drawn once (same values to the bit).
    const outcomes = comparePairedMany(
      runOf(best.id),
      others.map((c) => runOf(c.id)),
      { seed, iterations },
    );
    for (const [ci, c] of others.entries()) {
      const r = outcomes[ci]!;
      comparisons.push({
        a: c.id,
        b: best.id,
        metric: primary,
        wins: r.wins,
        losses: r.losses,
        ties: r.ties,
        pValue: r.pValue,
      });
    }
  }
  return comparisons;
}

/** Check the `failUnder` thresholds on every configuration (or the best) into `report.gate`, warning on a miss. */
function applyGate(report: BenchReport, plan: ResolvedBench, best: ConfigResult | undefined): void {
  const { gates, gateOn } = plan;
  if (gates.length === 0) return;
  const gated = gateOn === 'best' ? (best ? [best] : []) : report.configs;
  const misses: string[] = [];
  for (const g of gates) {
    for (const c of gated) {
      const v = c.metrics[g.metric]!;
      if (!(v >= g.value))
        misses.push(`${c.id}: ${g.metric} = ${Number.isFinite(v) ? v.toFixed(3) : 'n/a'} < ${g.value}`);
    }
  }
  report.gate = { expr: gates.map(gateExpr).join(', '), passed: misses.length === 0 };
  if (misses.length > 0) {
    const shown = misses.slice(0, 10).join('; ');
    report.warnings.push(
      `GATE FAILED (${gateOn === 'best' ? 'best configuration' : 'every configuration'} must reach ${report.gate.expr}): ${shown}${misses.length > 10 ? `; and ${misses.length - 10} more` : ''}`,
    );
  }
}
