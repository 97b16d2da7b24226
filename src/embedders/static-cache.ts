import type { WordVectors } from './static-formats.js';

/**
 * The binary cache of parsed word vectors (`<cacheDir>/vectors/<name>-<hash of the source path>.f32v`): one file per
 * source, so the second load of a 300 MB JSON or text file is one read.
 *
 * Layout (little-endian): magic `RGSWVEC1` (8 bytes), format version (u32), meta length (u32), meta JSON (UTF-8,
 * padded with spaces to a multiple of 4), the float32 matrix (`count * dims`), the words as a JSON array (UTF-8),
 * CRC-32 of every preceding byte (u32). Meta: `{ dims, count, wordsBytes, contentId, source: { path, size, mtimeMs },
 * key }`. A file whose checksum, layout or source (size, mtime, options key) does not match is reported and rebuilt.
 */
const MAGIC = 'RGSWVEC1';
const VERSION = 1;

interface CacheMeta {
  dims: number;
  count: number;
  wordsBytes: number;
  contentId: string;
  source: { path: string; size: number; mtimeMs: number };
  key: string;
}

/** What identifies the source a cache file was built from. @internal */
export interface VectorSource {
  /** Absolute path of the source file. */
  path: string;
  /** Reading options that change the vectors (e.g. `maxWords=5000`), `''` for none. */
  key: string;
  /** Readable part of the cache file name (e.g. the package name). Default: the source's base name. */
  label?: string;
}

/** Options of {@link loadWithVectorCache}. @internal */
export interface VectorCacheOptions {
  /** The cache root (the file goes to `<cacheDir>/vectors/`). */
  cacheDir: string;
  /** Told which cache file was unusable and why, before it is rebuilt. */
  onWarning: (message: string) => void;
}

/** Cache file path for `source` under `cacheDir`. @internal */
export async function vectorCacheFile(cacheDir: string, source: VectorSource): Promise<string> {
  const path = await import('node:path');
  const { hash53 } = await import('../core/hash.js');
  const base = (source.label ?? path.basename(source.path).replace(/\.(json|txt|vec|w2v)$/i, '')).replace(
    /[^\w.@-]+/g,
    '_',
  );
  return path.join(
    cacheDir,
    'vectors',
    `${base}-${hash53(`${source.path}\n${source.key}`).toString(36)}.f32v`,
  );
}

function encode(
  vectors: WordVectors,
  meta: Omit<CacheMeta, 'wordsBytes'>,
  crc32: (b: Uint8Array, v?: number) => number,
) {
  const words = Buffer.from(JSON.stringify(vectors.words), 'utf8');
  let metaText = JSON.stringify({ ...meta, wordsBytes: words.length } satisfies CacheMeta);
  metaText += ' '.repeat((4 - ((16 + Buffer.byteLength(metaText)) % 4)) % 4);
  const metaBuf = Buffer.from(metaText, 'utf8');
  const head = Buffer.alloc(16);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(VERSION, 8);
  head.writeUInt32LE(metaBuf.length, 12);
  const m = vectors.matrix.subarray(0, vectors.words.length * vectors.dimensions);
  const matrix = Buffer.from(m.buffer, m.byteOffset, m.byteLength);
  let crc = crc32(head);
  for (const part of [metaBuf, matrix, words]) crc = crc32(part, crc);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(crc >>> 0, 0);
  return [head, metaBuf, matrix, words, tail];
}

/** Parse and check a cache file; returns the vectors or the reason it is unusable. @internal */
export function decodeVectorCache(
  buf: Buffer,
  expected: { size: number; mtimeMs: number; key: string },
  crc32: (b: Uint8Array, v?: number) => number,
): WordVectors | string {
  if (buf.length < 20 || buf.toString('latin1', 0, 8) !== MAGIC)
    return 'not a ragscope vector cache (bad magic)';
  const version = buf.readUInt32LE(8);
  if (version !== VERSION) return `format version ${version}, expected ${VERSION}`;
  const stored = buf.readUInt32LE(buf.length - 4);
  const actual = crc32(buf.subarray(0, buf.length - 4)) >>> 0;
  if (stored !== actual)
    return `checksum mismatch (CRC-32 stored ${stored}, computed ${actual}; ${buf.length} bytes)`;
  const metaLen = buf.readUInt32LE(12);
  let meta: CacheMeta;
  try {
    meta = JSON.parse(buf.toString('utf8', 16, 16 + metaLen)) as CacheMeta;
  } catch {
    return 'unreadable header';
  }
  const matrixAt = 16 + metaLen;
  const matrixBytes = meta.count * meta.dims * 4;
  if (matrixAt + matrixBytes + meta.wordsBytes + 4 !== buf.length || matrixAt % 4 !== 0) {
    return `layout does not add up (${buf.length} bytes for ${meta.count} x ${meta.dims})`;
  }
  if (
    meta.source.size !== expected.size ||
    Math.round(meta.source.mtimeMs) !== Math.round(expected.mtimeMs) ||
    meta.key !== expected.key
  ) {
    return (
      `stale: built from a source of ${meta.source.size} bytes modified ${new Date(meta.source.mtimeMs).toISOString()}` +
      `${meta.key ? ` (${meta.key})` : ''}, the source now has ${expected.size} bytes modified ` +
      `${new Date(expected.mtimeMs).toISOString()}${expected.key ? ` (${expected.key})` : ''}`
    );
  }
  const words = JSON.parse(
    buf.toString('utf8', matrixAt + matrixBytes, matrixAt + matrixBytes + meta.wordsBytes),
  );
  if (!Array.isArray(words) || words.length !== meta.count) return 'word list does not match the header';
  // A view when the read buffer is 4-byte aligned (it is for files this size), else one copy.
  const matrix =
    (buf.byteOffset + matrixAt) % 4 === 0
      ? new Float32Array(buf.buffer, buf.byteOffset + matrixAt, meta.count * meta.dims)
      : new Float32Array(
          buf.buffer.slice(buf.byteOffset + matrixAt, buf.byteOffset + matrixAt + matrixBytes),
        );
  return { words: words as string[], matrix, dimensions: meta.dims, contentId: meta.contentId };
}

/**
 * Load word vectors through the binary cache: a valid, fresh cache file is read (one read + CRC-32); otherwise
 * (missing, corrupt, stale) `build()` parses the source and the cache is (re)written atomically — temp file, read
 * back and verified, then renamed over the old one. An unusable cache file is reported through `onWarning` (which
 * file, what is wrong) before it is rebuilt; a cache that cannot be written is reported and the vectors returned.
 * @internal
 */
export async function loadWithVectorCache(
  source: VectorSource,
  build: () => Promise<WordVectors>,
  options: VectorCacheOptions,
): Promise<WordVectors> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { crc32 } = await import('node:zlib');
  const file = await vectorCacheFile(options.cacheDir, source);
  const st = await fs.promises.stat(source.path);
  const expected = { size: st.size, mtimeMs: st.mtimeMs, key: source.key };
  let buf: Buffer | null = null;
  try {
    buf = await fs.promises.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      options.onWarning(
        `word vector cache ${file} cannot be read (${(err as Error).message}); rebuilding it`,
      );
    }
  }
  if (buf) {
    const got = decodeVectorCache(buf, expected, crc32);
    if (typeof got !== 'string') return got;
    options.onWarning(`word vector cache ${file} is unusable: ${got}; rebuilding it from ${source.path}`);
  }
  const vectors = await build();
  const parts = encode(
    vectors,
    {
      dims: vectors.dimensions,
      count: vectors.words.length,
      contentId: vectors.contentId,
      source: { path: source.path, size: st.size, mtimeMs: st.mtimeMs },
      key: source.key,
    },
    crc32,
  );
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const handle = await fs.promises.open(tmp, 'w');
    try {
      for (const p of parts) await handle.write(p);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const back = decodeVectorCache(await fs.promises.readFile(tmp), expected, crc32);
    if (typeof back === 'string') throw new Error(`the written file does not verify: ${back}`);
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    options.onWarning(
      `word vector cache ${file} could not be written (${(err as Error).message}); vectors not cached`,
    );
  }
  return vectors;
}
