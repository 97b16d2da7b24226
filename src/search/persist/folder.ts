import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { invalidArgument, RagscopeError } from '../../core/errors.js';
import { MANIFEST_FILE } from './manifest.js';

/** Saves to the same folder from this process run one at a time. */
const locks = new Map<string, Promise<void>>();

async function withFolderLock<T>(target: string, task: () => Promise<T>): Promise<T> {
  const before = locks.get(target) ?? Promise.resolve();
  const run = before.then(task, task);
  const done = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(target, done);
  try {
    return await run;
  } finally {
    if (locks.get(target) === done) locks.delete(target);
  }
}

/** Refuse a `dir` that exists and is not a saved index (or empty). @internal */
export async function checkTarget(dir: string, target: string): Promise<void> {
  if (!existsSync(target)) return;
  const entries = await readdir(target).catch(() => invalidArgument('dir', dir, 'a folder'));
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    invalidArgument(
      'dir',
      dir,
      'an empty folder or a saved ragscope index (refusing to replace other files)',
    );
  }
}

/**
 * Write a new version of folder `target` atomically: `fill(tmp)` writes (and verifies) everything into a sibling
 * temp folder `<target>.tmp-<pid>-<hex>`; then the old folder is renamed to `<target>.old-<pid>-<hex>`, the temp folder
 * renamed into place and the old one removed. A process killed at any point leaves either the previous or the new
 * index loadable. Leftovers of dead processes (temp and old folders) are removed by the next save. @internal
 */
export async function replaceFolder(target: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  await withFolderLock(target, async () => {
    await mkdir(path.dirname(target), { recursive: true });
    await removeLeftovers(target, 'tmp');
    const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const tmp = `${target}.tmp-${tag}`;
    await mkdir(tmp);
    try {
      await fill(tmp);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    if (existsSync(target)) {
      const old = `${target}.old-${tag}`;
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
    // The new index is in place: older leftovers of interrupted saves are obsolete.
    await removeLeftovers(target, 'old');
  });
}

/** Leftover `<target>.<kind>-<pid>-*` folders whose process is gone (or is this one, after its own swap). */
async function removeLeftovers(target: string, kind: 'tmp' | 'old'): Promise<void> {
  const parent = path.dirname(target);
  const prefix = `${path.basename(target)}.${kind}-`;
  for (const name of await readdir(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    // Our own temp folders belong to saves in flight (other folders' locks); our own old folders are done.
    if (pid === process.pid ? kind === 'tmp' : isAlive(pid)) continue;
    await rm(path.join(parent, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The folder to load: `target` when it holds a manifest; otherwise (a save killed between its two renames) the
 * newest `<target>.old-*` by the `savedAt` its manifest records. @internal
 */
export async function resolveIndexDir(target: string): Promise<string> {
  if (existsSync(path.join(target, MANIFEST_FILE))) return target;
  const parent = path.dirname(target);
  const base = `${path.basename(target)}.old-`;
  const olds = existsSync(parent) ? (await readdir(parent)).filter((n) => n.startsWith(base)) : [];
  let best: { dir: string; at: number } | null = null;
  for (const name of olds) {
    const dir = path.join(parent, name);
    const at = await savedAt(dir);
    if (at !== null && (best === null || at > best.at)) best = { dir, at };
  }
  if (best) return best.dir;
  if (!existsSync(target)) {
    throw new RagscopeError('NOT_FOUND', `no saved index at ${target}`, { file: target });
  }
  throw new RagscopeError('CORRUPT_FILE', `saved index ${target} has no manifest.json`, {
    file: path.join(target, MANIFEST_FILE),
  });
}

/** `savedAt` of a folder's manifest in ms (-1 when the manifest has none), or null when it has no readable one. */
async function savedAt(dir: string): Promise<number | null> {
  try {
    const m = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as { savedAt?: unknown };
    const at = typeof m.savedAt === 'string' ? Date.parse(m.savedAt) : Number.NaN;
    return Number.isFinite(at) ? at : -1;
  } catch {
    return null;
  }
}
