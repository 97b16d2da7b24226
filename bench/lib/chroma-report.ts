/** What bench/chroma.ts measures per setting, and its markdown tables. */
import type { SpanEvaluation } from '../../src/eval/metrics/evaluate-spans.js';
import { SETTINGS } from './chroma-settings.js';
import type { LocateStats } from './langchain-chunker.js';
import { SPAN_RETRIEVERS, type SpanRetriever } from './span-run.js';

/** One retriever's span metrics (mean ± std over the questions). */
export type Summary = SpanEvaluation['summary'];
/** What one setting produced (JSON-serialisable, so shard processes can send it back). */
export interface ImplResult {
  spec: string;
  chunks: number;
  meanTokens: number;
  maxTokens: number;
  summary: Record<SpanRetriever, Summary>;
  /** Wall seconds of each phase, and the process CPU seconds of the whole run (what balances the shards). */
  seconds: { chunk: number; index: number; search: number; cpu: number };
}
/** Both implementations of one setting ({@link SETTINGS}`[index]`), and how far their chunks agree. */
export interface SettingResult {
  index: number;
  ours?: ImplResult;
  langchain?: ImplResult;
  /** Chunks with the same [docId, start, end) in both, over the larger count. */
  sameRanges?: number;
  /** A few ragscope / LangChain chunks that differ, to look at. */
  differences?: string[];
  locate?: Omit<LocateStats, 'lostExamples'> & { lostExamples: LocateStats['lostExamples'] };
  zeroVectorChunks: number;
}

/** The results as markdown: the metric table, then the chunk counts and agreement with LangChain, then the cost. */
export function render(
  results: SettingResult[],
  wall: number,
  cpu: number,
  embedderId: string,
  jobs: number,
): string {
  const pct = (m: { mean: number; std: number }) =>
    `${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)}`;
  const out: string[] = [
    `Embedder for dense/hybrid and for the semantic/cluster chunkers: ${embedderId}. k = 5; 472 questions; all 5 corpora in one collection.`,
    '',
    '| Chunking | Size (~mean cl100k) | Overlap | Splitter | Retriever | Recall | Precision | PrecisionΩ | IoU |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const def = SETTINGS[r.index]!;
    for (const impl of ['ours', 'langchain'] as const) {
      const x = r[impl];
      if (!x) continue;
      for (const ret of SPAN_RETRIEVERS) {
        const s = x.summary[ret];
        out.push(
          `| ${def.label} | ${def.size} (~${Math.round(x.meanTokens)}) | ${def.overlap} | ${impl === 'ours' ? 'ragscope' : 'LangChain'} | ${ret} | ${pct(s.recall)} | ${pct(s.precision)} | ${pct(s.precisionOmega)} | ${pct(s.iou)} |`,
        );
      }
    }
  }
  out.push(
    '',
    '| Chunking | Size | Overlap | ragscope: chunks (~mean, max tokens), chunk s | LangChain: chunks (~mean, max tokens), chunk s | same [start,end) | LangChain chunks located exact / repaired / lost | paper (~N) |',
    '|---|---|---|---|---|---|---|---|',
  );
  const desc = (x?: ImplResult) =>
    x ? `${x.chunks} (~${x.meanTokens.toFixed(0)}, ${x.maxTokens}), ${x.seconds.chunk.toFixed(1)} s` : '—';
  for (const r of results) {
    const def = SETTINGS[r.index]!;
    const loc = r.locate ? `${r.locate.exact} / ${r.locate.repaired} / ${r.locate.lost}` : '—';
    const same = r.sameRanges === undefined ? '—' : `${(100 * r.sameRanges).toFixed(1)}%`;
    out.push(
      `| ${def.label} | ${def.size} | ${def.overlap} | ${desc(r.ours)} | ${desc(r.langchain)} | ${same} | ${loc} | ${def.paper} |`,
    );
  }
  const zero = results.reduce((m, r) => Math.max(m, r.zeroVectorChunks), 0);
  out.push(
    '',
    `Wall time ${wall.toFixed(1)} s with ${jobs} process(es); CPU ${cpu.toFixed(1)} s in all. Up to ${zero} chunk texts per setting embed to the zero vector (no in-vocabulary word): the pipeline keeps them in BM25 only.`,
  );
  return out.join('\n');
}
