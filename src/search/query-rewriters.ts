import { checkInteger, RagscopeError } from '../core/errors.js';
import { ChatClient, type ChatClientOptions } from '../generate/llm.js';
import type { QueryRewriter } from './query-variants.js';

/** Version of the rewrite prompts below, recorded in each rewriter's id. */
const PROMPT_VERSION = 'v1';

/**
 * Options of the LLM query rewriters: the OpenAI-compatible chat endpoint (the same client as `ragscope generate`,
 * with its retries and timeout) plus sampling settings.
 *
 * @example
 * ```ts
 * const o: LlmRewriterOptions = { baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.1:8b', n: 3, temperature: 0 };
 * ```
 */
export interface LlmRewriterOptions extends ChatClientOptions {
  /** Multi-query: number of rephrasings asked for. Default 3. */
  n?: number;
  /** Sampling temperature sent to the server. Default 0. */
  temperature?: number;
  /** Seed sent to the server (where it honours one). Default none. */
  seed?: number;
}

const wrap = (q: string) => `<question>\n${q}\n</question>`;

/** The JSON array of strings in a reply (code fences and text around it tolerated), or a clear error. */
function parseArray(id: string, content: string): string[] {
  const at = content.indexOf('[');
  const end = content.lastIndexOf(']');
  let parsed: unknown;
  try {
    parsed = at >= 0 && end > at ? JSON.parse(content.slice(at, end + 1)) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string'))
    throw new RagscopeError(
      'HTTP_ERROR',
      `query rewriter ${id}: the model did not answer with a JSON array of strings: ${JSON.stringify(content.slice(0, 200))}`,
      { param: 'rewrite', value: content.slice(0, 2000) },
    );
  return parsed as string[];
}

function memo(id: string, ask: (q: string) => Promise<string[]>): QueryRewriter {
  const seen = new Map<string, Promise<string[]>>();
  return {
    id,
    rewrite(query) {
      let p = seen.get(query);
      if (!p) {
        p = ask(query);
        seen.set(query, p);
        p.catch(() => seen.delete(query));
      }
      return p;
    },
  };
}

function sampling(o: LlmRewriterOptions) {
  return { temperature: o.temperature ?? 0, ...(o.seed !== undefined ? { seed: o.seed } : {}) };
}

/**
 * Multi-query rewriting through an OpenAI-compatible chat endpoint: the model writes `n` self-contained
 * rephrasings of the query as a JSON array; each is searched and fused with the original by
 * {@link QueryVariantSearch}. Replies are remembered per query for the rewriter's lifetime. A reply that is not a
 * JSON array of strings is a `RagscopeError` quoting it.
 *
 * @example
 * ```ts
 * const rewriter = multiQueryRewriter({ baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.1:8b', n: 3 });
 * await rewriter.rewrite('refund delay'); // e.g. ['How long does a refund take?', ...]
 * ```
 */
export function multiQueryRewriter(options: LlmRewriterOptions): QueryRewriter {
  const client = new ChatClient(options);
  const n = checkInteger('n', options.n ?? 3, 1);
  const id = `multiquery:${client.model}:n${n}:${PROMPT_VERSION}`;
  return memo(id, async (query) => {
    const reply = await client.complete(
      [
        { role: 'system', content: 'You rewrite search queries for a document retrieval system.' },
        {
          role: 'user',
          content: `Write ${n} different rephrasings of the question below, each self-contained and using other words where it can. Answer with a JSON array of ${n} strings and nothing else.\n${wrap(query)}`,
        },
      ],
      sampling(options),
    );
    return parseArray(id, reply.content);
  });
}

/**
 * HyDE (hypothetical document embeddings) through an OpenAI-compatible chat endpoint: the model writes a short
 * passage that would answer the query, and that passage is searched (by every retriever of the search, dense and
 * lexical alike) and fused with the original by {@link QueryVariantSearch}.
 *
 * @example
 * ```ts
 * const rewriter = hydeRewriter({ baseURL: 'http://127.0.0.1:11434/v1', model: 'llama3.1:8b' });
 * const search = new QueryVariantSearch(pipeline, rewriter);
 * ```
 */
export function hydeRewriter(options: LlmRewriterOptions): QueryRewriter {
  const client = new ChatClient(options);
  const id = `hyde:${client.model}:${PROMPT_VERSION}`;
  return memo(id, async (query) => {
    const reply = await client.complete(
      [
        {
          role: 'system',
          content: 'You write passages that answer questions, as they would appear in a document.',
        },
        {
          role: 'user',
          content: `Write a short passage (three to five sentences) that answers the question below, as it might appear in a reference document. Answer with the passage only.\n${wrap(query)}`,
        },
      ],
      sampling(options),
    );
    const passage = reply.content.trim();
    if (passage === '')
      throw new RagscopeError(
        'HTTP_ERROR',
        `query rewriter ${id}: the model answered with an empty passage`,
        {
          param: 'rewrite',
        },
      );
    return [passage];
  });
}
