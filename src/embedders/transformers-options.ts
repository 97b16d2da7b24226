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
