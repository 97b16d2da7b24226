import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { checkDimensions, checkInteger, invalidArgument, RagscopeError } from '../core/errors.js';
import type { ScoredId } from './types.js';

/** Similarity used by a vector index: cosine (vectors normalised) or raw inner product. @internal */
export type VectorMetric = 'cosine' | 'ip';

/** Validate `dimensions` and `metric` options. @internal */
export function checkVectorOptions(
  dimensions: unknown,
  metric: unknown,
): { dimensions: number; metric: VectorMetric } {
  const dims = checkDimensions('dimensions', dimensions);
  if (metric !== 'cosine' && metric !== 'ip') invalidArgument('metric', metric, "'cosine' or 'ip'");
  return { dimensions: dims, metric };
}

/**
 * Check one vector: a Float32Array (or number array) of `dims` finite numbers, non-zero for cosine.
 * Throws INVALID_ARGUMENT naming `param` (e.g. `vector`, `vectors[3]`). @internal
 */
export function checkVector(
  param: string,
  v: unknown,
  dims: number,
  metric: VectorMetric,
): Float32Array | number[] {
  if (!(v instanceof Float32Array) && !Array.isArray(v))
    invalidArgument(param, v, `a Float32Array of ${dims} numbers`);
  const arr = v as Float32Array | number[];
  if (arr.length !== dims) {
    throw new RagscopeError(
      'INVALID_ARGUMENT',
      `${param} must have ${dims} dimensions (the index's), got ${arr.length}`,
      { param, expected: dims, actual: arr.length },
    );
  }
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const x = arr[i] as number;
    if (typeof x !== 'number' || !Number.isFinite(x)) invalidArgument(`${param}[${i}]`, x, 'a finite number');
    norm += x * x;
  }
  if (metric === 'cosine' && norm === 0)
    invalidArgument(param, 'a zero vector', 'non-zero for cosine similarity');
  return arr;
}

/** Check an add() batch: equal-length arrays of non-empty string ids and valid vectors. @internal */
export function checkBatch(ids: unknown, vectors: unknown, dims: number, metric: VectorMetric): void {
  if (!Array.isArray(ids)) invalidArgument('ids', ids, 'an array of strings');
  if (!Array.isArray(vectors)) invalidArgument('vectors', vectors, 'an array of Float32Array');
  if (ids.length !== vectors.length)
    invalidArgument('vectors', `${vectors.length} vectors`, `one vector per id (${ids.length} ids)`);
  ids.forEach((id, i) => {
    if (typeof id !== 'string' || id === '') invalidArgument(`ids[${i}]`, id, 'a non-empty string');
  });
  vectors.forEach((v, i) => {
    checkVector(`vectors[${i}]`, v, dims, metric);
  });
}

/** Check `k` for search. @internal */
export function checkK(k: unknown): number {
  return checkInteger('k', k, 1);
}

/** Best first: higher score, then smaller id (deterministic ties). @internal */
export function compareScored(x: ScoredId, y: ScoredId): number {
  return y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
}

const MAGIC = 'RSVI';
const FILE_VERSION = 1;

/** Header of a ragscope vector-index file. @internal */
export interface VectorFileHeader {
  kind: 'hnsw' | 'exact';
  dimensions: number;
  metric: VectorMetric;
  [key: string]: unknown;
}

/**
 * Write `header` + `body` atomically as one file: magic `RSVI`, u32 version, u32 header length, header JSON (with the
 * body's byte length and sha256), body (given as one buffer or as parts written one after the other). Temp file in
 * the same folder, then rename. `version` 2 marks a segmented HNSW index (older readers refuse it by version).
 * @internal
 */
export async function writeVectorFile(
  file: string,
  header: VectorFileHeader,
  body: Uint8Array | readonly Uint8Array[],
  version: 1 | 2 = FILE_VERSION,
): Promise<void> {
  if (typeof file !== 'string' || file === '') invalidArgument('file', file, 'a non-empty path');
  const parts = Array.isArray(body) ? (body as readonly Uint8Array[]) : [body as Uint8Array];
  const sha = createHash('sha256');
  let bytes = 0;
  for (const b of parts) {
    sha.update(b);
    bytes += b.byteLength;
  }
  const full = { ...header, bodyBytes: bytes, bodySha256: sha.digest('hex') };
  const head = Buffer.from(JSON.stringify(full), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(version, 4);
  prefix.writeUInt32LE(head.byteLength, 8);
  const tmp = tempPath(file);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.write(prefix);
      await fh.write(head);
      for (const b of parts) await fh.write(b);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Read and verify a file written by {@link writeVectorFile}; problems throw CORRUPT_FILE naming the file. @internal */
export async function readVectorFile(
  file: string,
  kind: 'hnsw' | 'exact',
): Promise<{ header: VectorFileHeader; body: Buffer; version: number }> {
  if (typeof file !== 'string' || file === '') invalidArgument('file', file, 'a non-empty path');
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new RagscopeError(
      'NOT_FOUND',
      `cannot read vector index file ${file}: ${(err as Error).message}`,
      { file },
      err,
    );
  }
  const corrupt = (what: string): never => {
    throw new RagscopeError('CORRUPT_FILE', `${file} is not a valid ragscope vector index: ${what}`, {
      file,
    });
  };
  if (buf.byteLength < 12 || buf.toString('latin1', 0, 4) !== MAGIC) corrupt('bad magic bytes');
  const version = buf.readUInt32LE(4);
  if (version !== FILE_VERSION && !(version === 2 && kind === 'hnsw'))
    corrupt(`unsupported file version ${version}`);
  const headLen = buf.readUInt32LE(8);
  if (12 + headLen > buf.byteLength) corrupt('truncated header');
  let header: VectorFileHeader & { bodyBytes?: unknown; bodySha256?: unknown };
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + headLen));
  } catch {
    return corrupt('header is not valid JSON');
  }
  const body = buf.subarray(12 + headLen);
  if (header.bodyBytes !== body.byteLength)
    corrupt(`body is ${body.byteLength} bytes, header says ${header.bodyBytes}`);
  if (createHash('sha256').update(body).digest('hex') !== header.bodySha256) corrupt('checksum mismatch');
  if (header.kind !== kind) {
    throw new RagscopeError(
      'INCOMPATIBLE_INDEX',
      `${file} holds a ${String(header.kind)} vector index, not ${kind}; open it with ${
        header.kind === 'exact' ? 'ExactVectorIndex' : 'VectorIndex'
      }.readFrom`,
      { file, kind: header.kind },
    );
  }
  try {
    checkVectorOptions(header.dimensions, header.metric);
  } catch {
    corrupt('bad dimensions or metric');
  }
  return { header, body, version };
}

/** A unique temp path beside `file`. @internal */
export function tempPath(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}
