import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RagscopeError } from '../../core/errors.js';
import type { PipelineConfigJSON } from '../pipeline.js';

/**
 * Format name written in every saved index's manifest.
 *
 * @example
 * ```ts
 * (await readManifest(dir)).format === INDEX_FORMAT; // true
 * ```
 */
export const INDEX_FORMAT = 'ragscope-index';
/**
 * Version of the saved-index layout this build writes (version 5). It also reads version 4 (ragscope before the
 * compact records); older versions get an `INCOMPATIBLE_INDEX` error saying to re-index.
 *
 * @example
 * ```ts
 * (await readManifest(dir)).version === INDEX_FORMAT_VERSION; // true for an index saved by this version
 * ```
 */
export const INDEX_FORMAT_VERSION = 5;

/** Versions this build loads: format 4 through its own record readers. @internal */
export const READABLE_FORMAT_VERSIONS: readonly number[] = [4, INDEX_FORMAT_VERSION];

/**
 * `manifest.json` of a saved index.
 *
 * @example
 * ```ts
 * const manifest: IndexManifest = JSON.parse(readFileSync('my-index/manifest.json', 'utf8'));
 * manifest.embedder; // { id: 'hashing:d256:w1:c3-5', dimensions: 256 }
 * ```
 */
export interface IndexManifest {
  format: typeof INDEX_FORMAT;
  version: number;
  config: PipelineConfigJSON;
  embedder: { id: string; dimensions: number } | null;
  counts: { documents: number; chunks: number; vectors: number };
  /** When the save started (ISO 8601); orders leftover folders of interrupted saves. */
  savedAt?: string;
  /** Every other file of the folder with its sha256 and size (plain names inside the folder). */
  files: Record<string, { sha256: string; bytes: number }>;
  /** Files stored beside the index by its writer (e.g. the CLI's sidecar): checksummed, not read by loads. */
  extras?: string[];
  /** sha256 of this manifest's JSON without this field: editing the manifest by hand is detected. */
  manifestSha256?: string;
}

/** Name of the manifest file. @internal */
export const MANIFEST_FILE = 'manifest.json';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The manifest as written: the object plus the sha256 of its own JSON. @internal */
export function sealManifest(manifest: Omit<IndexManifest, 'manifestSha256'>): string {
  const body = JSON.stringify(manifest);
  return `${JSON.stringify({ ...manifest, manifestSha256: sha256(body) }, null, 2)}\n`;
}

function corrupt(file: string, why: string, cause?: unknown): never {
  throw new RagscopeError('CORRUPT_FILE', `saved index file ${file} is corrupt: ${why}`, { file }, cause);
}

/** A name in `files`/`extras` must be a plain file name inside the folder. @internal */
export function isPlainName(name: string): boolean {
  return (
    typeof name === 'string' &&
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) &&
    !name.includes('..') &&
    path.basename(name) === name
  );
}

/**
 * Parse and check `manifest.json` of folder `root`: JSON, format, version (another one -> `INCOMPATIBLE_INDEX`
 * saying to re-index), its own checksum, and file entries that stay inside the folder. @internal
 */
export async function readCheckedManifest(root: string): Promise<IndexManifest> {
  const file = path.join(root, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return corrupt(file, 'missing or unreadable', err);
  }
  let manifest: IndexManifest;
  try {
    manifest = JSON.parse(text) as IndexManifest;
  } catch (err) {
    return corrupt(file, 'not valid JSON', err);
  }
  if (
    !manifest ||
    typeof manifest !== 'object' ||
    manifest.format !== INDEX_FORMAT ||
    typeof manifest.files !== 'object' ||
    manifest.files === null ||
    !manifest.config
  ) {
    corrupt(file, `not a ${INDEX_FORMAT} manifest`);
  }
  if (!READABLE_FORMAT_VERSIONS.includes(manifest.version)) {
    const older = typeof manifest.version === 'number' && manifest.version < INDEX_FORMAT_VERSION;
    throw new RagscopeError(
      'INCOMPATIBLE_INDEX',
      `saved index ${root} has format version ${JSON.stringify(manifest.version)}${older ? ' (written by an older ragscope)' : ''}; this ragscope reads versions ${READABLE_FORMAT_VERSIONS.join(' and ')}: re-index with this version (\`ragscope index <corpus> --out ${root}\`, or addDocuments + pipeline.save)`,
      { file, version: manifest.version },
    );
  }
  const { manifestSha256, ...rest } = manifest;
  if (typeof manifestSha256 !== 'string') corrupt(file, 'has no manifestSha256 (its own checksum)');
  const actual = sha256(JSON.stringify(rest));
  if (actual !== manifestSha256) {
    corrupt(
      file,
      `checksum mismatch (manifestSha256 ${manifestSha256}, content hashes to ${actual}): edited by hand?`,
    );
  }
  for (const [name, meta] of Object.entries(manifest.files)) {
    if (!isPlainName(name) || name === MANIFEST_FILE) {
      corrupt(
        file,
        `lists file ${JSON.stringify(name)}, which is not a plain file name inside the index folder`,
      );
    }
    if (
      !meta ||
      typeof meta.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(meta.sha256) ||
      !Number.isSafeInteger(meta.bytes) ||
      meta.bytes < 0
    ) {
      corrupt(file, `entry for ${name} has no valid sha256/bytes`);
    }
  }
  for (const name of manifest.extras ?? []) {
    if (!Object.hasOwn(manifest.files, name))
      corrupt(file, `extra file ${JSON.stringify(name)} is not in files`);
  }
  return manifest;
}
