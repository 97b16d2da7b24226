import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RecursiveChunker } from '../../src/chunkers/recursive.js';
import { metadataJson } from '../../src/core/document.js';
import { RagscopeError } from '../../src/core/errors.js';
import { CachedEmbedder } from '../../src/embedders/cached.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { HttpEmbedder } from '../../src/embedders/http.js';
import { ExactVectorIndex } from '../../src/search/exact.js';
import { fuse } from '../../src/search/fusion.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { VectorIndex } from '../../src/search/vector.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ragscope-bad-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run `f` and return the RagscopeError it throws (fails the test for any other outcome). */
async function ragscopeError(f: () => unknown): Promise<RagscopeError> {
  try {
    await f();
  } catch (err) {
    expect(err).toBeInstanceOf(RagscopeError);
    return err as RagscopeError;
  }
  throw new Error('expected a RagscopeError, nothing was thrown');
}

const docs = [
  { id: 'refunds', text: 'Refunds take five business days once the parcel is back.' },
  { id: 'shipping', text: 'Shipping is free for orders over fifty euros.' },
];

async function pipeline(): Promise<RetrievalPipeline> {
  const p = new RetrievalPipeline({
    chunker: new RecursiveChunker({ size: 200 }),
    embedder: new HashingEmbedder(),
    vector: { index: 'exact' },
  });
  await p.addDocuments(docs);
  return p;
}

describe('document metadata that JSON cannot hold is an INVALID_DOCUMENT naming the field', () => {
  it('circular and BigInt metadata, at any depth, in addDocuments, updateDocuments and save', async () => {
    const circular: Record<string, unknown> = { lang: 'en' };
    circular.self = circular;
    const p = await pipeline();
    const a = await ragscopeError(() => p.addDocuments([{ id: 'c', text: 'Circular.', metadata: circular }]));
    expect(a.code).toBe('INVALID_DOCUMENT');
    expect(a.message).toMatch(/document "c" metadata\.self is a circular reference/);
    const b = await ragscopeError(() =>
      p.updateDocuments([{ id: 'refunds', text: docs[0]!.text, metadata: { tags: [{ n: 10n }] } }]),
    );
    expect(b.message).toMatch(/document "refunds" metadata\.tags\[0\]\.n is a BigInt \(10n\)/);
    expect(b.details.param).toBe('document.metadata.tags[0].n');
    // Nothing was indexed or changed by the failed calls; the pipeline still saves and searches.
    expect(p.documentIds()).toEqual(['refunds', 'shipping']);
    expect(p.getDocument('refunds')?.metadata).toEqual({});
    await p.save(path.join(tmp, 'ok-index'));
    expect((await p.search('refund days', { k: 1 })).hits[0]?.chunk.docId).toBe('refunds');
  });

  it('property: metadataJson equals JSON.stringify for any JSON value and names a planted BigInt', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string({ minLength: 1 }), (meta, key) => {
        const doc = { id: 'd', text: 'x', metadata: meta };
        expect(metadataJson(doc)).toBe(JSON.stringify(meta));
        const bad = { id: 'd', text: 'x', metadata: { ...meta, [key]: { deep: [1n] } } };
        expect(() => metadataJson(bad)).toThrow(/is a BigInt \(1n\)/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('dimensions beyond any model (1e12) are INVALID_ARGUMENT, not a RangeError from a typed array', () => {
  it.each([
    ['HashingEmbedder', () => new HashingEmbedder({ dimensions: 1e12 })],
    ['ExactVectorIndex', () => new ExactVectorIndex({ dimensions: 1e12 })],
    ['VectorIndex', () => new VectorIndex({ dimensions: 1e12 })],
    [
      'HttpEmbedder',
      () => new HttpEmbedder({ baseURL: 'http://127.0.0.1:9/v1', model: 'm', dimensions: 1e12 }),
    ],
  ])('%s', async (_name, make) => {
    const err = await ragscopeError(make);
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('dimensions must be an integer between 1 and 65536, got 1000000000000');
    expect(err.details).toMatchObject({ param: 'dimensions', value: 1e12 });
  });

  it('the largest accepted dimension still embeds and indexes', async () => {
    const e = new HashingEmbedder({ dimensions: 65_536 });
    const [v] = await e.embed(['hello']);
    expect(v).toHaveLength(65_536);
    const idx = new ExactVectorIndex({ dimensions: 65_536 });
    await idx.add(['a'], [v!]);
    expect((await idx.search(v!, 1))[0]?.id).toBe('a');
  });
});

describe('depth given as a string (or an unknown key) is an error, not silently the default', () => {
  it('fusion.depth, config.depth and search depth', async () => {
    const p = await pipeline();
    const cases: Array<[() => unknown, RegExp]> = [
      [
        () => fuse([], { depth: '10' as never }),
        /^fusion\.depth must be a positive integer or an object keyed by the names of the lists fused/,
      ],
      [() => fuse([], { depth: { dense: 5 } as never }), /^fusion\.depth must be/],
      [
        () =>
          new RetrievalPipeline({
            chunker: 'recursive:200/0',
            fusion: { depth: '10' } as never,
          }),
        /^fusion\.depth must be .* got "10"/,
      ],
      [
        () => new RetrievalPipeline({ chunker: 'recursive:200/0', depth: '10' as never }),
        /^config\.depth must be \{ bm25\?: number, vector\?: number \}.* got "10"/,
      ],
      [() => p.search('refunds', { depth: '10' as never }), /^depth must be \{ bm25\?.* got "10"/],
      [
        () => p.search('refunds', { depth: { bm25: '10' } as never }),
        /^depth\.bm25 must be a positive integer, got "10"/,
      ],
      [
        () => p.search('refunds', { depth: { dense: 10 } as never }),
        /^depth must be an object with keys 'bm25'\/'vector'/,
      ],
      [() => p.search('refunds', { fusion: { depth: '10' } as never }), /^fusion\.depth must be/],
    ];
    for (const [f, message] of cases) {
      const err = await ragscopeError(f);
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toMatch(message);
    }
    // Valid depths still work.
    expect((await p.search('refunds', { depth: { bm25: 1, vector: 1 }, k: 1 })).hits).toHaveLength(1);
  });
});

describe('unknown search() options are rejected with the list of known ones', () => {
  it('where, topK, a typo of rerank', async () => {
    const p = await pipeline();
    for (const [key, value] of [
      ['where', { lang: 'en' }],
      ['topK', 3],
      ['reranke', false],
    ] as const) {
      const err = await ragscopeError(() => p.search('refunds', { [key]: value } as never));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toBe(
        `unknown search option "${key}" (value ${JSON.stringify(value)}): search() takes k, depth, fusion, rerank, minScore, queryVector, filter`,
      );
      expect(err.details.param).toBe(`options.${key}`);
    }
  });
});

describe('an embedding cache folder that is a file', () => {
  it('is INVALID_ARGUMENT naming dir, not a raw ENOTDIR', async () => {
    const file = path.join(tmp, 'not-a-folder');
    writeFileSync(file, 'x');
    for (const dir of [file, path.join(file, 'embeddings')]) {
      const cached = new CachedEmbedder(new HashingEmbedder(), { dir, onWarning: () => {} });
      const err = await ragscopeError(() => cached.embed(['hello']));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toMatch(
        /^dir ".*not-a-folder.*" cannot hold the embedding cache: a file is in the way/,
      );
      expect(err.details.param).toBe('dir');
    }
  });
});
