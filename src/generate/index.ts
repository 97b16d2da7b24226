/**
 * ragscope/generate — evaluation questions with exact gold spans, written by any OpenAI-compatible chat model and
 * filtered by Chroma's method (verbatim excerpts, no copied questions, no near-duplicates), resumable.
 * @packageDocumentation
 */
export { generateQuestions } from './generate.js';
export {
  ChatClient,
  type ChatClientOptions,
  type ChatCompletion,
  type ChatMessage,
  parseLlmSpec,
} from './llm.js';
export { PROMPT_VERSION } from './prompt.js';
export type {
  DropReason,
  GeneratedLine,
  GenerateOptions,
  GenerateProgress,
  GenerationReport,
  GenerationSettings,
} from './types.js';
