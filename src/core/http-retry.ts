import { RagscopeError } from './errors.js';

/**
 * How {@link postJsonWithRetry} retries: 429 and 5xx answers, network errors and timeouts are retried up to
 * `maxRetries` times with exponential backoff from `retryDelayMs` (with jitter), a `Retry-After` header winning,
 * every wait capped at `maxRetryDelayMs`; each attempt is aborted after `timeoutMs`. @internal
 */
export interface RetryPolicy {
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  timeoutMs: number;
}

/** What the successful attempt returned. @internal */
export interface PostResult {
  /** The response body. */
  text: string;
  /** Attempts made (1 when the first succeeded). */
  attempts: number;
}

/**
 * POST `body` as JSON to `url`, retrying per `policy`; returns the body of the first 2xx answer. A non-retryable
 * answer (a 4xx other than 429) or the last failed attempt throws `RagscopeError('HTTP_ERROR')` whose message starts
 * with `label` and carries the server's error message. Shared by the HTTP embedder, re-ranker and chat client.
 * @internal
 */
export async function postJsonWithRetry(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  policy: RetryPolicy,
  label: string,
): Promise<PostResult> {
  let attempt = 0;
  for (;;) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), policy.timeoutMs);
    let res: Response | undefined;
    let text = '';
    let failure: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      text = await res.text();
      failure = `HTTP ${res.status}`;
    } catch (err) {
      failure = controller.signal.aborted
        ? `timed out after ${policy.timeoutMs} ms`
        : `request failed: ${(err as Error)?.message ?? String(err)}${causeOf(err)}`;
    } finally {
      clearTimeout(timer);
    }
    if (res?.ok) return { text, attempts: attempt + 1 };
    const retryable = !res || res.status === 429 || res.status >= 500;
    if (!retryable || attempt >= policy.maxRetries) {
      const serverMessage = res ? errorMessage(text) : '';
      throw new RagscopeError(
        'HTTP_ERROR',
        `${label}: ${failure}${serverMessage ? `: ${serverMessage}` : ''}` +
          (attempt > 0 ? ` (after ${attempt} retr${attempt === 1 ? 'y' : 'ies'})` : ''),
        { url, status: res?.status, body: text.slice(0, 2000), attempts: attempt + 1 },
      );
    }
    const retryAfter = res ? parseRetryAfter(res.headers.get('retry-after')) : undefined;
    const backoff = policy.retryDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
    await new Promise((r) => setTimeout(r, Math.min(policy.maxRetryDelayMs, retryAfter ?? backoff)));
    attempt++;
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause ? ` (${cause.code ?? cause.message ?? ''})` : '';
}

/** The message of an OpenAI-style error body (`{error: {message}}`, `{error: "..."}`, `{message}`), else the text. */
function errorMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const e = j.error;
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') {
      return (e as { message: string }).message;
    }
    if (typeof e === 'string') return e;
    if (typeof j.message === 'string') return j.message;
    if (typeof j.detail === 'string') return j.detail;
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 300);
}

/** Retry-After in ms: seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
