import { CAUSE_ORDER, type CauseCode } from '../../src/diagnostics/index.js';
import type { Retriever } from './rescue.js';

/** One diagnosed real failure: the fixes that rescued it and what whyNot named. */
export interface Row {
  dataset: string;
  chunker: string;
  embedder: string;
  retriever: Retriever;
  qid: string;
  rescuers: CauseCode[];
  first: CauseCode | 'none';
  decisive: CauseCode[];
  ms: number;
}

/** A verdict is correct when whyNot's first cause is one whose fix rescued (when none rescued: `outranked`). */
export const correct = (r: Row) =>
  r.rescuers.length === 0 ? r.first === 'outranked' : r.rescuers.includes(r.first as CauseCode);
const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);

/** The accuracy, per-cause precision / recall and confusion tables of bench/whynot-real.ts, as Markdown lines. */
export function reportLines(
  rows: Row[],
  run: { t0: number; perConfig: number; seed: number; k: number },
): string[] {
  const { t0 } = run;
  const out: string[] = [];
  const groups = [...new Set(rows.map((r) => r.embedder))];
  out.push('| embedder | failures | first-cause correct | accuracy |', '|---|---|---|---|');
  for (const g of groups) {
    const rs = rows.filter((r) => r.embedder === g);
    out.push(
      `| ${g} | ${rs.length} | ${rs.filter(correct).length} | ${pct(rs.filter(correct).length, rs.length)} |`,
    );
  }
  out.push(
    `| **all** | ${rows.length} | ${rows.filter(correct).length} | ${pct(rows.filter(correct).length, rows.length)} |`,
  );
  out.push('', '| retriever | failures | accuracy |', '|---|---|---|');
  for (const rt of ['bm25', 'dense', 'hybrid', 'hybrid+rerank'] as const) {
    const rs = rows.filter((r) => r.retriever === rt);
    if (rs.length) out.push(`| ${rt} | ${rs.length} | ${pct(rs.filter(correct).length, rs.length)} |`);
  }
  const causes = CAUSE_ORDER.filter((c) =>
    rows.some((r) => r.rescuers.includes(c) || r.decisive.includes(c)),
  );
  for (const g of [...groups, 'all']) {
    const rs = rows.filter((r) => g === 'all' || r.embedder === g);
    out.push(
      '',
      `Per cause, ${g} (precision: of the failures whyNot marks decisive for the cause, share whose fix rescued; recall: of the failures the fix rescued, share whyNot marked decisive):`,
      '',
      '| cause | rescued by its fix | marked decisive | both | precision | recall |',
      '|---|---|---|---|---|---|',
    );
    for (const c of causes) {
      const resc = rs.filter((r) => r.rescuers.includes(c)).length;
      const dec = rs.filter((r) => r.decisive.includes(c)).length;
      const both = rs.filter((r) => r.rescuers.includes(c) && r.decisive.includes(c)).length;
      out.push(`| ${c} | ${resc} | ${dec} | ${both} | ${pct(both, dec)} | ${pct(both, resc)} |`);
    }
  }
  const truth = (r: Row) => CAUSE_ORDER.find((c) => r.rescuers.includes(c)) ?? 'none';
  const named = [...new Set(rows.map((r) => r.first))];
  out.push(
    '',
    'Confusion (rows: most upstream rescuing fix, or none; columns: first cause named):',
    '',
    `| truth \\ named | ${named.join(' | ')} |`,
    `|---|${named.map(() => '---').join('|')}|`,
  );
  for (const t of [...new Set(rows.map(truth))]) {
    out.push(
      `| ${t} | ${named.map((nm) => rows.filter((r) => truth(r) === t && r.first === nm).length).join(' | ')} |`,
    );
  }
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  out.push(
    '',
    `whyNot time per failure: median ${ms[Math.floor(ms.length / 2)]?.toFixed(0)} ms; total bench ${((performance.now() - t0) / 1000).toFixed(0)} s; ${run.perConfig} failures per (dataset, chunker, embedder, retriever), seed ${run.seed}, k ${run.k}.`,
  );
  return out;
}
