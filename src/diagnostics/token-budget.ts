import type { Chunk } from '../core/document.js';
import { checkInteger, invalidArgument } from '../core/errors.js';
import { type CountTokens, truncationOffset } from './tokens.js';

/**
 * Options of {@link tokenBudgetReport}.
 *
 * @example
 * ```ts
 * const options: TokenBudgetOptions = {
 *   countTokens: (t) => embedder.countTokens!(t), // required
 *   embedderMaxTokens: 256, // default: not checked
 *   rerankerMaxTokens: 512, // default: not checked
 *   reservedTokens: 2, // default 0; [CLS] and [SEP]
 *   previewChars: 200, // default
 *   examples: 20, // default
 * };
 * const report = await tokenBudgetReport(chunks, options);
 * ```
 */
export interface TokenBudgetOptions {
  /** The embedder's input budget in tokens (e.g. `embedder.maxTokens`). Default: not checked. */
  embedderMaxTokens?: number;
  /** The re-ranker's budget in tokens for the passage (after the query). Default: not checked. */
  rerankerMaxTokens?: number;
  /** Token counter of the model (e.g. `embedder.countTokens`, `tokenizer.count`). Required. */
  countTokens: CountTokens;
  /**
   * Tokens the model spends on special tokens (`[CLS]`, `[SEP]`...) out of the budget; they are subtracted from
   * both budgets. Default `0` (the counter is assumed to count what the budget counts).
   */
  reservedTokens?: number;
  /** Characters of dropped text kept per chunk in the report. Default `200`. */
  previewChars?: number;
  /** Over-budget chunks listed per budget, longest first. Default `20`. */
  examples?: number;
}

/**
 * One chunk over a budget.
 *
 * @example
 * ```ts
 * // A 12-word chunk against an 8-word budget (countTokens counting words):
 * const report = await tokenBudgetReport(chunks, { embedderMaxTokens: 8, countTokens: words });
 * const c: OverBudgetChunk | undefined = report.embedder?.examples[0];
 * c; // { chunkId: 'faq#0.062c75f4', docId: 'faq', tokens: 12, cutAt: 45, droppedChars: 25, droppedShare: 0.357, droppedPreview: 'orders over fifty euros. ' }
 * ```
 */
export interface OverBudgetChunk {
  chunkId: string;
  docId: string;
  tokens: number;
  /** Offset (in the chunk) where the model stops reading. */
  cutAt: number;
  /** Characters and share of the chunk the model never sees. */
  droppedChars: number;
  droppedShare: number;
  /** The start of the dropped tail. */
  droppedPreview: string;
}

/**
 * The report for one budget.
 *
 * @example
 * ```ts
 * const report = await tokenBudgetReport(chunks, { embedderMaxTokens: 8, countTokens: words });
 * const s: BudgetSection | undefined = report.embedder;
 * s; // { maxTokens: 8, over: 1, overShare: 0.5, droppedChars: 25, examples: [...] }
 * ```
 */
export interface BudgetSection {
  maxTokens: number;
  over: number;
  overShare: number;
  /** Total characters never seen by the model, over all chunks. */
  droppedChars: number;
  examples: OverBudgetChunk[];
}

/**
 * What {@link tokenBudgetReport} returns.
 *
 * @example
 * ```ts
 * const report: TokenBudgetReport = await tokenBudgetReport(chunks, { embedderMaxTokens: 8, rerankerMaxTokens: 12, countTokens: words });
 * report.chunks; // 2
 * report.embedder?.overShare; // 0.5: half the chunks are cut by the embedder
 * report.reranker?.over; // 0
 * ```
 */
export interface TokenBudgetReport {
  chunks: number;
  embedder?: BudgetSection;
  reranker?: BudgetSection;
}

/**
 * Chunks longer than the embedder's and the re-ranker's token budgets, with the tail text each model silently drops.
 *
 * @example
 * ```ts
 * const report = await tokenBudgetReport(chunks, { embedderMaxTokens: 256, countTokens: (t) => tok.count(t) });
 * report.embedder?.over; // chunks the embedder truncates
 * report.embedder?.examples[0].droppedPreview; // what it never reads
 * ```
 */
export async function tokenBudgetReport(
  chunks: readonly Chunk[],
  options: TokenBudgetOptions,
): Promise<TokenBudgetReport> {
  if (!Array.isArray(chunks)) invalidArgument('chunks', chunks, 'an array of chunks');
  if (!options || typeof options.countTokens !== 'function') {
    invalidArgument('options.countTokens', options?.countTokens, 'a function (text) => number');
  }
  const reserved = checkInteger('options.reservedTokens', options.reservedTokens ?? 0, 0);
  const previewChars = checkInteger('options.previewChars', options.previewChars ?? 200, 0);
  const maxExamples = checkInteger('options.examples', options.examples ?? 20, 0);
  const counts: number[] = [];
  for (const c of chunks) counts.push(await options.countTokens(c.text));
  const section = async (name: string, max: number): Promise<BudgetSection> => {
    const budget = checkInteger(name, max, 1) - reserved;
    if (budget < 1) invalidArgument('options.reservedTokens', reserved, `smaller than ${name} (${max})`);
    const over: OverBudgetChunk[] = [];
    let dropped = 0;
    for (const [i, c] of chunks.entries()) {
      if (counts[i]! <= budget) continue;
      const cut = await truncationOffset(c.text, budget, options.countTokens);
      const droppedChars = c.text.length - cut;
      dropped += droppedChars;
      over.push({
        chunkId: c.id,
        docId: c.docId,
        tokens: counts[i]!,
        cutAt: cut,
        droppedChars,
        droppedShare: c.text.length ? droppedChars / c.text.length : 0,
        droppedPreview: c.text.slice(cut, cut + previewChars),
      });
    }
    over.sort((a, b) => b.tokens - a.tokens);
    return {
      maxTokens: max,
      over: over.length,
      overShare: chunks.length ? over.length / chunks.length : 0,
      droppedChars: dropped,
      examples: over.slice(0, maxExamples),
    };
  };
  const report: TokenBudgetReport = { chunks: chunks.length };
  if (options.embedderMaxTokens !== undefined) {
    report.embedder = await section('options.embedderMaxTokens', options.embedderMaxTokens);
  }
  if (options.rerankerMaxTokens !== undefined) {
    report.reranker = await section('options.rerankerMaxTokens', options.rerankerMaxTokens);
  }
  return report;
}
