import { checkInteger, invalidArgument, RagscopeError, showValue } from '../core/errors.js';
import { hashHex } from '../core/hash.js';
import { importOptional } from '../core/optional.js';
import {
  PREFIX_PRESETS,
  type TransformersEmbedderOptions,
  type TruncationInfo,
} from './transformers-options.js';
import { batchInputs, poolRow } from './transformers-pool.js';
import {
  loadFromSource,
  modelUnavailable,
  type Resolved,
  resolveModel,
  sentenceTransformersLimit,
} from './transformers-source.js';
import type { Embedder, EmbedKind, EmbedOptions } from './types.js';

export {
  PREFIX_PRESETS,
  type PrefixPreset,
  type TransformersEmbedderOptions,
  type TruncationInfo,
} from './transformers-options.js';

type TransformersModule = typeof import('@huggingface/transformers');
type LoadedTokenizer = Awaited<ReturnType<TransformersModule['AutoTokenizer']['from_pretrained']>>;
type LoadedModel = Awaited<ReturnType<TransformersModule['AutoModel']['from_pretrained']>>;

const DEFAULT_MODEL = 'Xenova/all-MiniLM-L6-v2';

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
      const { inputIds, mask, len } = batchInputs(ids, padId);
      const out = (await net({
        input_ids: new tf.Tensor('int64', inputIds, [batch.length, len]),
        attention_mask: new tf.Tensor('int64', mask, [batch.length, len]),
      })) as Record<string, { data: Float32Array; dims: number[] }>;
      const hidden =
        out.last_hidden_state ?? out.token_embeddings ?? out.sentence_embedding ?? Object.values(out)[0];
      if (!hidden) throw new RagscopeError('MODEL_UNAVAILABLE', `model ${this.model} returned no output`, {});
      const data = hidden.data;
      const pooled = hidden.dims.length === 2;
      const shape = { len, dims, pooled, pooling: this.pooling, normalize: this.normalize };
      for (let r = 0; r < batch.length; r++) vectors[b + r] = poolRow(data, r, ids[r]?.length ?? 0, shape);
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

  /** Where the model is: a local folder, or a hub id (cache or download); looked up once. */
  private async resolve(): Promise<Resolved> {
    this.resolved ??= await resolveModel(this.model, this.options.localModelPath);
    return this.resolved;
  }

  /** Run a from_pretrained-style loader against the resolved source (see {@link loadFromSource}). */
  private async fromSource<T>(
    load: (target: string, opts: Record<string, unknown>) => Promise<T>,
  ): Promise<T> {
    const tf = await this.importTransformers();
    const where = await this.resolve();
    return loadFromSource(tf, { model: this.model, dtype: this.dtype, options: this.options }, where, load);
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
    if (maxTokens === undefined) maxTokens = await sentenceTransformersLimit(this.model, this.resolved);
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

  private async runProbe(): Promise<number> {
    const tf = this.tf!;
    const ids = this.tokenizer!.encode('a') as number[];
    const out = (await this.net!({
      input_ids: new tf.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
      attention_mask: new tf.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
    })) as Record<string, { dims: number[] }>;
    const first = out.last_hidden_state ?? Object.values(out)[0];
    const d = first?.dims.at(-1);
    if (!d)
      throw modelUnavailable(
        { model: this.model, dtype: this.dtype, options: this.options },
        this.resolved?.looked ?? [],
        `its output has no usable shape (${showValue(first?.dims)})`,
      );
    return d;
  }
}
