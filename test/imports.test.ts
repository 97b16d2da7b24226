import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/**
 * Import `modules` in a fresh Node process with `process.dlopen` (the only way native addons load) wrapped,
 * then return the native files that were loaded.
 */
function nativeLoadsAfterImport(modules: string[]): string[] {
  const script = `(async () => {
    const loaded = [];
    const original = process.dlopen;
    process.dlopen = function (module, filename, ...rest) { loaded.push(filename); return original.call(this, module, filename, ...rest); };
    for (const m of ${JSON.stringify(modules)}) await import(m);
    console.log(JSON.stringify(loaded));
  })();`;
  const out = execFileSync(process.execPath, [tsx, '--eval', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as string[];
}

describe('import cost', () => {
  it('the probe sees native code when it is loaded (so the checks below can fail)', () => {
    const loaded = nativeLoadsAfterImport(['hnswlib-node']);
    expect(loaded.some((f) => f.includes('hnswlib'))).toBe(true);
  });

  it('importing the chunkers, the metrics or the root entry point loads no native code', () => {
    const loaded = nativeLoadsAfterImport([
      path.join(root, 'src/chunkers/index.ts'),
      path.join(root, 'src/eval/index.ts'),
      path.join(root, 'src/index.ts'),
    ]);
    expect(loaded).toEqual([]);
  });
});
