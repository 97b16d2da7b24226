import { invalidArgument } from '../../core/errors.js';
import type { Retriever } from '../retriever.js';
import { bm25Entry } from './bm25.js';
import { langchainEntry, langchainStoreEntry } from './langchain.js';
import { pgTextEntry } from './pg-text.js';
import { pgVectorEntry } from './pg-vector.js';
import type { RetrieverEntry, RetrieverSources } from './types.js';
import { vectorEntry } from './vector.js';

/**
 * Every retriever ragscope can build by name. Adding a retriever is one file with its {@link RetrieverEntry} and
 * one line here.
 *
 * @example
 * ```ts
 * Object.keys(RETRIEVER_REGISTRY); // ['bm25', 'vector', 'pg-text', 'pg-vector', 'langchain', 'langchain-store']
 * ```
 */
export const RETRIEVER_REGISTRY: Readonly<Record<string, RetrieverEntry>> = Object.freeze({
  bm25: bm25Entry,
  vector: vectorEntry,
  'pg-text': pgTextEntry,
  'pg-vector': pgVectorEntry,
  langchain: langchainEntry,
  'langchain-store': langchainStoreEntry,
});

/**
 * Build the retriever a spec name registers over the given sources. An unknown name, or a source the entry needs
 * and was not given, throws `INVALID_ARGUMENT` naming it.
 *
 * @example
 * ```ts
 * const bm25 = new Bm25Index();
 * bm25.add([{ id: 'faq#0.a', docId: 'faq', text: 'Refunds take five days.' }]);
 * const lexical = createRetriever('bm25', { bm25 });
 * await lexical.retrieve('refund', 10); // [{ chunkId: 'faq#0.a', docId: 'faq', score: 0.28... }]
 * ```
 */
export function createRetriever(
  spec: string,
  sources: RetrieverSources,
  options: Record<string, unknown> = {},
): Retriever {
  const entry =
    typeof spec === 'string' && Object.hasOwn(RETRIEVER_REGISTRY, spec)
      ? RETRIEVER_REGISTRY[spec]
      : undefined;
  if (!entry)
    invalidArgument('spec', spec, `a registered retriever (${Object.keys(RETRIEVER_REGISTRY).join(', ')})`);
  if (sources === null || typeof sources !== 'object') invalidArgument('sources', sources, 'an object');
  for (const need of entry.needs) {
    if (sources[need] === undefined || sources[need] === null)
      invalidArgument(`sources.${need}`, sources[need], `what retriever "${spec}" is built over`);
  }
  return entry.create(sources, options);
}
