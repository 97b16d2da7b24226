import { invalidArgument, RagscopeError } from '../core/errors.js';
import type { Embedder, EmbedKind, EmbedOptions } from './types.js';

/**
 * Options of {@link CachedEmbedder}.
 *
 * @example
 * ```ts
 * const options: CachedEmbedderOptions = {
 *   dir: '.ragscope-cache/embeddings', // default
 *   onWarning: (message) => log.warn(message), // default console.warn
 *   maxSegmentBytes: 64 * 1024 * 1024, // default 256 MiB
 * };
 * const embedder = new CachedEmbedder(inner, options);
 * ```
 */
export interface CachedEmbedderOptions {
  /** Cache folder (created when missing); one sub-folder per embedder id. Default `'.ragscope-cache/embeddings'`. */
  dir?: string;
  /**
   * Called once per opened cache with a description of the corrupt or truncated files found (which are then
   * rebuilt from their valid records). Default `console.warn`.
   */
  onWarning?: (message: string) => void;
  /** Start a new segment file once the current one reaches this many bytes. Default `256 MiB`. */
  maxSegmentBytes?: number;
}

/**
 * Hit/miss counters of a {@link CachedEmbedder}.
 *
 * @example
 * ```ts
 * await embedder.embed(['a', 'b']);
 * await embedder.embed(['b', 'c']);
 * const stats: CacheStats = embedder.stats; // { hits: 1, misses: 3 } on an empty cache
 * ```
 */
export interface CacheStats {
  /** Texts answered from the cache (or from an identical request already in flight). */
  hits: number;
  /** Texts handed to the inner embedder. */
  misses: number;
}

const MAGIC = 'RGSCVEC1';
const HEADER_BYTES = 32; // magic(8) version(u32) dims(u32) idHash(16)
const KEY_BYTES = 32;

type Crypto = typeof import('node:crypto');
type Fs = typeof import('node:fs');
type Path = typeof import('node:path');
type Zlib = typeof import('node:zlib');

interface Store {
  dir: string;
  idHash: Buffer;
  dims: number | null;
  vectors: Map<string, Float32Array>;
  segment: string | null;
  segmentBytes: number;
  /** Serialises appends. */
  writing: Promise<void>;
}

/**
 * Wraps any embedder with a persistent on-disk cache keyed by (embedder id, SHA-256 of kind and text): a second run
 * embeds only texts it has not seen. Per embedder id the cache is a folder of append-only segment files; each record
 * is the 32-byte key, the float32 vector and a CRC-32, so a corrupt or truncated file is detected on open, reported
 * once (`onWarning`) and rebuilt from its valid records (temp file + rename) — never read as wrong vectors; a crash
 * loses at most the records being appended. Each instance appends to its own new segment, so several processes can
 * share a folder. Concurrent calls for the same text embed it once. Vectors of an opened id are held in memory
 * (about the size of its files). Uses `node:crypto`, `node:fs` and `node:zlib`, imported on first use.
 *
 * `id`, `dimensions`, `maxTokens` and `countTokens` are the inner embedder's: cached vectors are the same vectors.
 *
 * @example
 * ```ts
 * import { CachedEmbedder, TransformersEmbedder } from 'ragscope/embedders';
 * const inner = await TransformersEmbedder.create({ model: 'Xenova/all-MiniLM-L6-v2' });
 * const embedder = new CachedEmbedder(inner, { dir: '.ragscope-cache/embeddings' });
 * await embedder.embed(chunks.map((c) => c.text));
 * embedder.stats; // { hits: 0, misses: 1200 } the first time, { hits: 1200, misses: 0 } the next
 * ```
 */
export class CachedEmbedder implements Embedder {
  readonly inner: Embedder;
  readonly dir: string;
  /** Counters since construction. */
  readonly stats: CacheStats = { hits: 0, misses: 0 };
  private readonly onWarning: (message: string) => void;
  private readonly maxSegmentBytes: number;
  private readonly stores = new Map<string, Promise<Store>>();
  private readonly inflight = new Map<string, Promise<Float32Array>>();
  private mods: { crypto: Crypto; fs: Fs; path: Path; zlib: Zlib } | null = null;

  constructor(inner: Embedder, options: CachedEmbedderOptions = {}) {
    if (!inner || typeof inner.embed !== 'function' || typeof inner.id !== 'string') {
      invalidArgument('inner', inner, 'an Embedder (with id and embed)');
    }
    if (options === null || typeof options !== 'object') invalidArgument('options', options, 'an object');
    const dir = options.dir ?? '.ragscope-cache/embeddings';
    if (typeof dir !== 'string' || dir === '') invalidArgument('dir', dir, 'a folder path');
    if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
      invalidArgument('onWarning', options.onWarning, 'a function');
    }
    const max = options.maxSegmentBytes ?? 256 * 1024 * 1024;
    if (!Number.isInteger(max) || max < 1024) invalidArgument('maxSegmentBytes', max, 'an integer >= 1024');
    this.inner = inner;
    this.dir = dir;
    this.onWarning = options.onWarning ?? ((m) => console.warn(m));
    this.maxSegmentBytes = max;
  }

  get id(): string {
    return this.inner.id;
  }

  get dimensions(): number {
    return this.inner.dimensions;
  }

  get maxTokens(): number | undefined {
    return this.inner.maxTokens;
  }

  countTokens(text: string): number | Promise<number> {
    if (!this.inner.countTokens) {
      throw new RagscopeError('INVALID_ARGUMENT', `embedder ${this.inner.id} cannot count tokens`, {
        param: 'inner',
      });
    }
    return this.inner.countTokens(text);
  }

  /** Embed texts, taking known vectors from the cache and embedding (once) the others. */
  async embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]> {
    if (!Array.isArray(texts)) invalidArgument('texts', texts, 'an array of strings');
    texts.forEach((t, i) => {
      if (typeof t !== 'string') invalidArgument(`texts[${i}]`, t, 'a string');
    });
    const kind: EmbedKind = options?.kind ?? 'passage';
    const id = this.inner.id;
    const store = await this.store(id);
    const { crypto } = this.mods!;
    const keys = texts.map((t) => crypto.createHash('sha256').update(`${kind}\u0000${t}`).digest('hex'));
    const result: Array<Float32Array | Promise<Float32Array>> = new Array(texts.length);
    const missIdx = new Map<string, number>();
    keys.forEach((key, i) => {
      const known = store.vectors.get(key);
      const pending = known ? undefined : (this.inflight.get(`${id}\u0000${key}`) ?? undefined);
      if (known) {
        this.stats.hits++;
        result[i] = known.slice();
      } else if (pending) {
        this.stats.hits++;
        result[i] = pending.then((v) => v.slice());
      } else if (!missIdx.has(key)) {
        missIdx.set(key, i);
      }
    });
    if (missIdx.size > 0) {
      const missKeys = [...missIdx.keys()];
      const missTexts = missKeys.map((k) => texts[missIdx.get(k)!]!);
      this.stats.misses += missKeys.length;
      const batch = this.inner.embed(missTexts, { kind }).then(async (vectors) => {
        if (!Array.isArray(vectors) || vectors.length !== missTexts.length) {
          throw new RagscopeError(
            'INVALID_ARGUMENT',
            `embedder ${id} returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${missTexts.length} texts`,
            { param: 'inner' },
          );
        }
        missKeys.forEach((key, j) => {
          store.vectors.set(key, vectors[j]!);
        });
        try {
          await this.append(store, missKeys, vectors);
        } catch (err) {
          this.onWarning(
            `ragscope: could not write the embedding cache in ${store.dir}: ${(err as Error).message}`,
          );
        }
        return vectors;
      });
      missKeys.forEach((key, j) => {
        const p = batch.then((vs) => vs[j]!);
        p.catch(() => undefined);
        this.inflight.set(`${id}\u0000${key}`, p);
      });
      try {
        await batch;
      } finally {
        for (const key of missKeys) this.inflight.delete(`${id}\u0000${key}`);
      }
    }
    // Second pass: texts repeated within this call, and results of this call's own misses.
    keys.forEach((key, i) => {
      if (result[i] === undefined) {
        const v = store.vectors.get(key);
        result[i] = v ? v.slice() : Promise.reject(new Error('internal: cached vector missing'));
      }
    });
    return Promise.all(result);
  }

  /** Number of vectors cached for the current inner id (opens the cache). */
  async size(): Promise<number> {
    return (await this.store(this.inner.id)).vectors.size;
  }

  private async modules() {
    if (!this.mods) {
      const [crypto, fs, path, zlib] = await Promise.all([
        import('node:crypto'),
        import('node:fs'),
        import('node:path'),
        import('node:zlib'),
      ]);
      this.mods = { crypto, fs, path, zlib };
    }
    return this.mods;
  }

  private store(id: string): Promise<Store> {
    let s = this.stores.get(id);
    if (!s) {
      s = this.open(id);
      s.catch(() => this.stores.delete(id));
      this.stores.set(id, s);
    }
    return s;
  }

  private crc(buf: Uint8Array): number {
    const z = this.mods!.zlib as Zlib & { crc32?: (b: Uint8Array) => number };
    return z.crc32 ? z.crc32(buf) : crc32js(buf);
  }

  private async open(id: string): Promise<Store> {
    const { crypto, fs, path } = await this.modules();
    const full = crypto.createHash('sha256').update(id).digest();
    const slug = id.replace(/[^\w.-]+/g, '_').slice(0, 60);
    const dir = path.join(this.dir, `${slug}-${full.toString('hex').slice(0, 16)}`);
    await fs.promises.mkdir(dir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      // ENOTDIR / EEXIST: a file stands where a cache folder must go (e.g. --cache-dir names a file).
      throw new RagscopeError(
        'INVALID_ARGUMENT',
        `dir ${JSON.stringify(this.dir)} cannot hold the embedding cache: ${err.code === 'ENOTDIR' || err.code === 'EEXIST' ? 'a file is in the way (it must be a folder, or not exist yet)' : err.message}`,
        { param: 'dir', value: this.dir, code: err.code },
        err,
      );
    });
    await writeAtomic(fs, path.join(dir, 'embedder.json'), `${JSON.stringify({ id }, null, 2)}\n`);
    const store: Store = {
      dir,
      idHash: full.subarray(0, 16),
      dims: null,
      vectors: new Map(),
      segment: null,
      segmentBytes: 0,
      writing: Promise.resolve(),
    };
    const problems: string[] = [];
    const names = (await fs.promises.readdir(dir)).filter((n) => n.endsWith('.seg')).sort();
    for (const name of names) {
      const file = path.join(dir, name);
      const buf = await fs.promises.readFile(file);
      const problem = this.readSegment(store, buf);
      if (problem) {
        problems.push(`${file}: ${problem.reason}`);
        // Rebuild the file from its valid records (or drop it when none are usable).
        if (problem.valid.length === 0 || store.dims === null) {
          await fs.promises.rm(file, { force: true });
        } else {
          await writeAtomic(fs, file, Buffer.concat([this.header(store), ...problem.valid]));
        }
      }
    }
    if (problems.length > 0) {
      this.onWarning(
        `ragscope: embedding cache for ${id} had ${problems.length} corrupt or truncated file(s); their bad ` +
          `records were dropped and will be re-embedded:\n  ${problems.join('\n  ')}`,
      );
    }
    return store;
  }

  /** Load a segment's records into the store; returns what was wrong, if anything, with the valid records. */
  private readSegment(store: Store, buf: Buffer): { reason: string; valid: Buffer[] } | null {
    if (buf.length < HEADER_BYTES)
      return { reason: `shorter than its header (${buf.length} bytes)`, valid: [] };
    if (buf.toString('latin1', 0, 8) !== MAGIC)
      return { reason: 'not a ragscope vector cache file', valid: [] };
    if (buf.readUInt32LE(8) !== 1)
      return { reason: `unknown format version ${buf.readUInt32LE(8)}`, valid: [] };
    const dims = buf.readUInt32LE(12);
    if (!buf.subarray(16, 32).equals(store.idHash))
      return { reason: 'written for another embedder id', valid: [] };
    if (dims < 1 || (store.dims !== null && dims !== store.dims)) {
      return { reason: `header says ${dims} dimensions, expected ${store.dims ?? '>= 1'}`, valid: [] };
    }
    store.dims = dims;
    const rec = KEY_BYTES + dims * 4 + 4;
    const body = buf.length - HEADER_BYTES;
    const count = Math.floor(body / rec);
    const valid: Buffer[] = [];
    let bad = 0;
    for (let r = 0; r < count; r++) {
      const off = HEADER_BYTES + r * rec;
      const payload = buf.subarray(off, off + rec - 4);
      if (this.crc(payload) !== buf.readUInt32LE(off + rec - 4)) {
        bad++;
        continue;
      }
      valid.push(buf.subarray(off, off + rec));
      const key = buf.toString('hex', off, off + KEY_BYTES);
      const start = buf.byteOffset + off + KEY_BYTES;
      store.vectors.set(key, new Float32Array(buf.buffer.slice(start, start + dims * 4)));
    }
    const tail = body - count * rec;
    if (bad === 0 && tail === 0) return null;
    const parts: string[] = [];
    if (bad > 0) parts.push(`${bad} of ${count} records failed their checksum`);
    if (tail > 0) parts.push(`truncated (${tail} stray bytes after the last whole record)`);
    return { reason: parts.join(', '), valid };
  }

  private header(store: Store): Buffer {
    const h = Buffer.alloc(HEADER_BYTES);
    h.write(MAGIC, 0, 'latin1');
    h.writeUInt32LE(1, 8);
    h.writeUInt32LE(store.dims ?? 0, 12);
    store.idHash.copy(h, 16);
    return h;
  }

  private append(store: Store, keys: string[], vectors: Float32Array[]): Promise<void> {
    const run = store.writing.then(async () => {
      const { fs, path, crypto } = this.mods!;
      const first = vectors[0];
      if (!first) return;
      if (store.dims === null) store.dims = first.length;
      const dims = store.dims;
      const rec = KEY_BYTES + dims * 4 + 4;
      const out = Buffer.alloc(rec * keys.length);
      keys.forEach((key, j) => {
        const v = vectors[j]!;
        if (v.length !== dims) {
          throw new RagscopeError(
            'INVALID_ARGUMENT',
            `embedder ${this.inner.id} returned a vector of ${v.length} dimensions, its cache holds ${dims}`,
            { param: 'inner' },
          );
        }
        const off = j * rec;
        out.write(key, off, 'hex');
        Buffer.from(v.buffer, v.byteOffset, dims * 4).copy(out, off + KEY_BYTES);
        out.writeUInt32LE(this.crc(out.subarray(off, off + rec - 4)), off + rec - 4);
      });
      if (!store.segment || store.segmentBytes + out.length > this.maxSegmentBytes) {
        const name = `${Date.now().toString(36)}-${process.pid}-${crypto.randomBytes(4).toString('hex')}.seg`;
        store.segment = path.join(store.dir, name);
        const header = this.header(store);
        await fs.promises.writeFile(store.segment, header, { flag: 'wx' });
        store.segmentBytes = header.length;
      }
      await fs.promises.appendFile(store.segment, out);
      store.segmentBytes += out.length;
    });
    store.writing = run.catch(() => undefined);
    return run;
  }
}

async function writeAtomic(fs: Fs, file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  await fs.promises.writeFile(tmp, data);
  await fs.promises.rename(tmp, file);
}

let crcTable: Uint32Array | null = null;
/** CRC-32 (IEEE) for Node versions without `zlib.crc32`. */
function crc32js(buf: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = (crcTable[(c ^ (buf[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
