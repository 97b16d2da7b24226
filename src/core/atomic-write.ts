import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * Write `data` to `target` atomically: a uniquely named temporary file beside it, then a rename over it, so a reader
 * sees the old file or the new one, never half of one; on failure the temporary file is removed and the error
 * rethrown. One mechanism for the report, compare and generate files. @internal
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, typeof data === 'string' ? 'utf8' : undefined);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
