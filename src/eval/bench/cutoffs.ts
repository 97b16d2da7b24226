import { checkInteger, invalidArgument } from '../../core/errors.js';

/**
 * Validate `BenchOptions.k` (one cut-off or several, e.g. `[5, 10]`) into a non-empty list without repeats, in the
 * order given; the first is the primary cut-off. Default `[5]` for span datasets (Chroma), `[10]` for document ones.
 * @internal
 */
export function resolveCutoffs(k: unknown, mode: 'spans' | 'docs'): number[] {
  if (k === undefined) return [mode === 'spans' ? 5 : 10];
  if (!Array.isArray(k)) return [checkInteger('options.k', k, 1)];
  if (k.length === 0) invalidArgument('options.k', k, 'a positive integer or a non-empty list of them');
  const ks = k.map((v, i) => checkInteger(`options.k[${i}]`, v, 1));
  if (new Set(ks).size !== ks.length) invalidArgument('options.k', k, 'a list without repeated cut-offs');
  return ks;
}

/** Names of the metrics a mode reports at every cut-off, cut-off by cut-off (k-free ones once). @internal */
export function metricNamesForCutoffs(mode: 'spans' | 'docs', ks: readonly number[]): string[] {
  const names = new Set<string>();
  for (const k of ks) {
    const atK =
      mode === 'spans'
        ? [`recall@${k}`, `precision@${k}`, `iou@${k}`, `precision_omega@${k}`]
        : [`ndcg_cut@${k}`, `recall@${k}`, `P@${k}`, 'recip_rank', 'map', `success@${k}`];
    for (const n of atK) names.add(n);
  }
  return [...names];
}

/** The cut-off a metric name is at (`recall@10` -> 10), when it is one of `ks`; else the primary (first) one. @internal */
export function cutoffOf(metric: string, ks: readonly number[]): number {
  const m = /@(\d+)$/.exec(metric);
  const k = m ? Number(m[1]) : Number.NaN;
  return ks.includes(k) ? k : ks[0]!;
}
