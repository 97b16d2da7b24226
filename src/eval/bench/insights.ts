import type { Chunk } from '../../core/document.js';
import { embedderTokenBudget, truncationWarning } from '../../diagnostics/token-budget.js';
import type { Embedder } from '../../embedders/types.js';
import type {
  BenchReport,
  Comparison,
  ConfigDiagnostics,
  FailureRecord,
  FusionEffect,
  RetrieverKind,
  TruncationRecord,
} from '../../report/types.js';
import type { FusionOptions } from '../../search/fusion.js';
import type { SearchTrace } from '../../search/types.js';
import type { EvalQuestion } from '../types.js';
import { questionAbstention, type TopScore } from './abstention.js';
import { summarizeCauses } from './cause-summary.js';
import { corpusTriage, type FusionChoice, fusionChoices, replayFusion } from './fusion-effects.js';
import { goldMatcher, goldRank } from './gold.js';
import type { RetrieverRun } from './rankings.js';
import { tiedWithBest } from './ties.js';

/** The trace stage whose top score is a retriever's final score. */
const FINAL_STAGE: Record<RetrieverKind, string> = {
  bm25: 'bm25',
  dense: 'vector',
  hybrid: 'fusion',
  'hybrid+rerank': 'rerank',
};

/** What {@link BenchInsights} needs to know about the run. @internal */
export interface InsightOptions {
  mode: 'spans' | 'docs';
  k: number;
  primary: string;
  retrievers: readonly RetrieverKind[];
  /** The configured fusion (default RRF k = 60). */
  fusion?: FusionOptions;
}

interface ChunkerState {
  spec: string;
  getChunk: (id: string) => Chunk | undefined;
  sums: Map<string, number[]>;
  tops: Map<RetrieverKind, TopScore[]>;
  rerank: { helped: number; hurt: number; unchanged: number; outside: number };
}

/**
 * Collects, while `runBench` searches, everything the report's diagnostics need beyond the metrics: truncated
 * chunks per chunker, the top score of each question per retriever (question-level abstention), re-ranker
 * helped/hurt counts, and the primary metric of each fusion choice replayed over the same traces (corpus triage).
 * @internal
 */
export class BenchInsights {
  private readonly choices: FusionChoice[];
  private readonly effects: FusionEffect[] = [];
  private readonly diagnostics: ConfigDiagnostics[] = [];
  private readonly truncation: TruncationRecord[] = [];
  private cur: ChunkerState | null = null;

  constructor(private readonly options: InsightOptions) {
    this.choices = fusionChoices(options.fusion);
  }

  /** Check a chunker's chunks against the embedder's token limit; returns the warning, if any. */
  async checkTokens(
    spec: string,
    chunks: readonly Chunk[],
    embedder: Embedder | undefined,
  ): Promise<string | null> {
    if (!embedder) return null;
    const section = await embedderTokenBudget(chunks, embedder);
    if (!section) return null;
    const line = truncationWarning(spec, embedder.id, section, chunks.length);
    const ex = section.examples[0];
    if (line && ex) {
      this.truncation.push({
        chunker: spec,
        model: embedder.id,
        maxTokens: section.maxTokens,
        chunks: chunks.length,
        over: section.over,
        longest: ex.tokens,
        droppedChars: section.droppedChars,
        example: {
          chunkId: ex.chunkId,
          docId: ex.docId,
          tokens: ex.tokens,
          droppedPreview: ex.droppedPreview,
        },
      });
    }
    return line;
  }

  startChunker(spec: string, getChunk: (id: string) => Chunk | undefined): void {
    this.cur = {
      spec,
      getChunk,
      sums: new Map(),
      tops: new Map(this.options.retrievers.map((r) => [r, []])),
      rerank: { helped: 0, hurt: 0, unchanged: 0, outside: 0 },
    };
  }

  /**
   * Record one question: `valuesOf(retriever)` gives the metrics the bench computed for it, `score(ids)` scores any
   * ranked chunk list the same way.
   */
  observe(
    q: EvalQuestion,
    trace: SearchTrace,
    runs: ReadonlyMap<RetrieverKind, RetrieverRun>,
    valuesOf: (retriever: RetrieverKind) => Record<string, number>,
    score: (chunkIds: string[]) => Record<string, number>,
  ): void {
    const cur = this.cur!;
    const { k, primary } = this.options;
    const stage = (name: string) => trace.stages.find((s) => s.stage === name);
    for (const r of this.options.retrievers) {
      const top = (stage(FINAL_STAGE[r] ?? 'fusion') ?? stage('fusion'))?.candidates[0]?.score;
      const recall = valuesOf(r)[`recall@${k}`] ?? 0;
      cur.tops.get(r)!.push({ score: top ?? null, answerable: recall > 0 });
    }
    const add = (label: string, v: number | undefined) => {
      const list = cur.sums.get(label) ?? [];
      list.push(v ?? Number.NaN);
      cur.sums.set(label, list);
    };
    const bm25 = stage('bm25');
    const vector = stage('vector');
    // A retriever the bench scored already is read back; otherwise its trace list is scored here.
    const has = (r: RetrieverKind) => this.options.retrievers.includes(r);
    const listValue = (r: 'bm25' | 'dense', st: typeof bm25) =>
      has(r) ? valuesOf(r)[primary] : st ? score(st.candidates.map((c) => c.chunkId))[primary] : Number.NaN;
    add('bm25', listValue('bm25', bm25));
    add('dense', listValue('dense', vector));
    if (bm25 && vector) {
      for (const choice of this.choices) add(choice.label, score(replayFusion(trace, choice))[primary]);
    }
    const rr = stage('rerank');
    const fusedRun = runs.get('hybrid')?.chunkIds ?? stage('fusion')?.candidates.map((c) => c.chunkId);
    const rerankRun = runs.get('hybrid+rerank');
    if (rr && fusedRun && rerankRun) {
      const isGold = goldMatcher(q, this.options.mode);
      const window = rr.candidates.length;
      const before = goldRank(fusedRun, isGold, cur.getChunk);
      const after = goldRank(rerankRun.chunkIds, isGold, cur.getChunk);
      if (before === null || before > window) cur.rerank.outside++;
      else if (after! < before) cur.rerank.helped++;
      else if (after! > before) cur.rerank.hurt++;
      else cur.rerank.unchanged++;
    }
  }

  endChunker(): void {
    const cur = this.cur!;
    const values: Record<string, number> = {};
    for (const [label, xs] of cur.sums) values[label] = xs.reduce((a, b) => a + b, 0) / xs.length;
    this.effects.push({ chunker: cur.spec, values });
    for (const r of this.options.retrievers) {
      const d: ConfigDiagnostics = {
        configId: `${cur.spec} + ${r}`,
        abstention: questionAbstention(FINAL_STAGE[r] ?? 'fusion', cur.tops.get(r)!),
      };
      if (r === 'hybrid+rerank') d.rerank = { ...cur.rerank };
      this.diagnostics.push(d);
    }
    this.cur = null;
  }

  /** The report fields, once every chunker is done and the comparisons are known. */
  result(input: {
    questions: number;
    best: string | undefined;
    comparisons: readonly Comparison[];
    failures: readonly FailureRecord[];
    totalFailures: number;
    diagnosed: boolean;
    diagnoseMs: number;
  }): Pick<BenchReport, 'causeSummary' | 'tiedWithBest' | 'triage' | 'truncation' | 'diagnostics'> {
    const out: ReturnType<BenchInsights['result']> = {
      triage: corpusTriage(this.options.primary, input.questions, this.effects),
      diagnostics: this.diagnostics,
    };
    if (this.truncation.length > 0) out.truncation = this.truncation;
    if (input.best) out.tiedWithBest = tiedWithBest(input.comparisons, input.best, this.options.primary);
    if (input.diagnosed)
      out.causeSummary = summarizeCauses(input.failures, input.totalFailures, input.diagnoseMs);
    return out;
  }
}
