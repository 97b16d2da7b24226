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
  /**
   * True when `droppedChars` is an estimate (see {@link embedderTokenBudget}): each over-budget chunk counted as
   * dropping the share `1 - budget / tokens` of its characters. Absent: exact.
   */
  droppedCharsEstimated?: boolean;
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

/**
 * A model with a token limit, as {@link embedderTokenBudget} reads it (an `Embedder` satisfies it).
 *
 * @example
 * ```ts
 * const model: TokenLimitedModel = { id: 'my-model', maxTokens: 256, countTokens: (t) => t.split(/\s+/).length };
 * ```
 */
export interface TokenLimitedModel {
  readonly id: string;
  readonly maxTokens?: number;
  countTokens?(text: string): number | Promise<number>;
}

/**
 * The embedder section of {@link tokenBudgetReport} for a model that knows its limit and counts its own tokens, or
 * `null` when it does not (hashing and static word-vector embedders have no limit). Transformers embedders
 * (`id` starting `transformers:`) count without `[CLS]`/`[SEP]` while their limit includes them, so 2 tokens are
 * reserved for those. Every chunk is counted once; only the longest over-budget chunk (the one example) is cut
 * exactly, and `droppedChars` is estimated (`droppedCharsEstimated: true`), which keeps the check well under the
 * cost of embedding.
 *
 * @example
 * ```ts
 * const section = await embedderTokenBudget(chunks, { id: 'words', maxTokens: 8, countTokens: (t) => t.split(' ').length });
 * section?.over; // chunks longer than 8 words
 * ```
 */
export async function embedderTokenBudget(
  chunks: readonly Chunk[],
  model: TokenLimitedModel,
): Promise<BudgetSection | null> {
  if (!model || typeof model !== 'object') invalidArgument('model', model, 'an embedder');
  if (!Array.isArray(chunks)) invalidArgument('chunks', chunks, 'an array of chunks');
  const max = model.maxTokens;
  if (max === undefined || typeof model.countTokens !== 'function') return null;
  const budget =
    checkInteger('model.maxTokens', max, 1) -
    (model.id.startsWith('transformers:') ? Math.min(2, max - 1) : 0);
  const count = (t: string) => model.countTokens!(t);
  // One count per chunk; the exact cut (a binary search of ~log2(length) counts) only for the longest chunk, the
  // example: cutting every over-budget chunk exactly cost 3x the embedding itself on the Chroma corpora.
  let over = 0;
  let dropped = 0;
  let longest: { chunk: Chunk; tokens: number } | null = null;
  for (const c of chunks) {
    const tokens = await count(c.text);
    if (tokens <= budget) continue;
    over++;
    dropped += Math.round(c.text.length * (1 - budget / tokens));
    if (!longest || tokens > longest.tokens) longest = { chunk: c, tokens };
  }
  const examples: OverBudgetChunk[] = [];
  if (longest) {
    const { chunk, tokens } = longest;
    const cut = await truncationOffset(chunk.text, budget, count);
    const droppedChars = chunk.text.length - cut;
    examples.push({
      chunkId: chunk.id,
      docId: chunk.docId,
      tokens,
      cutAt: cut,
      droppedChars,
      droppedShare: chunk.text.length ? droppedChars / chunk.text.length : 0,
      droppedPreview: chunk.text.slice(cut, cut + 200),
    });
  }
  return {
    maxTokens: max,
    over,
    overShare: chunks.length ? over / chunks.length : 0,
    droppedChars: dropped,
    droppedCharsEstimated: true,
    examples,
  };
}

/**
 * One warning line for an over-budget section, or `null` when no chunk is over: how many chunks exceed the limit,
 * by how much, how much text the model never reads, and the longest chunk with the start of its dropped tail.
 *
 * @example
 * ```ts
 * const section = await embedderTokenBudget(chunks, embedder);
 * const line = section && truncationWarning('recursive:800/400', embedder.id, section, chunks.length);
 * if (line) console.warn(line);
 * // 'recursive:800/400: 37 of 704 chunks (5.3%) exceed the 512-token limit of transformers:... by up to 1179 tokens ...'
 * ```
 */
export function truncationWarning(
  label: string,
  modelId: string,
  section: BudgetSection,
  chunks: number,
): string | null {
  const first = section.examples[0];
  if (section.over === 0 || !first) return null;
  const pct = chunks > 0 ? ((100 * section.over) / chunks).toFixed(1) : '0';
  const tail = first.droppedPreview.replace(/\s+/g, ' ').trim().slice(0, 60);
  return (
    `${label}: ${section.over} of ${chunks} chunks (${pct}%) exceed the ${section.maxTokens}-token limit of ${modelId} ` +
    `by up to ${first.tokens - section.maxTokens} tokens (longest ${first.tokens} tokens); ${section.droppedCharsEstimated ? 'about ' : ''}${section.droppedChars} characters are never embedded. ` +
    `E.g. chunk ${first.chunkId} of ${first.docId} is cut at character ${first.cutAt}, dropping "${tail}…" (${(first.droppedShare * 100).toFixed(0)}% of it). ` +
    'Use a smaller chunk size in tokens of this model.'
  );
}
