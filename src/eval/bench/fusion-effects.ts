import type { CorpusTriage, FusionEffect } from '../../report/types.js';
import type { FusionOptions } from '../../search/fusion.js';
import type { SearchTrace } from '../../search/types.js';
import { fusedIdsFromTrace } from './fusion-replay.js';

/** A fusion choice replayed over every question's trace. @internal */
export interface FusionChoice {
  label: string;
  options: FusionOptions;
  /** The configured fusion: its list is the trace's own fusion stage (no replay needed). */
  configured: boolean;
}

/** Label of a fusion choice: method, its parameter, and the weights when they are not equal. @internal */
export function fusionLabel(o: FusionOptions): string {
  const method = o.method ?? 'rrf';
  const w = o.weights;
  const weights =
    w && (w.bm25 ?? 1) !== (w.vector ?? 1) ? ` bm25 ${w.bm25 ?? 1} / vector ${w.vector ?? 1}` : '';
  if (method === 'rrf') return `hybrid rrf k=${o.rrfK ?? 60}${weights}`;
  return `hybrid ${method} ${o.normalization ?? 'minmax'}${weights}`;
}

/**
 * The fusion choices the corpus triage measures: the configured one first, then RRF (k = 60) and weighted sums of
 * min-max and z-score normalised scores with equal weights, without repeats. (CombMNZ is left out: on two lists
 * it ranks almost as the min-max weighted sum, and each replay costs about a sixth of a search.)
 * @internal
 */
export function fusionChoices(configured: FusionOptions | undefined): FusionChoice[] {
  const all: FusionOptions[] = [
    configured ?? { method: 'rrf', rrfK: 60 },
    { method: 'rrf', rrfK: 60 },
    { method: 'weighted', normalization: 'minmax' },
    { method: 'weighted', normalization: 'zscore' },
  ];
  const seen = new Set<string>();
  const out: FusionChoice[] = [];
  for (const [i, options] of all.entries()) {
    const label = fusionLabel(options);
    if (seen.has(label)) continue;
    seen.add(label);
    out.push({ label, options, configured: i === 0 });
  }
  return out;
}

/**
 * Chunk ids of a fusion choice over one trace: the recorded fusion stage for the configured choice, else the
 * fusion replayed over the recorded lists (no re-query; the same ids in the same order as `fuseFromTrace`).
 * @internal
 */
export function replayFusion(trace: SearchTrace, choice: FusionChoice): string[] {
  const recorded = choice.configured ? trace.stages.find((s) => s.stage === 'fusion') : undefined;
  if (recorded) return recorded.candidates.map((c) => c.chunkId);
  return fusedIdsFromTrace(trace, choice.options);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/**
 * Corpus-level triage from the per-chunker effects: a retriever is "much weaker" when, averaged over chunkers, its
 * primary metric is below 80% of the other's and at least 0.1 lower. The findings say so first, then what each
 * fusion choice measured on the same questions.
 * @internal
 */
export function corpusTriage(metric: string, questions: number, effects: FusionEffect[]): CorpusTriage {
  const out: CorpusTriage = { metric, findings: [], effects };
  const usable = effects.filter((e) => Number.isFinite(e.values.bm25) && Number.isFinite(e.values.dense));
  if (usable.length === 0) return out;
  const bm25 = mean(usable.map((e) => e.values.bm25!));
  const dense = mean(usable.map((e) => e.values.dense!));
  const [weak, strong, wv, sv] =
    bm25 < dense ? (['bm25', 'dense', bm25, dense] as const) : (['dense', 'bm25', dense, bm25] as const);
  if (!(wv < 0.8 * sv && sv - wv >= 0.1)) return out;
  out.weak = { retriever: weak, value: wv, strong, strongValue: sv };
  const weakerOn = usable.filter((e) => e.values[weak]! < e.values[strong]!).length;
  const over =
    usable.length > 1 ? ` (mean over ${usable.length} chunkers; weaker on ${weakerOn} of them)` : '';
  out.findings.push(
    `${weak} is much weaker than ${strong} on these ${questions} questions: ${metric} ${f3(wv)} vs ${f3(sv)}${over}. ` +
      `Every failure's why-not will meet this; the fix is the ${weak === 'dense' ? 'embedder (or leaving dense out)' : 'lexical side (analyzer, query terms)'}, not per-question tuning.`,
  );
  // Fusion choices: how many chunkers each beats the strong retriever alone on, and the best one per chunker.
  const labels = Object.keys(usable[0]!.values).filter((l) => l !== 'bm25' && l !== 'dense');
  const parts = labels.map((l) => {
    const m = mean(usable.map((e) => e.values[l] ?? Number.NaN));
    return `${l} ${f3(m)}`;
  });
  const beats = labels.filter((l) => usable.every((e) => (e.values[l] ?? -1) > e.values[strong]!));
  out.findings.push(
    `Measured in this run (${metric}, mean over chunkers): ${strong} alone ${f3(sv)}, ${weak} alone ${f3(wv)}, ${parts.join(', ')}. ` +
      (beats.length > 0
        ? `${beats.join(' and ')} beat${beats.length === 1 ? 's' : ''} ${strong} alone on every chunker.`
        : `No fusion choice beats ${strong} alone on every chunker: fusing with ${weak} costs more than it adds here.`),
  );
  return out;
}
