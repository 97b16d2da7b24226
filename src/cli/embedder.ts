import { existsSync } from 'node:fs';
import path from 'node:path';
import { RagscopeError } from '../core/errors.js';
import { HashingEmbedder } from '../embedders/hashing.js';
import { createEmbedder, parseEmbedderSpec } from '../embedders/spec.js';
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
  /** The spec that rebuilds this embedder (`hashing` after a fallback). */
  spec: string;
  /** Set when the default model could not be loaded and the hashing embedder is used instead: the loud message. */
  fallback?: string;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const cut = msg.indexOf('. To use it offline');
  return (cut > 0 ? msg.slice(0, cut) : msg.split('\n')[0]!).slice(0, 300);
}

/**
 * Build the embedder named by `--embedder`, or, with none, the default transformers model; when that cannot be had
 * (offline, not cached) fall back to the hashing embedder and return the loud `fallback` message — never silently.
 * An embedder the user named explicitly that fails to load is an error (no fallback).
 *
 * @example
 * ```ts
 * const { embedder, fallback } = await resolveEmbedder(undefined);
 * if (fallback) process.stderr.write(banner(fallback));
 * ```
 */
export async function resolveEmbedder(spec: string | undefined): Promise<ResolvedEmbedder> {
  if (spec !== undefined) {
    const parsed = parseEmbedderSpec(spec); // INVALID_SPEC before any loading
    const embedder = await createEmbedder(spec);
    // An HTTP embedder learns its dimension from the server's first answer.
    if (parsed.kind === 'http') await (embedder as unknown as { load(): Promise<void> }).load();
    return { embedder, spec };
  }
  try {
    return { embedder: await createEmbedder(DEFAULT_EMBEDDER_MODEL), spec: DEFAULT_EMBEDDER_MODEL };
  } catch (err) {
    const embedder = new HashingEmbedder();
    return {
      embedder,
      spec: 'hashing',
      fallback:
        `EMBEDDER FALLBACK: the default embedder ${DEFAULT_EMBEDDER_MODEL} could not be loaded (${firstLine(err)}). ` +
        `Using the hashing embedder ${embedder.id} instead: it matches words and character n-grams, not meaning, so ` +
        `the dense and hybrid numbers are NOT those of a semantic model. Choose one with --embedder ` +
        `(a model id or local model folder, static:<GloVe/word2vec .txt>, http:<URL>#<model>, or hashing).`,
    };
  }
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
