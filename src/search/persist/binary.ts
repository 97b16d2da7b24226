import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { RagscopeError } from '../../core/errors.js';
import type { FileSink } from './sink.js';

const FLUSH_AT = 1 << 20;

/** Buffered little-endian binary writer (LEB128 varints, length-prefixed UTF-8) over a {@link FileSink}. @internal */
export class BinWriter {
  private buf = Buffer.allocUnsafe(FLUSH_AT + 1024);
  private pos = 0;

  constructor(private readonly sink: FileSink) {}

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Unsigned integer up to 2^53 as a LEB128 varint. */
  varint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  /** Byte length (varint) then UTF-8 bytes. */
  str(s: string): void {
    this.ensure(s.length * 3 + 8);
    const len = Buffer.byteLength(s, 'utf8');
    this.varint(len);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** `s` encoded as `encoding`, without a length; returns the bytes written. */
  raw(s: string, encoding: 'utf8' | 'utf16le' | 'latin1' | 'hex'): number {
    this.ensure(s.length * (encoding === 'utf8' ? 3 : 2));
    const n = this.buf.write(s, this.pos, encoding);
    this.pos += n;
    return n;
  }

  /** `src[from, to)` as they are. */
  bytes(src: Uint8Array, from = 0, to = src.length): void {
    this.ensure(to - from);
    this.buf.set(src.subarray(from, to), this.pos);
    this.pos += to - from;
  }

  /** A view of the last `n` bytes written (valid until the next write or flush). */
  last(n: number): Buffer {
    return this.buf.subarray(this.pos - n, this.pos);
  }

  /** Write out the buffer when it is over ~1 MiB (call between records). */
  async maybeFlush(): Promise<void> {
    if (this.pos >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pos === 0) return;
    await this.sink.write(this.buf.subarray(0, this.pos));
    this.pos = 0;
    // a buffer grown for one large record (a long text) is not kept
    if (this.buf.length > 4 * FLUSH_AT) this.buf = Buffer.allocUnsafe(FLUSH_AT + 1024);
  }
}

/** Bounds-checked reader over one buffer; every problem throws `CORRUPT_FILE` naming the file. @internal */
export class BinReader {
  pos = 0;

  constructor(
    readonly buf: Buffer,
    readonly file: string,
  ) {}

  fail(what: string): never {
    throw new RagscopeError(
      'CORRUPT_FILE',
      `saved index file ${this.file} is corrupt: ${what} (at byte ${this.pos})`,
      {
        file: this.file,
        offset: this.pos,
      },
    );
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    if (this.pos >= this.buf.length) this.fail('unexpected end of file');
    return this.buf[this.pos++] as number;
  }

  varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.buf.length) this.fail('unexpected end of file');
      const b = this.buf[this.pos++] as number;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
    return this.fail('varint too long');
  }

  str(): string {
    const len = this.varint();
    if (this.pos + len > this.buf.length) this.fail('string runs past the end of file');
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  magic(expected: string): void {
    const got = this.buf.toString('latin1', 0, expected.length);
    if (got !== expected) this.fail(`bad magic bytes ${JSON.stringify(got)}, expected ${expected}`);
    this.pos = expected.length;
  }
}

/**
 * Read a whole file (any size: read in pieces, not limited to 2 GiB like `readFile`) and check its size and sha256
 * against the manifest. @internal
 */
export async function readVerified(file: string, meta: { sha256: string; bytes: number }): Promise<Buffer> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw new RagscopeError(
      'CORRUPT_FILE',
      `saved index file ${file} is corrupt: missing or unreadable`,
      { file },
      err,
    );
  }
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafe(size);
    const hash = createHash('sha256');
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, Math.min(64 << 20, size - off), off);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(off, off + bytesRead));
      off += bytesRead;
    }
    const got = hash.digest('hex');
    if (off !== meta.bytes || got !== meta.sha256) {
      throw new RagscopeError(
        'CORRUPT_FILE',
        `saved index file ${file} is corrupt: checksum mismatch (sha256 expected ${meta.sha256}, got ${got}; ${off} bytes)`,
        { file },
      );
    }
    return buf;
  } finally {
    await fh.close();
  }
}
