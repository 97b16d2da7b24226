import { checkInteger, invalidArgument, RagscopeError, showValue } from '../core/errors.js';
import { hashHex } from '../core/hash.js';
import { importOptional } from '../core/optional.js';
import type { Embedder, EmbedKind, EmbedOptions } from './types.js';

type TransformersModule = typeof import('@huggingface/transformers');
type LoadedTokenizer = Awaited<ReturnType<TransformersModule['AutoTokenizer']['from_pretrained']>>;
type LoadedModel = Awaited<ReturnType<TransformersModule['AutoModel']['from_pretrained']>>;

/**
 * Query/passage prefix presets for common embedding model families.
 *
 * @example
 * ```ts
 * PREFIX_PRESETS.e5; // { query: 'query: ', passage: 'passage: ' }
 * PREFIX_PRESETS.bge.passage; // '' (bge prefixes queries only)
 * ```
 */
export const PREFIX_PRESETS = {
  /** No prefix. */
  none: { query: '', passage: '' },
  /** BAAI bge (v1 / v1.5, English): an instruction before queries, nothing before passages. */
  bge: { query: 'Represent this sentence for searching relevant passages: ', passage: '' },
  /** intfloat e5 family. */
  e5: { query: 'query: ', passage: 'passage: ' },
  /** nomic-embed-text. */
  nomic: { query: 'search_query: ', passage: 'search_document: ' },
} as const;

/**
 * Name of a {@link PREFIX_PRESETS} entry, or `'auto'` (picked from the model id: bge, e5, nomic, else none).
 *
 * @example
 * ```ts
 * const prefix: PrefixPreset = 'e5'; // or 'auto' (the default), 'none', 'bge', 'nomic'
 * const embedder = await TransformersEmbedder.create({ model: 'models/my-e5-small', prefix });
 * embedder.queryPrefix; // 'query: '
 * ```
 */
export type PrefixPreset = keyof typeof PREFIX_PRESETS | 'auto';

/**
 * Options of {@link TransformersEmbedder}.
 *
 * @example
 * ```ts
 * const options: TransformersEmbedderOptions = {
 *   model: 'Xenova/bge-small-en-v1.5', // default 'Xenova/all-MiniLM-L6-v2'
 *   dtype: 'q8', // default 'fp32'
 *   pooling: 'cls', // default 'mean'
 *   normalize: true, // default
 *   prefix: 'auto', // default: 'bge' here, from the model id
 *   batchSize: 16, // default 32
 *   localModelPath: '../shared/models', // default: none
 *   allowRemoteModels: false, // default true
 * };
 * const embedder = await TransformersEmbedder.create(options);
 * ```
 */
export interface TransformersEmbedderOptions {
  /**
   * Hugging Face model id (an ONNX, transformers.js-layout repository) or the path of a local model folder.
   * Default `'Xenova/all-MiniLM-L6-v2'`.
   */
  model?: string;
  /** Weights to load: `'fp32'` (`onnx/model.onnx`) or `'q8'` (`onnx/model_quantized.onnx`). Default `'fp32'`. */
  dtype?: 'fp32' | 'q8' | 'fp16' | 'int8' | 'uint8' | 'q4';
  /** How token vectors become one text vector: `'mean'` (masked mean) or `'cls'` (first token). Default `'mean'`. */
  pooling?: 'mean' | 'cls';
  /** L2-normalise the text vectors. Default `true`. */
  normalize?: boolean;
  /** Query/passage prefix preset. Default `'auto'` (from the model id). */
  prefix?: PrefixPreset;
  /** Text put before every query; overrides the preset's. */
  queryPrefix?: string;
  /** Text put before every passage; overrides the preset's. */
  passagePrefix?: string;
  /** Texts per forward pass. Default `32`. */
  batchSize?: number;
  /**
   * Input budget in tokens, special tokens included; longer inputs are truncated (and reported). Default: the
   * model's own limit (sentence-transformers' `max_seq_length` when known, else the smaller of the tokenizer's
   * `model_max_length` and the config's `max_position_embeddings`).
   */
  maxTokens?: number;
  /**
   * A folder holding model folders: `model` is looked up at `<localModelPath>/<model>` first. Default: none (only
   * `model` itself is tried as a path).
   */
  localModelPath?: string;
  /** Where downloaded models are cached. Default: transformers.js's `env.cacheDir`. */
  cacheDir?: string;
  /** Allow downloading from the hub when the model is neither local nor cached. Default `true`. */
  allowRemoteModels?: boolean;
  /** Hub URL. Default: transformers.js's `env.remoteHost` (`https://huggingface.co/`). */
  remoteHost?: string;
  /** Milliseconds to wait for the hub to answer a request (headers) before giving up. Default `10000`. */
  remoteTimeoutMs?: number;
}

/**
 * Truncation facts for one input of {@link TransformersEmbedder.embedWithReport}.
 *
 * @example
 * ```ts
 * const { truncation } = await embedder.embedWithReport(chunks.map((c) => c.text));
 * const info: TruncationInfo | undefined = truncation.find((t) => t.truncated);
 * info; // e.g. { tokens: 731, maxTokens: 512, truncated: true, droppedTokens: 219 }
 * ```
 */
export interface TruncationInfo {
  /** Tokens of the input as the model sees it (prefix and special tokens included), before truncation. */
  tokens: number;
  /** The model's input budget (special tokens included). */
  maxTokens: number;
  /** Whether the input was cut. */
  truncated: boolean;
  /** Tokens cut from the end (0 when not truncated). */
  droppedTokens: number;
}

/** Sentence-transformers `max_seq_length` of popular models whose configs say more than they are trained for. */
const KNOWN_MAX_TOKENS: Record<string, number> = {
  'all-minilm-l6-v2': 256,
  'all-mpnet-base-v2': 384,
};

const DEFAULT_MODEL = 'Xenova/all-MiniLM-L6-v2';

/** Serialises our model loads, since the few transformers.js `env` fields we touch are global. */
let loadLock: Promise<unknown> = Promise.resolve();
function withLoadLock<T>(fn: () => Promise<T>): Promise<T> {
  const run = loadLock.then(fn, fn);
  loadLock = run.catch(() => undefined);
  return run;
}

interface Resolved {
  /** What to hand to from_pretrained. */
  target: string;
  /** Whether it is a local folder. */
  local: boolean;
  /** Folders and places looked at, for error messages. */
  looked: string[];
}

/**
 * Embeddings from a transformer encoder run locally with `@huggingface/transformers` (ONNX Runtime), the
 * maintained successor of `@xenova/transformers`. The library is imported lazily, on the first `load`, `embed` or
 * `countTokens`, so importing ragscope loads no native code. It is an optional peer dependency: when it is not
 * installed, that first call throws `RagscopeError('MISSING_DEPENDENCY')` saying to install it.
 *
 * How the model is found, in order: `model` as a local folder; `<localModelPath>/<model>`; the download cache
 * (`cacheDir`); the hub (when `allowRemoteModels`), downloading once into the cache. When none works the call fails
 * fast with `RagscopeError('MODEL_UNAVAILABLE')` naming the model and saying how to supply the files: an unreachable
 * hub is detected with a timeout (`remoteTimeoutMs`), never a hang.
 *
 * Global state: transformers.js keeps its settings in a global `env`. This class passes `cache_dir` and
 * `local_files_only` per call and never changes `env`, except, while one of its own hub downloads runs (loads are
 * serialised), `env.fetch` (wrapped with the timeout) and `env.remoteHost` (when `remoteHost` is given); both are
 * restored afterwards.
 *
 * Inputs longer than `maxTokens` are truncated the way sentence-transformers does (content cut, special tokens
 * kept); {@link TransformersEmbedder.embedWithReport} says which and by how much.
 *
 * @example
 * ```ts
 * import { TransformersEmbedder } from 'ragscope/embedders';
 * const embedder = await TransformersEmbedder.create({ model: 'Xenova/bge-small-en-v1.5', dtype: 'q8' });
 * const [q] = await embedder.embed(['how do refunds work?'], { kind: 'query' }); // bge instruction prepended
 * const { truncation } = await embedder.embedWithReport([longChunk]);
 * truncation[0]; // { tokens: 731, maxTokens: 512, truncated: true, droppedTokens: 219 }
 * ```
 */
export class TransformersEmbedder implements Embedder {
  readonly id: string;
  readonly model: string;
  readonly dtype: NonNullable<TransformersEmbedderOptions['dtype']>;
  readonly pooling: 'mean' | 'cls';
  readonly normalize: boolean;
  readonly queryPrefix: string;
  readonly passagePrefix: string;
  readonly batchSize: number;
  private readonly options: TransformersEmbedderOptions;
  private tokenizerPromise: Promise<LoadedTokenizer> | null = null;
  private modelPromise: Promise<void> | null = null;
  private tf: TransformersModule | null = null;
  private tokenizer: LoadedTokenizer | null = null;
  private net: LoadedModel | null = null;
  private dims: number | null = null;
  private maxTok: number | undefined;
  private specials: { prefix: number; suffix: number } = { prefix: 0, suffix: 0 };
  private resolved: Resolved | null = null;

  constructor(options: TransformersEmbedderOptions = {}) {
    if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
    const model = options.model ?? DEFAULT_MODEL;
    if (typeof model !== 'string' || model.trim() === '')
      invalidArgument('model', model, 'a model id or folder');
    const dtype = options.dtype ?? 'fp32';
    if (!['fp32', 'q8', 'fp16', 'int8', 'uint8', 'q4'].includes(dtype)) {
      invalidArgument('dtype', dtype, "'fp32' or 'q8' (or 'fp16', 'int8', 'uint8', 'q4')");
    }
    const pooling = options.pooling ?? 'mean';
    if (pooling !== 'mean' && pooling !== 'cls') invalidArgument('pooling', pooling, "'mean' or 'cls'");
    const normalize = options.normalize ?? true;
    if (typeof normalize !== 'boolean') invalidArgument('normalize', normalize, 'a boolean');
    let preset = options.prefix ?? 'auto';
    if (preset !== 'auto' && !(preset in PREFIX_PRESETS)) {
      invalidArgument('prefix', preset, `one of auto, ${Object.keys(PREFIX_PRESETS).join(', ')}`);
    }
    if (preset === 'auto') {
      const m = model.toLowerCase();
      preset = /(^|[/_-])bge-/.test(m)
        ? 'bge'
        : /(^|[/_-])e5-/.test(m)
          ? 'e5'
          : m.includes('nomic-embed')
            ? 'nomic'
            : 'none';
    }
    for (const key of ['queryPrefix', 'passagePrefix'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'string')
        invalidArgument(key, options[key], 'a string');
    }
    const presetValues = PREFIX_PRESETS[preset];
    this.queryPrefix = options.queryPrefix ?? presetValues.query;
    this.passagePrefix = options.passagePrefix ?? presetValues.passage;
    this.batchSize = checkInteger('batchSize', options.batchSize ?? 32, 1);
    if (options.maxTokens !== undefined) checkInteger('maxTokens', options.maxTokens, 3);
    checkInteger('remoteTimeoutMs', options.remoteTimeoutMs ?? 10_000, 1);
    for (const key of ['localModelPath', 'cacheDir', 'remoteHost'] as const) {
      if (options[key] !== undefined && (typeof options[key] !== 'string' || options[key] === '')) {
        invalidArgument(key, options[key], 'a non-empty string');
      }
    }
    if (options.allowRemoteModels !== undefined && typeof options.allowRemoteModels !== 'boolean') {
      invalidArgument('allowRemoteModels', options.allowRemoteModels, 'a boolean');
    }
    this.options = { ...options };
    this.model = model;
    this.dtype = dtype;
    this.pooling = pooling;
    this.normalize = normalize;
    const custom = options.queryPrefix !== undefined || options.passagePrefix !== undefined;
    const prefixId = custom
      ? `prefix-${hashHex(`${this.queryPrefix}\u0000${this.passagePrefix}`).slice(0, 8)}`
      : `prefix-${preset}`;
    this.id =
      `transformers:${model}:${dtype}:${pooling}:${normalize ? 'norm' : 'raw'}:${prefixId}` +
      (options.maxTokens !== undefined ? `:t${options.maxTokens}` : '');
  }

  /**
   * Create and load (the usual entry point): afterwards `dimensions` and `maxTokens` are known.
   *
   * @example
   * ```ts
   * const e = await TransformersEmbedder.create({ model: 'glove-6B-50d-10k', localModelPath: '../shared/models', allowRemoteModels: false });
   * e.dimensions; // 50
   * ```
   */
  static async create(options: TransformersEmbedderOptions = {}): Promise<TransformersEmbedder> {
    const e = new TransformersEmbedder(options);
    await e.load();
    return e;
  }

  /** Vector length. Known once loaded ({@link TransformersEmbedder.load}); reading it before throws `MODEL_UNAVAILABLE`. */
  get dimensions(): number {
    if (this.dims === null) {
      throw new RagscopeError(
        'MODEL_UNAVAILABLE',
        `TransformersEmbedder(${JSON.stringify(this.model)}).dimensions is known once the model is loaded: ` +
          'await embedder.load() or use TransformersEmbedder.create()',
        { model: this.model },
      );
    }
    return this.dims;
  }

  /** Input budget in tokens, special tokens included (undefined until loaded). */
  get maxTokens(): number | undefined {
    return this.maxTok;
  }

  /** Load tokenizer and model (idempotent; concurrent calls share one load; a failed load can be retried). */
  async load(): Promise<void> {
    if (!this.modelPromise) {
      this.modelPromise = this.loadModel().catch((err) => {
        this.modelPromise = null;
        throw err;
      });
    }
    return this.modelPromise;
  }

  /**
   * Token ids of `text` as the model sees it, without special tokens and without any prefix. Loads only the
   * tokenizer (a tokenizer-only folder is enough).
   *
   * @example
   * ```ts
   * await new TransformersEmbedder({ model: 'all-MiniLM-L6-v2-tokenizer', localModelPath: '../shared/models' }).encode('Hello world'); // [7592, 2088]
   * ```
   */
  async encode(text: string): Promise<number[]> {
    if (typeof text !== 'string') invalidArgument('text', text, 'a string');
    const tok = await this.loadTokenizer();
    return tok.encode(text, { add_special_tokens: false });
  }

  /** Number of tokens in `text` (no special tokens, no prefix); see {@link TransformersEmbedder.encode}. */
  async countTokens(text: string): Promise<number> {
    return (await this.encode(text)).length;
  }

  /** Embed texts (queries or passages, which may get different prefixes). */
  async embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]> {
    return (await this.run(texts, options?.kind ?? 'passage')).vectors;
  }

  /**
   * Embed and report truncation for each input: its token count (prefix and special tokens included), the
   * budget, whether it was cut and how many tokens were dropped.
   *
   * @example
   * ```ts
   * const { vectors, truncation } = await embedder.embedWithReport(chunks.map((c) => c.text));
   * const cut = truncation.filter((t) => t.truncated).length;
   * ```
   */
  async embedWithReport(
    texts: string[],
    options?: EmbedOptions,
  ): Promise<{ vectors: Float32Array[]; truncation: TruncationInfo[] }> {
    return this.run(texts, options?.kind ?? 'passage');
  }

  private async run(
    texts: string[],
    kind: EmbedKind,
  ): Promise<{ vectors: Float32Array[]; truncation: TruncationInfo[] }> {
    if (!Array.isArray(texts)) invalidArgument('texts', texts, 'an array of strings');
    texts.forEach((t, i) => {
      if (typeof t !== 'string') invalidArgument(`texts[${i}]`, t, 'a string');
    });
    if (kind !== 'query' && kind !== 'passage') invalidArgument('kind', kind, "'query' or 'passage'");
    await this.load();
    const tf = this.tf!;
    const tok = this.tokenizer!;
    const net = this.net!;
    const maxTokens = this.maxTok!;
    const dims = this.dims!;
    const prefix = kind === 'query' ? this.queryPrefix : this.passagePrefix;
    const suf = this.specials.suffix;
    const padId = BigInt((tok as unknown as { pad_token_id?: number }).pad_token_id ?? 0);
    const vectors: Float32Array[] = new Array(texts.length);
    const truncation: TruncationInfo[] = new Array(texts.length);
    for (let b = 0; b < texts.length; b += this.batchSize) {
      const batch = texts.slice(b, b + this.batchSize);
      const ids = batch.map((t, k) => {
        const full = tok.encode(prefix + t) as number[];
        const n = full.length;
        const cut = n > maxTokens;
        truncation[b + k] = { tokens: n, maxTokens, truncated: cut, droppedTokens: cut ? n - maxTokens : 0 };
        return cut ? [...full.slice(0, maxTokens - suf), ...full.slice(n - suf)] : full;
      });
      const len = ids.reduce((m, x) => Math.max(m, x.length), 1);
      const inputIds = new BigInt64Array(batch.length * len).fill(padId);
      const mask = new BigInt64Array(batch.length * len);
      ids.forEach((row, r) => {
        for (let j = 0; j < row.length; j++) {
          inputIds[r * len + j] = BigInt(row[j] ?? 0);
          mask[r * len + j] = 1n;
        }
      });
      const out = (await net({
        input_ids: new tf.Tensor('int64', inputIds, [batch.length, len]),
        attention_mask: new tf.Tensor('int64', mask, [batch.length, len]),
      })) as Record<string, { data: Float32Array; dims: number[] }>;
      const hidden =
        out.last_hidden_state ?? out.token_embeddings ?? out.sentence_embedding ?? Object.values(out)[0];
      if (!hidden) throw new RagscopeError('MODEL_UNAVAILABLE', `model ${this.model} returned no output`, {});
      const data = hidden.data;
      const pooled = hidden.dims.length === 2;
      for (let r = 0; r < batch.length; r++) {
        const v = new Float32Array(dims);
        if (pooled) {
          v.set(data.subarray(r * dims, (r + 1) * dims));
        } else if (this.pooling === 'cls') {
          v.set(data.subarray(r * len * dims, r * len * dims + dims));
        } else {
          const n = ids[r]?.length ?? 0;
          for (let j = 0; j < n; j++) {
            const base = (r * len + j) * dims;
            for (let k = 0; k < dims; k++) v[k] = (v[k] ?? 0) + (data[base + k] ?? 0);
          }
          if (n > 0) for (let k = 0; k < dims; k++) v[k] = (v[k] ?? 0) / n;
        }
        if (this.normalize) {
          let s = 0;
          for (let k = 0; k < dims; k++) s += (v[k] ?? 0) ** 2;
          if (s > 0) {
            const inv = 1 / Math.sqrt(s);
            for (let k = 0; k < dims; k++) v[k] = (v[k] ?? 0) * inv;
          }
        }
        vectors[b + r] = v;
      }
    }
    return { vectors, truncation };
  }

  private async importTransformers(): Promise<TransformersModule> {
    this.tf ??= await importOptional(
      '@huggingface/transformers',
      `the transformer embedder (model ${JSON.stringify(this.model)})`,
      () => import('@huggingface/transformers'),
      'Without it, use a static (static:<vectors>), hashing or http: embedder.',
    );
    return this.tf;
  }

  /** Where the model is: a local folder, or a hub id (cache or download). */
  private async resolve(): Promise<Resolved> {
    if (this.resolved) return this.resolved;
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
    const candidates: string[] = [this.model];
    if (this.options.localModelPath) candidates.push(path.join(this.options.localModelPath, this.model));
    for (const c of candidates) {
      const abs = path.resolve(c);
      looked.push(abs);
      if (isDir(abs)) {
        this.resolved = { target: abs, local: true, looked };
        return this.resolved;
      }
    }
    this.resolved = { target: this.model, local: false, looked };
    return this.resolved;
  }

  private unavailable(reason: string, cause?: unknown): RagscopeError {
    const looked = this.resolved?.looked ?? [];
    return new RagscopeError(
      'MODEL_UNAVAILABLE',
      `model ${JSON.stringify(this.model)} is unavailable: ${reason}. ` +
        (looked.length ? `Looked for a local folder at ${looked.join(', ')}. ` : '') +
        `To use it offline, put the model folder (config.json, tokenizer.json, tokenizer_config.json and ` +
        `onnx/${this.dtype === 'fp32' ? 'model.onnx' : `model_${this.dtype === 'q8' ? 'quantized' : this.dtype}.onnx`}) ` +
        `at <dir>/${this.model} and pass { localModelPath: '<dir>' }, or pass the folder path as model ` +
        `(e.g. download it once with \`git clone https://huggingface.co/${this.model}\` on a connected machine).`,
      { model: this.model, looked },
      cause,
    );
  }

  /**
   * Run a from_pretrained-style loader against the resolved source, with the same rules for tokenizer and model.
   */
  private async fromSource<T>(
    load: (target: string, opts: Record<string, unknown>) => Promise<T>,
  ): Promise<T> {
    const tf = await this.importTransformers();
    const where = await this.resolve();
    const cacheDir = this.options.cacheDir;
    const base: Record<string, unknown> = cacheDir ? { cache_dir: cacheDir } : {};
    if (where.local) {
      try {
        return await load(where.target, { ...base, local_files_only: true });
      } catch (err) {
        throw this.unavailable(
          `the local folder ${where.target} could not be loaded (${firstLine(err)})`,
          err,
        );
      }
    }
    const fs = await import('node:fs');
    const path = await import('node:path');
    if (!/^[\w.-]+(\/[\w.-]+)?$/.test(this.model) || this.model.includes('..')) {
      throw this.unavailable('it is neither an existing folder nor a valid hub model id');
    }
    const cacheRoot = cacheDir ?? tf.env.cacheDir ?? '';
    const cachedDir = cacheRoot ? path.join(cacheRoot, this.model) : '';
    if (cachedDir && fs.existsSync(path.join(cachedDir, 'config.json'))) {
      try {
        return await load(this.model, { ...base, local_files_only: true });
      } catch {
        // Partly cached (e.g. another dtype): fall through to the hub.
      }
    }
    if (this.options.allowRemoteModels === false) {
      throw this.unavailable(
        `remote downloads are off (allowRemoteModels: false) and it is not in the cache ${cacheRoot}`,
      );
    }
    const host = this.options.remoteHost ?? tf.env.remoteHost;
    const timeoutMs = this.options.remoteTimeoutMs ?? 10_000;
    const probeUrl = `${host.replace(/\/?$/, '/')}${this.model}/resolve/main/config.json`;
    const probe = await timedFetch(probeUrl, { method: 'HEAD' }, timeoutMs).catch(
      (err: unknown) => err as Error,
    );
    if (probe instanceof Error) {
      throw this.unavailable(
        `the hub at ${host} cannot be reached (${firstLine(probe)}) and it is not in the cache ${cacheRoot}`,
        probe,
      );
    }
    if (probe.status === 404 || probe.status === 401) {
      throw this.unavailable(`the hub at ${host} has no such model (HTTP ${probe.status} for ${probeUrl})`);
    }
    return withLoadLock(async () => {
      const savedFetch = tf.env.fetch;
      const savedHost = tf.env.remoteHost;
      tf.env.fetch = (input: string | URL, init?: RequestInit) =>
        timedFetch(String(input), init ?? {}, timeoutMs);
      if (this.options.remoteHost) tf.env.remoteHost = this.options.remoteHost;
      try {
        return await load(this.model, base);
      } catch (err) {
        throw this.unavailable(`downloading from ${host} failed (${firstLine(err)})`, err);
      } finally {
        tf.env.fetch = savedFetch;
        tf.env.remoteHost = savedHost;
      }
    });
  }

  private loadTokenizer(): Promise<LoadedTokenizer> {
    if (!this.tokenizerPromise) {
      this.tokenizerPromise = (async () => {
        const tf = await this.importTransformers();
        const tok = await this.fromSource((target, opts) => tf.AutoTokenizer.from_pretrained(target, opts));
        this.tokenizer = tok;
        return tok;
      })().catch((err) => {
        this.tokenizerPromise = null;
        throw err;
      });
    }
    return this.tokenizerPromise;
  }

  private async loadModel(): Promise<void> {
    const tok = await this.loadTokenizer();
    const tf = this.tf!;
    const net = await this.fromSource((target, opts) =>
      tf.AutoModel.from_pretrained(target, { ...opts, dtype: this.dtype, device: 'cpu' } as never),
    );
    const config = (net as unknown as { config: Record<string, unknown> }).config ?? {};
    const hidden = Number(config.hidden_size ?? config.d_model ?? config.dim ?? Number.NaN);
    // Find which special tokens surround a single text, to keep them when truncating.
    const plain = tok.encode('a', { add_special_tokens: false }) as number[];
    const withSpecial = tok.encode('a') as number[];
    const at = withSpecial.indexOf(plain[0] ?? -1);
    this.specials =
      at >= 0 ? { prefix: at, suffix: withSpecial.length - at - plain.length } : { prefix: 0, suffix: 0 };
    let maxTokens = this.options.maxTokens;
    if (maxTokens === undefined) maxTokens = await this.sentenceTransformersLimit();
    if (maxTokens === undefined) {
      const fromTok = Number((tok as unknown as { model_max_length?: number }).model_max_length);
      const fromCfg = Number(config.max_position_embeddings);
      const limits = [fromTok, fromCfg].filter((x) => Number.isFinite(x) && x > 0 && x < 1e6);
      maxTokens = limits.length ? Math.min(...limits) : 512;
    }
    this.net = net;
    this.maxTok = maxTokens;
    if (Number.isFinite(hidden) && hidden > 0) {
      this.dims = hidden;
    } else {
      const probe = await this.runProbe();
      this.dims = probe;
    }
  }

  /** `max_seq_length` from a local `sentence_bert_config.json`, else a known value for popular models. */
  private async sentenceTransformersLimit(): Promise<number | undefined> {
    const where = this.resolved;
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
    const name = this.model.split('/').pop()?.toLowerCase() ?? '';
    return KNOWN_MAX_TOKENS[name];
  }

  private async runProbe(): Promise<number> {
    const tf = this.tf!;
    const ids = this.tokenizer!.encode('a') as number[];
    const out = (await this.net!({
      input_ids: new tf.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
      attention_mask: new tf.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
    })) as Record<string, { dims: number[] }>;
    const first = out.last_hidden_state ?? Object.values(out)[0];
    const d = first?.dims.at(-1);
    if (!d) throw this.unavailable(`its output has no usable shape (${showValue(first?.dims)})`);
    return d;
  }
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
