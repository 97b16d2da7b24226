/**
 * `ragscope/langchain` — LangChain.js in both directions: wrap a LangChain retriever or vector store as a ragscope
 * retriever (traces, evaluation, why-not), expose a ragscope pipeline as a LangChain retriever and an embedder as
 * LangChain embeddings, and read multi-page loader output. `@langchain/core` is an optional peer dependency, loaded
 * only by the functions that build LangChain objects.
 * @packageDocumentation
 */

export * from './from-langchain.js';
export * from './to-langchain.js';
