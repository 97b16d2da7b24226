import { existsSync, statSync } from 'node:fs';
import type { Tokenizer } from '../chunkers/length.js';
import { HfTokenizer, TiktokenTokenizer } from '../chunkers/tokenizer.js';

const TIKTOKEN = new Set(['cl100k_base', 'o200k_base', 'p50k_base', 'r50k_base', 'gpt2']);

/**
 * The tokenizer for `tokens`-unit chunker specs: `--tokenizer` (a js-tiktoken encoding such as `cl100k_base`, a
 * Hugging Face `tokenizer.json` file or a folder holding one), or `cl100k_base` (what Chroma's evaluation counts in)
 * when a spec needs tokens and none was given. Returns undefined when nothing needs one.
 * @internal
 */
export async function resolveTokenizer(
  flag: string | undefined,
  specs: readonly string[],
): Promise<Tokenizer | undefined> {
  const needed = specs.some((s) => /:tokens\b/.test(s));
  if (flag === undefined) return needed ? TiktokenTokenizer.load('cl100k_base') : undefined;
  if (TIKTOKEN.has(flag)) return TiktokenTokenizer.load(flag);
  if (existsSync(flag)) {
    return statSync(flag).isDirectory() ? HfTokenizer.fromDirectory(flag) : HfTokenizer.fromFile(flag);
  }
  const { UsageError } = await import('./errors.js');
  throw new UsageError(
    `--tokenizer must be a tiktoken encoding (${[...TIKTOKEN].join(', ')}), a tokenizer.json file or a folder holding one, got ${JSON.stringify(flag)}`,
  );
}
