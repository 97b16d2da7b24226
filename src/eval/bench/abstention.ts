import { calibration } from '../../diagnostics/calibration.js';
import type { Abstention } from '../../report/types.js';

/** One question's top final score (null: no candidate at all) and whether its top k hold relevant context. @internal */
export interface TopScore {
  score: number | null;
  answerable: boolean;
}

/**
 * Question-level abstention (see {@link Abstention}): AUROC of the top score separating questions whose top k hold
 * relevant context from those that hold none (from `calibration`, over one labelled score per question), and the
 * threshold maximising F1 of "top score < threshold means no relevant context". A question with no candidate at all
 * counts as scoring below every other question.
 * @internal
 */
export function questionAbstention(stage: string, rows: readonly TopScore[]): Abstention {
  const finite = rows.map((r) => r.score).filter((s): s is number => s !== null && Number.isFinite(s));
  const floor = finite.length > 0 ? Math.min(...finite) - 1 : 0;
  const scored = rows.map((r) => ({ score: r.score ?? floor, answerable: r.answerable }));
  const answerable = scored.filter((r) => r.answerable).length;
  const unanswerable = scored.length - answerable;
  const [cal] = calibration(scored.map((r) => ({ stage, score: r.score, relevant: r.answerable })));
  const auroc = cal && answerable > 0 && unanswerable > 0 ? cal.auc : Number.NaN;
  const out: Abstention = {
    score: stage,
    auroc,
    answerable,
    unanswerable,
    threshold: Number.NaN,
    precision: Number.NaN,
    recall: Number.NaN,
    f1: Number.NaN,
  };
  if (answerable === 0 || unanswerable === 0) return out;
  // Candidate thresholds: every distinct score (flag everything strictly below it), ascending.
  const sorted = [...scored].sort((a, b) => a.score - b.score);
  let flagged = 0;
  let flaggedUnanswerable = 0;
  let best: { t: number; p: number; r: number; f1: number } | null = null;
  for (let i = 0; i < sorted.length; i++) {
    const t = sorted[i]!.score;
    if (i > 0 && sorted[i - 1]!.score === t) continue;
    // Everything before i scores < t and is flagged.
    if (flagged > 0) {
      const p = flaggedUnanswerable / flagged;
      const r = flaggedUnanswerable / unanswerable;
      const f1 = p + r > 0 ? (2 * p * r) / (p + r) : 0;
      if (!best || f1 > best.f1) best = { t, p, r, f1 };
    }
    let j = i;
    while (j < sorted.length && sorted[j]!.score === t) {
      flagged++;
      if (!sorted[j]!.answerable) flaggedUnanswerable++;
      j++;
    }
  }
  if (best) Object.assign(out, { threshold: best.t, precision: best.p, recall: best.r, f1: best.f1 });
  return out;
}
