import { RagscopeError } from '../core/errors.js';
import type { TransformersEmbedderOptions } from './transformers-options.js';

type TransformersModule = typeof import('@huggingface/transformers');

/** Where a model is: what to hand to from_pretrained. @internal */
export interface Resolved {
  /** What to hand to from_pretrained. */
  target: string;
  /** Whether it is a local folder. */
  local: boolean;
  /** Folders and places looked at, for error messages. */
  looked: string[];
}

/** What the loaders read from a {@link TransformersEmbedder}. @internal */
export interface ModelSource {
  model: string;
  dtype: NonNullable<TransformersEmbedderOptions['dtype']>;
  options: TransformersEmbedderOptions;
}

/** Sentence-transformers `max_seq_length` of popular models whose configs say more than they are trained for. */
const KNOWN_MAX_TOKENS: Record<string, number> = {
  'all-minilm-l6-v2': 256,
  'all-mpnet-base-v2': 384,
};

/** Serialises our model loads, since the few transformers.js `env` fields we touch are global. */
let loadLock: Promise<unknown> = Promise.resolve();
function withLoadLock<T>(fn: () => Promise<T>): Promise<T> {
  const run = loadLock.then(fn, fn);
  loadLock = run.catch(() => undefined);
  return run;
}

/** Where the model is: `model` as a local folder, `<localModelPath>/<model>`, else a hub id (cache or download). @internal */
export async function resolveModel(model: string, localModelPath: string | undefined): Promise<Resolved> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const isDir = (p: string) => {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  const looked: string[] = [];
  const candidates: string[] = [model];
  if (localModelPath) candidates.push(path.join(localModelPath, model));
  for (const c of candidates) {
    const abs = path.resolve(c);
    looked.push(abs);
    if (isDir(abs)) return { target: abs, local: true, looked };
  }
  return { target: model, local: false, looked };
}

/** `MODEL_UNAVAILABLE`: why, where we looked, and how to supply the files. @internal */
export function modelUnavailable(
  src: ModelSource,
  looked: readonly string[],
  reason: string,
  cause?: unknown,
): RagscopeError {
  const { model, dtype } = src;
  return new RagscopeError(
    'MODEL_UNAVAILABLE',
    `model ${JSON.stringify(model)} is unavailable: ${reason}. ` +
      (looked.length ? `Looked for a local folder at ${looked.join(', ')}. ` : '') +
      `To use it offline, put the model folder (config.json, tokenizer.json, tokenizer_config.json and ` +
      `onnx/${dtype === 'fp32' ? 'model.onnx' : `model_${dtype === 'q8' ? 'quantized' : dtype}.onnx`}) ` +
      `at <dir>/${model} and pass { localModelPath: '<dir>' }, or pass the folder path as model ` +
      `(e.g. download it once with \`git clone https://huggingface.co/${model}\` on a connected machine).`,
    { model, looked },
    cause,
  );
}

/**
 * Run a from_pretrained-style loader against the resolved source, with the same rules for tokenizer and model:
 * a local folder; the download cache; the hub (probed first with a timeout), with `env.fetch` / `env.remoteHost`
 * set only during our own serialised download and restored afterwards. @internal
 */
export async function loadFromSource<T>(
  tf: TransformersModule,
  src: ModelSource,
  where: Resolved,
  load: (target: string, opts: Record<string, unknown>) => Promise<T>,
): Promise<T> {
  const { model, options } = src;
  const unavailable = (reason: string, cause?: unknown) => modelUnavailable(src, where.looked, reason, cause);
  const cacheDir = options.cacheDir;
  const base: Record<string, unknown> = cacheDir ? { cache_dir: cacheDir } : {};
  if (where.local) {
    try {
      return await load(where.target, { ...base, local_files_only: true });
    } catch (err) {
      throw unavailable(`the local folder ${where.target} could not be loaded (${firstLine(err)})`, err);
    }
  }
  const fs = await import('node:fs');
  const path = await import('node:path');
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(model) || model.includes('..')) {
    throw unavailable('it is neither an existing folder nor a valid hub model id');
  }
  const cacheRoot = cacheDir ?? tf.env.cacheDir ?? '';
  const cachedDir = cacheRoot ? path.join(cacheRoot, model) : '';
  if (cachedDir && fs.existsSync(path.join(cachedDir, 'config.json'))) {
    try {
      return await load(model, { ...base, local_files_only: true });
    } catch {
      // Partly cached (e.g. another dtype): fall through to the hub.
    }
  }
  if (options.allowRemoteModels === false) {
    throw unavailable(
      `remote downloads are off (allowRemoteModels: false) and it is not in the cache ${cacheRoot}`,
    );
  }
  const host = options.remoteHost ?? tf.env.remoteHost;
  const timeoutMs = options.remoteTimeoutMs ?? 10_000;
  const probeUrl = `${host.replace(/\/?$/, '/')}${model}/resolve/main/config.json`;
  const probe = await timedFetch(probeUrl, { method: 'HEAD' }, timeoutMs).catch(
    (err: unknown) => err as Error,
  );
  if (probe instanceof Error) {
    throw unavailable(
      `the hub at ${host} cannot be reached (${firstLine(probe)}) and it is not in the cache ${cacheRoot}`,
      probe,
    );
  }
  if (probe.status === 404 || probe.status === 401) {
    throw unavailable(`the hub at ${host} has no such model (HTTP ${probe.status} for ${probeUrl})`);
  }
  return withLoadLock(async () => {
    const savedFetch = tf.env.fetch;
    const savedHost = tf.env.remoteHost;
    tf.env.fetch = (input: string | URL, init?: RequestInit) =>
      timedFetch(String(input), init ?? {}, timeoutMs);
    if (options.remoteHost) tf.env.remoteHost = options.remoteHost;
    try {
      return await load(model, base);
    } catch (err) {
      throw unavailable(`downloading from ${host} failed (${firstLine(err)})`, err);
    } finally {
      tf.env.fetch = savedFetch;
      tf.env.remoteHost = savedHost;
    }
  });
}

/** `max_seq_length` from a local `sentence_bert_config.json`, else a known value for popular models. @internal */
export async function sentenceTransformersLimit(
  model: string,
  where: Resolved | null,
): Promise<number | undefined> {
  if (where?.local) {
    try {
      const fs = await import('node:fs');
      const path = await import('node:path');
      const cfg = JSON.parse(fs.readFileSync(path.join(where.target, 'sentence_bert_config.json'), 'utf8'));
      if (Number.isInteger(cfg.max_seq_length) && cfg.max_seq_length > 0) return cfg.max_seq_length;
    } catch {
      // no such file
    }
  }
  const name = model.split('/').pop()?.toLowerCase() ?? '';
  return KNOWN_MAX_TOKENS[name];
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? '').slice(0, 300);
}

/** fetch with a deadline on the response headers (a slow download body is not cut). */
async function timedFetch(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  const controller = new AbortController();
  const outer = init.signal;
  if (outer) outer.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([fetch(url, { ...init, signal: controller.signal }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
