import type { Document } from '../core/document.js';
import type { Embedder } from '../embedders/types.js';
import type { ChatClient, ChatClientOptions } from './llm.js';

/**
 * Why a proposed question was not kept.
 * - `malformed`: the completion was not JSON with a `questions` array (counts one per completion).
 * - `invalid`: an item without a question or without string excerpts.
 * - `excerpt-not-found`: an excerpt does not occur verbatim in the document.
 * - `copies-excerpt`: the question repeats its excerpt word for word (lexical overlap above `maxOverlap`).
 * - `near-duplicate`: the question embeds within `dedupeThreshold` cosine of a question already kept.
 *
 * @example
 * ```ts
 * const r: DropReason = 'excerpt-not-found';
 * ```
 */
export type DropReason = 'malformed' | 'invalid' | 'excerpt-not-found' | 'copies-excerpt' | 'near-duplicate';

/**
 * The settings a generated set was made with (a resumed run must use the same ones).
 *
 * @example
 * ```ts
 * const s: GenerationSettings = { model: 'llama3.1:8b', url: 'http://localhost:11434/v1/chat/completions',
 *   promptVersion: 'ragscope-generate-v1', seed: 42, temperature: 0, questionsPerUnit: 3, windowChars: 8000 };
 * ```
 */
export interface GenerationSettings {
  model: string;
  url: string;
  promptVersion: string;
  seed: number;
  temperature: number;
  questionsPerUnit: number;
  windowChars: number;
}

/**
 * One line of the generated JSONL: ragscope's question format (`loadJsonl`, `ragscope bench --questions`) plus
 * provenance.
 *
 * @example
 * ```ts
 * const line: GeneratedLine = { id: 'g-1a2b3c4d5e6f70', question: 'How long do refunds take?', docs: ['billing.md'],
 *   spans: [{ doc: 'billing.md', start: 120, end: 184, text: 'Refunds reach your card within 5 business days.' }],
 *   provenance: { model: 'llama3.1:8b', promptVersion: 'ragscope-generate-v1', seed: 42, unit: 'billing.md@0', generator: 'ragscope 0.1.0' } };
 * ```
 */
export interface GeneratedLine {
  id: string;
  question: string;
  docs: string[];
  spans: Array<{ doc: string; start: number; end: number; text: string }>;
  provenance: { model: string; promptVersion: string; seed: number; unit: string; generator: string };
}

/**
 * A progress event of `generateQuestions`.
 *
 * @example
 * ```ts
 * const onProgress = (e: GenerateProgress) => console.error(`${e.done}/${e.total} windows, ${e.kept} kept`);
 * ```
 */
export interface GenerateProgress {
  /** Windows finished (including those already done before a resume). */
  done: number;
  /** Windows in the run. */
  total: number;
  /** Questions kept so far. */
  kept: number;
  /** Windows whose request failed in this run (retried on the next). */
  failed: number;
}

/**
 * Options of `generateQuestions`.
 *
 * @example
 * ```ts
 * const opts: GenerateOptions = { documents, llm: { baseURL: 'http://localhost:11434/v1', model: 'llama3.1:8b' },
 *   out: 'questions.jsonl', questionsPerUnit: 3, concurrency: 2 };
 * ```
 */
export interface GenerateOptions {
  /** The corpus. Required. Document ids become the `doc` of each span. */
  documents: readonly Document[];
  /** The chat endpoint: a {@link ChatClient} or its options. Required. */
  llm: ChatClient | ChatClientOptions;
  /** The JSONL file to append questions to; `<out>.state.json` holds the resume state. Required. */
  out: string;
  /** Embeds questions for the near-duplicate filter. Default `new HashingEmbedder()`. */
  embedder?: Embedder;
  /** Questions asked per window. Default 3. */
  questionsPerUnit?: number;
  /** Longest window of a document sent in one request, in characters. Default 8000. */
  windowChars?: number;
  /** Use a seeded random sample of this many windows. Default all. */
  maxUnits?: number;
  /** Seed of the window sample and of the requests (`seed` field). Default 42. */
  seed?: number;
  /** Sampling temperature. Default 0. */
  temperature?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Cosine at or above which a question is a near-duplicate of one kept before. Default 0.85 (suits the hashing embedder: a reworded duplicate scores ~0.86, unrelated questions under 0.25). */
  dedupeThreshold?: number;
  /** Lexical overlap (see `DropReason`) above which a question copies its excerpt. Default 0.6 (a question in its own words shares about half its word pairs with its excerpt when it names entities, a copied one two thirds or more). */
  maxOverlap?: number;
  /** Called after each window. Default none. */
  onProgress?: (e: GenerateProgress) => void;
}

/**
 * What a generation run produced and why the rest was dropped (over the whole set, resumed parts included).
 *
 * @example
 * ```ts
 * const r = await generateQuestions(opts);
 * console.log(`${r.kept} kept; dropped ${JSON.stringify(r.dropped)}; ${r.usage.promptTokens} prompt tokens`);
 * ```
 */
export interface GenerationReport {
  /** The JSONL file. */
  out: string;
  /** The state file. */
  stateFile: string;
  /** The settings (recorded in the state file). */
  settings: GenerationSettings;
  /** Windows: in the run, done before this run (resumed), done now, failed now (retry by running again). */
  units: { total: number; resumed: number; generated: number; failed: number };
  /** Questions proposed by the model over the set (items of parsed completions, plus one per malformed completion). */
  proposed: number;
  /** Questions kept (lines in the JSONL). */
  kept: number;
  /** Dropped questions per reason. */
  dropped: Record<DropReason, number>;
  /** The failed windows and why. */
  failures: Array<{ unit: string; message: string }>;
  /** Token usage over the set (from the server's `usage`), and requests made in this run. */
  usage: { promptTokens: number; completionTokens: number; requests: number };
  /** Problems that did not stop the run (e.g. a truncated last line removed on resume). */
  warnings: string[];
}

/** Resolved options. @internal */
export interface Resolved {
  documents: readonly Document[];
  client: ChatClient;
  embedder: Embedder;
  settings: GenerationSettings;
  maxUnits: number | undefined;
  concurrency: number;
  dedupeThreshold: number;
  maxOverlap: number;
  onProgress: ((e: GenerateProgress) => void) | undefined;
}
