import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelsDir, repoRoot } from './shared.js';

const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** Run `body` in a fresh Node process with `process.dlopen` watched; return the native files it loaded. */
function nativeLoads(body: string): string[] {
  const script = `(async () => {
    const loaded = [];
    const original = process.dlopen;
    process.dlopen = function (module, filename, ...rest) { loaded.push(filename); return original.call(this, module, filename, ...rest); };
    const m = await import(${JSON.stringify(path.join(repoRoot, 'src/embedders/index.ts'))});
    ${body}
    console.log(JSON.stringify(loaded));
  })().catch((e) => { console.error(e); process.exit(1); });`;
  const out = execFileSync(process.execPath, [tsx, '--eval', script], { cwd: repoRoot, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as string[];
}

describe('ragscope/embedders import cost', () => {
  it('importing it and using the pure-JS embedders loads no native code; a transformer model loads onnxruntime', () => {
    expect(
      nativeLoads(`
        new m.TransformersEmbedder({ model: 'Xenova/all-MiniLM-L6-v2' });
        await new m.HashingEmbedder().embed(['hello world']);
        m.parseEmbedderSpec('hashing:64');
      `),
    ).toEqual([]);
    const loaded = nativeLoads(`
      const e = await m.TransformersEmbedder.create({ model: 'glove-6B-50d-10k', localModelPath: ${JSON.stringify(modelsDir)}, allowRemoteModels: false });
      await e.embed(['hello world']);
    `);
    expect(loaded.some((f) => f.includes('onnxruntime'))).toBe(true);
  });
});
