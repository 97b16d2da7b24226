import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkInteger, invalidArgument, RagscopeError } from '../../core/errors.js';
import { importOptional } from '../../core/optional.js';
import type { RerankCandidate, Reranker, RerankResult } from './types.js';

/**
 * Options of {@link CrossEncoderReranker}. Every field is optional.
 *
 * @example
 * ```ts
 * const opts: CrossEncoderOptions = { model: 'glove-6B-50d-10k-pair-cosine', localModelPath: '../shared/models', allowRemoteModels: false };
 * ```
 */
export interface CrossEncoderOptions {
  /** Hugging Face model id or local folder name. Default `'Xenova/ms-marco-MiniLM-L-6-v2'`. */
  model?: string;
  /** Folder holding `<model>/` locally (transformers.js `env.localModelPath`). Default: transformers.js default. */
  localModelPath?: string;
  /** Allow downloads from the Hugging Face hub. Default `true` (set `false` offline). */
  allowRemoteModels?: boolean;
  /** Download cache folder (transformers.js `env.cacheDir`). Default: transformers.js default. */
  cacheDir?: string;
  /** ONNX weights variant: `'fp32'` (default, `onnx/model.onnx`), `'q8'`, `'fp16'`... */
  dtype?: 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4';
  /** Pairs scored per model call. Default 16. */
  batchSize?: number;
  /** Longest (query + passage) input in tokens; longer pairs are truncated. Default 512. */
  maxTokens?: number;
}

type Tokenizer = (
  text: string[],
  options: { text_pair: string[]; padding: boolean; truncation: boolean; max_length: number },
) => Record<string, unknown>;
type Model = (
  inputs: Record<string, unknown>,
) => Promise<{ logits: { dims: number[]; data: ArrayLike<number> } }>;

/**
 * A cross-encoder re-ranker: scores each (query, passage) pair jointly with a transformers.js sequence-classification
 * model (`AutoTokenizer` + `AutoModelForSequenceClassification`, the pair passed as `text_pair`). The score is the raw
 * logit of the single label (or of the last label when the model has several). transformers.js (and onnxruntime) is
 * imported lazily on first use (an optional peer dependency: absent, `RagscopeError('MISSING_DEPENDENCY')`); a model
 * that cannot be loaded throws `RagscopeError('MODEL_UNAVAILABLE')` naming it and the folder it looked in.
 *
 * @example
 * ```ts
 * const reranker = new CrossEncoderReranker({ model: 'Xenova/ms-marco-MiniLM-L-6-v2' });
 * const order = await reranker.rerank('how long do refunds take', [
 *   { id: 'a', text: 'Shipping is free.', score: 0.9 },
 *   { id: 'b', text: 'Refunds take 5 days.', score: 0.8 },
 * ]);
 * order[0].id; // 'b'
 * ```
 */
export class CrossEncoderReranker implements Reranker {
  readonly id: string;
  readonly maxTokens: number;
  readonly model: string;
  private readonly options: CrossEncoderOptions;
  private readonly batchSize: number;
  private loading: Promise<{ tokenizer: Tokenizer; model: Model }> | null = null;

  constructor(options: CrossEncoderOptions = {}) {
    this.model = options.model ?? 'Xenova/ms-marco-MiniLM-L-6-v2';
    if (typeof this.model !== 'string' || this.model.length === 0) {
      invalidArgument('model', options.model, 'a non-empty model id');
    }
    this.batchSize = checkInteger('batchSize', options.batchSize ?? 16, 1);
    this.maxTokens = checkInteger('maxTokens', options.maxTokens ?? 512, 2);
    this.options = { ...options };
    this.id = `cross-encoder:${this.model}:${options.dtype ?? 'fp32'}:t${this.maxTokens}`;
  }

  /** Load the tokenizer and model now (otherwise done on the first `rerank`). Throws `MODEL_UNAVAILABLE`. */
  async load(): Promise<void> {
    await this.ensureLoaded();
  }

  private ensureLoaded(): Promise<{ tokenizer: Tokenizer; model: Model }> {
    if (!this.loading) {
      this.loading = this.doLoad();
      // A failed load can be retried (e.g. after the files appear).
      this.loading.catch(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  private async doLoad(): Promise<{ tokenizer: Tokenizer; model: Model }> {
    const { localModelPath, allowRemoteModels = true, cacheDir } = this.options;
    const t = await importOptional(
      '@huggingface/transformers',
      `the cross-encoder re-ranker (model ${JSON.stringify(this.model)})`,
      () => import('@huggingface/transformers'),
      'Without it, use the mmr or http: re-ranker.',
    );
    // transformers.js answers a model it can find neither locally nor on the hub with an internal TypeError
    // ("Cannot read properties of undefined (reading 'tokenizer_class')"): look for the folder first and say so.
    const root = path.resolve(localModelPath ?? t.env.localModelPath ?? '');
    const folder = path.join(root, this.model);
    const local = existsSync(path.join(folder, 'config.json'));
    if (!local && !allowRemoteModels) {
      throw this.unavailable(
        `not found at ${folder} (no config.json) and allowRemoteModels is false`,
        localModelPath,
      );
    }
    if (localModelPath !== undefined) t.env.localModelPath = root;
    if (cacheDir !== undefined) t.env.cacheDir = cacheDir;
    t.env.allowRemoteModels = allowRemoteModels;
    t.env.allowLocalModels = true;
    try {
      const tokenizer = (await t.AutoTokenizer.from_pretrained(this.model)) as unknown as Tokenizer;
      const model = (await t.AutoModelForSequenceClassification.from_pretrained(this.model, {
        dtype: this.options.dtype ?? 'fp32',
      })) as unknown as Model;
      return { tokenizer, model };
    } catch (err) {
      const reason =
        err instanceof TypeError && !local
          ? `not found at ${folder} nor in the cache ${cacheDir ?? t.env.cacheDir}, and it could not be ` +
            `downloaded from ${t.env.remoteHost} (no network, or no such model)`
          : `${allowRemoteModels ? '' : 'remote models disabled: '}${err instanceof Error ? err.message : String(err)}`;
      throw this.unavailable(reason, localModelPath, err);
    }
  }

  private unavailable(reason: string, localModelPath: string | undefined, cause?: unknown): RagscopeError {
    return new RagscopeError(
      'MODEL_UNAVAILABLE',
      `cannot load cross-encoder model ${JSON.stringify(this.model)}` +
        `${localModelPath ? ` (localModelPath ${JSON.stringify(localModelPath)})` : ''}: ${reason}. ` +
        'To use it offline, put its folder (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx) ' +
        `at <dir>/${this.model} and pass { localModelPath: '<dir>', allowRemoteModels: false }.`,
      { model: this.model, localModelPath },
      cause,
    );
  }

  /** Score every (query, candidate text) pair; returns candidates sorted by logit, best first (stable on ties). */
  async rerank(query: string, candidates: RerankCandidate[]): Promise<RerankResult[]> {
    if (typeof query !== 'string') invalidArgument('query', query, 'a string');
    if (!Array.isArray(candidates)) invalidArgument('candidates', candidates, 'an array');
    if (candidates.length === 0) return [];
    const { tokenizer, model } = await this.ensureLoaded();
    const scores: number[] = [];
    for (let i = 0; i < candidates.length; i += this.batchSize) {
      const batch = candidates.slice(i, i + this.batchSize);
      const inputs = tokenizer(
        batch.map(() => query),
        { text_pair: batch.map((c) => c.text), padding: true, truncation: true, max_length: this.maxTokens },
      );
      const { logits } = await model(inputs);
      const labels = logits.dims[1] ?? 1;
      for (let j = 0; j < batch.length; j++) scores.push(Number(logits.data[j * labels + labels - 1]));
    }
    return candidates
      .map((c, i) => ({ id: c.id, score: scores[i]!, i }))
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .map(({ id, score }) => ({ id, score }));
  }
}
