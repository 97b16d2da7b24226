import { RagscopeError, showValue } from '../../core/errors.js';

/**
 * One `--fail-under` threshold: every gated configuration must reach `value` on `metric`.
 *
 * @example
 * ```ts
 * const t: GateThreshold = { metric: 'recall@5', value: 0.8 };
 * ```
 */
export interface GateThreshold {
  /** A metric name as the report shows it (`recall@5`, `iou@5`, `ndcg_cut@10`...). */
  metric: string;
  /** The minimum accepted mean, inclusive. */
  value: number;
}

/**
 * Parse a `metric=value` gate expression (as `--fail-under` takes it). `>=` is accepted in place of `=`.
 * Throws `RagscopeError('INVALID_ARGUMENT')` naming the expression otherwise.
 *
 * @example
 * ```ts
 * parseGate('recall@5=0.8'); // { metric: 'recall@5', value: 0.8 }
 * ```
 */
export function parseGate(expr: string): GateThreshold {
  const m =
    typeof expr === 'string' ? /^\s*([^=<>\s]+)\s*>?=\s*(-?\d+(?:\.\d+)?|-?\.\d+)\s*$/.exec(expr) : null;
  if (!m) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `fail-under must be "<metric>=<number>" (e.g. recall@5=0.8), got ${showValue(expr)}`,
      { param: 'failUnder', value: expr },
    );
  }
  return { metric: m[1]!, value: Number(m[2]) };
}

/** Display form of a threshold: `recall@5=0.8`. @internal */
export function gateExpr(t: GateThreshold): string {
  return `${t.metric}=${t.value}`;
}
