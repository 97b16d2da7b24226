import { fromLangChainRetriever, fromLangChainVectorStore } from '../../langchain/from-langchain.js';
import type { RetrieverEntry } from './types.js';

/**
 * Registry entry `langchain`: any LangChain.js retriever ({@link fromLangChainRetriever}).
 *
 * @example
 * ```ts
 * const r = langchainEntry.create({ langchain: vectorStore.asRetriever({ k: 10 }), documents: corpus }, {});
 * ```
 */
export const langchainEntry: RetrieverEntry = {
  kind: 'other',
  needs: ['langchain'],
  create: (sources, options) =>
    fromLangChainRetriever(sources.langchain!, {
      ...options,
      ...(sources.documents ? { documents: sources.documents } : {}),
    }),
};

/**
 * Registry entry `langchain-store`: a LangChain.js vector store with its scores ({@link fromLangChainVectorStore}).
 *
 * @example
 * ```ts
 * const r = langchainStoreEntry.create({ langchainStore: store, documents: corpus }, { scoreIs: 'distance' });
 * ```
 */
export const langchainStoreEntry: RetrieverEntry = {
  kind: 'dense',
  needs: ['langchainStore'],
  create: (sources, options) =>
    fromLangChainVectorStore(sources.langchainStore!, {
      ...options,
      ...(sources.documents ? { documents: sources.documents } : {}),
    }),
};
