import { RagscopeError, showValue } from './errors.js';
import { hash53, hashHex } from './hash.js';

/**
 * A source document. `text` is the exact string every chunk's offsets refer to.
 *
 * @example
 * ```ts
 * const doc: Document = { id: 'handbook', text: 'Refunds take 5 days.\n\nShipping is free.', metadata: { lang: 'en' } };
 * ```
 */
export interface Document {
  /** Unique, stable id (a file path, a database key...). */
  id: string;
  /** The full text. Chunk offsets are UTF-16 code-unit offsets into it, as `String.prototype.slice` uses. */
  text: string;
  /** Free-form metadata, copied onto every chunk. */
  metadata?: Record<string, unknown>;
}

/**
 * The LangChain document shape (`@langchain/core/documents`), accepted wherever a {@link Document} is.
 * Its id is taken from `id`, then `metadata.id`, then `metadata.source`, else a hash of the content.
 *
 * @example
 * ```ts
 * const lc: LangChainDocument = { pageContent: 'Hello world.', metadata: { source: 'notes.md' } };
 * toDocument(lc).id; // 'notes.md'
 * ```
 */
export interface LangChainDocument {
  pageContent: string;
  metadata?: Record<string, unknown>;
  id?: string;
}

/**
 * Anything a chunker accepts: a ragscope {@link Document} or a {@link LangChainDocument}.
 *
 * @example
 * ```ts
 * const inputs: DocumentInput[] = [
 *   { id: 'faq', text: 'Refunds take 5 days.' }, // ragscope Document
 *   { pageContent: 'Shipping is free.', metadata: { source: 'shipping.md' } }, // LangChain Document
 * ];
 * const chunks = inputs.flatMap((d) => new FixedChunker({ size: 200 }).chunkSync(d));
 * ```
 */
export type DocumentInput = Document | LangChainDocument;

/**
 * A piece of a document. Invariant, for every chunker and setting:
 * `doc.text.slice(chunk.start, chunk.end) === chunk.text`.
 *
 * @example
 * ```ts
 * const [first] = new FixedChunker({ size: 5 }).chunkSync({ id: 'd', text: 'Hello world' });
 * // { id: 'd#0.…', docId: 'd', index: 0, text: 'Hello', start: 0, end: 5, metadata: {} }
 * ```
 */
export interface Chunk {
  /** Stable id: the same document text and chunker settings always give the same id. */
  id: string;
  /** Id of the document the chunk comes from. */
  docId: string;
  /** Position of the chunk within its document (0-based). */
  index: number;
  /** Exactly `doc.text.slice(start, end)`. */
  text: string;
  /** Start offset in the document (inclusive, UTF-16 code units). */
  start: number;
  /** End offset in the document (exclusive). */
  end: number;
  /** The document's metadata (copied), plus anything the chunker adds (e.g. `headings`). */
  metadata: Record<string, unknown>;
}

/**
 * Normalise a {@link DocumentInput} into a {@link Document}, validating it.
 * Throws `RagscopeError('INVALID_DOCUMENT')` for anything else (a non-string text, a missing id...).
 *
 * @example
 * ```ts
 * toDocument({ pageContent: 'Hi.', metadata: { source: 'a.txt' } }); // { id: 'a.txt', text: 'Hi.', metadata: { source: 'a.txt' } }
 * ```
 */
export function toDocument(input: DocumentInput): Document {
  if (input === null || typeof input !== 'object') {
    throw new RagscopeError('INVALID_DOCUMENT', `document must be an object, got ${showValue(input)}`, {
      param: 'document',
      value: input,
    });
  }
  const anyInput = input as unknown as Record<string, unknown>;
  if ('pageContent' in anyInput) {
    const text = anyInput.pageContent;
    if (typeof text !== 'string') {
      throw new RagscopeError(
        'INVALID_DOCUMENT',
        `document.pageContent must be a string, got ${showValue(text)}`,
        { param: 'document.pageContent', value: text },
      );
    }
    const metadata = (anyInput.metadata ?? {}) as Record<string, unknown>;
    const candidate = anyInput.id ?? metadata.id ?? metadata.source;
    const id = typeof candidate === 'string' && candidate.length > 0 ? candidate : `doc-${hashHex(text)}`;
    return { id, text, metadata };
  }
  const { id, text, metadata } = anyInput;
  if (typeof text !== 'string') {
    throw new RagscopeError('INVALID_DOCUMENT', `document.text must be a string, got ${showValue(text)}`, {
      param: 'document.text',
      value: text,
    });
  }
  if (typeof id !== 'string' || id.length === 0) {
    throw new RagscopeError(
      'INVALID_DOCUMENT',
      `document.id must be a non-empty string, got ${showValue(id)}`,
      {
        param: 'document.id',
        value: id,
      },
    );
  }
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object')) {
    throw new RagscopeError(
      'INVALID_DOCUMENT',
      `document.metadata must be an object, got ${showValue(metadata)}`,
      {
        param: 'document.metadata',
        value: metadata,
      },
    );
  }
  return { id, text, metadata: (metadata as Record<string, unknown>) ?? {} };
}

/**
 * Build a {@link Chunk} for `doc.text.slice(start, end)` with a stable id.
 * The id is `${docId}#${index}.${hash}` where the hash covers the offsets, the text and `salt`
 * (chunkers pass their spec), so ids change exactly when the chunk changes.
 *
 * @example
 * ```ts
 * makeChunk({ id: 'd', text: 'Hello world' }, 0, 0, 5, 'fixed:5/0').text; // 'Hello'
 * ```
 */
export function makeChunk(
  doc: Document,
  index: number,
  start: number,
  end: number,
  salt = '',
  extra?: Record<string, unknown>,
): Chunk {
  if (
    !(
      Number.isInteger(start) &&
      Number.isInteger(end) &&
      start >= 0 &&
      end >= start &&
      end <= doc.text.length
    )
  ) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `chunk offsets must satisfy 0 <= start <= end <= ${doc.text.length}, got [${start}, ${end})`,
      { param: 'start/end', value: [start, end] },
    );
  }
  const text = doc.text.slice(start, end);
  // Hash the text with a seed derived from (salt, offsets) rather than hashing a concatenated string: building
  // `salt + offsets + text` would copy every chunk's text once more.
  const seed = hash53(`${salt}\u0000${start}:${end}`) % 0x100000000;
  const id = `${doc.id}#${index}.${hashHex(text, seed).slice(0, 8)}`;
  return {
    id,
    docId: doc.id,
    index,
    text,
    start,
    end,
    metadata: { ...(doc.metadata ?? {}), ...(extra ?? {}) },
  };
}

/** Where in `value` JSON.stringify fails (circular reference, BigInt), as a path like `metadata.a[2]`. */
function findUnserialisable(
  value: unknown,
  at: string,
  ancestors: object[],
): { path: string; why: string } | undefined {
  if (typeof value === 'bigint') return { path: at, why: `is a BigInt (${String(value)}n)` };
  if (value === null || typeof value !== 'object') return undefined;
  if (ancestors.includes(value)) return { path: at, why: 'is a circular reference' };
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  ancestors.push(value);
  try {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`${at}[${i}]`, v] as const)
      : Object.entries(value).map(
          ([k, v]) =>
            [/^[A-Za-z_$][\w$]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`, v] as const,
        );
    for (const [p, v] of entries) {
      const found = findUnserialisable(v, p, ancestors);
      if (found) return found;
    }
    return undefined;
  } finally {
    ancestors.pop();
  }
}

/**
 * The JSON form of a document's metadata (what a saved index stores and what change detection compares), or
 * `RagscopeError('INVALID_DOCUMENT')` naming the document and the metadata field JSON cannot hold (a circular
 * reference, a BigInt, a throwing `toJSON`) instead of the bare `TypeError` of `JSON.stringify`.
 *
 * @example
 * ```ts
 * metadataJson({ id: 'a', text: 'Hi.', metadata: { lang: 'en' } }); // '{"lang":"en"}'
 * metadataJson({ id: 'a', text: 'Hi.', metadata: { n: 1n } }); // throws: document "a" metadata.n is a BigInt (1n) ...
 * ```
 */
export function metadataJson(doc: Document): string {
  try {
    return JSON.stringify(doc.metadata ?? {});
  } catch (err) {
    const found = findUnserialisable(doc.metadata, 'metadata', []);
    const what = found
      ? `${found.path} ${found.why}`
      : `metadata cannot be written as JSON (${(err as Error).message.split('\n')[0]})`;
    throw new RagscopeError(
      'INVALID_DOCUMENT',
      `document ${JSON.stringify(doc.id)} ${what}: metadata must be plain JSON (strings, numbers, booleans, null, arrays, objects) to be indexed and saved`,
      { param: `document.${found?.path ?? 'metadata'}`, docId: doc.id },
      err,
    );
  }
}
