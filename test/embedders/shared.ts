import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repo root (two levels above test/embedders). */
export const repoRoot = path.resolve(here, '../..');
/** `../shared/models` relative to the repo root. */
export const modelsDir = path.resolve(repoRoot, '../shared/models');

/** Path inside ../shared/models; throws a clear error when it is missing (tests must fail, not skip). */
export function sharedModel(rel: string): string {
  const p = path.join(modelsDir, rel);
  if (!existsSync(p)) {
    throw new Error(
      `shared model file missing: ${p} (expected ../shared/models next to the repo; see its README)`,
    );
  }
  return p;
}

export const glovePath = () => sharedModel('glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt');

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function norm(a: Float32Array): number {
  let s = 0;
  for (const x of a) s += x * x;
  return Math.sqrt(s);
}

/** Await `p`, expect it to reject with a RagscopeError, and return that error for further checks. */
export async function rejectsWithRagscopeError(p: Promise<unknown>): Promise<RagscopeError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(RagscopeError);
    return err as RagscopeError;
  }
  throw new Error('expected a RagscopeError');
}
