import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { importOptional } from '../../src/core/optional.js';

// The repo's own install has both optional peers, so "absent" is made real by importing them from a module in
// the OS temp folder, where Node's resolution finds no node_modules (the installed-package test in
// scripts/package-test.mjs checks the same errors in a project that really lacks them). Node's own loader is
// used, since vitest would resolve the bare name from the repo: createRequire from there, and for ESM the error
// a real `node` process gets from import() there (vitest's vm context has no native dynamic import).
function nativeImportError(tmp: string, file: string): Promise<never> {
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import(${JSON.stringify(pathToFileURL(path.join(tmp, file)).href)}).then(() => console.log('{}'), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })))`,
    ],
    { cwd: tmp, encoding: 'utf8' },
  );
  const { code, message } = JSON.parse(out) as { code: string; message: string };
  return Promise.reject(Object.assign(new Error(message), { code }));
}
describe('importOptional', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ragscope-optional-'));
    await writeFile(path.join(tmp, 'hnsw.mjs'), "export * from 'hnswlib-node';\n");
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('names the absent package, what needs it, how to install it and the alternative', async () => {
    const err = await importOptional(
      'hnswlib-node',
      'vector index "hnsw"',
      () => nativeImportError(tmp, 'hnsw.mjs'),
      "Without it, use vector: { index: 'exact' }.",
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RagscopeError);
    const e = err as RagscopeError;
    expect(e.code).toBe('MISSING_DEPENDENCY');
    expect(e.message).toMatch(
      /^hnswlib-node is not installed; it is an optional peer dependency of ragscope, needed for vector index "hnsw"\. Install it with `npm install hnswlib-node`/,
    );
    expect(e.message).toContain("Without it, use vector: { index: 'exact' }.");
    expect(e.details).toEqual({
      package: 'hnswlib-node',
      neededFor: 'vector index "hnsw"',
      installed: false,
    });
    expect((e.cause as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
    // The CJS build's require() fails with MODULE_NOT_FOUND: the same error.
    const cjs = (await importOptional('@huggingface/transformers', 'the transformer embedder', async () =>
      createRequire(path.join(tmp, 'x.cjs'))('@huggingface/transformers'),
    ).catch((x: unknown) => x)) as RagscopeError;
    expect(cjs.code).toBe('MISSING_DEPENDENCY');
    expect(cjs.details.installed).toBe(false);
    expect((cjs.cause as { code?: string }).code).toBe('MODULE_NOT_FOUND');
    expect(cjs.message).toContain(
      'Install it with `npm install @huggingface/transformers` (it brings ONNX Runtime',
    );
  });

  it('tells an installed package that fails to load apart from an absent one', async () => {
    const broken = new Error('libonnxruntime.so.1: cannot open shared object file');
    const e = (await importOptional('@huggingface/transformers', 'the cross-encoder', () =>
      Promise.reject(broken),
    ).catch((x: unknown) => x)) as RagscopeError;
    expect(e.code).toBe('MISSING_DEPENDENCY');
    expect(e.details.installed).toBe(true);
    expect(e.message).toContain(
      '@huggingface/transformers is installed but could not be loaded (libonnxruntime',
    );
    expect(e.message).toContain('Reinstall it with `npm install @huggingface/transformers`');
    expect(e.cause).toBe(broken);
    // A missing package that is not the peer itself (one of its own imports) is "installed but broken" too.
    const transitive = (await importOptional('@huggingface/transformers', 'x', () =>
      nativeImportError(tmp, 'hnsw.mjs'),
    ).catch((x: unknown) => x)) as RagscopeError;
    expect((transitive.cause as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
    expect(transitive.details.installed).toBe(true);
  });

  it('returns the module when it loads', async () => {
    const m = await importOptional('hnswlib-node', 'x', () => import('hnswlib-node'));
    const hnsw = m.default ?? m;
    expect(typeof hnsw.HierarchicalNSW).toBe('function');
  });
});
