import { checkInteger, invalidArgument, RagscopeError } from '../../core/errors.js';
import type { RerankCandidate, Reranker, RerankResult } from './types.js';

/**
 * Options of {@link HttpReranker}.
 *
 * @example
 * ```ts
 * const opts: HttpRerankerOptions = { url: 'https://api.cohere.com/v2/rerank', model: 'rerank-v3.5', apiKey: process.env.COHERE_API_KEY };
 * ```
 */
export interface HttpRerankerOptions {
  /** Full URL of the `/rerank` endpoint. Required. */
  url: string;
  /** `model` field of the request. Default none (omitted; TEI serves one model). */
  model?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. Default none. */
  apiKey?: string;
  /** Extra request headers. Default none. */
  headers?: Record<string, string>;
  /**
   * Request body shape. `'cohere'` (default; Cohere, Jina, Voyage, vLLM): `{ model, query, documents, top_n }`.
   * `'tei'` (Hugging Face text-embeddings-inference): `{ query, texts, raw_scores: false }`.
   * Both response shapes are accepted either way: `{ results: [{ index, relevance_score }] }` and `[{ index, score }]`.
   */
  protocol?: 'cohere' | 'tei';
  /** Request timeout in milliseconds. Default 30000. */
  timeoutMs?: number;
  /** Input budget of the served model, for reports. Default none. */
  maxTokens?: number;
  /** `fetch` implementation. Default the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * A client for Cohere-compatible `/rerank` servers (Cohere, Jina, Hugging Face TEI, vLLM...). It sends every
 * candidate (`top_n` = all) and returns them in the server's order. A candidate the server left out is appended
 * after the returned ones, in its incoming order, with the lowest returned score. Errors (network, timeout,
 * non-2xx status, malformed body, an index out of range) throw `RagscopeError('HTTP_ERROR')` naming the URL.
 *
 * @example
 * ```ts
 * const reranker = new HttpReranker({ url: 'http://127.0.0.1:8080/rerank', protocol: 'tei' });
 * const order = await reranker.rerank('refund policy', [{ id: 'a', text: 'Refunds take 5 days.', score: 1 }]);
 * ```
 */
export class HttpReranker implements Reranker {
  readonly id: string;
  readonly maxTokens?: number;
  readonly url: string;
  private readonly options: HttpRerankerOptions;
  private readonly timeoutMs: number;

  constructor(options: HttpRerankerOptions) {
    if (!options || typeof options.url !== 'string')
      invalidArgument('url', options?.url, 'an http(s) URL string');
    const parsed = URL.canParse(options.url) ? new URL(options.url) : null;
    if (!parsed) invalidArgument('url', options.url, 'a valid http(s) URL');
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      invalidArgument('url', options.url, 'an http(s) URL');
    }
    const protocol = options.protocol ?? 'cohere';
    if (protocol !== 'cohere' && protocol !== 'tei')
      invalidArgument('protocol', protocol, "'cohere' or 'tei'");
    this.timeoutMs = checkInteger('timeoutMs', options.timeoutMs ?? 30_000, 1);
    if (options.maxTokens !== undefined) this.maxTokens = checkInteger('maxTokens', options.maxTokens, 1);
    this.url = options.url;
    this.options = { ...options, protocol };
    this.id = `http:${this.url}${options.model ? `:${options.model}` : ''}`;
  }

  async rerank(query: string, candidates: RerankCandidate[]): Promise<RerankResult[]> {
    if (typeof query !== 'string') invalidArgument('query', query, 'a string');
    if (!Array.isArray(candidates)) invalidArgument('candidates', candidates, 'an array');
    if (candidates.length === 0) return [];
    const texts = candidates.map((c) => c.text);
    const body =
      this.options.protocol === 'tei'
        ? { query, texts, raw_scores: false }
        : {
            ...(this.options.model ? { model: this.options.model } : {}),
            query,
            documents: texts,
            top_n: texts.length,
          };
    const doFetch = this.options.fetch ?? fetch;
    const fail = (message: string, extra: Record<string, unknown> = {}, cause?: unknown): never => {
      throw new RagscopeError(
        'HTTP_ERROR',
        `rerank server ${this.url}: ${message}`,
        { url: this.url, ...extra },
        cause,
      );
    };
    let response: Response;
    try {
      response = await doFetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          ...(this.options.headers ?? {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return fail(
        timedOut ? `no answer within ${this.timeoutMs} ms` : `request failed: ${String(err)}`,
        {},
        err,
      );
    }
    const raw = await response.text().catch((err) => fail(`could not read the body: ${String(err)}`));
    if (!response.ok) {
      fail(`HTTP ${response.status} ${response.statusText}: ${raw.slice(0, 200)}`, {
        status: response.status,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      fail(`malformed body (not JSON): ${JSON.stringify(raw.slice(0, 120))}`);
    }
    const results = parseResults(json, candidates.length, fail);
    const seen = new Set<number>();
    const out: RerankResult[] = [];
    for (const r of results.sort((a, b) => b.score - a.score)) {
      if (seen.has(r.index)) fail(`index ${r.index} returned twice`);
      seen.add(r.index);
      out.push({ id: candidates[r.index]!.id, score: r.score });
    }
    const floor = out.length > 0 ? out[out.length - 1]!.score : 0;
    candidates.forEach((c, i) => {
      if (!seen.has(i)) out.push({ id: c.id, score: floor });
    });
    return out;
  }
}

function parseResults(
  json: unknown,
  n: number,
  fail: (message: string) => never,
): Array<{ index: number; score: number }> {
  const list = Array.isArray(json)
    ? json
    : json && typeof json === 'object' && Array.isArray((json as { results?: unknown }).results)
      ? (json as { results: unknown[] }).results
      : fail(
          `malformed body: expected { results: [...] } or an array, got ${JSON.stringify(json)?.slice(0, 120)}`,
        );
  return list.map((item, i) => {
    const o = (item ?? {}) as Record<string, unknown>;
    const index = o.index;
    const score = o.relevance_score ?? o.score;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= n) {
      fail(
        `malformed body: results[${i}].index must be an integer in [0, ${n}), got ${JSON.stringify(index)}`,
      );
    }
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      fail(
        `malformed body: results[${i}] needs a finite relevance_score or score, got ${JSON.stringify(score)}`,
      );
    }
    return { index: index as number, score: score as number };
  });
}
