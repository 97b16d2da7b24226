// Smoke test of the built package (run by .ci/run after `npm run build`): the ESM build never goes through
// esbuild's `__require` shim, every entry point loads in ESM and CJS, none of them loads native code (onnxruntime,
// hnswlib) at import time, and the CLI binary starts.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// In the ESM build esbuild turns every `require` (a call, `typeof require`, `require.resolve`) into `__require`,
// a shim that throws "Dynamic require ... is not supported" and has no `.resolve`: it once made the installed
// package's HTML report fail with "chart.js is not installed". Use createRequire(import.meta.url) instead (tsup
// shims import.meta.url in the CJS build). Any mention of the shim in an ESM file is a defect.
const shimUses = [];
for (const entry of readdirSync('dist', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
  const file = path.join(entry.parentPath, entry.name);
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (/\b__require\b/.test(line)) shimUses.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
}
if (shimUses.length > 0) {
  throw new Error(
    `the ESM build uses esbuild's __require shim (use createRequire(import.meta.url) in the source):\n${shimUses.join('\n')}`,
  );
}

const require = createRequire(import.meta.url);
const loaded = [];
const original = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  loaded.push(filename);
  return original.call(this, module, filename, ...rest);
};
const entries = [
  '',
  '/chunkers',
  '/embedders',
  '/search',
  '/diagnostics',
  '/eval',
  '/report',
  '/generate',
  '/postgres',
  '/langchain',
];
for (const e of entries) {
  const esm = await import(`ragscope${e}`);
  const cjs = require(`ragscope${e}`);
  if (Object.keys(esm).length === 0 || Object.keys(cjs).length === 0)
    throw new Error(`ragscope${e} exports nothing`);
}
if (loaded.length > 0)
  throw new Error(`importing the built package loaded native code: ${loaded.join(', ')}`);
const help = execFileSync(process.execPath, ['dist/cli/main.js', '--help'], { encoding: 'utf8' });
if (!help.includes('bench')) throw new Error('dist/cli/main.js --help does not list the bench command');
console.log(
  `dist ok: no require shim in the ESM build, ${entries.length} entry points in ESM and CJS, no native code at import, CLI starts`,
);
