import { checkInteger, checkNumber, RagscopeError } from '../core/errors.js';
import { seededRandom } from './prng.js';

/**
 * Options of {@link comparePaired}.
 *
 * @example
 * ```ts
 * comparePaired(a, b, { test: 'bootstrap', iterations: 5000, seed: 1, confidence: 0.9 });
 * ```
 */
export interface ComparePairedOptions {
  /**
   * `'randomization'` (default): two-sided paired randomisation (sign-flip permutation) test of the mean
   * difference. `'bootstrap'`: two-sided paired bootstrap test (resampling per-question differences, centred
   * on 0 under the null) — it also returns a percentile confidence interval.
   */
  test?: 'randomization' | 'bootstrap';
  /** Random resamples. Default 10000. */
  iterations?: number;
  /** PRNG seed: the same seed gives the same p-value. Default 42. */
  seed?: number;
  /**
   * Randomisation test only: enumerate all 2^n sign assignments instead of sampling (exact p-value).
   * Allowed for n <= 20. Default `false`.
   */
  exact?: boolean;
  /** Also compute a bootstrap percentile confidence interval of `delta` (always done for `'bootstrap'`). Default false. */
  ci?: boolean;
  /** Confidence level of the interval. Default 0.95. */
  confidence?: number;
  /** Per-question differences with |b - a| <= tolerance count as ties. Default 1e-12. */
  tolerance?: number;
}

/**
 * Result of {@link comparePaired}.
 *
 * @example
 * ```ts
 * const { delta, wins, losses, pValue } = comparePaired(bm25PerQuery, hybridPerQuery);
 * ```
 */
export interface PairedComparison {
  meanA: number;
  meanB: number;
  /** meanB - meanA. */
  delta: number;
  /** Questions where B scored higher than A. */
  wins: number;
  /** Questions where B scored lower than A. */
  losses: number;
  ties: number;
  /** Two-sided p-value of "no difference"; 1 when the runs are identical. */
  pValue: number;
  /** The test that produced `pValue`, e.g. `'randomization (exact, 1024 assignments)'`. */
  method: string;
  /** Confidence interval of `delta` (bootstrap percentile), when asked for or with `test: 'bootstrap'`. */
  ci?: { lower: number; upper: number; confidence: number };
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length === 0 ? 0 : s / xs.length;
}

function bootstrapMeans(
  d: readonly number[],
  iterations: number,
  rand: () => number,
  shift: number,
): number[] {
  const n = d.length;
  const out = new Array<number>(iterations);
  for (let it = 0; it < iterations; it++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(rand() * n)]! - shift;
    out[it] = s / n;
  }
  return out;
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Compare two runs scored on the same questions (`runA[i]` and `runB[i]` are the same question): means,
 * per-question wins/losses/ties of B over A, and a two-sided paired significance test with a seeded PRNG.
 * Randomisation: p = (1 + #{|mean of sign-flipped differences| >= |observed|}) / (1 + iterations)
 * (exact enumeration divides by 2^n without the +1). Bootstrap: the same count over resampled differences
 * centred on 0.
 *
 * @example
 * ```ts
 * const r = comparePaired([0.2, 0.4, 0.1, 0.5], [0.6, 0.7, 0.3, 0.9], { seed: 7 });
 * r.delta; // 0.325
 * r.wins; // 4
 * comparePaired([0, 1, 0, 1], [1, 1, 1, 1], { exact: true }).pValue; // 0.5: 8 of the 16 sign assignments are as extreme
 * ```
 */
export function comparePaired(
  runA: readonly number[],
  runB: readonly number[],
  options: ComparePairedOptions = {},
): PairedComparison {
  const test = options.test ?? 'randomization';
  if (test !== 'randomization' && test !== 'bootstrap') {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `test must be 'randomization' or 'bootstrap', got ${String(test)}`,
      {
        param: 'test',
        value: test,
      },
    );
  }
  const iterations = checkInteger('iterations', options.iterations ?? 10000, 1);
  const seed = checkInteger('seed', options.seed ?? 42, 0);
  const confidence = checkNumber('confidence', options.confidence ?? 0.95, 0, 1);
  const tol = checkNumber('tolerance', options.tolerance ?? 1e-12, 0);
  if (!Array.isArray(runA) || !Array.isArray(runB) || runA.length !== runB.length || runA.length === 0) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `runA and runB must be non-empty arrays of the same length, got lengths ${runA?.length} and ${runB?.length}`,
      { param: 'runA/runB' },
    );
  }
  runA.forEach((v, i) => {
    checkNumber(`runA[${i}]`, v);
  });
  runB.forEach((v, i) => {
    checkNumber(`runB[${i}]`, v);
  });
  const n = runA.length;
  const d = runB.map((b, i) => b - runA[i]!);
  let wins = 0;
  let losses = 0;
  for (const x of d) {
    if (x > tol) wins++;
    else if (x < -tol) losses++;
  }
  const observed = Math.abs(mean(d));
  // A permuted statistic "as extreme" as observed, with slack for floating-point summation order.
  const eps = 1e-12 * (1 + observed);
  const rand = seededRandom(seed);
  let pValue: number;
  let method: string;
  if (test === 'randomization') {
    if (options.exact) {
      if (n > 20) invalidExact(n);
      let extreme = 0;
      const total = 2 ** n;
      for (let mask = 0; mask < total; mask++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += mask & (1 << i) ? -d[i]! : d[i]!;
        if (Math.abs(s / n) >= observed - eps) extreme++;
      }
      pValue = extreme / total;
      method = `randomization (exact, ${total} assignments)`;
    } else {
      let extreme = 0;
      for (let it = 0; it < iterations; it++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += rand() < 0.5 ? -d[i]! : d[i]!;
        if (Math.abs(s / n) >= observed - eps) extreme++;
      }
      pValue = (extreme + 1) / (iterations + 1);
      method = `randomization (${iterations} samples, seed ${seed})`;
    }
  } else {
    const centred = bootstrapMeans(d, iterations, rand, mean(d));
    let extreme = 0;
    for (const m of centred) if (Math.abs(m) >= observed - eps) extreme++;
    pValue = (extreme + 1) / (iterations + 1);
    method = `bootstrap (${iterations} samples, seed ${seed})`;
  }
  const result: PairedComparison = {
    meanA: mean(runA),
    meanB: mean(runB),
    delta: mean(d),
    wins,
    losses,
    ties: n - wins - losses,
    pValue: Math.min(1, pValue),
    method,
  };
  if (test === 'bootstrap' || options.ci) {
    const sorted = bootstrapMeans(d, iterations, seededRandom(seed + 1), 0).sort((a, b) => a - b);
    const alpha = (1 - confidence) / 2;
    result.ci = { lower: quantile(sorted, alpha), upper: quantile(sorted, 1 - alpha), confidence };
  }
  return result;
}

function invalidExact(n: number): never {
  throw new RagscopeError(
    'INVALID_ARGUMENT',
    `exact must be false for more than 20 paired values, got n = ${n}`,
    {
      param: 'exact',
      value: n,
    },
  );
}
