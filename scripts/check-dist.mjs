// Smoke test of the built package (run by .ci/run after `npm run build`): every entry point loads in ESM and CJS,
// none of them loads native code (onnxruntime, hnswlib) at import time, and the CLI binary starts.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const loaded = [];
const original = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  loaded.push(filename);
  return original.call(this, module, filename, ...rest);
};
const entries = ['', '/chunkers', '/embedders', '/search', '/diagnostics', '/eval', '/report'];
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
console.log(`dist ok: ${entries.length} entry points in ESM and CJS, no native code at import, CLI starts`);
