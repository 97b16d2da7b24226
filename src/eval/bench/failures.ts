import type { ConfigResult, FailureRecord, RetrieverKind } from '../../report/types.js';
import type { BenchProgressEvent } from '../bench.js';
import type { EvalQuestion } from '../types.js';
import type { IndexedConfig } from './index-config.js';
import type { ResolvedBench } from './resolve.js';
import type { Scored } from './score.js';
import { type Diagnostics, diagnose } from './why-not.js';

/** What a bench accumulates over its configurations, in the order they ran. @internal */
export interface BenchTally {
  configs: ConfigResult[];
  scoresByConfig: Map<string, Scored>;
  /** The failing questions recorded (at most `maxFailures` per configuration), with their why-not causes. */
  failures: FailureRecord[];
  /** Every failing question of every configuration, recorded or not. */
  totalFailures: number;
  diagnoseMs: number;
}

/** An empty {@link BenchTally}. @internal */
export function emptyTally(): BenchTally {
  return { configs: [], scoresByConfig: new Map(), failures: [], totalFailures: 0, diagnoseMs: 0 };
}

const mean = (xs: readonly number[]) =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;

const round = (ms: number) => Math.round(ms * 10) / 10;

function configId(chunker: string, retriever: RetrieverKind): string {
  return `${chunker} + ${retriever}`;
}

/**
 * Add to `tally` one row per retriever of a scored chunker configuration (mean metrics, chunk stats, timings),
 * then its first `maxFailures` failing questions, each with why-not causes unless diagnostics are unavailable, a
 * filter is set or the retriever is a query variant; emits a `diagnose` progress event per recorded failure.
 * @internal
 */
export async function recordConfigs(
  plan: ResolvedBench,
  config: IndexedConfig,
  scored: Map<RetrieverKind, Scored>,
  questions: readonly EvalQuestion[],
  ctx: {
    emit: (e: BenchProgressEvent) => void;
    warnings: string[];
    diagnostics: Diagnostics | null;
    tally: BenchTally;
  },
): Promise<void> {
  const { emit, warnings, diagnostics, tally } = ctx;
  const { spec, base, pipeline } = config;
  for (const retriever of plan.scoredKinds) {
    const s = scored.get(retriever)!;
    const id = configId(spec, retriever);
    const means: Record<string, number> = {};
    for (const m of plan.metrics) means[m] = mean(questions.map((q) => s.perQuery.get(q.id)![m]!));
    tally.configs.push({
      id,
      chunker: spec,
      retriever,
      chunkStats: config.stats,
      metrics: means,
      timings: {
        chunkMs: round(config.chunkMs),
        embedMs: retriever === 'bm25' ? 0 : round(config.embedMs),
        indexMs: round(config.indexMs),
        searchMs: round(s.searchMs),
      },
    });
    tally.scoresByConfig.set(id, s);
    const toRecord = s.failures.slice(0, plan.maxFailures);
    tally.totalFailures += s.failures.length;
    for (const [fi, q] of toRecord.entries()) {
      const td = performance.now();
      const diagnosed =
        diagnostics && !plan.filter && !retriever.includes(':')
          ? await diagnose(diagnostics, pipeline, retriever, q, plan.k, plan.mode, warnings)
          : { causes: [] };
      tally.diagnoseMs += performance.now() - td;
      tally.failures.push({ configId: id, questionId: q.id, question: q.text, ...diagnosed });
      emit({ ...base, phase: 'diagnose', done: fi + 1, total: toRecord.length });
    }
  }
}
