import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'tsup';
import { afterAll, describe, expect, it } from 'vitest';
import config from '../../tsup.config.js';
import { repoRoot } from './sentence-fixtures.js';

// Inside node_modules so that the built files resolve wink-nlp as an installed package would.
const outDir = path.join(repoRoot, 'node_modules', '.cache', `ragscope-sentence-build-${process.pid}`);

describe('the sentence splitter in the published ESM and CJS builds', () => {
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('loads wink-nlp lazily and finds the same sentences from both formats', async () => {
    const shims = (config as { shims?: boolean }).shims;
    await build({
      config: false,
      entry: { sentence: path.join(repoRoot, 'src/chunkers/sentence.ts') },
      format: ['esm', 'cjs'],
      outDir,
      target: 'node20',
      splitting: true,
      silent: true,
      ...(shims === undefined ? {} : { shims }),
    });
    const text = 'Dr. Smith arrived.  He sat down!\\r\\nThen he left.';
    const run = (args: string[]) =>
      execFileSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n').at(-1);
    const cjs = run([
      '-e',
      `const m = require(${JSON.stringify(path.join(outDir, 'sentence.cjs'))}); console.log(JSON.stringify(m.splitSentences('${text}')))`,
    ]);
    const esm = run([
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(path.join(outDir, 'sentence.js'))}); console.log(JSON.stringify(m.splitSentences('${text}')))`,
    ]);
    const expected = JSON.stringify([
      { start: 0, end: 18 },
      { start: 20, end: 32 },
      { start: 34, end: 47 },
    ]);
    expect(cjs).toBe(expected);
    expect(esm).toBe(expected);
  });
});
