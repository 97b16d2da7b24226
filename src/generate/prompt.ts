import type { ChatMessage } from './llm.js';

/**
 * Version of the generation prompt, recorded in every generated question's provenance. Bump it when the prompt
 * text changes: a resumed run refuses to mix versions.
 *
 * @example
 * ```ts
 * PROMPT_VERSION; // 'ragscope-generate-v1'
 * ```
 */
export const PROMPT_VERSION = 'ragscope-generate-v1';

const SYSTEM = `You write evaluation questions for a document search system, following Chroma's chunking-evaluation method.
You read a document and write questions a user could ask whose answer is in the document, each with the exact excerpts of the document that answer it.
Rules:
- Each excerpt must be copied character for character from the document: same words, punctuation, capitalisation and spacing. Do not paraphrase, shorten with "...", or fix typos.
- Excerpts are the shortest passages that fully answer the question (a sentence or a few sentences); give 1 to 5 per question.
- Do not copy an excerpt into the question: ask it in your own words, as a user who has not read the document would.
- Questions must be specific to this document and answerable from the excerpts alone. No two questions may ask the same thing.
Answer with JSON only, no commentary: {"questions": [{"question": "...", "excerpts": ["...", "..."]}]}`;

/**
 * The chat messages asking for `count` questions about `text` (a window of document `docId`). They depend only on
 * their arguments, so a request is the same on every run (with the same seed, servers that honour it answer alike).
 * @internal
 */
export function buildMessages(docId: string, text: string, count: number): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM },
    {
      role: 'user',
      content: `Document "${docId}":\n<document>\n${text}\n</document>\n\nWrite ${count} question${count === 1 ? '' : 's'} with their exact excerpts.`,
    },
  ];
}

/** A question the model proposed, before any filter. @internal */
export interface Candidate {
  question: string;
  excerpts: string[];
}

/**
 * Read the model's answer: JSON `{"questions": [...]}` (or a bare array, or one `{question, excerpts}` object),
 * possibly inside a Markdown code fence or after some prose. Returns the candidates, or the reason the answer
 * cannot be used. Candidates without a question or without excerpts are reported as `invalid` items.
 * @internal
 */
export function parseCompletion(
  content: string,
): { candidates: Candidate[]; invalid: number } | { error: string } {
  const json = extractJson(content);
  if (json === undefined) return { error: `not JSON: ${JSON.stringify(content.slice(0, 80))}` };
  const list = Array.isArray(json)
    ? json
    : Array.isArray((json as { questions?: unknown })?.questions)
      ? (json as { questions: unknown[] }).questions
      : typeof (json as { question?: unknown })?.question === 'string'
        ? [json]
        : undefined;
  if (!list) return { error: 'JSON without a "questions" array' };
  const candidates: Candidate[] = [];
  let invalid = 0;
  for (const item of list) {
    const q = (item as { question?: unknown })?.question;
    const ex =
      (item as { excerpts?: unknown; references?: unknown })?.excerpts ??
      (item as { references?: unknown })?.references;
    const excerpts = Array.isArray(ex)
      ? ex
          .map((e) => (typeof e === 'string' ? e : (e as { content?: unknown })?.content))
          .filter((e): e is string => typeof e === 'string' && e.trim() !== '')
      : [];
    if (
      typeof q !== 'string' ||
      q.trim() === '' ||
      excerpts.length === 0 ||
      (Array.isArray(ex) && excerpts.length !== ex.length)
    ) {
      invalid++;
      continue;
    }
    candidates.push({ question: q.trim(), excerpts });
  }
  return { candidates, invalid };
}

function extractJson(content: string): unknown {
  const attempts = [content.trim()];
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(content);
  if (fence) attempts.push(fence[1]!.trim());
  const first = content.search(/[[{]/);
  const last = Math.max(content.lastIndexOf('}'), content.lastIndexOf(']'));
  if (first >= 0 && last > first) attempts.push(content.slice(first, last + 1));
  for (const a of attempts) {
    try {
      return JSON.parse(a);
    } catch {
      // try the next reading
    }
  }
  return undefined;
}
