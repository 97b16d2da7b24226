export type { Chunk, Document, DocumentInput, LangChainDocument } from './document.js';
export { makeChunk, toDocument } from './document.js';
export type { RagscopeErrorCode } from './errors.js';
export { RagscopeError } from './errors.js';
