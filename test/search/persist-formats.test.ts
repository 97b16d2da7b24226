import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import type { Bm25Index } from '../../src/search/bm25.js';
import { INDEX_FORMAT_VERSION, readManifest } from '../../src/search/persist.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { buildSmallIndex, smallEmbedder } from './fixtures/small-index.js';
import { repoRoot } from './shared.js';

const work = mkdtempSync(path.join(tmpdir(), 'ragscope-format4-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const fixture = path.join(repoRoot, 'test/search/fixtures/format4');
const queries = ['vitamin bone fracture', 'quokka island', 'enzymes pair', 'alpha delta', 'caffeine'];

/** Everything observable about a pipeline's content and answers. */
async function observe(p: RetrievalPipeline) {
  const bm25 = p.bm25 as Bm25Index;
  const docIds = p.documentIds().sort();
  return {
    config: p.config,
    stats: p.stats,
    docs: docIds.map((id) => [p.getDocument(id), p.chunksOf(id)]),
    vectors: p
      .chunkIds()
      .sort()
      .map((id) => Array.from(p.getVector(id) ?? [])),
    withoutVector: p.chunksWithoutVector().sort(),
    bm25: [...bm25.ids()].sort().map((id) => [id, [...bm25.termsOf(id)].sort()]),
    hits: await Promise.all(
      queries.map(async (q) => (await p.search(q, { k: 5 })).hits.map((h) => [h.chunk.id, h.score])),
    ),
    textHashes: p
      .exportState()
      .docs.map((d) => [d.doc.id, d.textHash])
      .sort(),
  };
}

describe('an index saved in format 4 (by ragscope before format 5)', () => {
  it('loads, equal to the same pipeline built now, and saves again as format 5', async () => {
    const dir = path.join(work, 'old');
    cpSync(fixture, dir, { recursive: true });
    expect((await readManifest(dir)).version).toBe(4);
    const loaded = await RetrievalPipeline.load(dir, { embedder: smallEmbedder() });
    const built = await buildSmallIndex();
    expect(await observe(loaded)).toEqual(await observe(built));
    // its text hashes were read: an unchanged document is recognised as unchanged
    const a = loaded.getDocument('a')!;
    expect((await loaded.updateDocuments([{ id: a.id, text: a.text }])).unchanged).toEqual(['a']);
    // a save writes format 5, which loads to the same pipeline
    const again = path.join(work, 'again');
    await loaded.save(again);
    expect((await readManifest(again)).version).toBe(INDEX_FORMAT_VERSION);
    const reloaded = await RetrievalPipeline.load(again, { embedder: smallEmbedder() });
    expect(await observe(reloaded)).toEqual(await observe(built));
  });

  it('format 5 round trip of the same pipeline (non-standard ids, overlaps, UTF-16 text, own metadata)', async () => {
    const built = await buildSmallIndex();
    const dir = path.join(work, 'five');
    await built.save(dir);
    const loaded = await RetrievalPipeline.load(dir, { embedder: smallEmbedder() });
    expect(await observe(loaded)).toEqual(await observe(built));
    expect((await loaded.updateDocuments([built.getDocument('c')!])).unchanged).toEqual(['c']);
  });

  it('a corrupt format-4 file is still named', async () => {
    const dir = path.join(work, 'old-corrupt');
    cpSync(fixture, dir, { recursive: true });
    const file = path.join(dir, 'chunks.bin');
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    writeFileSync(file, bytes);
    const err = await RetrievalPipeline.load(dir, { embedder: smallEmbedder() }).catch((e) => e);
    expect(err).toBeInstanceOf(RagscopeError);
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.message).toContain(file);
  });
});

describe('format 5 document records', () => {
  it('derive each text hash from the text, and store one that is not its sha256', async () => {
    const p = new RetrievalPipeline({ chunker: 'none' });
    await p.addDocuments([
      { id: 'doc-001', text: 'plain words' },
      { id: 'doc-002', text: 'broken \uD83D pair' },
      { id: 'other', text: 'caf\u00e9' },
    ]);
    // a document whose recorded hash is not the sha256 of its text (no chunks, so BM25 is unaffected)
    const odd = {
      doc: { id: 'odd', text: 'whatever', metadata: { k: 1 } },
      textHash: 'ab'.repeat(32),
      chunkIds: [],
    };
    p.importState({ docs: [odd], chunks: [], vectors: new Map() });
    const dir = path.join(work, 'hashes');
    await p.save(dir);
    const q = await RetrievalPipeline.load(dir);
    const hashes = (x: RetrievalPipeline) => x.exportState().docs.map((d) => [d.doc, d.textHash]);
    expect(hashes(q)).toEqual(hashes(p));
    expect(hashes(q).find(([doc]) => (doc as { id: string }).id === 'odd')![1]).toBe('ab'.repeat(32));
  });
});

describe('format 5 with a text larger than the write buffers', () => {
  it('saves and loads a 5 MB document between small ones', async () => {
    const big = `${'quokka island caf\u00e9 '.repeat(260_000)}end`;
    const p = new RetrievalPipeline({ chunker: 'recursive:2000/0' });
    await p.addDocuments([
      { id: 'small-1', text: 'vitamin' },
      { id: 'big', text: big },
      { id: 'small-2', text: 'enzyme protein' },
    ]);
    const dir = path.join(work, 'big-text');
    await p.save(dir);
    const q = await RetrievalPipeline.load(dir);
    expect(q.getDocument('big')!.text).toBe(big);
    expect(q.chunksOf('big')).toEqual(p.chunksOf('big'));
    for (const query of ['vitamin', 'enzyme', 'quokka end']) {
      expect((await q.search(query, { k: 3 })).hits.map((h) => [h.chunk.id, h.score])).toEqual(
        (await p.search(query, { k: 3 })).hits.map((h) => [h.chunk.id, h.score]),
      );
    }
  });
});
