import { checkDimensions, checkInteger, invalidArgument, RagscopeError } from '../core/errors.js';
import { hashHex } from '../core/hash.js';
import { postJsonWithRetry } from '../core/http-retry.js';
import type { Embedder, EmbedOptions } from './types.js';

/**
 * Options of {@link HttpEmbedder}.
 *
 * @example
 * ```ts
 * const options: HttpEmbedderOptions = {
 *   baseURL: 'http://localhost:8080/v1', // required; '/embeddings' is appended
 *   model: 'bge-small-en-v1.5', // required
 *   apiKeyEnv: 'OPENAI_API_KEY', // default; no key, no Authorization header
 *   maxBatch: 32, // default 64
 *   maxRetries: 4, // default
 *   timeoutMs: 60_000, // default
 *   queryPrefix: 'Represent this sentence for searching relevant passages: ', // default ''
 * };
 * const embedder = new HttpEmbedder(options);
 * ```
 */
export interface HttpEmbedderOptions {
  /**
   * Server base URL, as OpenAI clients take it: `https://api.openai.com/v1`, `http://localhost:8080/v1` (TEI,
   * vLLM, LM Studio), `http://localhost:11434/v1` (Ollama). `/embeddings` is appended unless the URL already ends
   * with it. Required.
   */
  baseURL: string;
  /** Model name sent in each request (e.g. `text-embedding-3-small`). Required. */
  model: string;
  /** API key sent as `Authorization: Bearer <key>`. Default: the environment variable named by `apiKeyEnv`. */
  apiKey?: string;
  /** Environment variable holding the key when `apiKey` is not given. Default `'OPENAI_API_KEY'`. No key, no header. */
  apiKeyEnv?: string;
  /**
   * Expected vector length. Default: discovered from the first response. When `requestDimensions` is set it is
   * also sent as the `dimensions` request field (OpenAI text-embedding-3 models shorten their vectors).
   */
  dimensions?: number;
  /** Send `dimensions` in each request. Default `false`. */
  requestDimensions?: boolean;
  /** Most texts per request. Default `64`. */
  maxBatch?: number;
  /** Retries after a 429, a 5xx, a network error or a timeout. Default `4`. */
  maxRetries?: number;
  /** First retry delay in ms, doubled each retry (with jitter); a `Retry-After` header wins. Default `500`. */
  retryDelayMs?: number;
  /** Longest wait between retries in ms (caps `Retry-After` too). Default `30000`. */
  maxRetryDelayMs?: number;
  /** Per-request timeout in ms. Default `60000`. */
  timeoutMs?: number;
  /** Extra request headers. Default none. */
  headers?: Record<string, string>;
  /** Text put before every query. Default `''`. */
  queryPrefix?: string;
  /** Text put before every passage. Default `''`. */
  passagePrefix?: string;
}

/**
 * Embeddings from an OpenAI-compatible `POST /v1/embeddings` server: OpenAI, Hugging Face TEI, vLLM, Ollama,
 * LM Studio... Texts are sent in batches of at most `maxBatch`; 429 and 5xx answers, network errors and timeouts are
 * retried with exponential backoff (honouring `Retry-After`); other 4xx answers throw `RagscopeError('HTTP_ERROR')`
 * carrying the server's message; a malformed body (bad JSON, wrong number of vectors, wrong dimension, non-numbers)
 * throws `HTTP_ERROR` saying what was wrong. Uses the global `fetch` (Node 18+).
 *
 * @example
 * ```ts
 * import { HttpEmbedder } from 'ragscope/embedders';
 * const openai = new HttpEmbedder({ baseURL: 'https://api.openai.com/v1', model: 'text-embedding-3-small' }); // key from OPENAI_API_KEY
 * const tei = new HttpEmbedder({ baseURL: 'http://localhost:8080/v1', model: 'bge-small-en-v1.5', maxBatch: 32 });
 * const [v] = await tei.embed(['refund policy'], { kind: 'query' });
 * ```
 */
export class HttpEmbedder implements Embedder {
  readonly id: string;
  readonly url: string;
  readonly model: string;
  readonly maxBatch: number;
  private dims: number | undefined;
  private readonly o: Required<Omit<HttpEmbedderOptions, 'apiKey' | 'dimensions' | 'headers'>> & {
    headers: Record<string, string>;
  };
  private readonly apiKey: string | undefined;

  constructor(options: HttpEmbedderOptions) {
    if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
    const { baseURL, model } = options;
    if (typeof baseURL !== 'string' || !/^https?:\/\/[^/]/.test(baseURL)) {
      invalidArgument('baseURL', baseURL, 'an http(s) URL such as "http://localhost:8080/v1"');
    }
    if (typeof model !== 'string' || model === '') invalidArgument('model', model, 'a non-empty model name');
    if (options.dimensions !== undefined) checkDimensions('dimensions', options.dimensions);
    const apiKeyEnv = options.apiKeyEnv ?? 'OPENAI_API_KEY';
    if (typeof apiKeyEnv !== 'string' || apiKeyEnv === '')
      invalidArgument('apiKeyEnv', apiKeyEnv, 'a variable name');
    if (options.apiKey !== undefined && typeof options.apiKey !== 'string') {
      invalidArgument('apiKey', '<hidden>', 'a string');
    }
    for (const key of ['queryPrefix', 'passagePrefix'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'string')
        invalidArgument(key, options[key], 'a string');
    }
    this.o = {
      baseURL,
      model,
      apiKeyEnv,
      requestDimensions: options.requestDimensions ?? false,
      maxBatch: checkInteger('maxBatch', options.maxBatch ?? 64, 1),
      maxRetries: checkInteger('maxRetries', options.maxRetries ?? 4, 0),
      retryDelayMs: checkInteger('retryDelayMs', options.retryDelayMs ?? 500, 0),
      maxRetryDelayMs: checkInteger('maxRetryDelayMs', options.maxRetryDelayMs ?? 30_000, 0),
      timeoutMs: checkInteger('timeoutMs', options.timeoutMs ?? 60_000, 1),
      headers: { ...(options.headers ?? {}) },
      queryPrefix: options.queryPrefix ?? '',
      passagePrefix: options.passagePrefix ?? '',
    };
    if (this.o.requestDimensions && options.dimensions === undefined) {
      invalidArgument('dimensions', undefined, 'set when requestDimensions is true');
    }
    this.apiKey = options.apiKey ?? (typeof process !== 'undefined' ? process.env[apiKeyEnv] : undefined);
    this.url = /\/embeddings\/?$/.test(baseURL) ? baseURL : `${baseURL.replace(/\/+$/, '')}/embeddings`;
    this.model = model;
    this.maxBatch = this.o.maxBatch;
    this.dims = options.dimensions;
    const prefixes = this.o.queryPrefix || this.o.passagePrefix;
    this.id =
      `http:${this.url}#${model}` +
      (this.o.requestDimensions ? `:d${options.dimensions}` : '') +
      (prefixes
        ? `:prefix-${hashHex(`${this.o.queryPrefix}\u0000${this.o.passagePrefix}`).slice(0, 8)}`
        : '');
  }

  /**
   * Vector length: given in the options or learned from the first response. Reading it before either throws
   * `MODEL_UNAVAILABLE` (call {@link HttpEmbedder.load} first).
   */
  get dimensions(): number {
    if (this.dims === undefined) {
      throw new RagscopeError(
        'MODEL_UNAVAILABLE',
        `HttpEmbedder(${this.model}).dimensions is unknown until the server first answers: pass { dimensions } or await embedder.load()`,
        { model: this.model },
      );
    }
    return this.dims;
  }

  /**
   * Learn `dimensions` by embedding one short text (no-op when already known).
   *
   * @example
   * ```ts
   * await embedder.load(); embedder.dimensions; // 1536
   * ```
   */
  async load(): Promise<void> {
    if (this.dims === undefined) await this.embed(['dimension probe']);
  }

  /** Embed texts in batches of at most `maxBatch`, in order. */
  async embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]> {
    if (!Array.isArray(texts)) invalidArgument('texts', texts, 'an array of strings');
    texts.forEach((t, i) => {
      if (typeof t !== 'string') invalidArgument(`texts[${i}]`, t, 'a string');
    });
    const kind = options?.kind ?? 'passage';
    if (kind !== 'query' && kind !== 'passage') invalidArgument('kind', kind, "'query' or 'passage'");
    const prefix = kind === 'query' ? this.o.queryPrefix : this.o.passagePrefix;
    const out: Float32Array[] = [];
    for (let b = 0; b < texts.length; b += this.maxBatch) {
      const batch = texts.slice(b, b + this.maxBatch).map((t) => prefix + t);
      out.push(...(await this.request(batch)));
    }
    return out;
  }

  private async request(input: string[]): Promise<Float32Array[]> {
    const body: Record<string, unknown> = { model: this.model, input, encoding_format: 'float' };
    if (this.o.requestDimensions) body.dimensions = this.dims;
    const headers: Record<string, string> = { ...this.o.headers };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const { text } = await postJsonWithRetry(
      this.url,
      body,
      headers,
      this.o,
      `POST ${this.url} (model ${this.model})`,
    );
    return this.parse(text, input.length);
  }

  private parse(text: string, expected: number): Float32Array[] {
    const bad = (what: string): never => {
      throw new RagscopeError(
        'HTTP_ERROR',
        `POST ${this.url} (model ${this.model}): malformed response: ${what}`,
        {
          url: this.url,
          body: text.slice(0, 2000),
        },
      );
    };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      bad(`body is not JSON (${JSON.stringify(text.slice(0, 80))})`);
    }
    const data = (json as { data?: unknown })?.data;
    if (!Array.isArray(data)) bad('no "data" array');
    const items = data as Array<{ embedding?: unknown; index?: unknown }>;
    if (items.length !== expected) bad(`expected ${expected} embeddings, got ${items.length}`);
    const ordered = items.every((d) => typeof d?.index === 'number')
      ? [...items].sort((a, b) => (a.index as number) - (b.index as number))
      : items;
    return ordered.map((item, i) => {
      const emb = item?.embedding;
      let v: Float32Array;
      if (typeof emb === 'string') {
        const buf = Buffer.from(emb, 'base64');
        if (buf.length % 4 !== 0) bad(`data[${i}].embedding is not base64 float32`);
        v = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
      } else if (Array.isArray(emb)) {
        v = Float32Array.from(emb as number[]);
        if (!emb.every((x) => typeof x === 'number' && Number.isFinite(x))) {
          bad(`data[${i}].embedding holds a non-number`);
        }
      } else {
        bad(`data[${i}].embedding is missing`);
      }
      const vec = v!;
      if (this.dims === undefined) {
        if (vec.length === 0) bad(`data[${i}].embedding is empty`);
        this.dims = vec.length;
      } else if (vec.length !== this.dims) {
        bad(`data[${i}].embedding has ${vec.length} dimensions, expected ${this.dims}`);
      }
      return vec;
    });
  }
}
