import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

// One entry per public stage so that `ragscope/chunkers` never pulls in native code
// (onnxruntime via transformers.js, hnswlib-node): those stay external and are imported lazily.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'chunkers/index': 'src/chunkers/index.ts',
    'embedders/index': 'src/embedders/index.ts',
    'search/index': 'src/search/index.ts',
    'diagnostics/index': 'src/diagnostics/index.ts',
    'eval/index': 'src/eval/index.ts',
    'report/index': 'src/report/index.ts',
    'postgres/index': 'src/postgres/index.ts',
    'langchain/index': 'src/langchain/index.ts',
    'generate/index': 'src/generate/index.ts',
    'cli/main': 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  splitting: true,
  treeshake: true,
  target: 'node20',
  // The sentence splitter loads wink-nlp lazily with createRequire(import.meta.url); shims give the CJS build an
  // import.meta.url (and the ESM build __filename), without which the .cjs files would not even parse.
  shims: true,
  // The `ragscope explore` page: plain ES modules, HTML and CSS, shipped as they are (src/explore/assets.ts).
  onSuccess: async () => {
    cpSync('src/explore/static', 'dist/explore', { recursive: true });
  },
});
