import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';

/** sha256 and size of a written file. @internal */
export interface FileDigest {
  sha256: string;
  bytes: number;
}

const FLUSH_AT = 1 << 20;

/**
 * A file written piece by piece (never built as one string or buffer) and hashed as it goes. Small pieces are copied
 * into one reused ~1 MiB buffer and written when it is full; larger ones are written as they are. Each write is
 * awaited, so memory stays bounded, and a save allocates no buffer per piece (at millions of records, short-lived
 * buffers are what raised the save's peak RSS). @internal
 */
export class FileSink {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private readonly staged = Buffer.allocUnsafe(FLUSH_AT);
  private used = 0;

  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
  ) {}

  /** Create `file` (it must not exist). */
  static async create(file: string): Promise<FileSink> {
    return new FileSink(file, await open(file, 'wx'));
  }

  /** Append `data` (a string is written as UTF-8). The caller may reuse a passed buffer after this resolves. */
  async write(data: Uint8Array | string): Promise<void> {
    const buf =
      typeof data === 'string'
        ? Buffer.from(data, 'utf8')
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (buf.byteLength === 0) return;
    this.hash.update(buf);
    this.bytes += buf.byteLength;
    if (this.used + buf.byteLength > FLUSH_AT) await this.flush();
    if (buf.byteLength >= FLUSH_AT) {
      await this.writeAll(buf);
      return;
    }
    buf.copy(this.staged, this.used);
    this.used += buf.byteLength;
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    await this.writeAll(this.staged.subarray(0, n));
  }

  private async writeAll(buf: Buffer): Promise<void> {
    let off = 0;
    while (off < buf.byteLength) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.byteLength - off);
      off += bytesWritten;
    }
  }

  /** Flush, fsync and close; returns the file's digest. */
  async close(): Promise<FileDigest> {
    try {
      await this.flush();
      await this.fh.sync();
    } finally {
      await this.fh.close();
    }
    return { sha256: this.hash.digest('hex'), bytes: this.bytes };
  }

  /** Close after a failure, ignoring errors. */
  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

/** Write a whole file through a {@link FileSink} by calling `fill`. @internal */
export async function writeStreamed(
  file: string,
  fill: (sink: FileSink) => Promise<void>,
): Promise<FileDigest> {
  const sink = await FileSink.create(file);
  try {
    await fill(sink);
  } catch (err) {
    await sink.abort();
    throw err;
  }
  return sink.close();
}

/** Read `file` from disk (through one reused buffer) and return its digest. @internal */
export async function digestFile(file: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(FLUSH_AT);
  let bytes = 0;
  const fh = await open(file, 'r');
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, FLUSH_AT, bytes);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}
