import type { Chunk } from '../../core/document.js';
import { RagscopeError } from '../../core/errors.js';
import type { PipelineState } from '../pipeline.js';
import type { BinReader } from './binary.js';

/** What the readers of `docs.bin`, `texts.bin` and `chunks.bin` share, across index formats. @internal */
export function corrupt(file: string, why: string, cause?: unknown): never {
  throw new RagscopeError('CORRUPT_FILE', `saved index file ${file} is corrupt: ${why}`, { file }, cause);
}

/** `{}` (the usual metadata) without JSON.parse; anything else parsed. @internal */
export function parseMeta(r: BinReader, json: string, what: string): Record<string, unknown> {
  if (json === '{}') return {};
  try {
    const v = JSON.parse(json) as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {}
  return r.fail(`${what} metadata is not a JSON object`);
}

/** A length-prefixed string that is `{}` (the usual metadata) without decoding it; anything else decoded. @internal */
export function metaString(r: BinReader): string {
  const buf = r.buf;
  const p = r.pos;
  if (buf[p] === 2 && buf[p + 1] === 0x7b && buf[p + 2] === 0x7d && p + 3 <= buf.length) {
    r.pos = p + 3;
    return '{}';
  }
  return r.str();
}

/** What decoding `texts.bin` needs: each text's encoding and byte length, and a document's id for errors. @internal */
export interface TextLayout {
  utf16: Uint8Array;
  bytes: Float64Array;
  idOf: (i: number) => string;
}

/** `docs.bin` as columns (one array per field, no object per row). @internal */
export interface DocColumns {
  ids: string[];
  metaJson: string[];
  metadata: Array<Record<string, unknown>>;
  /** The hex sha256 of each text. */
  hashes: string[];
  chunks: Float64Array;
}

/** The chunk table read from `chunks.bin`, and the documents with their chunk ids. @internal */
export interface ChunkTable {
  docs: PipelineState['docs'];
  chunks: Chunk[];
  /** 1 where the chunk has a row in `vectors.bin`. */
  hasVector: Uint8Array;
}
