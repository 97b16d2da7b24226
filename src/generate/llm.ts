import { checkInteger, invalidArgument, RagscopeError } from '../core/errors.js';
import { postJsonWithRetry } from '../core/http-retry.js';

/**
 * Options of {@link ChatClient}.
 *
 * @example
 * ```ts
 * const opts: ChatClientOptions = { baseURL: 'http://localhost:11434/v1', model: 'llama3.1:8b', timeoutMs: 120_000 };
 * ```
 */
export interface ChatClientOptions {
  /**
   * Server base URL as OpenAI clients take it (`https://api.openai.com/v1`, vLLM / llama.cpp server / LM Studio
   * `http://localhost:8000/v1`, Ollama `http://localhost:11434/v1`). `/chat/completions` is appended unless present.
   */
  baseURL: string;
  /** Model name sent in each request. Required. */
  model: string;
  /** API key (`Authorization: Bearer`). Default: the variable named by `apiKeyEnv`; no key, no header. */
  apiKey?: string;
  /** Environment variable holding the key. Default `'OPENAI_API_KEY'`. */
  apiKeyEnv?: string;
  /** Retries after a 429, a 5xx, a network error or a timeout. Default 4. */
  maxRetries?: number;
  /** First retry delay in ms, doubled each retry; `Retry-After` wins. Default 1000. */
  retryDelayMs?: number;
  /** Longest wait between retries in ms. Default 60000. */
  maxRetryDelayMs?: number;
  /** Per-request timeout in ms. Default 120000. */
  timeoutMs?: number;
  /** Extra request headers. Default none. */
  headers?: Record<string, string>;
}

/**
 * One chat message.
 *
 * @example
 * ```ts
 * const m: ChatMessage = { role: 'user', content: 'Write one question about this text.' };
 * ```
 */
export interface ChatMessage {
  /** Who speaks. */
  role: 'system' | 'user' | 'assistant';
  /** The text. */
  content: string;
}

/**
 * A completion and what it cost.
 *
 * @example
 * ```ts
 * const c: ChatCompletion = { content: '{"questions": []}', promptTokens: 812, completionTokens: 96, attempts: 1 };
 * ```
 */
export interface ChatCompletion {
  /** The assistant message's text. */
  content: string;
  /** `usage.prompt_tokens` (0 when the server does not report usage). */
  promptTokens: number;
  /** `usage.completion_tokens` (0 when not reported). */
  completionTokens: number;
  /** HTTP attempts made (1 + retries). */
  attempts: number;
}

/**
 * Parse `--llm http:<URL>#<model>` (also `https:`), e.g. `http:http://localhost:11434/v1#llama3.1:8b`. Throws
 * `RagscopeError('INVALID_SPEC')` naming the spec otherwise.
 *
 * @example
 * ```ts
 * parseLlmSpec('http:https://api.openai.com/v1#gpt-4o-mini'); // { baseURL: 'https://api.openai.com/v1', model: 'gpt-4o-mini' }
 * ```
 */
export function parseLlmSpec(spec: string): { baseURL: string; model: string } {
  const m = typeof spec === 'string' ? /^http:(https?:\/\/[^#\s]+)#(.+)$/.exec(spec.trim()) : null;
  if (!m) {
    throw new RagscopeError(
      'INVALID_SPEC',
      `llm must be "http:<URL of an OpenAI-compatible server>#<model>" (e.g. http:http://localhost:11434/v1#llama3.1:8b), got ${JSON.stringify(spec)}`,
      { param: 'llm', value: spec },
    );
  }
  return { baseURL: m[1]!, model: m[2]! };
}

/**
 * A client of any OpenAI-compatible `POST /v1/chat/completions` server (OpenAI, vLLM, Ollama, llama.cpp server,
 * LM Studio). 429 and 5xx answers, network errors and timeouts are retried with exponential backoff honouring
 * `Retry-After` (the HTTP embedder's retry code); other errors throw `RagscopeError('HTTP_ERROR')` with the server's
 * message; a body without `choices[0].message.content` throws `HTTP_ERROR` saying so.
 *
 * @example
 * ```ts
 * import { ChatClient } from 'ragscope/generate';
 * const llm = new ChatClient({ baseURL: 'http://localhost:11434/v1', model: 'llama3.1:8b' });
 * const { content, promptTokens } = await llm.complete([{ role: 'user', content: 'Say hi' }], { temperature: 0, seed: 1 });
 * ```
 */
export class ChatClient {
  readonly url: string;
  readonly model: string;
  private readonly policy: {
    maxRetries: number;
    retryDelayMs: number;
    maxRetryDelayMs: number;
    timeoutMs: number;
  };
  private readonly headers: Record<string, string>;

  constructor(options: ChatClientOptions) {
    if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
    const { baseURL, model } = options;
    if (typeof baseURL !== 'string' || !/^https?:\/\/[^/]/.test(baseURL)) {
      invalidArgument('baseURL', baseURL, 'an http(s) URL such as "http://localhost:11434/v1"');
    }
    if (typeof model !== 'string' || model === '') invalidArgument('model', model, 'a non-empty model name');
    this.policy = {
      maxRetries: checkInteger('maxRetries', options.maxRetries ?? 4, 0),
      retryDelayMs: checkInteger('retryDelayMs', options.retryDelayMs ?? 1000, 0),
      maxRetryDelayMs: checkInteger('maxRetryDelayMs', options.maxRetryDelayMs ?? 60_000, 0),
      timeoutMs: checkInteger('timeoutMs', options.timeoutMs ?? 120_000, 1),
    };
    const env = options.apiKeyEnv ?? 'OPENAI_API_KEY';
    const key = options.apiKey ?? process.env[env];
    this.headers = { ...(options.headers ?? {}), ...(key ? { authorization: `Bearer ${key}` } : {}) };
    this.url = /\/chat\/completions\/?$/.test(baseURL)
      ? baseURL
      : `${baseURL.replace(/\/+$/, '')}/chat/completions`;
    this.model = model;
  }

  /** Send `messages`; return the first choice's text and the token usage. */
  async complete(
    messages: ChatMessage[],
    options: { temperature?: number; seed?: number; maxTokens?: number } = {},
  ): Promise<ChatCompletion> {
    const body: Record<string, unknown> = { model: this.model, messages };
    if (options.temperature !== undefined) body.temperature = options.temperature;
    if (options.seed !== undefined) body.seed = options.seed;
    if (options.maxTokens !== undefined) body.max_tokens = options.maxTokens;
    const label = `POST ${this.url} (model ${this.model})`;
    const { text, attempts } = await postJsonWithRetry(this.url, body, this.headers, this.policy, label);
    let json: {
      choices?: Array<{ message?: { content?: unknown } }>;
      usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
    };
    try {
      json = JSON.parse(text);
    } catch {
      throw new RagscopeError(
        'HTTP_ERROR',
        `${label}: malformed response: body is not JSON (${JSON.stringify(text.slice(0, 80))})`,
        {
          url: this.url,
          body: text.slice(0, 2000),
        },
      );
    }
    const content = json?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      throw new RagscopeError(
        'HTTP_ERROR',
        `${label}: malformed response: no choices[0].message.content string`,
        {
          url: this.url,
          body: text.slice(0, 2000),
        },
      );
    }
    const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
    return {
      content,
      promptTokens: n(json.usage?.prompt_tokens),
      completionTokens: n(json.usage?.completion_tokens),
      attempts,
    };
  }
}
