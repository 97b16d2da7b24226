import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createChunker } from '../../src/chunkers/spec.js';
import {
  embedderTokenBudget,
  tokenBudgetReport,
  truncationWarning,
} from '../../src/diagnostics/token-budget.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { TransformersEmbedder } from '../../src/embedders/transformers.js';
import { loadChromaSpans } from '../../src/eval/datasets/chroma.js';

const SHARED = path.resolve(__dirname, '../../../shared');

describe('embedderTokenBudget on a Chroma corpus with the real MiniLM tokenizer (256-token limit)', () => {
  it('finds the same over-limit chunks and example as the exact report, and estimates the dropped text', async () => {
    const tok = new TransformersEmbedder({
      model: 'all-MiniLM-L6-v2-tokenizer',
      localModelPath: path.join(SHARED, 'models'),
      allowRemoteModels: false,
    });
    const model = { id: 'minilm', maxTokens: 256, countTokens: (t: string) => tok.countTokens(t) };
    const ds = await loadChromaSpans(path.join(SHARED, 'data/chroma'));
    const doc = ds.documents.find((d) => d.id === 'chatlogs')!;
    const chunks = await createChunker('recursive:1500/0').chunk(doc);
    const fast = (await embedderTokenBudget(chunks, model))!;
    const exact = (
      await tokenBudgetReport(chunks, { embedderMaxTokens: 256, countTokens: model.countTokens })
    ).embedder!;
    expect(fast.over).toBeGreaterThan(0);
    expect(fast.over).toBe(exact.over);
    expect(fast.examples).toEqual([exact.examples[0]]);
    expect(fast.droppedCharsEstimated).toBe(true);
    expect(Math.abs(fast.droppedChars - exact.droppedChars) / exact.droppedChars).toBeLessThan(0.15);
    const line = truncationWarning('recursive:1500/0', 'minilm', fast, chunks.length)!;
    expect(line).toContain(`${fast.over} of ${chunks.length} chunks`);
    expect(line).toContain(`about ${fast.droppedChars} characters are never embedded`);
    expect(line).toContain(fast.examples[0]!.chunkId);
  }, 60_000);

  it('returns null for a model without a token limit (hashing), and no warning when nothing is over', async () => {
    const chunks = await createChunker('recursive:200/0').chunk({ id: 'a', text: 'short text. '.repeat(40) });
    expect(await embedderTokenBudget(chunks, new HashingEmbedder())).toBeNull();
    const none = (await embedderTokenBudget(chunks, {
      id: 'w',
      maxTokens: 500,
      countTokens: (t) => t.length,
    }))!;
    expect(none.over).toBe(0);
    expect(truncationWarning('recursive:200/0', 'w', none, chunks.length)).toBeNull();
  });
});
